/* Fuzz fetch/number.c and check that a value is only ever produced from a decimal number that
 * is in the input: an accepted number is finite and only contains digits, sign, point,
 * exponent (and, with DTP_NUM_THOUSANDS, commas); the shortest formatting reads back to the
 * same double; a year has four digits. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fetch/number.h"

static int only_number_chars(const char *s, size_t n, int commas)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.' || c == 'e' || c == 'E' ||
              (commas && c == ',')))
            return 0;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    for (int flags = 0; flags <= DTP_NUM_THOUSANDS; flags++) {
        double v;
        const char *why = NULL;
        if (dtp_fetch_parse_number(s, size, flags, &v, &why) == DTP_OK) {
            if (!isfinite(v) || !only_number_chars(s, size, flags) || size == 0)
                __builtin_trap();
            if (v == 0 && signbit(v)) /* "-0" gives +0 */
                __builtin_trap();
            char txt[64];
            dtp_fetch_format_double(v, txt, sizeof txt);
            double back;
            if (dtp_fetch_parse_number(txt, strlen(txt), 0, &back, &why) != DTP_OK || back != v)
                __builtin_trap();
        } else if (!why) {
            __builtin_trap(); /* a refusal always says why */
        }
    }
    int y;
    if (dtp_fetch_parse_year(s, size, &y) == DTP_OK && (size != 4 || y < 1000 || y > 9999))
        __builtin_trap();
    long l;
    if (dtp_fetch_parse_long(s, size, &l) == DTP_OK && (l < 0 || !only_number_chars(s, size, 0)))
        __builtin_trap();
    return 0;
}
