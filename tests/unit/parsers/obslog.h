/* Test helper: keep copies of every observation a parser pushes, find them again, and render
 * them as golden CSV lines. */
#ifndef DTP_TEST_OBSLOG_H
#define DTP_TEST_OBSLOG_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/obs.h"

typedef struct obs_copy {
    char *indicator, *variable, *entity_raw, *entity_code, *entity_system, *value_raw, *unit,
        *flags, *edition, *locator;
    int is_aggregate, year, has_value, scale;
    double value;
} obs_copy;

typedef struct obslog {
    obs_copy *v;
    size_t n, cap;
} obslog;

static inline char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static inline dtp_status obslog_add(void *ctx, const dtp_obs *o, dtp_error *err)
{
    (void)err;
    obslog *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v)
            abort();
    }
    obs_copy *c = &l->v[l->n++];
    c->indicator = dup_or_null(o->indicator);
    c->variable = dup_or_null(o->variable);
    c->entity_raw = dup_or_null(o->entity_raw);
    c->entity_code = dup_or_null(o->entity_code);
    c->entity_system = dup_or_null(o->entity_system);
    c->value_raw = dup_or_null(o->value_raw);
    c->unit = dup_or_null(o->unit);
    c->flags = dup_or_null(o->flags);
    c->edition = dup_or_null(o->edition);
    c->locator = dup_or_null(o->locator);
    c->is_aggregate = o->is_aggregate;
    c->year = o->year;
    c->has_value = o->has_value;
    c->scale = o->scale;
    c->value = o->value;
    return DTP_OK;
}

static inline void obslog_free(obslog *l)
{
    for (size_t i = 0; i < l->n; i++) {
        obs_copy *c = &l->v[i];
        free(c->indicator);
        free(c->variable);
        free(c->entity_raw);
        free(c->entity_code);
        free(c->entity_system);
        free(c->value_raw);
        free(c->unit);
        free(c->flags);
        free(c->edition);
        free(c->locator);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

static inline int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* First observation with this variable (or indicator when variable is NULL), code and year. */
static inline const obs_copy *obslog_find(const obslog *l, const char *var, const char *code,
                                          int year)
{
    for (size_t i = 0; i < l->n; i++) {
        const obs_copy *c = &l->v[i];
        if ((same(c->variable, var) || same(c->indicator, var)) && same(c->entity_code, code) &&
            c->year == year)
            return c;
    }
    return NULL;
}

static inline size_t obslog_count(const obslog *l, const char *var, int has_value)
{
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++)
        if (same(l->v[i].variable, var) && (has_value < 0 || l->v[i].has_value == has_value))
            k++;
    return k;
}

/* One golden line per observation. */
static inline void obslog_write(const obslog *l, FILE *f)
{
    fprintf(f, "indicator,variable,entity_code,entity_system,entity_raw,is_aggregate,year,"
               "value_raw,has_value,value,unit,scale,flags,edition,locator\n");
    for (size_t i = 0; i < l->n; i++) {
        const obs_copy *c = &l->v[i];
        fprintf(f, "%s,%s,%s,%s,\"%s\",%d,%d,%s,%d,%.17g,%s,%d,\"%s\",%s,%s\n",
                c->indicator ? c->indicator : "", c->variable ? c->variable : "",
                c->entity_code ? c->entity_code : "", c->entity_system ? c->entity_system : "",
                c->entity_raw ? c->entity_raw : "", c->is_aggregate, c->year,
                c->value_raw ? c->value_raw : "", c->has_value, c->has_value ? c->value : 0.0,
                c->unit ? c->unit : "", c->scale, c->flags ? c->flags : "",
                c->edition ? c->edition : "", c->locator ? c->locator : "");
    }
}

#endif
