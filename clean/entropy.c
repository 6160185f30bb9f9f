/* See entropy.h. */
#include "clean/entropy.h"

#include <math.h>
#include <stdlib.h>

dtp_status dtp_entropy_year(const double *x, size_t n, size_t K, const size_t *cols, size_t m,
                            dtp_entropy_out *out, dtp_error *err)
{
    if (n < 2)
        return dtp_error_set(err, DTP_ERR_VALIDATION, "clean",
                             "entropy: needs at least 2 provinces, got %zu", n);
    if (m == 0 || K == 0 || n > DTP_ENTROPY_MAX || K > DTP_ENTROPY_MAX || m > DTP_ENTROPY_MAX)
        return dtp_error_set(err, DTP_ERR_VALIDATION, "clean",
                             "entropy: %zu indicators of %zu over %zu provinces is out of bounds",
                             m, K, n);
    if (!cols && m != K)
        return dtp_error_set(err, DTP_ERR_VALIDATION, "clean",
                             "entropy: no column list but %zu of %zu indicators asked", m, K);
    for (size_t j = 0; j < m; j++) {
        size_t k = cols ? cols[j] : j;
        if (k >= K)
            return dtp_error_set(err, DTP_ERR_VALIDATION, "clean",
                                 "entropy: indicator %zu out of range (%zu)", k, K);
        for (size_t i = 0; i < n; i++)
            if (!isfinite(x[i * K + k]))
                return dtp_error_set(err, DTP_ERR_VALIDATION, "clean",
                                     "entropy: province row %zu, indicator %zu is not a number", i,
                                     k);
    }
    double *xs = calloc(n * m, sizeof(double));
    double *g = calloc(m, sizeof(double));
    if (!xs || !g) {
        free(xs);
        free(g);
        return dtp_error_set(err, DTP_ERR_NOMEM, "clean", "out of memory");
    }
    out->all_flags = 0;
    double gsum = 0;
    size_t degenerate = 0;
    const double lnn = log((double)n);
    for (size_t j = 0; j < m; j++) {
        size_t k = cols ? cols[j] : j;
        double lo = x[k], hi = x[k];
        for (size_t i = 1; i < n; i++) {
            double v = x[i * K + k];
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        unsigned fl = 0;
        double e;
        if (!(hi > lo)) {
            fl |= DTP_ENTROPY_DEGENERATE;
            degenerate++;
            e = 1.0; /* see entropy.h: no information, no weight */
        } else {
            double sum = 0;
            for (size_t i = 0; i < n; i++) {
                xs[i * m + j] = (x[i * K + k] - lo) / (hi - lo);
                sum += xs[i * m + j];
            }
            double h = 0;
            for (size_t i = 0; i < n; i++) {
                double p = xs[i * m + j] / sum; /* sum >= 1: the maximum has x* = 1 */
                if (p > 0)
                    h += p * log(p);
            }
            e = -h / lnn;
        }
        g[j] = 1.0 - e;
        gsum += g[j];
        if (out->entropy)
            out->entropy[j] = e;
        if (out->flags)
            out->flags[j] = fl;
    }
    if (degenerate == m)
        out->all_flags |= DTP_ENTROPY_ALL_DEGENERATE;
    for (size_t j = 0; j < m; j++)
        out->weight[j] = gsum > 0 ? g[j] / gsum : 0.0;
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t j = 0; j < m; j++)
            s += out->weight[j] * xs[i * m + j];
        out->index[i] = s;
    }
    if (out->xstar)
        for (size_t i = 0; i < n * m; i++)
            out->xstar[i] = xs[i];
    free(xs);
    free(g);
    return DTP_OK;
}
