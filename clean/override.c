/* See override.h. */
#include "clean/override.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clean/csvtable.h"

static const char *const cols[] = {"entity",   "year", "variable", "value", "publisher",
                                   "document", "url",  "date",     "reason"};
#define NCOLS 9

/* Report a bad field as file:line:field. what is the message, with at most one %s taking arg:
 * the messages below are literals, so the format is checked where each is written. */
#define fail(err, t, r, field, what, arg)                                                          \
    (dtp_error_locatef((err), "%s:%zu:%s", dtp_clean_csv_name(t), dtp_clean_csv_line((t), (r)),    \
                       (field)),                                                                   \
     dtp_error_set((err), DTP_ERR_PARSE, "clean", what, (arg)))

static int real_date(const char *s)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return 0;
    long y = strtol(s, NULL, 10), m = strtol(s + 5, NULL, 10), d = strtol(s + 8, NULL, 10);
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && d == 29 && !leap);
}

dtp_status dtp_override_read_mem(const char *data, size_t n, const char *name,
                                 dtp_override_set *out, dtp_error *err)
{
    dtp_clean_csv *t = NULL;
    long idx[NCOLS];
    memset(out, 0, sizeof *out);
    snprintf(out->source, sizeof out->source, "%s", name ? name : "<memory>");
    dtp_status st = dtp_clean_csv_read_mem(data, n, ',', name, &t, err);
    if (st != DTP_OK)
        return st;
    if ((st = dtp_clean_csv_require(t, cols, NCOLS, idx, "clean", err)) != DTP_OK)
        goto out;
    size_t nrows = dtp_clean_csv_rows(t) - 1;
    if (nrows > DTP_OVERRIDE_MAX_ROWS) {
        dtp_error_where(err, NULL, NULL, dtp_clean_csv_name(t));
        st = dtp_error_set(err, DTP_ERR_LIMIT, "clean", "more than %u overrides",
                           DTP_OVERRIDE_MAX_ROWS);
        goto out;
    }
    out->rows = calloc(nrows ? nrows : 1, sizeof(dtp_override));
    if (!out->rows) {
        st = dtp_error_set(err, DTP_ERR_NOMEM, "clean", "out of memory reading overrides");
        goto out;
    }
    for (size_t r = 1; r <= nrows; r++) {
        dtp_override *o = &out->rows[out->n];
        char year[16], value[64];
        struct {
            char *dst;
            size_t sz;
        } slot[NCOLS] = {{o->entity, sizeof o->entity},
                         {year, sizeof year},
                         {o->variable, sizeof o->variable},
                         {value, sizeof value},
                         {o->publisher, sizeof o->publisher},
                         {o->document, sizeof o->document},
                         {o->url, sizeof o->url},
                         {o->date, sizeof o->date},
                         {o->reason, sizeof o->reason}};
        for (size_t c = 0; c < NCOLS; c++) {
            const char *v = dtp_clean_csv_cell(t, r, (size_t)idx[c]);
            if (!v) {
                st = fail(err, t, r, cols[c], "field %s is absent (short row)", cols[c]);
                goto out;
            }
            if (!dtp_clean_trim_copy(v, slot[c].dst, slot[c].sz)) {
                dtp_error_locatef(err, "%s:%zu:%s", dtp_clean_csv_name(t), dtp_clean_csv_line(t, r),
                                  cols[c]);
                st = dtp_error_set(err, DTP_ERR_PARSE, "clean", "field %s longer than %zu bytes",
                                   cols[c], slot[c].sz - 1);
                goto out;
            }
            if (!slot[c].dst[0]) {
                st = fail(err, t, r, cols[c], "field %s is required", cols[c]);
                goto out;
            }
        }
        char *end;
        errno = 0;
        long y = strtol(year, &end, 10);
        if (errno || *end || y < 1900 || y > 2100) {
            st = fail(err, t, r, "year", "year '%s' is not a year between 1900 and 2100", year);
            goto out;
        }
        o->year = (int)y;
        errno = 0;
        o->value = strtod(value, &end);
        if (errno || *end || !isfinite(o->value)) {
            st = fail(err, t, r, "value", "value '%s' is not a finite number", value);
            goto out;
        }
        if (strncmp(o->url, "https://", 8) != 0 && strncmp(o->url, "http://", 7) != 0) {
            st = fail(err, t, r, "url", "url '%s' is not http(s)", o->url);
            goto out;
        }
        if (!real_date(o->date)) {
            st = fail(err, t, r, "date", "date '%s' is not a real YYYY-MM-DD date", o->date);
            goto out;
        }
        o->line = dtp_clean_csv_line(t, r);
        const dtp_override *dup = dtp_override_find(out, o->entity, o->year, o->variable);
        if (dup) {
            char msg[64];
            snprintf(msg, sizeof msg, "%zu", dup->line);
            st = fail(err, t, r, "entity", "a second override for this cell (first on line %s)",
                      msg);
            goto out;
        }
        out->n++;
    }
out:
    dtp_clean_csv_free(t);
    if (st != DTP_OK)
        dtp_override_set_free(out);
    return st;
}

static dtp_status override_reader(const char *d, size_t n, const char *nm, void *o, dtp_error *e)
{
    return dtp_override_read_mem(d, n, nm, o, e);
}

dtp_status dtp_override_read_file(const char *path, dtp_override_set *out, dtp_error *err)
{
    memset(out, 0, sizeof *out);
    return dtp_clean_read_capped(path, "override file", override_reader, out, err);
}

void dtp_override_set_free(dtp_override_set *s)
{
    if (!s)
        return;
    free(s->rows);
    s->rows = NULL;
    s->n = 0;
}

const dtp_override *dtp_override_find(const dtp_override_set *s, const char *entity, int year,
                                      const char *variable)
{
    for (size_t i = 0; i < s->n; i++) {
        const dtp_override *o = &s->rows[i];
        if (o->year == year && strcmp(o->entity, entity) == 0 && strcmp(o->variable, variable) == 0)
            return o;
    }
    return NULL;
}

void dtp_override_apply_cell(const dtp_override *o, dtp_cell *c)
{
    dtp_cell before = *c;
    /* Applying twice must not lose the source value: an overridden cell keeps its original. */
    if (before.status == DTP_CELL_OVERRIDDEN) {
        c->value = o->value;
        return;
    }
    memset(c, 0, sizeof *c);
    c->status = DTP_CELL_OVERRIDDEN;
    c->value = o->value;
    c->source_status = before.status;
    c->has_source_value = before.status != DTP_CELL_MISSING;
    c->source_value = c->has_source_value ? before.value : 0.0;
    c->reason = before.status == DTP_CELL_MISSING ? before.reason : DTP_MISS_NONE;
    memcpy(c->source_label, before.source_label, sizeof c->source_label);
}

dtp_status dtp_override_apply_panel(const dtp_override_set *s, dtp_panel *p, dtp_ledger *l,
                                    dtp_error *err)
{
    for (size_t i = 0; i < s->n; i++) {
        const dtp_override *o = &s->rows[i];
        long e = dtp_panel_entity(p, o->entity), v = dtp_panel_var(p, o->variable);
        dtp_cell *c = (e >= 0 && v >= 0) ? dtp_panel_cell(p, (size_t)e, o->year, (size_t)v) : NULL;
        dtp_status st;
        if (!c) {
            st = dtp_ledger_add(l, "override_unused", o->entity, o->year, o->variable,
                                "%s:%zu names a cell the panel lacks", s->source, o->line);
        } else {
            dtp_override_apply_cell(o, c);
            char src[64];
            if (c->has_source_value)
                snprintf(src, sizeof src, "%.17g (%s)", c->source_value,
                         dtp_cell_status_name(c->source_status));
            else
                snprintf(src, sizeof src, "no value");
            st = dtp_ledger_add(l, "override", o->entity, o->year, o->variable,
                                "%.17g replaces source %s; %s, %s, %s (%s:%zu)", o->value, src,
                                o->publisher, o->url, o->date, s->source, o->line);
        }
        if (st != DTP_OK)
            return dtp_error_set(err, st, "clean", "ledger: %s", dtp_strerror(st));
    }
    return DTP_OK;
}
