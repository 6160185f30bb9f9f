#include "common/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const status_names[DTP_STATUS_COUNT] = {
    [DTP_OK] = "ok",
    [DTP_ERR_NOMEM] = "out of memory",
    [DTP_ERR_IO] = "i/o error",
    [DTP_ERR_PARSE] = "parse error",
    [DTP_ERR_LIMIT] = "limit exceeded",
    [DTP_ERR_CONFIG] = "configuration error",
    [DTP_ERR_USAGE] = "usage error",
    [DTP_ERR_NETWORK] = "network error",
    [DTP_ERR_HTTP] = "http error",
    [DTP_ERR_UPSTREAM] = "upstream error",
    [DTP_ERR_INTEGRITY] = "integrity error",
    [DTP_ERR_DB] = "database error",
    [DTP_ERR_LOCKED] = "locked by another run",
    [DTP_ERR_VALIDATION] = "validation failed",
    [DTP_ERR_NOT_FOUND] = "not found",
    [DTP_ERR_INTERRUPTED] = "interrupted",
    [DTP_ERR_UNSUPPORTED] = "unsupported",
};

const char *dtp_strerror(dtp_status st)
{
    if ((int)st < 0 || st >= DTP_STATUS_COUNT)
        return "unknown status";
    return status_names[st];
}

static void copy_field(char *dst, size_t dstsz, const char *src)
{
    if (!src)
        return;
    snprintf(dst, dstsz, "%s", src);
}

void dtp_error_clear(dtp_error *err)
{
    if (!err)
        return;
    memset(err, 0, sizeof *err);
    err->status = DTP_OK;
}

dtp_status dtp_error_set(dtp_error *err, dtp_status st, const char *stage, const char *fmt, ...)
{
    if (!err)
        return st;
    err->status = st;
    copy_field(err->stage, sizeof err->stage, stage);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return st;
}

void dtp_error_where(dtp_error *err, const char *source, const char *artifact, const char *locator)
{
    if (!err)
        return;
    copy_field(err->source, sizeof err->source, source);
    copy_field(err->artifact, sizeof err->artifact, artifact);
    copy_field(err->locator, sizeof err->locator, locator);
}

void dtp_error_locatef(dtp_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->locator, sizeof err->locator, fmt, ap);
    va_end(ap);
}

void dtp_error_prefix(dtp_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    char head[DTP_ERR_MESSAGE_MAX];
    char old[DTP_ERR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    memcpy(old, err->message, sizeof old);
    size_t hn = strlen(head);
    if (hn > sizeof err->message - 3)
        hn = sizeof err->message - 3;
    memcpy(err->message, head, hn);
    memcpy(err->message + hn, ": ", 2);
    size_t rest = sizeof err->message - hn - 3;
    size_t on = strnlen(old, rest);
    memcpy(err->message + hn + 2, old, on);
    err->message[hn + 2 + on] = '\0';
}

char *dtp_error_format(const dtp_error *err, char *out, size_t outsz)
{
    if (!out || outsz == 0)
        return out;
    out[0] = '\0';
    if (!err)
        return out;
    size_t n = 0;
#define APPEND(...)                                                                                \
    do {                                                                                           \
        if (n < outsz) {                                                                           \
            int w_ = snprintf(out + n, outsz - n, __VA_ARGS__);                                    \
            if (w_ > 0)                                                                            \
                n += (size_t)w_;                                                                   \
        }                                                                                          \
    } while (0)
    if (err->stage[0])
        APPEND("%s: ", err->stage);
    if (err->source[0])
        APPEND("%s: ", err->source);
    if (err->locator[0])
        APPEND("%s: ", err->locator);
    APPEND("%s", err->message[0] ? err->message : dtp_strerror(err->status));
    if (err->artifact[0])
        APPEND(" (artifact %.12s)", err->artifact);
#undef APPEND
    return out;
}
