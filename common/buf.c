#include "common/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dtp_buf_init(dtp_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

static dtp_status reserve(dtp_buf *b, size_t extra)
{
    if (extra > b->max || b->len > b->max - extra)
        return DTP_ERR_LIMIT;
    size_t need = b->len + extra + 1; /* room for the NUL */
    if (need <= b->cap)
        return DTP_OK;
    size_t ncap = b->cap ? b->cap : 64;
    while (ncap < need)
        ncap = ncap > ((size_t)-1) / 2 ? need : ncap * 2;
    if (ncap > b->max + 1)
        ncap = b->max + 1;
    char *p = realloc(b->data, ncap);
    if (!p)
        return DTP_ERR_NOMEM;
    b->data = p;
    b->cap = ncap;
    return DTP_OK;
}

dtp_status dtp_buf_append(dtp_buf *b, const void *p, size_t n)
{
    dtp_status st = reserve(b, n);
    if (st != DTP_OK)
        return st;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return DTP_OK;
}

dtp_status dtp_buf_puts(dtp_buf *b, const char *s)
{
    return dtp_buf_append(b, s, strlen(s));
}

dtp_status dtp_buf_vprintf(dtp_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return DTP_ERR_PARSE;
    dtp_status st = reserve(b, (size_t)n);
    if (st != DTP_OK)
        return st;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return DTP_OK;
}

dtp_status dtp_buf_printf(dtp_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dtp_status st = dtp_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return st;
}

void dtp_buf_reset(dtp_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

char *dtp_buf_take(dtp_buf *b)
{
    char *p = b->data;
    if (!p) {
        p = malloc(1);
        if (p)
            p[0] = '\0';
    }
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}

const char *dtp_buf_str(const dtp_buf *b)
{
    return b->data ? b->data : "";
}

void dtp_buf_free(dtp_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}
