/* Fuzz the Retry-After and HTTP-date readers with arbitrary header values, and check that a date
 * that parses formats back to a string that parses to the same time. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fetch/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256)
        return 0;
    char s[257];
    memcpy(s, data, size);
    s[size] = '\0';
    long secs;
    if (dtp_http_parse_retry_after(s, (time_t)1700000000, &secs) == DTP_OK && secs < 0)
        abort();
    time_t t;
    if (dtp_http_parse_date(s, &t) == DTP_OK && t >= 0 && t < (time_t)253402300799) {
        char out[64];
        time_t back;
        dtp_http_format_date(t, out, sizeof out);
        if (dtp_http_parse_date(out, &back) != DTP_OK || back != t)
            abort();
    }
    return 0;
}
