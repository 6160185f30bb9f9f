#include "fetch/reader.h"

#include <limits.h>
#include <string.h>

static ssize_t mem_read(void *ctx, void *buf, size_t n)
{
    dtp_mem_reader *m = ctx;
    size_t left = m->len - m->pos;
    if (n > left)
        n = left;
    if (n > (size_t)SSIZE_MAX)
        n = (size_t)SSIZE_MAX;
    if (n)
        memcpy(buf, m->p + m->pos, n);
    m->pos += n;
    return (ssize_t)n;
}

static int64_t mem_seek(void *ctx, int64_t off, int whence)
{
    dtp_mem_reader *m = ctx;
    int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)m->pos : (int64_t)m->len;
    if (off > 0 && base > INT64_MAX - off)
        return -1;
    int64_t to = base + off;
    if (to < 0 || (uint64_t)to > m->len)
        return -1;
    m->pos = (size_t)to;
    return to;
}

dtp_reader dtp_reader_mem(dtp_mem_reader *m, const void *p, size_t len)
{
    m->p = p;
    m->len = p ? len : 0;
    m->pos = 0;
    dtp_reader r = {mem_read, mem_seek, m};
    return r;
}

static ssize_t file_read(void *ctx, void *buf, size_t n)
{
    FILE *f = ctx;
    size_t got = fread(buf, 1, n, f);
    if (got == 0 && ferror(f))
        return -1;
    return (ssize_t)got;
}

static int64_t file_seek(void *ctx, int64_t off, int whence)
{
    FILE *f = ctx;
    if (fseeko(f, (off_t)off, whence) != 0)
        return -1;
    off_t at = ftello(f);
    return at < 0 ? -1 : (int64_t)at;
}

dtp_reader dtp_reader_file(FILE *f)
{
    dtp_reader r = {file_read, file_seek, f};
    return r;
}
