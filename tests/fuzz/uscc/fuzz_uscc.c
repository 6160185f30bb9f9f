/* Fuzz common/uscc.c on arbitrary strings and check its contracts: a valid code's check
 * character is the one check_char computes; a repair changes exactly the reported position and
 * yields a valid code; a province is only reported for a valid code with a known division. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/uscc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';

    dtp_uscc_result r = dtp_uscc_check(s);
    if (r == DTP_USCC_OK) {
        if (strlen(s) != DTP_USCC_LEN || dtp_uscc_check_char(s) != s[17])
            __builtin_trap();
    }
    if (strlen(s) >= 17)
        (void)dtp_uscc_check_char(s);

    char fixed[DTP_USCC_LEN + 1];
    int pos = -1;
    if (dtp_uscc_repair(s, fixed, &pos)) {
        if (r == DTP_USCC_OK || dtp_uscc_check(fixed) != DTP_USCC_OK || pos < 0 ||
            pos >= DTP_USCC_LEN || strlen(s) != DTP_USCC_LEN)
            __builtin_trap();
        for (int i = 0; i < DTP_USCC_LEN; i++)
            if ((i == pos) != (fixed[i] != s[i]))
                __builtin_trap();
    }

    char prov[3];
    if (dtp_uscc_province(s, prov)) {
        if (r != DTP_USCC_OK || !dtp_province_code_known(prov) || strncmp(prov, s + 2, 2) != 0)
            __builtin_trap();
    }
    (void)dtp_province_code_known(s);
    free(s);
    return 0;
}
