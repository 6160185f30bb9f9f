#include "fetch/number.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NUM_TEXT_MAX 128

/* strtod and printf follow LC_NUMERIC: a program that calls setlocale() for a locale with a
 * decimal comma must not change how "1.5" reads. Conversions run under the C locale for the
 * calling thread only (uselocale is per thread). */
static locale_t c_numeric;
static pthread_once_t c_numeric_once = PTHREAD_ONCE_INIT;

static void make_c_numeric(void)
{
    c_numeric = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

static locale_t enter_c_numeric(void)
{
    pthread_once(&c_numeric_once, make_c_numeric);
    return c_numeric ? uselocale(c_numeric) : (locale_t)0;
}

static void leave_c_numeric(locale_t prev)
{
    if (prev)
        uselocale(prev);
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Validate the shape by hand so strtod cannot accept what we refuse (hex, nan, inf, spaces,
 * locale decimal commas); copy it without group separators into out. */
static const char *shape(const char *s, size_t len, int flags, char *out, size_t outsz)
{
    size_t i = 0, o = 0, digits = 0, frac = 0;
    if (len == 0)
        return "empty";
    if (len >= outsz)
        return "too long";
    if (s[i] == '+' || s[i] == '-')
        out[o++] = s[i++];
    size_t group = 0;
    int grouped = 0;
    while (i < len && (is_digit(s[i]) || s[i] == ',')) {
        if (s[i] == ',') {
            if (!(flags & DTP_NUM_THOUSANDS))
                return "thousands separator";
            if (digits == 0 || (grouped ? group != 3 : group > 3))
                return "misplaced thousands separator";
            grouped = 1;
            group = 0;
            i++;
            continue;
        }
        out[o++] = s[i++];
        digits++;
        group++;
    }
    if (grouped && group != 3)
        return "misplaced thousands separator";
    if (i < len && s[i] == '.') {
        out[o++] = s[i++];
        while (i < len && is_digit(s[i])) {
            out[o++] = s[i++];
            frac++;
        }
    }
    if (digits + frac == 0)
        return "not a number";
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        out[o++] = s[i++];
        if (i < len && (s[i] == '+' || s[i] == '-'))
            out[o++] = s[i++];
        size_t ed = 0;
        while (i < len && is_digit(s[i])) {
            out[o++] = s[i++];
            ed++;
        }
        if (ed == 0)
            return "not a number";
    }
    if (i != len)
        return "not a number";
    out[o] = '\0';
    return NULL;
}

dtp_status dtp_fetch_parse_number(const char *s, size_t len, int flags, double *out,
                                  const char **why)
{
    char tmp[NUM_TEXT_MAX];
    const char *bad = shape(s, len, flags, tmp, sizeof tmp);
    if (bad) {
        if (why)
            *why = bad;
        return DTP_ERR_PARSE;
    }
    locale_t prev = enter_c_numeric();
    errno = 0;
    char *end = NULL;
    double v = strtod(tmp, &end);
    int e = errno;
    leave_c_numeric(prev);
    errno = e;
    if (end == tmp || *end != '\0') {
        if (why)
            *why = "not a number";
        return DTP_ERR_PARSE;
    }
    /* ERANGE is also set for underflow to a denormal or zero; only a non-finite result or a
     * lost non-zero value is out of range. */
    if (!isfinite(v) || (errno == ERANGE && (fabs(v) == HUGE_VAL || v == 0.0))) {
        if (why)
            *why = "out of range";
        return DTP_ERR_PARSE;
    }
    if (v == 0.0)
        v = 0.0; /* "-0" is zero, not a negative zero that prints as "-0" */
    *out = v;
    return DTP_OK;
}

dtp_status dtp_fetch_parse_year(const char *s, size_t len, int *out)
{
    if (len != 4)
        return DTP_ERR_PARSE;
    int y = 0;
    for (size_t i = 0; i < 4; i++) {
        if (!is_digit(s[i]))
            return DTP_ERR_PARSE;
        y = y * 10 + (s[i] - '0');
    }
    if (y < 1000)
        return DTP_ERR_PARSE;
    *out = y;
    return DTP_OK;
}

dtp_status dtp_fetch_parse_long(const char *s, size_t len, long *out)
{
    if (len == 0 || len > 18)
        return DTP_ERR_PARSE;
    long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!is_digit(s[i]))
            return DTP_ERR_PARSE;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return DTP_OK;
}

void dtp_fetch_format_double(double v, char *out, size_t outsz)
{
    locale_t prev = enter_c_numeric();
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, outsz, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            break;
    }
    leave_c_numeric(prev);
}
