#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/uscc.h"

static void real_code_validates(void **state)
{
    /* a real USCC from the legacy registry response in tests/fixtures/real/cnca/ */
    assert_int_equal(dtp_uscc_check("91371323760038087M"), DTP_USCC_OK);
    char p[3];
    assert_int_equal(dtp_uscc_province("91371323760038087M", p), 1);
    assert_string_equal(p, "37"); /* Shandong */
}

static void check_character_by_hand(void **state)
{
    /* 91110000000000000?: values 9,1,1,1,0... weights 1,3,9,27,...
     * sum = 9*1 + 1*3 + 1*9 + 1*27 + 0 = 48; 48 mod 31 = 17; 31-17 = 14 -> 'E' */
    assert_int_equal(dtp_uscc_check_char("91110000000000000"), 'E');
    assert_int_equal(dtp_uscc_check("91110000000000000E"), DTP_USCC_OK);
    assert_int_equal(dtp_uscc_check("91110000000000000F"), DTP_USCC_BAD_CHECK);
    assert_int_equal(dtp_uscc_check("9111000000000000E"), DTP_USCC_BAD_LENGTH);
    assert_int_equal(dtp_uscc_check("9111000000000000IE"), DTP_USCC_BAD_CHARACTER);
}

static void repair_one_confusable(void **state)
{
    char out[19];
    int pos = -1;
    /* 'O' read for '0' at position 11 of the real code */
    assert_int_equal(dtp_uscc_repair("91371323760O38087M", out, &pos), 1);
    assert_string_equal(out, "91371323760038087M");
    assert_int_equal(pos, 11);
    /* a valid code is not "repaired" */
    assert_int_equal(dtp_uscc_repair("91371323760038087M", out, &pos), 0);
    /* two wrong characters: no single substitution passes */
    assert_int_equal(dtp_uscc_repair("9I371323760O38087M", out, &pos), 0);
}

static void every_province_code(void **state)
{
    const char *codes[] = {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33",
                           "34", "35", "36", "37", "41", "42", "43", "44", "45", "46", "50",
                           "51", "52", "53", "54", "61", "62", "63", "64", "65"};
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
        char c[19] = "91";
        memcpy(c + 2, codes[i], 2);
        memcpy(c + 4, "0100MA0000000", 13);
        c[17] = dtp_uscc_check_char(c);
        c[18] = '\0';
        char p[3];
        assert_int_equal(dtp_uscc_check(c), DTP_USCC_OK);
        assert_int_equal(dtp_uscc_province(c, p), 1);
        assert_string_equal(p, codes[i]);
    }
    assert_int_equal(dtp_province_code_known("10"), 0);
    assert_int_equal(dtp_province_code_known("66"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(real_code_validates),
        cmocka_unit_test(check_character_by_hand),
        cmocka_unit_test(repair_one_confusable),
        cmocka_unit_test(every_province_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
