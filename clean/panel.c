/* See panel.h. */
#include "clean/panel.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PANEL_MAX_ENTITIES 100000u
#define PANEL_MAX_YEARS 200u
#define PANEL_MAX_VARS 1000u
#define PANEL_MAX_CELLS 50000000u

static char **copy_names(size_t n, const char *const *names)
{
    char **out = calloc(n ? n : 1, sizeof(char *));
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        out[i] = strdup(names && names[i] ? names[i] : "");
        if (!out[i]) {
            for (size_t j = 0; j < i; j++)
                free(out[j]);
            free(out);
            return NULL;
        }
    }
    return out;
}

static void free_names(char **names, size_t n)
{
    if (!names)
        return;
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

dtp_status dtp_panel_new(size_t n_entities, const char *const *entities, int y0, size_t n_years,
                         size_t n_vars, const char *const *vars, dtp_panel **out, dtp_error *err)
{
    *out = NULL;
    if (n_entities > PANEL_MAX_ENTITIES || n_years == 0 || n_years > PANEL_MAX_YEARS ||
        n_vars == 0 || n_vars > PANEL_MAX_VARS || n_entities * n_years * n_vars > PANEL_MAX_CELLS)
        return dtp_error_set(err, DTP_ERR_LIMIT, "clean",
                             "panel of %zu entities x %zu years x %zu variables is out of bounds",
                             n_entities, n_years, n_vars);
    dtp_panel *p = calloc(1, sizeof *p);
    if (!p)
        goto nomem;
    p->n_entities = n_entities;
    p->n_years = n_years;
    p->n_vars = n_vars;
    p->y0 = y0;
    p->entities = copy_names(n_entities, entities);
    p->vars = copy_names(n_vars, vars);
    size_t ncells = n_entities * n_years * n_vars;
    p->cells = calloc(ncells ? ncells : 1, sizeof(dtp_cell));
    p->dropped = calloc(n_entities ? n_entities : 1, sizeof(int));
    p->drop_reason = calloc(n_entities ? n_entities : 1, sizeof(char *));
    if (!p->entities || !p->vars || !p->cells || !p->dropped || !p->drop_reason)
        goto nomem;
    *out = p;
    return DTP_OK;
nomem:
    dtp_panel_free(p);
    return dtp_error_set(err, DTP_ERR_NOMEM, "clean", "out of memory for panel");
}

void dtp_panel_free(dtp_panel *p)
{
    if (!p)
        return;
    free_names(p->entities, p->n_entities);
    free_names(p->vars, p->n_vars);
    if (p->drop_reason)
        for (size_t i = 0; i < p->n_entities; i++)
            free(p->drop_reason[i]);
    free(p->drop_reason);
    free(p->dropped);
    free(p->cells);
    free(p);
}

dtp_status dtp_panel_copy(const dtp_panel *p, dtp_panel **out, dtp_error *err)
{
    dtp_status st = dtp_panel_new(p->n_entities, (const char *const *)p->entities, p->y0,
                                  p->n_years, p->n_vars, (const char *const *)p->vars, out, err);
    if (st != DTP_OK)
        return st;
    dtp_panel *q = *out;
    memcpy(q->cells, p->cells, p->n_entities * p->n_years * p->n_vars * sizeof(dtp_cell));
    memcpy(q->dropped, p->dropped, p->n_entities * sizeof(int));
    for (size_t i = 0; i < p->n_entities; i++) {
        if (p->drop_reason[i] && !(q->drop_reason[i] = strdup(p->drop_reason[i]))) {
            dtp_panel_free(q);
            *out = NULL;
            return dtp_error_set(err, DTP_ERR_NOMEM, "clean", "out of memory for panel");
        }
    }
    return DTP_OK;
}

dtp_cell *dtp_panel_series(dtp_panel *p, size_t e, size_t v)
{
    if (!p || e >= p->n_entities || v >= p->n_vars)
        return NULL;
    return &p->cells[(v * p->n_entities + e) * p->n_years];
}

dtp_cell *dtp_panel_cell(dtp_panel *p, size_t e, int year, size_t v)
{
    dtp_cell *s = dtp_panel_series(p, e, v);
    if (!s || year < p->y0 || (size_t)(year - p->y0) >= p->n_years)
        return NULL;
    return &s[year - p->y0];
}

static long find(char **names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return (long)i;
    return -1;
}

long dtp_panel_entity(const dtp_panel *p, const char *name)
{
    return find(p->entities, p->n_entities, name);
}

long dtp_panel_var(const dtp_panel *p, const char *name)
{
    return find(p->vars, p->n_vars, name);
}

void dtp_cell_set_observed(dtp_cell *c, double v)
{
    memset(c, 0, sizeof *c);
    c->value = v;
    c->status = DTP_CELL_OBSERVED;
}

void dtp_cell_set_missing(dtp_cell *c, dtp_missing_reason why, const char *label)
{
    memset(c, 0, sizeof *c);
    c->status = DTP_CELL_MISSING;
    c->reason = why;
    if (label)
        snprintf(c->source_label, sizeof c->source_label, "%s", label);
}

const char *dtp_cell_status_name(dtp_cell_status s)
{
    switch (s) {
    case DTP_CELL_OBSERVED:
        return "observed";
    case DTP_CELL_IMPUTED:
        return "imputed";
    case DTP_CELL_OVERRIDDEN:
        return "overridden";
    case DTP_CELL_DERIVED:
        return "derived";
    case DTP_CELL_MISSING:
        break;
    }
    return "missing";
}

const char *dtp_missing_reason_name(dtp_missing_reason r)
{
    switch (r) {
    case DTP_MISS_NOT_REPORTED:
        return "not_reported";
    case DTP_MISS_SUPPRESSED:
        return "suppressed";
    case DTP_MISS_NOT_APPLICABLE:
        return "not_applicable";
    case DTP_MISS_LOW_OCR:
        return "below_ocr_confidence";
    case DTP_MISS_GAP_TOO_LONG:
        return "gap_too_long";
    case DTP_MISS_NO_ANCHOR:
        return "no_anchor";
    case DTP_MISS_INPUT_MISSING:
        return "input_missing";
    case DTP_MISS_NONE:
        break;
    }
    return "none";
}

const char *dtp_impute_method_name(dtp_impute_method m)
{
    switch (m) {
    case DTP_IMPUTE_IPOLATE:
        return "ipolate";
    case DTP_IMPUTE_EPOLATE:
        return "epolate";
    case DTP_IMPUTE_NONE:
        break;
    }
    return "none";
}

void dtp_ledger_init(dtp_ledger *l)
{
    memset(l, 0, sizeof *l);
}

void dtp_ledger_free(dtp_ledger *l)
{
    free(l->entries);
    memset(l, 0, sizeof *l);
}

dtp_status dtp_ledger_add(dtp_ledger *l, const char *rule, const char *entity, int year,
                          const char *variable, const char *fmt, ...)
{
    if (l->n >= DTP_LEDGER_MAX_ENTRIES)
        return DTP_ERR_LIMIT;
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 64;
        dtp_ledger_entry *q = realloc(l->entries, ncap * sizeof *q);
        if (!q)
            return DTP_ERR_NOMEM;
        l->entries = q;
        l->cap = ncap;
    }
    dtp_ledger_entry *e = &l->entries[l->n++];
    memset(e, 0, sizeof *e); /* whole entries compare and hash byte for byte */
    snprintf(e->rule, sizeof e->rule, "%s", rule ? rule : "");
    snprintf(e->entity, sizeof e->entity, "%s", entity ? entity : "");
    e->year = year;
    snprintf(e->variable, sizeof e->variable, "%s", variable ? variable : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->detail, sizeof e->detail, fmt, ap);
    va_end(ap);
    return DTP_OK;
}

size_t dtp_ledger_count(const dtp_ledger *l, const char *rule)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->entries[i].rule, rule) == 0)
            n++;
    return n;
}
