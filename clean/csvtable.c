/* See csvtable.h. */
#include "clean/csvtable.h"

#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"

typedef struct row_rec {
    size_t start; /* index into cells of the first field */
    size_t n;     /* fields */
    size_t line;  /* physical line the row started on */
} row_rec;

struct dtp_clean_csv {
    char *name;
    char **cells;
    size_t ncells, capcells;
    row_rec *rows;
    size_t nrows, caprows;
};

typedef struct builder {
    dtp_clean_csv *t;
    size_t cur_line;   /* line of the chunk being fed */
    size_t row_fields; /* fields so far in the current row */
    size_t row_line;   /* line the current row started on */
    dtp_status st;
} builder;

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 1;
    size_t ncap = *cap ? *cap * 2 : 64;
    while (ncap < need)
        ncap *= 2;
    void *q = realloc(*p, ncap * elem);
    if (!q)
        return 0;
    *p = q;
    *cap = ncap;
    return 1;
}

static void on_field(void *s, size_t len, void *data)
{
    builder *b = data;
    dtp_clean_csv *t = b->t;
    if (b->st != DTP_OK)
        return;
    if (len > DTP_CLEAN_CSV_MAX_FIELD) {
        b->st = DTP_ERR_LIMIT;
        return;
    }
    if (b->row_fields == 0)
        b->row_line = b->cur_line;
    if (!grow((void **)&t->cells, &t->capcells, t->ncells + 1, sizeof(char *))) {
        b->st = DTP_ERR_NOMEM;
        return;
    }
    char *c = malloc(len + 1);
    if (!c) {
        b->st = DTP_ERR_NOMEM;
        return;
    }
    if (len)
        memcpy(c, s, len);
    c[len] = '\0';
    t->cells[t->ncells++] = c;
    b->row_fields++;
}

static void on_row(int term, void *data)
{
    builder *b = data;
    dtp_clean_csv *t = b->t;
    (void)term;
    if (b->st != DTP_OK)
        return;
    if (b->row_fields == 0)
        return;
    /* A line holding only spaces or one empty field is a blank line, not a record. */
    if (b->row_fields == 1 && t->cells[t->ncells - 1][0] == '\0') {
        free(t->cells[--t->ncells]);
        b->row_fields = 0;
        return;
    }
    if (t->nrows >= DTP_CLEAN_CSV_MAX_ROWS) {
        b->st = DTP_ERR_LIMIT;
        return;
    }
    if (!grow((void **)&t->rows, &t->caprows, t->nrows + 1, sizeof(row_rec))) {
        b->st = DTP_ERR_NOMEM;
        return;
    }
    t->rows[t->nrows].start = t->ncells - b->row_fields;
    t->rows[t->nrows].n = b->row_fields;
    t->rows[t->nrows].line = b->row_line;
    t->nrows++;
    b->row_fields = 0;
}

void dtp_clean_csv_free(dtp_clean_csv *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->ncells; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t->rows);
    free(t->name);
    free(t);
}

static char detect_delim(const char *p, size_t n)
{
    size_t commas = 0, semis = 0;
    for (size_t i = 0; i < n && p[i] != '\n'; i++) {
        if (p[i] == ',')
            commas++;
        else if (p[i] == ';')
            semis++;
    }
    return semis > commas ? ';' : ',';
}

dtp_status dtp_clean_csv_read_mem(const char *data, size_t n, char delim, const char *name,
                                  dtp_clean_csv **out, dtp_error *err)
{
    dtp_status st = DTP_OK;
    struct csv_parser p;
    int parser_ready = 0;
    builder b = {0};
    const char *nm = name ? name : "<memory>";
    *out = NULL;
    if (n > DTP_CLEAN_CSV_MAX_BYTES) {
        dtp_error_where(err, NULL, NULL, nm);
        return dtp_error_set(err, DTP_ERR_LIMIT, "clean", "csv larger than %u bytes",
                             DTP_CLEAN_CSV_MAX_BYTES);
    }
    b.t = calloc(1, sizeof *b.t);
    if (!b.t || !(b.t->name = strdup(nm))) {
        st = dtp_error_set(err, DTP_ERR_NOMEM, "clean", "out of memory reading csv");
        goto out;
    }
    if (n >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB &&
        (unsigned char)data[2] == 0xBF) {
        data += 3;
        n -= 3;
    }
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        st = dtp_error_set(err, DTP_ERR_NOMEM, "clean", "out of memory reading csv");
        goto out;
    }
    parser_ready = 1;
    csv_set_delim(&p, (unsigned char)(delim ? delim : detect_delim(data, n)));
    /* Feed one physical line at a time so each record knows the line it started on. */
    b.cur_line = 1;
    size_t pos = 0;
    while (pos < n) {
        const char *nl = memchr(data + pos, '\n', n - pos);
        size_t len = nl ? (size_t)(nl - (data + pos)) + 1 : n - pos;
        if (csv_parse(&p, data + pos, len, on_field, on_row, &b) != len) {
            dtp_error_locatef(err, "%s:%zu", nm, b.cur_line);
            st = dtp_error_set(err, DTP_ERR_PARSE, "clean", "csv: %s", csv_strerror(csv_error(&p)));
            goto out;
        }
        if (b.st != DTP_OK)
            break;
        pos += len;
        b.cur_line++;
    }
    if (b.st == DTP_OK && csv_fini(&p, on_field, on_row, &b) != 0) {
        /* The input ended inside a quoted field: name the last line read. */
        dtp_error_locatef(err, "%s:%zu", nm, b.cur_line > 1 ? b.cur_line - 1 : 1);
        st = dtp_error_set(err, DTP_ERR_PARSE, "clean", "csv: input ends inside a quoted field");
        goto out;
    }
    if (b.st != DTP_OK) {
        dtp_error_locatef(err, "%s:%zu", nm, b.cur_line);
        st = dtp_error_set(err, b.st, "clean",
                           b.st == DTP_ERR_LIMIT ? "csv: field or row count over its cap"
                                                 : "out of memory reading csv");
        goto out;
    }
    *out = b.t;
    b.t = NULL;
out:
    if (parser_ready)
        csv_free(&p);
    dtp_clean_csv_free(b.t);
    return st;
}

dtp_status dtp_clean_read_capped(const char *path, const char *what, dtp_clean_mem_reader fn,
                                 void *out, dtp_error *err)
{
    dtp_status st = DTP_OK;
    dtp_buf buf;
    char chunk[8192];
    dtp_buf_init(&buf, DTP_CLEAN_CSV_MAX_BYTES);
    FILE *f = fopen(path, "rb");
    if (!f) {
        dtp_error_where(err, NULL, NULL, path);
        return dtp_error_set(err, DTP_ERR_IO, "clean", "cannot open %s", what);
    }
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (dtp_buf_append(&buf, chunk, got) != DTP_OK) {
            dtp_error_where(err, NULL, NULL, path);
            st = dtp_error_set(err, DTP_ERR_LIMIT, "clean", "%s larger than %u bytes", what,
                               DTP_CLEAN_CSV_MAX_BYTES);
            goto out;
        }
    }
    if (ferror(f)) {
        dtp_error_where(err, NULL, NULL, path);
        st = dtp_error_set(err, DTP_ERR_IO, "clean", "read failed");
        goto out;
    }
    st = fn(buf.data ? buf.data : "", buf.len, path, out, err);
out:
    fclose(f);
    dtp_buf_free(&buf);
    return st;
}

typedef struct csv_read_args {
    char delim;
    dtp_clean_csv **out;
} csv_read_args;

static dtp_status csv_reader(const char *d, size_t n, const char *name, void *o, dtp_error *e)
{
    csv_read_args *a = o;
    return dtp_clean_csv_read_mem(d, n, a->delim, name, a->out, e);
}

dtp_status dtp_clean_csv_read_file(const char *path, char delim, dtp_clean_csv **out,
                                   dtp_error *err)
{
    *out = NULL;
    csv_read_args a = {delim, out};
    return dtp_clean_read_capped(path, "file", csv_reader, &a, err);
}

size_t dtp_clean_csv_rows(const dtp_clean_csv *t)
{
    return t ? t->nrows : 0;
}

size_t dtp_clean_csv_ncols(const dtp_clean_csv *t, size_t r)
{
    return (t && r < t->nrows) ? t->rows[r].n : 0;
}

const char *dtp_clean_csv_cell(const dtp_clean_csv *t, size_t r, size_t c)
{
    if (!t || r >= t->nrows || c >= t->rows[r].n)
        return NULL;
    return t->cells[t->rows[r].start + c];
}

size_t dtp_clean_csv_line(const dtp_clean_csv *t, size_t r)
{
    return (t && r < t->nrows) ? t->rows[r].line : 0;
}

const char *dtp_clean_csv_name(const dtp_clean_csv *t)
{
    return t ? t->name : "";
}

long dtp_clean_csv_col(const dtp_clean_csv *t, const char *name)
{
    if (!t || t->nrows == 0)
        return -1;
    size_t want = strlen(name);
    for (size_t c = 0; c < t->rows[0].n; c++) {
        const char *h = t->cells[t->rows[0].start + c];
        while (*h == ' ')
            h++;
        size_t len = strlen(h);
        while (len && h[len - 1] == ' ')
            len--;
        if (len == want && memcmp(h, name, len) == 0)
            return (long)c;
    }
    return -1;
}

dtp_status dtp_clean_csv_require(const dtp_clean_csv *t, const char *const *names, size_t n,
                                 long *idx, const char *stage, dtp_error *err)
{
    if (!t || t->nrows == 0) {
        dtp_error_locatef(err, "%s:1", t ? t->name : "");
        return dtp_error_set(err, DTP_ERR_PARSE, stage, "csv has no header row");
    }
    for (size_t i = 0; i < n; i++) {
        idx[i] = dtp_clean_csv_col(t, names[i]);
        if (idx[i] < 0) {
            dtp_error_locatef(err, "%s:%zu", t->name, t->rows[0].line);
            return dtp_error_set(err, DTP_ERR_PARSE, stage, "header lacks column '%s'", names[i]);
        }
    }
    return DTP_OK;
}

int dtp_clean_trim_copy(const char *src, char *dst, size_t dstsz)
{
    while (*src == ' ' || *src == '\t')
        src++;
    size_t len = strlen(src);
    while (len && (src[len - 1] == ' ' || src[len - 1] == '\t' || src[len - 1] == '\r'))
        len--;
    int fits = len < dstsz;
    if (!fits) {
        len = dstsz - 1;
        while (len && ((unsigned char)src[len] & 0xC0) == 0x80)
            len--; /* do not end inside a multi-byte character */
    }
    memcpy(dst, src, len);
    dst[len] = '\0';
    return fits;
}

int dtp_clean_csv_take(const dtp_clean_csv *t, size_t r, long c, char *dst, size_t dstsz)
{
    const char *src = c >= 0 ? dtp_clean_csv_cell(t, r, (size_t)c) : NULL;
    return dtp_clean_trim_copy(src ? src : "", dst, dstsz);
}
