/* See transform.h. */
#include "clean/transform.h"

#include <math.h>
#include <string.h>

static int present(const dtp_cell *c)
{
    return c && c->status != DTP_CELL_MISSING;
}

static unsigned input_flags(const dtp_cell *c)
{
    if (!c)
        return 0;
    if (c->status == DTP_CELL_IMPUTED)
        return DTP_TF_FROM_IMPUTED;
    if (c->status == DTP_CELL_OVERRIDDEN)
        return DTP_TF_FROM_OVERRIDDEN;
    return 0;
}

dtp_status dtp_total_definition_parse(const char *s, dtp_total_definition *out, dtp_error *err)
{
    if (s && strcmp(s, "sum") == 0)
        *out = DTP_TOTAL_SUM;
    else if (s && strcmp(s, "log_sum") == 0)
        *out = DTP_TOTAL_LOG_SUM;
    else
        return dtp_error_set(err, DTP_ERR_CONFIG, "clean",
                             "total_definition '%s': expected sum or log_sum", s ? s : "");
    return DTP_OK;
}

dtp_status dtp_iso_transform_parse(const char *s, dtp_iso_transform *out, dtp_error *err)
{
    if (s && strcmp(s, "ln_max1") == 0)
        *out = DTP_ISO_LN_MAX1;
    else if (s && strcmp(s, "log1p") == 0)
        *out = DTP_ISO_LOG1P;
    else if (s && strcmp(s, "missing") == 0)
        *out = DTP_ISO_MISSING;
    else
        return dtp_error_set(err, DTP_ERR_CONFIG, "clean",
                             "iso27001 transform '%s': expected ln_max1, log1p or missing",
                             s ? s : "");
    return DTP_OK;
}

void dtp_transform_dt_total(const dtp_cell *exp, const dtp_cell *imp, dtp_cell *out)
{
    if (!present(exp) || !present(imp)) {
        dtp_cell_set_missing(out, DTP_MISS_INPUT_MISSING, NULL);
        return;
    }
    memset(out, 0, sizeof *out);
    out->value = exp->value + imp->value;
    out->status = DTP_CELL_DERIVED;
}

dtp_tvalue dtp_transform_ln(const dtp_cell *c)
{
    dtp_tvalue r = {0, 0.0, input_flags(c)};
    if (!present(c)) {
        r.flags |= DTP_TF_INPUT_MISSING;
        return r;
    }
    if (!(c->value > 0)) {
        r.flags |= DTP_TF_NONPOSITIVE;
        return r;
    }
    r.ok = 1;
    r.value = log(c->value);
    return r;
}

dtp_tvalue dtp_transform_ln_dt_total(const dtp_cell *exp, const dtp_cell *imp,
                                     dtp_total_definition def)
{
    dtp_tvalue r = {0, 0.0, input_flags(exp) | input_flags(imp)};
    if (!present(exp) || !present(imp)) {
        r.flags |= DTP_TF_INPUT_MISSING;
        return r;
    }
    if (def == DTP_TOTAL_LOG_SUM) {
        dtp_tvalue a = dtp_transform_ln(exp), b = dtp_transform_ln(imp);
        r.flags |= a.flags | b.flags;
        if (!a.ok || !b.ok)
            return r;
        r.ok = 1;
        r.value = a.value + b.value;
        return r;
    }
    double sum = exp->value + imp->value;
    if (!(sum > 0)) {
        r.flags |= DTP_TF_NONPOSITIVE;
        return r;
    }
    r.ok = 1;
    r.value = log(sum);
    return r;
}

dtp_tvalue dtp_transform_iso27001(const dtp_cell *c, dtp_iso_transform mode)
{
    dtp_tvalue r = {0, 0.0, input_flags(c)};
    if (!present(c)) {
        r.flags |= DTP_TF_INPUT_MISSING;
        return r;
    }
    double x = c->value;
    if (x < 0 || isnan(x)) {
        r.flags |= DTP_TF_NEGATIVE;
        return r;
    }
    switch (mode) {
    case DTP_ISO_LOG1P:
        r.ok = 1;
        r.value = log1p(x);
        break;
    case DTP_ISO_MISSING:
        if (x == 0) {
            r.flags |= DTP_TF_ZERO_AS_MISSING;
            break;
        }
        r.ok = 1;
        r.value = log(x);
        break;
    case DTP_ISO_LN_MAX1:
    default:
        r.ok = 1;
        if (x < 1) {
            r.flags |= DTP_TF_ZERO_FLOORED;
            r.value = 0.0;
        } else {
            r.value = log(x);
        }
        break;
    }
    return r;
}
