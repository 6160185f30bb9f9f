/* Derived values and transforms of the country panel (METHODS.md §A). Raw values stay
 * untransformed in the panel; these functions define what the analysis view's derived columns
 * mean (the view may compute them in SQL too, and its tests compare against these). */
#ifndef DTP_CLEAN_TRANSFORM_H
#define DTP_CLEAN_TRANSFORM_H

#include "clean/panel.h"
#include "common/error.h"

/* Flags on a transformed value. */
#define DTP_TF_INPUT_MISSING 0x01u   /* an input is missing: no value */
#define DTP_TF_NONPOSITIVE 0x02u     /* log of a value <= 0: no value */
#define DTP_TF_ZERO_FLOORED 0x04u    /* iso27001 ln(max(x,1)) with x < 1 (0 certificates -> 0) */
#define DTP_TF_ZERO_AS_MISSING 0x08u /* iso27001 mode "missing" with x == 0 */
#define DTP_TF_NEGATIVE 0x10u        /* a count below zero: no value */
#define DTP_TF_FROM_IMPUTED 0x20u    /* an input was imputed */
#define DTP_TF_FROM_OVERRIDDEN 0x40u /* an input was overridden */

typedef struct dtp_tvalue {
    int ok; /* 1 when value is defined */
    double value;
    unsigned flags;
} dtp_tvalue;

typedef enum dtp_total_definition {
    DTP_TOTAL_SUM = 0, /* ln_dt_total = ln(dt_exp + dt_imp) (default) */
    DTP_TOTAL_LOG_SUM, /* ln_dt_total = ln(dt_exp) + ln(dt_imp) (replication option) */
} dtp_total_definition;

typedef enum dtp_iso_transform {
    DTP_ISO_LN_MAX1 = 0, /* ln(max(x, 1)); 0 certificates -> 0, flagged (default) */
    DTP_ISO_LOG1P,       /* ln(1 + x) */
    DTP_ISO_MISSING,     /* ln(x), and 0 certificates -> missing, flagged */
} dtp_iso_transform;

/* Parse "sum" / "log_sum" and "ln_max1" / "log1p" / "missing" (config values). DTP_ERR_CONFIG
 * naming the value otherwise. */
dtp_status dtp_total_definition_parse(const char *s, dtp_total_definition *out, dtp_error *err);
dtp_status dtp_iso_transform_parse(const char *s, dtp_iso_transform *out, dtp_error *err);

/* dt_total = dt_exp + dt_imp as a DERIVED cell; MISSING (reason input_missing) when either
 * input is. Writes *out. */
void dtp_transform_dt_total(const dtp_cell *exp, const dtp_cell *imp, dtp_cell *out);

/* Natural log of a cell value (ln_dt_exp, ln_dt_imp): undefined for missing or <= 0. */
dtp_tvalue dtp_transform_ln(const dtp_cell *c);

/* ln_dt_total under the chosen definition. */
dtp_tvalue dtp_transform_ln_dt_total(const dtp_cell *exp, const dtp_cell *imp,
                                     dtp_total_definition def);

/* The iso27001 regressor under the chosen transform. */
dtp_tvalue dtp_transform_iso27001(const dtp_cell *c, dtp_iso_transform mode);

#endif
