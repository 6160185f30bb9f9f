/* The country-year sample rules of METHODS.md §A:
 *  1. drop an entity when any variable is missing in more than drop_if_missing_share of the
 *     years (recorded with the variable and the count);
 *  2. for each variable whose missing share over the remaining entity-years is at most
 *     impute_if_missing_share, fill gaps within entity (impute.h); an entity whose leading or
 *     trailing gap cannot be filled is dropped with the reason;
 *  3. the result must be balanced: every kept entity has every variable in every year.
 * Every decision is a ledger row. */
#ifndef DTP_CLEAN_SAMPLE_H
#define DTP_CLEAN_SAMPLE_H

#include <stddef.h>

#include "clean/impute.h"
#include "clean/panel.h"

typedef struct dtp_sample_opts {
    double drop_if_missing_share;   /* rule 1: drop when missing share > this (0.5) */
    double impute_if_missing_share; /* rule 2: impute a variable when its share <= this (0.10) */
    int extrapolate;                /* rule 2: epolate leading/trailing gaps (0) */
    unsigned max_gap;               /* rule 2: longest gap filled, years (2); 0 fills none */
} dtp_sample_opts;

/* The METHODS.md defaults: 0.5, 0.10, no extrapolation, max_gap 2. */
dtp_sample_opts dtp_sample_opts_default(void);

/* Rule 1. Ledger rows "drop_missing_share" (one per triggering variable). *n_dropped may be
 * NULL. */
dtp_status dtp_sample_drop_sparse(dtp_panel *p, const dtp_sample_opts *o, dtp_ledger *l,
                                  size_t *n_dropped, dtp_error *err);

/* Rule 2. Ledger rows from impute.h, plus "impute_variable" / "not_imputed" per variable with its
 * missing share, and "drop_unfillable_edge" per entity dropped. */
dtp_status dtp_sample_impute(dtp_panel *p, const dtp_sample_opts *o, dtp_ledger *l, dtp_error *err);

/* Rule 3. One ledger row "unbalanced" per missing cell of a kept entity (with its reason), and a
 * row "empty_panel" when no entity is left. DTP_ERR_VALIDATION naming the count and the first
 * cell when unbalanced; *n_unbalanced (may be NULL) gets the count. */
dtp_status dtp_sample_check_balanced(dtp_panel *p, dtp_ledger *l, size_t *n_unbalanced,
                                     dtp_error *err);

/* Between rules 2 and 3, with `[clean] incomplete = drop` (the default): an entity that still
 * has a missing cell after imputation is dropped, one ledger row "drop_incomplete" naming the
 * count and the first missing cell. This is the listwise deletion that makes the panel "every
 * country with complete data"; with `incomplete = fail` rule 3 fails instead. */
dtp_status dtp_sample_drop_incomplete(dtp_panel *p, dtp_ledger *l, size_t *n_dropped,
                                      dtp_error *err);

/* Rules 1, 2 and 3 in order. */
dtp_status dtp_sample_apply(dtp_panel *p, const dtp_sample_opts *o, dtp_ledger *l, dtp_error *err);

#endif
