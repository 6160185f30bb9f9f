/* See sample.h. */
#include "clean/sample.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Shares are compared as counts, with a small tolerance, so that 0.10 x 240 is exactly 24. */
#define SHARE_EPS 1e-9

dtp_sample_opts dtp_sample_opts_default(void)
{
    dtp_sample_opts o = {0.5, 0.10, 0, 2};
    return o;
}

static dtp_status ledger_fail(dtp_status st, dtp_error *err)
{
    return dtp_error_set(err, st, "clean", "ledger: %s", dtp_strerror(st));
}

static dtp_status drop(dtp_panel *p, size_t e, const char *why, dtp_error *err)
{
    p->dropped[e] = 1;
    if (!p->drop_reason[e]) {
        p->drop_reason[e] = strdup(why);
        if (!p->drop_reason[e])
            return dtp_error_set(err, DTP_ERR_NOMEM, "clean", "out of memory");
    }
    return DTP_OK;
}

dtp_status dtp_sample_drop_sparse(dtp_panel *p, const dtp_sample_opts *o, dtp_ledger *l,
                                  size_t *n_dropped, dtp_error *err)
{
    size_t nd = 0;
    dtp_status st;
    double limit = o->drop_if_missing_share * (double)p->n_years;
    for (size_t e = 0; e < p->n_entities; e++) {
        if (p->dropped[e])
            continue;
        int drop_it = 0;
        char why[256] = "";
        for (size_t v = 0; v < p->n_vars; v++) {
            const dtp_cell *s = dtp_panel_series(p, e, v);
            size_t miss = 0;
            for (size_t t = 0; t < p->n_years; t++)
                if (s[t].status == DTP_CELL_MISSING)
                    miss++;
            if ((double)miss > limit + SHARE_EPS) {
                if ((st = dtp_ledger_add(l, "drop_missing_share", p->entities[e], 0, p->vars[v],
                                         "%zu of %zu years missing (share %.4g > %.4g)", miss,
                                         p->n_years, (double)miss / (double)p->n_years,
                                         o->drop_if_missing_share)) != DTP_OK)
                    return ledger_fail(st, err);
                if (!drop_it)
                    snprintf(why, sizeof why, "rule 1: %s missing in %zu of %zu years", p->vars[v],
                             miss, p->n_years);
                drop_it = 1;
            }
        }
        if (drop_it) {
            if ((st = drop(p, e, why, err)) != DTP_OK)
                return st;
            nd++;
        }
    }
    if (n_dropped)
        *n_dropped = nd;
    return DTP_OK;
}

dtp_status dtp_sample_impute(dtp_panel *p, const dtp_sample_opts *o, dtp_ledger *l, dtp_error *err)
{
    dtp_status st;
    dtp_impute_opts io = {o->extrapolate, o->max_gap};
    int *edge_fail = calloc(p->n_entities ? p->n_entities : 1, sizeof(int));
    char **edge_var = calloc(p->n_entities ? p->n_entities : 1, sizeof(char *));
    if (!edge_fail || !edge_var) {
        st = dtp_error_set(err, DTP_ERR_NOMEM, "clean", "out of memory");
        goto out;
    }
    for (size_t v = 0; v < p->n_vars; v++) {
        size_t miss = 0, total = 0;
        for (size_t e = 0; e < p->n_entities; e++) {
            if (p->dropped[e])
                continue;
            const dtp_cell *s = dtp_panel_series(p, e, v);
            for (size_t t = 0; t < p->n_years; t++, total++)
                if (s[t].status == DTP_CELL_MISSING)
                    miss++;
        }
        if (miss == 0)
            continue;
        double share = (double)miss / (double)total;
        if ((double)miss > o->impute_if_missing_share * (double)total + SHARE_EPS) {
            if ((st = dtp_ledger_add(l, "not_imputed", "", 0, p->vars[v],
                                     "%zu of %zu entity-years missing (share %.4g > %.4g)", miss,
                                     total, share, o->impute_if_missing_share)) != DTP_OK) {
                st = ledger_fail(st, err);
                goto out;
            }
            continue;
        }
        if ((st = dtp_ledger_add(l, "impute_variable", "", 0, p->vars[v],
                                 "%zu of %zu entity-years missing (share %.4g <= %.4g)", miss,
                                 total, share, o->impute_if_missing_share)) != DTP_OK) {
            st = ledger_fail(st, err);
            goto out;
        }
        for (size_t e = 0; e < p->n_entities; e++) {
            if (p->dropped[e])
                continue;
            dtp_impute_summary sum;
            st = dtp_impute_series(dtp_panel_series(p, e, v), p->n_years, p->y0, &io,
                                   p->entities[e], p->vars[v], l, &sum);
            if (st != DTP_OK) {
                st = ledger_fail(st, err);
                goto out;
            }
            if (sum.edge_unfillable && !edge_fail[e]) {
                edge_fail[e] = 1;
                edge_var[e] = p->vars[v];
            }
        }
    }
    /* Dropped after all variables are seen, so the shares above do not depend on the order of
     * the variables. */
    for (size_t e = 0; e < p->n_entities; e++) {
        if (!edge_fail[e])
            continue;
        char why[256];
        snprintf(why, sizeof why,
                 "rule 2: leading or trailing gap in %s cannot be filled (extrapolate = %s)",
                 edge_var[e], o->extrapolate ? "yes" : "no");
        if ((st = dtp_ledger_add(l, "drop_unfillable_edge", p->entities[e], 0, edge_var[e], "%s",
                                 why)) != DTP_OK) {
            st = ledger_fail(st, err);
            goto out;
        }
        if ((st = drop(p, e, why, err)) != DTP_OK)
            goto out;
    }
    st = DTP_OK;
out:
    free(edge_fail);
    free(edge_var);
    return st;
}

dtp_status dtp_sample_check_balanced(dtp_panel *p, dtp_ledger *l, size_t *n_unbalanced,
                                     dtp_error *err)
{
    size_t bad = 0, kept = 0;
    char first[256] = "";
    dtp_status st;
    for (size_t e = 0; e < p->n_entities; e++) {
        if (p->dropped[e])
            continue;
        kept++;
        for (size_t v = 0; v < p->n_vars; v++) {
            const dtp_cell *s = dtp_panel_series(p, e, v);
            for (size_t t = 0; t < p->n_years; t++) {
                if (s[t].status != DTP_CELL_MISSING)
                    continue;
                int year = p->y0 + (int)t;
                const char *why = dtp_missing_reason_name(s[t].reason);
                if (!bad)
                    snprintf(first, sizeof first, "%s %d %s: %s", p->entities[e], year, p->vars[v],
                             why);
                bad++;
                if ((st = dtp_ledger_add(l, "unbalanced", p->entities[e], year, p->vars[v],
                                         "missing: %s%s%s", why, s[t].source_label[0] ? " / " : "",
                                         s[t].source_label)) != DTP_OK)
                    return ledger_fail(st, err);
            }
        }
    }
    if (n_unbalanced)
        *n_unbalanced = bad;
    if (kept == 0) {
        if ((st = dtp_ledger_add(l, "empty_panel", "", 0, "", "no entity left")) != DTP_OK)
            return ledger_fail(st, err);
        return dtp_error_set(err, DTP_ERR_VALIDATION, "clean", "panel is empty: no entity left");
    }
    if (bad)
        return dtp_error_set(err, DTP_ERR_VALIDATION, "clean",
                             "panel is unbalanced: %zu missing cells in kept entities (first: %s)",
                             bad, first);
    return DTP_OK;
}

dtp_status dtp_sample_apply(dtp_panel *p, const dtp_sample_opts *o, dtp_ledger *l, dtp_error *err)
{
    dtp_status st = dtp_sample_drop_sparse(p, o, l, NULL, err);
    if (st == DTP_OK)
        st = dtp_sample_impute(p, o, l, err);
    if (st == DTP_OK)
        st = dtp_sample_check_balanced(p, l, NULL, err);
    return st;
}

dtp_status dtp_sample_drop_incomplete(dtp_panel *p, dtp_ledger *l, size_t *n_dropped,
                                      dtp_error *err)
{
    size_t dropped = 0;
    for (size_t e = 0; e < p->n_entities; e++) {
        if (p->dropped[e])
            continue;
        size_t missing = 0;
        long first_v = -1, first_t = -1;
        for (size_t v = 0; v < p->n_vars; v++) {
            dtp_cell *s = dtp_panel_series(p, e, v);
            for (size_t t = 0; t < p->n_years; t++) {
                if (s[t].status != DTP_CELL_MISSING)
                    continue;
                if (first_v < 0) {
                    first_v = (long)v;
                    first_t = (long)t;
                }
                missing++;
            }
        }
        if (!missing)
            continue;
        char why[160];
        snprintf(why, sizeof why, "incomplete after imputation: %zu missing cell(s), first %s %d",
                 missing, p->vars[first_v], p->y0 + (int)first_t);
        dtp_status st = drop(p, e, why, err);
        if (st != DTP_OK)
            return st;
        st = dtp_ledger_add(l, "drop_incomplete", p->entities[e], 0, p->vars[first_v],
                            "%zu missing cell(s) left after imputation; first %s %d", missing,
                            p->vars[first_v], p->y0 + (int)first_t);
        if (st != DTP_OK)
            return ledger_fail(st, err);
        dropped++;
    }
    if (n_dropped)
        *n_dropped = dropped;
    return DTP_OK;
}
