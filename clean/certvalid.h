/* Does a certificate count on 31 December of year t? (METHODS.md §B, rule 2)
 *
 * A certificate counts when on that day it had been issued, had not expired, its status was valid
 * (no suspension without a later restoration, no revocation, cancellation or expiry event), and
 * its surveillance audits were on schedule: each audit within 12 months (+ grace) of the previous
 * audit, or of the issue or last recertification. A missed audit ends validity from the date it
 * was due (not from the end of the grace); a recertification starts a new cycle. An audit whose
 * grace would end after the expiry date is not required (the recertification audit is due then,
 * and without it the certificate expires). Without a
 * readable history only the issue and expiry dates decide, and the result carries a flag.
 *
 * The history is read with hindsight: an audit made late but within the grace keeps the
 * certificate valid on a 31 December that fell between due date and audit; an audit never made
 * (or made after the grace) makes it invalid from the due date. When the history was captured
 * (as_of) before the grace ended, the audit may still come: the certificate is given the benefit
 * of the doubt and flagged. */
#ifndef DTP_CLEAN_CERTVALID_H
#define DTP_CLEAN_CERTVALID_H

#include <stddef.h>

#include "common/error.h"

typedef struct dtp_date {
    int y, m, d; /* all 0 = no date */
} dtp_date;

typedef enum dtp_cert_event_kind {
    DTP_CEV_INITIAL,         /* 初次认证: starts a cycle */
    DTP_CEV_SURVEILLANCE,    /* 监督审核 */
    DTP_CEV_RECERTIFICATION, /* 再认证: starts a new cycle, ends a lapse */
    DTP_CEV_SUSPENSION,      /* 暂停 */
    DTP_CEV_RESTORATION,     /* 恢复: ends a suspension */
    DTP_CEV_REVOCATION,      /* 撤销: terminal */
    DTP_CEV_CANCELLATION,    /* 注销: terminal */
    DTP_CEV_EXPIRY,          /* 过期失效: terminal */
    DTP_CEV_CHANGE,          /* 变更: no effect on validity */
} dtp_cert_event_kind;

typedef struct dtp_cert_event {
    dtp_cert_event_kind kind;
    dtp_date date;
} dtp_cert_event;

typedef struct dtp_cert {
    dtp_date issued;
    dtp_date expires; /* last day of validity */
    const dtp_cert_event *events;
    size_t n_events;
    int history_available; /* 0: events unknown; decide by issue and expiry only */
} dtp_cert;

typedef struct dtp_certvalid_opts {
    int interval_months; /* 12 */
    int grace_months;    /* 3 */
    dtp_date as_of;      /* when the history was captured; {0} = complete */
} dtp_certvalid_opts;

typedef enum dtp_cert_reason {
    DTP_CERT_VALID = 0,
    DTP_CERT_NOT_YET_ISSUED,
    DTP_CERT_EXPIRED,
    DTP_CERT_REVOKED,
    DTP_CERT_CANCELLED,
    DTP_CERT_EXPIRY_EVENT,
    DTP_CERT_SUSPENDED,
    DTP_CERT_MISSED_SURVEILLANCE,
} dtp_cert_reason;

#define DTP_CERT_FLAG_NO_HISTORY 0x1u           /* decided by issue and expiry only */
#define DTP_CERT_FLAG_SURVEILLANCE_PENDING 0x2u /* audit due, grace not over at as_of */

typedef struct dtp_cert_result {
    int valid;
    dtp_cert_reason reason;
    dtp_date since; /* when not valid: the date the reason took effect */
    unsigned flags;
} dtp_cert_result;

#define DTP_CERT_MAX_EVENTS 10000u

dtp_certvalid_opts dtp_certvalid_opts_default(void);

/* Validity on 31 December of year. DTP_ERR_VALIDATION (err says which) when a date is not a real
 * calendar date, expiry precedes issue, or there are more than DTP_CERT_MAX_EVENTS events. */
dtp_status dtp_cert_valid_at_year_end(const dtp_cert *c, int year, const dtp_certvalid_opts *o,
                                      dtp_cert_result *out, dtp_error *err);

/* Calendar helpers. */
int dtp_date_valid(dtp_date d);
int dtp_date_cmp(dtp_date a, dtp_date b);
/* a + months, the day clamped to the month's length (31 Jan + 1 month = 28/29 Feb). */
dtp_date dtp_date_add_months(dtp_date a, int months);
/* Parse YYYY-MM-DD (also YYYY/MM/DD and YYYY.MM.DD); 1 on success. */
int dtp_date_parse(const char *s, dtp_date *out);
const char *dtp_cert_reason_name(dtp_cert_reason r);

#endif
