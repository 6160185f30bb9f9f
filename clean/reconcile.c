/* See reconcile.h. */
#include "clean/reconcile.h"

#include <math.h>

dtp_status dtp_reconcile_survey_registry(const char *entity, int year, const char *variable,
                                         double survey, double registry, double threshold,
                                         dtp_ledger *l, dtp_check_result *out)
{
    dtp_check_result r = {0, NAN};
    *out = r;
    if (!isfinite(survey) || !isfinite(registry))
        return DTP_OK;
    if (registry == 0) {
        r.ratio = survey == 0 ? 1.0 : INFINITY;
        r.flagged = survey != 0;
    } else {
        r.ratio = survey / registry;
        r.flagged = r.ratio > threshold || r.ratio < 1.0 / threshold;
    }
    *out = r;
    if (r.flagged && l)
        return dtp_ledger_add(l, "check_survey_vs_registry", entity, year, variable,
                              "survey %.17g vs registry %.17g: ratio %.4g outside [%.4g, %.4g]",
                              survey, registry, r.ratio, 1.0 / threshold, threshold);
    return DTP_OK;
}

static int usable(const dtp_cell *c)
{
    return c->status != DTP_CELL_MISSING && isfinite(c->value);
}

dtp_status dtp_reconcile_year_on_year(const dtp_cell *s, size_t n, int y0, const char *entity,
                                      const char *variable, double factor, dtp_ledger *l,
                                      size_t *flagged)
{
    *flagged = 0;
    for (size_t t = 1; t < n; t++) {
        if (!usable(&s[t]) || !usable(&s[t - 1]))
            continue;
        double a = s[t - 1].value, b = s[t].value;
        int flag;
        double ratio;
        if (a == 0) {
            ratio = b == 0 ? 1.0 : INFINITY;
            flag = b != 0;
        } else {
            ratio = b / a;
            flag = ratio < 0 || ratio > factor || ratio < 1.0 / factor;
        }
        if (!flag)
            continue;
        (*flagged)++;
        dtp_status st = DTP_OK;
        if (l)
            st = dtp_ledger_add(l, "check_year_on_year", entity, y0 + (int)t, variable,
                                "%d=%.17g -> %d=%.17g: ratio %.4g beyond factor %.4g",
                                y0 + (int)t - 1, a, y0 + (int)t, b, ratio, factor);
        if (st != DTP_OK)
            return st;
    }
    return DTP_OK;
}
