/* HTTP-date and Retry-After parsing. curl_getdate already understands IMF-fixdate, RFC 850 and
 * asctime forms, so no date grammar is written here. */
#include "fetch/http.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

dtp_status dtp_http_parse_date(const char *value, time_t *out)
{
    if (!value || !*value || !out)
        return DTP_ERR_PARSE;
    time_t t = curl_getdate(value, NULL);
    if (t == (time_t)-1)
        return DTP_ERR_PARSE;
    *out = t;
    return DTP_OK;
}

dtp_status dtp_http_parse_retry_after(const char *value, time_t now, long *secs)
{
    if (!value || !secs)
        return DTP_ERR_PARSE;
    while (*value == ' ' || *value == '\t')
        value++;
    if (isdigit((unsigned char)*value)) {
        char *end = NULL;
        errno = 0;
        long v = strtol(value, &end, 10);
        while (end && (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
            end++;
        if (errno != 0 || !end || *end != '\0' || v < 0)
            return DTP_ERR_PARSE;
        *secs = v;
        return DTP_OK;
    }
    time_t t;
    if (dtp_http_parse_date(value, &t) != DTP_OK)
        return DTP_ERR_PARSE;
    *secs = t > now ? (long)(t - now) : 0;
    return DTP_OK;
}

void dtp_http_format_date(time_t t, char *out, size_t outsz)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (!out || outsz == 0)
        return;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        out[0] = '\0';
        return;
    }
    /* Fixed English names: strftime would follow the locale. */
    snprintf(out, outsz, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7], tm.tm_mday,
             months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}
