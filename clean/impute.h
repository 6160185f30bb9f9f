/* Gap filling within one entity's series of one variable (METHODS.md §A, sample rule 2):
 * interior gaps by linear interpolation over the actual years between the two observed
 * neighbours (Stata ipolate); leading/trailing gaps, only when extrapolation is on, by the line
 * through the two nearest observed years on that side (Stata epolate). Anchors are observed or
 * overridden cells only: an imputed value never anchors another. */
#ifndef DTP_CLEAN_IMPUTE_H
#define DTP_CLEAN_IMPUTE_H

#include <stddef.h>

#include "clean/panel.h"

typedef struct dtp_impute_opts {
    int extrapolate;  /* 1: fill leading/trailing gaps (epolate) */
    unsigned max_gap; /* longest gap filled, years; longer gaps are left (0: none is filled) */
} dtp_impute_opts;

typedef struct dtp_impute_summary {
    size_t filled_ipolate, filled_epolate;
    size_t left_gap_too_long; /* cells left missing because their gap exceeds max_gap */
    int edge_unfillable;      /* a leading/trailing gap that cannot be filled (extrapolation off, or
                                 fewer than two observed years): the entity must be dropped */
    int no_observation;       /* the series has no observed year at all */
} dtp_impute_summary;

/* Fill the gaps of series s (n cells, years y0..y0+n-1) in place; write one ledger row per
 * filled cell and per unfilled gap (rules "ipolate", "epolate", "gap_too_long",
 * "no_extrapolation", "no_anchor") naming entity and var. Observed cells are never changed.
 * Only DTP_ERR_NOMEM/DTP_ERR_LIMIT from the ledger can fail it. */
dtp_status dtp_impute_series(dtp_cell *s, size_t n, int y0, const dtp_impute_opts *opts,
                             const char *entity, const char *var, dtp_ledger *ledger,
                             dtp_impute_summary *sum);

/* 1 when the cell can anchor an imputation (observed or overridden). */
int dtp_impute_is_anchor(const dtp_cell *c);

#endif
