#include "fetch/csvread.h"

#include <csv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"

#define STAGE "fetch"

typedef struct field_meta {
    size_t off; /* into row bytes */
    size_t len;
    unsigned long line, col;
} field_meta;

struct dtp_csv {
    dtp_csv_opts o;
    dtp_csv_row_fn fn;
    void *ctx;
    struct csv_parser p;
    int p_ready;

    /* position of the next byte: absolute offset (BOM excluded), line, offset where it starts */
    uint64_t off;
    unsigned long line;
    uint64_t line_start;

    int bom_done;
    size_t bom_n;

    /* UTF-8 validation across chunk boundaries */
    int u_need;
    unsigned char u_lo, u_hi;
    unsigned long u_line, u_col; /* where the sequence being checked began */

    /* where the field libcsv is collecting began */
    int have_start;
    int after_row; /* last event ended a row (blank lines are skipped), else a field */
    unsigned long fs_line, fs_col;
    uint64_t fs_off;

    dtp_buf data;
    field_meta *fm;
    size_t nf, fm_cap;
    dtp_csv_field *out;
    size_t out_cap;
    size_t rows;

    dtp_status st; /* first failure; sticky */
    dtp_error *err;
};

static const unsigned char BOM[3] = {0xEF, 0xBB, 0xBF};

static const char *fname(const dtp_csv *c)
{
    return c->o.file ? c->o.file : "";
}

/* Decimal digits of v backwards into the end of tmp; returns the first digit. */
static char *utoa_back(unsigned long v, char *end)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

/* Called for every observation, so without snprintf (it showed in profiles). */
char *dtp_csv_locator(const char *file, const dtp_csv_field *f, char *out, size_t outsz)
{
    char nums[64], *end = nums + sizeof nums;
    char *c = utoa_back(f->col, end);
    *--c = ':';
    c = utoa_back(f->line, c);
    *--c = ':';
    size_t nl = (size_t)(end - c), fl = file ? strlen(file) : 0;
    if (outsz == 0)
        return out;
    if (fl + nl + 1 > outsz) {
        snprintf(out, outsz, "%s:%lu:%lu", file ? file : "", f->line, f->col);
        return out;
    }
    if (fl)
        memcpy(out, file, fl);
    memcpy(out + fl, c, nl);
    out[fl + nl] = '\0';
    return out;
}

dtp_status dtp_csv_field_error(dtp_error *err, dtp_status st, const char *file,
                               const dtp_csv_field *f, const char *fmt, ...)
{
    if (!err)
        return st;
    char loc[DTP_ERR_LOCATOR_MAX];
    dtp_csv_locator(file, f, loc, sizeof loc);
    dtp_error_where(err, NULL, NULL, loc);
    char msg[DTP_ERR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return dtp_error_set(err, st, STAGE, "%s", msg);
}

/* Fail at a byte position. */
static dtp_status fail_at(dtp_csv *c, dtp_status st, unsigned long line, unsigned long col,
                          const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static dtp_status fail_at(dtp_csv *c, dtp_status st, unsigned long line, unsigned long col,
                          const char *fmt, ...)
{
    if (c->st != DTP_OK)
        return c->st;
    c->st = st;
    if (c->err) {
        dtp_error_locatef(c->err, "%s:%lu:%lu", fname(c), line, col);
        char msg[DTP_ERR_MESSAGE_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        dtp_error_set(c->err, st, STAGE, "%s", msg);
    }
    return st;
}

static unsigned long col_of(const dtp_csv *c, uint64_t off)
{
    return (unsigned long)(off - c->line_start + 1);
}

static void on_field(void *s, size_t len, void *data)
{
    dtp_csv *c = data;
    if (c->st != DTP_OK)
        return;
    unsigned long line = c->have_start ? c->fs_line : c->line;
    unsigned long col = c->have_start ? c->fs_col : col_of(c, c->off);
    c->have_start = 0;
    c->after_row = 0;
    if (len > c->o.max_field) {
        fail_at(c, DTP_ERR_LIMIT, line, col, "field longer than %zu bytes", c->o.max_field);
        return;
    }
    if (c->nf >= c->o.max_cols) {
        fail_at(c, DTP_ERR_LIMIT, line, col, "row wider than %zu fields", c->o.max_cols);
        return;
    }
    if (c->nf == c->fm_cap) {
        size_t ncap = c->fm_cap ? c->fm_cap * 2 : 32;
        if (ncap > c->o.max_cols)
            ncap = c->o.max_cols;
        field_meta *n = realloc(c->fm, ncap * sizeof *n);
        if (!n) {
            fail_at(c, DTP_ERR_NOMEM, line, col, "out of memory");
            return;
        }
        c->fm = n;
        c->fm_cap = ncap;
    }
    field_meta *m = &c->fm[c->nf];
    m->off = c->data.len;
    m->len = len;
    m->line = line;
    m->col = col;
    dtp_status st = dtp_buf_append(&c->data, s ? s : "", s ? len : 0);
    if (st == DTP_OK)
        st = dtp_buf_append(&c->data, "", 1); /* each field keeps its own NUL */
    if (st != DTP_OK) {
        fail_at(c, st, line, col,
                st == DTP_ERR_LIMIT ? "row longer than %zu bytes" : "out of memory (%zu)",
                c->o.max_row_bytes);
        return;
    }
    c->nf++;
}

static void on_row(int term, void *data)
{
    (void)term;
    dtp_csv *c = data;
    c->have_start = 0;
    c->after_row = 1;
    if (c->st != DTP_OK)
        return;
    if (c->nf > c->out_cap) {
        dtp_csv_field *n = realloc(c->out, c->nf * sizeof *n);
        if (!n) {
            fail_at(c, DTP_ERR_NOMEM, c->line, 1, "out of memory");
            return;
        }
        c->out = n;
        c->out_cap = c->nf;
    }
    for (size_t i = 0; i < c->nf; i++) {
        c->out[i].s = c->data.data + c->fm[i].off;
        c->out[i].len = c->fm[i].len;
        c->out[i].line = c->fm[i].line;
        c->out[i].col = c->fm[i].col;
    }
    dtp_csv_row row = {c->rows, c->nf, c->out};
    dtp_status st = c->fn ? c->fn(c->ctx, &row, c->err) : DTP_OK;
    c->rows++;
    c->nf = 0;
    dtp_buf_reset(&c->data);
    if (st != DTP_OK) {
        c->st = st;
        if (c->err && c->err->status == DTP_OK)
            dtp_error_set(c->err, st, STAGE, "row callback failed");
    }
}

static int never_space(unsigned char ch)
{
    (void)ch;
    return 0; /* keep spaces as written: " 12" must not silently become 12 */
}

dtp_csv *dtp_csv_new(const dtp_csv_opts *opts, dtp_csv_row_fn fn, void *ctx)
{
    dtp_csv *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    if (opts)
        c->o = *opts;
    if (!c->o.delim)
        c->o.delim = ',';
    if (!c->o.max_field)
        c->o.max_field = (size_t)1 << 20;
    if (!c->o.max_row_bytes)
        c->o.max_row_bytes = (size_t)4 << 20;
    if (!c->o.max_cols)
        c->o.max_cols = 4096;
    c->fn = fn;
    c->ctx = ctx;
    unsigned char flags = CSV_APPEND_NULL;
    if (!c->o.lenient_quotes)
        flags |= CSV_STRICT | CSV_STRICT_FINI;
    if (csv_init(&c->p, flags) != 0) {
        free(c);
        return NULL;
    }
    c->p_ready = 1;
    csv_set_delim(&c->p, (unsigned char)c->o.delim);
    csv_set_space_func(&c->p, never_space);
    c->line = 1;
    c->after_row = 1;
    /* + one NUL per field */
    dtp_buf_init(&c->data, c->o.max_row_bytes + c->o.max_cols);
    return c;
}

void dtp_csv_free(dtp_csv *c)
{
    if (!c)
        return;
    if (c->p_ready)
        csv_free(&c->p);
    dtp_buf_free(&c->data);
    free(c->fm);
    free(c->out);
    free(c);
}

size_t dtp_csv_rows(const dtp_csv *c)
{
    return c->rows;
}

static void feed_span(dtp_csv *c, const unsigned char *p, size_t n, uint64_t span_off)
{
    size_t used = csv_parse(&c->p, p, n, on_field, on_row, c);
    if (c->st != DTP_OK)
        return;
    if (used < n) {
        int e = csv_error(&c->p);
        uint64_t at = span_off + used;
        if (e == CSV_EPARSE)
            fail_at(
                c, DTP_ERR_PARSE, c->line, col_of(c, at),
                "malformed quoting (a quote inside an unquoted field or after a closing quote)");
        else
            fail_at(c, e == CSV_ENOMEM ? DTP_ERR_NOMEM : DTP_ERR_LIMIT, c->line, col_of(c, at),
                    "csv parser: %s", csv_strerror(e));
    }
}

/* Validate, place and feed a chunk that has no BOM bytes left in it. Spans end at delimiters
 * and line ends, so libcsv reports each field at the last byte of a span and the start of the
 * next field is known exactly. */
static void process(dtp_csv *c, const unsigned char *p, size_t n)
{
    size_t span = 0;
    uint64_t span_off = c->off;
    const unsigned char delim = (unsigned char)c->o.delim;
    const uint64_t field_guard = 2 * (uint64_t)c->o.max_field + 2;
    for (size_t i = 0; i < n && c->st == DTP_OK; i++) {
        unsigned char b = p[i];
        unsigned long col = col_of(c, c->off);
        if (b == 0) {
            fail_at(c, DTP_ERR_PARSE, c->line, col, "nul byte in text");
            return;
        }
        if (c->u_need) {
            if (b < c->u_lo || b > c->u_hi) {
                fail_at(c, DTP_ERR_PARSE, c->u_line, c->u_col,
                        "invalid utf-8 (byte 0x%02x inside a sequence)", b);
                return;
            }
            c->u_lo = 0x80;
            c->u_hi = 0xBF;
            c->u_need--;
        } else if (b >= 0x80) {
            c->u_line = c->line;
            c->u_col = col;
            c->u_lo = 0x80;
            c->u_hi = 0xBF;
            if (b >= 0xC2 && b <= 0xDF)
                c->u_need = 1;
            else if (b >= 0xE0 && b <= 0xEF) {
                c->u_need = 2;
                if (b == 0xE0)
                    c->u_lo = 0xA0; /* overlong */
                if (b == 0xED)
                    c->u_hi = 0x9F; /* surrogates */
            } else if (b >= 0xF0 && b <= 0xF4) {
                c->u_need = 3;
                if (b == 0xF0)
                    c->u_lo = 0x90;
                if (b == 0xF4)
                    c->u_hi = 0x8F;
            } else {
                fail_at(c, DTP_ERR_PARSE, c->line, col, "invalid utf-8 (byte 0x%02x)", b);
                return;
            }
        }
        int term = b == '\r' || b == '\n';
        if (!c->have_start && !(c->after_row && term)) {
            c->have_start = 1;
            c->fs_line = c->line;
            c->fs_col = col;
            c->fs_off = c->off;
        } else if (c->have_start && c->off - c->fs_off > field_guard) {
            /* stop before libcsv buffers an unbounded field */
            fail_at(c, DTP_ERR_LIMIT, c->fs_line, c->fs_col, "field longer than %zu bytes",
                    c->o.max_field);
            return;
        }
        c->off++;
        if (term || b == delim || i + 1 == n) {
            feed_span(c, p + span, i + 1 - span, span_off);
            span = i + 1;
            span_off = c->off;
            if (b == '\n') {
                c->line++;
                c->line_start = c->off;
            }
        }
    }
}

dtp_status dtp_csv_feed(dtp_csv *c, const void *pv, size_t n, dtp_error *err)
{
    const unsigned char *p = pv;
    c->err = err;
    if (c->st != DTP_OK)
        return c->st;
    while (!c->bom_done && n > 0) {
        if (*p == BOM[c->bom_n]) {
            c->bom_n++;
            p++;
            n--;
            if (c->bom_n == 3)
                c->bom_done = 1;
        } else {
            c->bom_done = 1;
            process(c, BOM, c->bom_n); /* a partial BOM was text after all */
        }
    }
    if (n > 0 && c->st == DTP_OK)
        process(c, p, n);
    c->err = NULL;
    return c->st;
}

dtp_status dtp_csv_finish(dtp_csv *c, dtp_error *err)
{
    c->err = err;
    if (c->st == DTP_OK && !c->bom_done) {
        c->bom_done = 1;
        process(c, BOM, c->bom_n);
    }
    if (c->st == DTP_OK && c->u_need)
        fail_at(c, DTP_ERR_PARSE, c->u_line, c->u_col, "truncated utf-8 sequence at end");
    if (c->st == DTP_OK) {
        unsigned long l = c->have_start ? c->fs_line : c->line;
        unsigned long col = c->have_start ? c->fs_col : col_of(c, c->off);
        if (csv_fini(&c->p, on_field, on_row, c) != 0 && c->st == DTP_OK)
            fail_at(c, DTP_ERR_PARSE, l, col, "quoted field not closed at end of input");
    }
    c->err = NULL;
    return c->st;
}

dtp_status dtp_csv_read(const dtp_csv_opts *opts, dtp_reader *r, dtp_csv_row_fn fn, void *ctx,
                        dtp_error *err)
{
    enum { CHUNK = 64 * 1024 };
    dtp_status st = DTP_OK;
    unsigned char *buf = malloc(CHUNK);
    dtp_csv *c = dtp_csv_new(opts, fn, ctx);
    if (!buf || !c) {
        st = dtp_error_set(err, DTP_ERR_NOMEM, STAGE, "out of memory");
        goto out;
    }
    for (;;) {
        ssize_t got = r->read(r->ctx, buf, CHUNK);
        if (got < 0) {
            dtp_error_locatef(err, "%s", opts && opts->file ? opts->file : "");
            st = dtp_error_set(err, DTP_ERR_IO, STAGE, "read failed after %zu rows",
                               dtp_csv_rows(c));
            goto out;
        }
        if (got == 0)
            break;
        st = dtp_csv_feed(c, buf, (size_t)got, err);
        if (st != DTP_OK)
            goto out;
    }
    st = dtp_csv_finish(c, err);
out:
    dtp_csv_free(c);
    free(buf);
    return st;
}

long dtp_csv_find(const dtp_csv_row *row, const char *name)
{
    for (size_t i = 0; i < row->n; i++)
        if (strcmp(row->f[i].s, name) == 0)
            return (long)i;
    return -1;
}
