/* Reconciliation checks (never corrections): results for a reviewer, written to the ledger. */
#ifndef DTP_CLEAN_RECONCILE_H
#define DTP_CLEAN_RECONCILE_H

#include <stddef.h>

#include "clean/panel.h"

typedef struct dtp_check_result {
    int flagged;  /* 1 when the check found something to review */
    double ratio; /* the ratio that was tested (INFINITY when the denominator is 0) */
} dtp_check_result;

/* The ISO Survey count against the national registry count for the same entity and year:
 * flagged when survey/registry > threshold or < 1/threshold (threshold > 1, e.g. 1.5), or when
 * one is zero and the other is not. Writes a ledger row "check_survey_vs_registry" when flagged
 * (l may be NULL). Fails only when the ledger cannot grow. */
dtp_status dtp_reconcile_survey_registry(const char *entity, int year, const char *variable,
                                         double survey, double registry, double threshold,
                                         dtp_ledger *l, dtp_check_result *out);

/* A series changing by more than factor between consecutive years (v[t]/v[t-1] > factor or
 * < 1/factor; a change from 0 to non-zero or a sign change is flagged too). Pairs with a missing
 * year are skipped. One ledger row "check_year_on_year" per flagged pair (l may be NULL);
 * *flagged gets the count. Fails only when the ledger cannot grow. */
dtp_status dtp_reconcile_year_on_year(const dtp_cell *s, size_t n, int y0, const char *entity,
                                      const char *variable, double factor, dtp_ledger *l,
                                      size_t *flagged);

#endif
