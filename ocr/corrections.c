#include "ocr/corrections.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ocr/validate.h"

#define MAX_COLS 32
#define CORRECTIONS_MAX_BYTES (64u * 1024u * 1024u)

enum { COL_SHA, COL_FIELD, COL_VALUE, COL_REVIEWER, COL_DATE, COL_KEY, NCOLS };
static const char *const col_names[NCOLS] = {"artifact_sha256", "field", "value",
                                             "reviewer",        "date",  "record_key"};

typedef struct read_state {
    dtp_ocr_corrections *c;
    dtp_error *err;
    dtp_status st;
    char *cells[MAX_COLS];
    size_t ncells;
    int header_seen;
    int col[NCOLS]; /* column index of each known column, -1 when absent */
    long row;       /* data rows seen */
} read_state;

static void clear_cells(read_state *s)
{
    for (size_t i = 0; i < s->ncells; i++)
        free(s->cells[i]);
    s->ncells = 0;
}

static void on_field(void *data, size_t len, void *ctx)
{
    read_state *s = ctx;
    if (s->st != DTP_OK)
        return;
    if (s->ncells >= MAX_COLS || len > DTP_OCR_TEXT_MAX) {
        s->st = dtp_error_set(s->err, DTP_ERR_LIMIT, "ocr",
                              "corrections: more than %d columns or a cell over %d bytes", MAX_COLS,
                              DTP_OCR_TEXT_MAX);
        dtp_error_locatef(s->err, "%s:row %ld", s->c->name, s->row + 1);
        return;
    }
    char *cell = malloc(len + 1);
    if (!cell) {
        s->st = dtp_error_set(s->err, DTP_ERR_NOMEM, "ocr", "corrections: out of memory");
        return;
    }
    if (len)
        memcpy(cell, data, len);
    cell[len] = '\0';
    s->cells[s->ncells++] = cell;
}

static const char *cell(const read_state *s, int which)
{
    int i = s->col[which];
    return i >= 0 && (size_t)i < s->ncells ? s->cells[i] : "";
}

static dtp_status row_error(read_state *s, const char *what, const char *detail)
{
    dtp_error_locatef(s->err, "%s:row %ld", s->c->name, s->row);
    return dtp_error_set(s->err, DTP_ERR_PARSE, "ocr", "corrections: %s \"%.80s\"", what, detail);
}

/* event[N].part with N a decimal below DTP_OCR_MAX_EVENTS */
static int parse_event_field(const char *f, long *idx, const char **part)
{
    if (strncmp(f, "event[", 6) != 0)
        return 0;
    char *end;
    errno = 0;
    long n = strtol(f + 6, &end, 10);
    if (errno || end == f + 6 || !isdigit((unsigned char)f[6]) || n < 0 ||
        n >= DTP_OCR_MAX_EVENTS || strncmp(end, "].", 2) != 0)
        return 0;
    const char *p = end + 2;
    if (strcmp(p, "activity") && strcmp(p, "description") && strcmp(p, "date"))
        return 0;
    *idx = n;
    *part = p;
    return 1;
}

static dtp_status take_row(read_state *s)
{
    s->row++;
    const char *sha = cell(s, COL_SHA), *field = cell(s, COL_FIELD);
    const char *value = cell(s, COL_VALUE), *reviewer = cell(s, COL_REVIEWER);
    const char *date = cell(s, COL_DATE), *key = cell(s, COL_KEY);
    long idx;
    const char *part;
    dtp_ocr_correction x = {.row = s->row};
    if (strlen(sha) != 64)
        return row_error(s, "artifact_sha256 is not 64 hex characters:", sha);
    for (int i = 0; i < 64; i++) {
        if (!isxdigit((unsigned char)sha[i]))
            return row_error(s, "artifact_sha256 is not 64 hex characters:", sha);
        x.artifact_sha256[i] = (char)tolower((unsigned char)sha[i]);
    }
    if (dtp_ocr_field_by_name(field) < 0 && !parse_event_field(field, &idx, &part))
        return row_error(s, "unknown field", field);
    if (!value[0])
        return row_error(s, "empty value for field", field);
    if (!reviewer[0])
        return row_error(s, "no reviewer for field", field);
    if (!dtp_ocr_parse_date(date, x.date))
        return row_error(s, "review date is not a date:", date);
    dtp_ocr_corrections *c = s->c;
    if (c->n >= DTP_OCR_CORRECTIONS_MAX)
        return dtp_error_set(s->err, DTP_ERR_LIMIT, "ocr", "corrections: more than %d rows",
                             DTP_OCR_CORRECTIONS_MAX);
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        dtp_ocr_correction *it = realloc(c->items, cap * sizeof *it);
        if (!it)
            return dtp_error_set(s->err, DTP_ERR_NOMEM, "ocr", "corrections: out of memory");
        c->items = it;
        c->cap = cap;
    }
    if (dtp_ocr_field_set_str(&x.field, field) != DTP_OK ||
        dtp_ocr_field_set_str(&x.value, value) != DTP_OK ||
        dtp_ocr_field_set_str(&x.reviewer, reviewer) != DTP_OK ||
        (key[0] && dtp_ocr_field_set_str(&x.record_key, key) != DTP_OK)) {
        free(x.field);
        free(x.value);
        free(x.reviewer);
        free(x.record_key);
        return dtp_error_set(s->err, DTP_ERR_NOMEM, "ocr", "corrections: out of memory");
    }
    c->items[c->n++] = x;
    return DTP_OK;
}

static dtp_status take_header(read_state *s)
{
    for (int k = 0; k < NCOLS; k++)
        s->col[k] = -1;
    for (size_t i = 0; i < s->ncells; i++) {
        char *h = s->cells[i];
        /* a UTF-8 byte order mark (spreadsheet exports) before the first name */
        if (i == 0 && strncmp(h, "\xEF\xBB\xBF", 3) == 0)
            memmove(h, h + 3, strlen(h + 3) + 1);
        for (int k = 0; k < NCOLS; k++)
            if (strcmp(h, col_names[k]) == 0 && s->col[k] < 0)
                s->col[k] = (int)i;
    }
    for (int k = 0; k < COL_KEY; k++)
        if (s->col[k] < 0) {
            dtp_error_locatef(s->err, "%s:header", s->c->name);
            return dtp_error_set(s->err, DTP_ERR_PARSE, "ocr", "corrections: missing column %s",
                                 col_names[k]);
        }
    s->header_seen = 1;
    return DTP_OK;
}

static void on_row(int term, void *ctx)
{
    (void)term;
    read_state *s = ctx;
    if (s->st == DTP_OK)
        s->st = s->header_seen ? take_row(s) : take_header(s);
    clear_cells(s);
}

void dtp_ocr_corrections_free(dtp_ocr_corrections *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->items[i].field);
        free(c->items[i].value);
        free(c->items[i].reviewer);
        free(c->items[i].record_key);
    }
    free(c->items);
    free(c);
}

dtp_status dtp_ocr_corrections_read(const char *bytes, size_t n, const char *name,
                                    dtp_ocr_corrections **out, dtp_error *err)
{
    struct csv_parser p;
    read_state s = {.err = err, .st = DTP_OK};
    *out = NULL;
    if (n > CORRECTIONS_MAX_BYTES)
        return dtp_error_set(err, DTP_ERR_LIMIT, "ocr", "corrections: %zu bytes exceeds cap %u", n,
                             CORRECTIONS_MAX_BYTES);
    s.c = calloc(1, sizeof *s.c);
    if (!s.c)
        return dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "corrections: out of memory");
    snprintf(s.c->name, sizeof s.c->name, "%s", name ? name : "corrections.csv");
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        dtp_ocr_corrections_free(s.c);
        return dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "corrections: out of memory");
    }
    size_t done = csv_parse(&p, bytes, n, on_field, on_row, &s);
    if (s.st == DTP_OK && done != n) {
        dtp_error_locatef(err, "%s:row %ld", s.c->name, s.row + 1);
        s.st = dtp_error_set(err, DTP_ERR_PARSE, "ocr", "corrections: %s",
                             csv_strerror(csv_error(&p)));
    }
    if (s.st == DTP_OK && csv_fini(&p, on_field, on_row, &s) != 0 && s.st == DTP_OK) {
        dtp_error_locatef(err, "%s:row %ld", s.c->name, s.row + 1);
        s.st = dtp_error_set(err, DTP_ERR_PARSE, "ocr", "corrections: %s",
                             csv_strerror(csv_error(&p)));
    }
    csv_free(&p);
    clear_cells(&s);
    if (s.st == DTP_OK && !s.header_seen) {
        dtp_error_locatef(err, "%s:header", s.c->name);
        s.st = dtp_error_set(err, DTP_ERR_PARSE, "ocr", "corrections: no header row");
    }
    if (s.st != DTP_OK) {
        dtp_ocr_corrections_free(s.c);
        return s.st;
    }
    *out = s.c;
    return DTP_OK;
}

/* Judge a reviewer's value with the rules of a text capture; on success copy it into target. */
static dtp_status apply_one(const dtp_ocr_corrections *c, const dtp_ocr_correction *x,
                            dtp_ocr_record *r, dtp_error *err)
{
    dtp_status st = DTP_OK;
    dtp_ocr_record *tmp = dtp_ocr_record_new(r->kind, r->artifact_sha256, r->row_index);
    if (!tmp)
        return dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "corrections: out of memory");
    tmp->text_capture = 1;
    long idx = -1;
    const char *part = NULL;
    dtp_ocr_field *target = NULL, *judged = NULL;
    dtp_ocr_event *tev = NULL;
    int id = dtp_ocr_field_by_name(x->field);
    if (id >= 0) {
        target = &r->fields[id];
        judged = &tmp->fields[id];
    } else {
        parse_event_field(x->field, &idx, &part);
        if ((size_t)idx >= r->nevents) {
            dtp_error_locatef(err, "%s:row %ld", c->name, x->row);
            st = dtp_error_set(err, DTP_ERR_VALIDATION, "ocr",
                               "corrections: %s: the record has %zu history rows", x->field,
                               r->nevents);
            goto out;
        }
        dtp_ocr_event *e = &r->events[idx];
        st = dtp_ocr_record_add_event(tmp, &tev);
        if (st != DTP_OK)
            goto out;
        target = !strcmp(part, "activity") ? &e->activity
                 : !strcmp(part, "date")   ? &e->date
                                           : &e->description;
        judged = !strcmp(part, "activity") ? &tev->activity
                 : !strcmp(part, "date")   ? &tev->date
                                           : &tev->description;
    }
    st = dtp_ocr_field_set_raw(judged, x->value, strlen(x->value), NULL, NULL, 100.0f);
    if (st == DTP_OK)
        st = dtp_ocr_record_validate(tmp, 0.0f, err);
    if (st != DTP_OK)
        goto out;
    if (!judged->raw || !judged->accepted) {
        dtp_error_locatef(err, "%s:row %ld", c->name, x->row);
        st = dtp_error_set(err, DTP_ERR_VALIDATION, "ocr", "corrections: %s value \"%.80s\": %s",
                           x->field, x->value,
                           judged->raw ? (judged->reason ? judged->reason : "not accepted")
                                       : "an organisation code, not a uscc");
        goto out;
    }
    /* the OCR text, box and confidence stay as evidence; the value is the reviewer's */
    if (dtp_ocr_field_set_str(&target->value, judged->value) != DTP_OK ||
        dtp_ocr_field_set_str(&target->reason, NULL) != DTP_OK ||
        dtp_ocr_field_set_str(&target->reviewer, x->reviewer) != DTP_OK ||
        dtp_ocr_field_set_str(&target->review_date, x->date) != DTP_OK ||
        dtp_ocr_field_add_flag(target, "reviewed") != DTP_OK) {
        st = dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "corrections: out of memory");
        goto out;
    }
    target->accepted = 1;
    target->reviewed = 1;
    if (tev && !strcmp(part, "activity"))
        r->events[idx].kind = tev->kind;
out:
    dtp_ocr_record_free(tmp);
    return st;
}

dtp_status dtp_ocr_corrections_apply(const dtp_ocr_corrections *c, dtp_ocr_record *r,
                                     size_t *applied, dtp_error *err)
{
    char key[128];
    size_t count = 0;
    dtp_status st = DTP_OK;
    dtp_ocr_record_key(r, key, sizeof key);
    for (size_t i = 0; i < c->n && st == DTP_OK; i++) {
        const dtp_ocr_correction *x = &c->items[i];
        if (strcmp(x->artifact_sha256, r->artifact_sha256) != 0)
            continue;
        if (x->record_key && strcmp(x->record_key, key) != 0)
            continue;
        st = apply_one(c, x, r, err);
        count += st == DTP_OK;
    }
    if (applied)
        *applied = count;
    if (st == DTP_OK && count)
        st = dtp_ocr_record_refresh(r, err);
    return st;
}

/* ---- review queue ---- */

/* Keep [A-Za-z0-9._-]; anything else becomes '_' so the name is safe on every file system. */
static void safe_name(const char *in, char *out, size_t outsz)
{
    size_t o = 0;
    for (const char *p = in ? in : ""; *p && o + 1 < outsz; p++)
        out[o++] = (isalnum((unsigned char)*p) || *p == '.' || *p == '-' || *p == '_') ? *p : '_';
    out[o] = '\0';
}

const char *dtp_ocr_review_crop_name(const char *sha, const char *key, const char *field, char *out,
                                     size_t outsz)
{
    char k[96], f[64];
    safe_name(key, k, sizeof k);
    safe_name(field, f, sizeof f);
    snprintf(out, outsz, "%.16s_%s_%s.png", sha ? sha : "", k, f);
    return out;
}

static int put_cell(FILE *f, const char *s, int last)
{
    s = s ? s : "";
    if (csv_fwrite(f, s, strlen(s)) != 0)
        return -1;
    return fputc(last ? '\n' : ',', f) == EOF ? -1 : 0;
}

dtp_status dtp_ocr_review_write_header(FILE *f, dtp_error *err)
{
    if (fputs("artifact_sha256,record_key,field,ocr_text,confidence,reason,crop_file\n", f) == EOF)
        return dtp_error_set(err, DTP_ERR_IO, "ocr", "review queue: write failed");
    return DTP_OK;
}

dtp_status dtp_ocr_review_write_row(FILE *f, const dtp_ocr_review_row *row, dtp_error *err)
{
    char conf[32];
    snprintf(conf, sizeof conf, "%.1f", (double)row->confidence);
    if (put_cell(f, row->artifact_sha256, 0) || put_cell(f, row->record_key, 0) ||
        put_cell(f, row->field, 0) || put_cell(f, row->ocr_text, 0) || put_cell(f, conf, 0) ||
        put_cell(f, row->reason, 0) || put_cell(f, row->crop_file, 1) || ferror(f))
        return dtp_error_set(err, DTP_ERR_IO, "ocr", "review queue: write failed");
    return DTP_OK;
}

static dtp_status review_field(FILE *f, const dtp_ocr_record *r, const char *key, const char *name,
                               const dtp_ocr_field *fl, size_t *n, dtp_error *err)
{
    if (!fl->raw || fl->accepted || fl->reviewed)
        return DTP_OK;
    char crop[256] = "";
    if (fl->has_box)
        dtp_ocr_review_crop_name(r->artifact_sha256, key, name, crop, sizeof crop);
    dtp_ocr_review_row row = {r->artifact_sha256,
                              key,
                              name,
                              fl->raw,
                              fl->confidence,
                              fl->reason ? fl->reason : "not accepted",
                              crop};
    (*n)++;
    return dtp_ocr_review_write_row(f, &row, err);
}

dtp_status dtp_ocr_review_write_record(FILE *f, const dtp_ocr_record *r, size_t *nrows,
                                       dtp_error *err)
{
    char key[128], name[48];
    size_t n = 0;
    dtp_status st = DTP_OK;
    dtp_ocr_record_key(r, key, sizeof key);
    if (!r->text_capture && !r->fields[DTP_OCR_F_CERT_NO].raw) {
        dtp_ocr_review_row row = {r->artifact_sha256,
                                  key,
                                  "cert_no",
                                  "",
                                  0.0f,
                                  "certificate number not found on the page",
                                  ""};
        st = dtp_ocr_review_write_row(f, &row, err);
        n++;
    }
    for (int i = 0; i < DTP_OCR_NFIELDS && st == DTP_OK; i++)
        st = review_field(f, r, key, dtp_ocr_field_name((dtp_ocr_field_id)i), &r->fields[i], &n,
                          err);
    for (size_t e = 0; e < r->nevents && st == DTP_OK; e++) {
        snprintf(name, sizeof name, "event[%zu].activity", e);
        st = review_field(f, r, key, name, &r->events[e].activity, &n, err);
        snprintf(name, sizeof name, "event[%zu].description", e);
        if (st == DTP_OK)
            st = review_field(f, r, key, name, &r->events[e].description, &n, err);
        snprintf(name, sizeof name, "event[%zu].date", e);
        if (st == DTP_OK)
            st = review_field(f, r, key, name, &r->events[e].date, &n, err);
    }
    if (nrows)
        *nrows = n;
    return st;
}
