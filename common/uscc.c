#include "common/uscc.h"

#include <string.h>

/* GB 32100-2015 table of the 31 code characters, in value order (no I, O, S, V, Z). */
static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};

static int value_of(char c)
{
    const char *p = c ? strchr(alphabet, c) : NULL;
    return p ? (int)(p - alphabet) : -1;
}

char dtp_uscc_check_char(const char *first17)
{
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        int v = value_of(first17[i]);
        if (v < 0)
            return '\0';
        sum += v * weights[i];
    }
    int c = 31 - sum % 31;
    return alphabet[c == 31 ? 0 : c];
}

dtp_uscc_result dtp_uscc_check(const char *code)
{
    if (!code || strlen(code) != DTP_USCC_LEN)
        return DTP_USCC_BAD_LENGTH;
    for (int i = 0; i < DTP_USCC_LEN; i++)
        if (value_of(code[i]) < 0)
            return DTP_USCC_BAD_CHARACTER;
    return dtp_uscc_check_char(code) == code[17] ? DTP_USCC_OK : DTP_USCC_BAD_CHECK;
}

/* Each group lists characters OCR mistakes for one another; a substitution stays in its group. */
static const char *const confusable_groups[] = {"0OD", "1IL", "2Z", "5S", "8B"};

int dtp_uscc_repair(const char *code, char out[DTP_USCC_LEN + 1], int *pos)
{
    if (!code || strlen(code) != DTP_USCC_LEN || dtp_uscc_check(code) == DTP_USCC_OK)
        return 0;
    char work[DTP_USCC_LEN + 1];
    char found[DTP_USCC_LEN + 1];
    int found_pos = -1, candidates = 0;
    for (int i = 0; i < DTP_USCC_LEN; i++) {
        for (size_t g = 0; g < sizeof confusable_groups / sizeof *confusable_groups; g++) {
            const char *grp = confusable_groups[g];
            if (!strchr(grp, code[i]))
                continue;
            for (const char *alt = grp; *alt; alt++) {
                if (*alt == code[i])
                    continue;
                memcpy(work, code, sizeof work);
                work[i] = *alt;
                if (dtp_uscc_check(work) == DTP_USCC_OK) {
                    candidates++;
                    memcpy(found, work, sizeof found);
                    found_pos = i;
                }
            }
        }
    }
    if (candidates != 1)
        return 0;
    memcpy(out, found, DTP_USCC_LEN + 1);
    if (pos)
        *pos = found_pos;
    return 1;
}

int dtp_province_code_known(const char *d)
{
    if (!d || d[0] < '0' || d[0] > '9' || d[1] < '0' || d[1] > '9')
        return 0;
    int n = (d[0] - '0') * 10 + (d[1] - '0');
    return (n >= 11 && n <= 15) || (n >= 21 && n <= 23) || (n >= 31 && n <= 37) ||
           (n >= 41 && n <= 46) || (n >= 50 && n <= 54) || (n >= 61 && n <= 65) || n == 71 ||
           n == 81 || n == 82;
}

int dtp_uscc_province(const char *code, char out[3])
{
    if (dtp_uscc_check(code) != DTP_USCC_OK)
        return 0;
    if (!dtp_province_code_known(code + 2))
        return 0;
    out[0] = code[2];
    out[1] = code[3];
    out[2] = '\0';
    return 1;
}
