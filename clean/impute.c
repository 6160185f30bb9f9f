/* See impute.h. */
#include "clean/impute.h"

#include <string.h>

int dtp_impute_is_anchor(const dtp_cell *c)
{
    return c->status == DTP_CELL_OBSERVED || c->status == DTP_CELL_OVERRIDDEN;
}

/* The value at index t on the line through anchors a and b (indices), over actual years. */
static double line_at(const dtp_cell *s, size_t a, size_t b, size_t t)
{
    double ya = s[a].value, yb = s[b].value;
    return ya + (yb - ya) * ((double)t - (double)a) / ((double)b - (double)a);
}

static void fill(dtp_cell *c, double v, dtp_impute_method m, int y0, const dtp_cell *s, size_t a,
                 size_t b, size_t gap)
{
    /* Keep why it was missing and the source's label: lineage wants both. */
    c->value = v;
    c->status = DTP_CELL_IMPUTED;
    c->method = m;
    c->anchor_year[0] = y0 + (int)a;
    c->anchor_year[1] = y0 + (int)b;
    c->anchor_value[0] = s[a].value;
    c->anchor_value[1] = s[b].value;
    c->gap_len = (int)gap;
}

static void mark_long(dtp_cell *s, size_t from, size_t to)
{
    for (size_t t = from; t < to; t++)
        s[t].reason = DTP_MISS_GAP_TOO_LONG;
}

dtp_status dtp_impute_series(dtp_cell *s, size_t n, int y0, const dtp_impute_opts *o,
                             const char *entity, const char *var, dtp_ledger *l,
                             dtp_impute_summary *sum)
{
    dtp_status st = DTP_OK;
    memset(sum, 0, sizeof *sum);
    /* Anchors are decided before anything is filled, so fills cannot anchor fills. */
    size_t first = n, last = n, second = n, penult = n, nanchors = 0;
    for (size_t t = 0; t < n; t++) {
        if (!dtp_impute_is_anchor(&s[t]))
            continue;
        nanchors++;
        if (first == n)
            first = t;
        else if (second == n)
            second = t;
        penult = last;
        last = t;
    }
    if (nanchors == 0) {
        sum->no_observation = 1;
        sum->edge_unfillable = 1;
        for (size_t t = 0; t < n; t++)
            if (s[t].status == DTP_CELL_MISSING)
                s[t].reason = s[t].reason ? s[t].reason : DTP_MISS_NO_ANCHOR;
        return dtp_ledger_add(l, "no_anchor", entity, 0, var, "no observed year in %d-%d", y0,
                              y0 + (int)n - 1);
    }
    /* Interior gaps. */
    for (size_t a = first; a < last;) {
        size_t b = a + 1;
        while (!dtp_impute_is_anchor(&s[b]))
            b++;
        size_t gap = b - a - 1;
        if (gap > 0 && gap > o->max_gap) {
            mark_long(s, a + 1, b);
            sum->left_gap_too_long += gap;
            st = dtp_ledger_add(l, "gap_too_long", entity, y0 + (int)a + 1, var,
                                "gap of %zu years (%d-%d) exceeds max_gap %u: not filled", gap,
                                y0 + (int)a + 1, y0 + (int)b - 1, o->max_gap);
        } else {
            for (size_t t = a + 1; t < b && st == DTP_OK; t++) {
                double v = line_at(s, a, b, t);
                fill(&s[t], v, DTP_IMPUTE_IPOLATE, y0, s, a, b, gap);
                sum->filled_ipolate++;
                st = dtp_ledger_add(l, "ipolate", entity, y0 + (int)t, var,
                                    "%.17g from %d=%.17g and %d=%.17g (gap %zu)", v, y0 + (int)a,
                                    s[a].value, y0 + (int)b, s[b].value, gap);
            }
        }
        if (st != DTP_OK)
            return st;
        a = b;
    }
    /* Leading and trailing gaps: the line through the two nearest observed years. */
    struct {
        size_t from, to, a, b;
        const char *side;
    } edges[2] = {{0, first, first, second, "leading"}, {last + 1, n, penult, last, "trailing"}};
    for (int k = 0; k < 2; k++) {
        size_t from = edges[k].from, to = edges[k].to, gap = to - from;
        if (gap == 0)
            continue;
        if (!o->extrapolate) {
            sum->edge_unfillable = 1;
            st = dtp_ledger_add(l, "no_extrapolation", entity, y0 + (int)from, var,
                                "%s gap of %zu years (%d-%d) and extrapolate = no", edges[k].side,
                                gap, y0 + (int)from, y0 + (int)to - 1);
        } else if (nanchors < 2) {
            sum->edge_unfillable = 1;
            for (size_t t = from; t < to; t++)
                s[t].reason = DTP_MISS_NO_ANCHOR;
            st = dtp_ledger_add(l, "no_anchor", entity, y0 + (int)from, var,
                                "%s gap of %zu years: epolate needs two observed years, found 1",
                                edges[k].side, gap);
        } else if (gap > o->max_gap) {
            mark_long(s, from, to);
            sum->left_gap_too_long += gap;
            st = dtp_ledger_add(l, "gap_too_long", entity, y0 + (int)from, var,
                                "%s gap of %zu years (%d-%d) exceeds max_gap %u: not filled",
                                edges[k].side, gap, y0 + (int)from, y0 + (int)to - 1, o->max_gap);
        } else {
            size_t a = edges[k].a, b = edges[k].b;
            for (size_t t = from; t < to && st == DTP_OK; t++) {
                double v = line_at(s, a, b, t);
                fill(&s[t], v, DTP_IMPUTE_EPOLATE, y0, s, a, b, gap);
                sum->filled_epolate++;
                st = dtp_ledger_add(l, "epolate", entity, y0 + (int)t, var,
                                    "%.17g on the line through %d=%.17g and %d=%.17g (%s gap %zu)",
                                    v, y0 + (int)a, s[a].value, y0 + (int)b, s[b].value,
                                    edges[k].side, gap);
            }
        }
        if (st != DTP_OK)
            return st;
    }
    return DTP_OK;
}
