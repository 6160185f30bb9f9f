/* Entropy weight index (METHODS.md §B, digital trade development index). For one year, over n
 * provinces and the chosen indicators k:
 *   x* = (x - min) / (max - min); p = x* / sum x*; e = -(1/ln n) sum p ln p with 0 ln 0 = 0;
 *   g = 1 - e; w = g / sum_k g; index = sum_k w x*.
 * Degenerate indicator (max == min over the provinces): x* = 0 for every province, p = 0, and it
 * is given e = 1 (g = 0, weight 0) and flagged: it carries no information, whereas the formula
 * taken literally (sum p ln p = 0, so e = 0) would hand it the largest weight while it adds 0 to
 * every index. When every indicator is degenerate all weights and indices are 0, flagged. */
#ifndef DTP_CLEAN_ENTROPY_H
#define DTP_CLEAN_ENTROPY_H

#include <stddef.h>

#include "common/error.h"

#define DTP_ENTROPY_DEGENERATE 0x1u     /* per indicator: max == min */
#define DTP_ENTROPY_ALL_DEGENERATE 0x2u /* every indicator degenerate: weights all 0 */
#define DTP_ENTROPY_MAX 100000u         /* cap on n and on the number of indicators */

typedef struct dtp_entropy_out {
    double *xstar;   /* n x m, row-major (province i, chosen indicator j); may be NULL */
    double *entropy; /* m; may be NULL */
    double *weight;  /* m; required */
    double *index;   /* n; required */
    unsigned *flags; /* m; may be NULL */
    unsigned all_flags;
} dtp_entropy_out;

/* x is n x K row-major (province i, indicator k), all finite. cols lists the m indicators to use
 * (NULL with m == K: all, in order), e.g. the five of a sub-index. DTP_ERR_VALIDATION when n < 2,
 * m == 0, a column index is out of range, or a value is not finite (message names row and
 * column). */
dtp_status dtp_entropy_year(const double *x, size_t n, size_t K, const size_t *cols, size_t m,
                            dtp_entropy_out *out, dtp_error *err);

#endif
