/* See certvalid.h. Validity is computed as a set of invalid intervals over the certificate's
 * life (not yet issued, expired, terminal event, suspension, missed audit); the certificate
 * counts on a day that lies in none. */
#include "clean/certvalid.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : md[m - 1];
}

int dtp_date_valid(dtp_date d)
{
    return d.y >= 1900 && d.y <= 2200 && d.m >= 1 && d.m <= 12 && d.d >= 1 &&
           d.d <= month_days(d.y, d.m);
}

static int date_empty(dtp_date d)
{
    return d.y == 0 && d.m == 0 && d.d == 0;
}

int dtp_date_cmp(dtp_date a, dtp_date b)
{
    if (a.y != b.y)
        return a.y < b.y ? -1 : 1;
    if (a.m != b.m)
        return a.m < b.m ? -1 : 1;
    if (a.d != b.d)
        return a.d < b.d ? -1 : 1;
    return 0;
}

dtp_date dtp_date_add_months(dtp_date a, int months)
{
    int total = a.y * 12 + (a.m - 1) + months;
    dtp_date r;
    r.y = total / 12;
    r.m = total % 12 + 1;
    int md = month_days(r.y, r.m);
    r.d = a.d > md ? md : a.d;
    return r;
}

int dtp_date_parse(const char *s, dtp_date *out)
{
    if (!s || strlen(s) != 10)
        return 0;
    char sep = s[4];
    if ((sep != '-' && sep != '/' && sep != '.') || s[7] != sep)
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return 0;
    dtp_date d = {(int)strtol(s, NULL, 10), (int)strtol(s + 5, NULL, 10),
                  (int)strtol(s + 8, NULL, 10)};
    if (!dtp_date_valid(d))
        return 0;
    *out = d;
    return 1;
}

dtp_certvalid_opts dtp_certvalid_opts_default(void)
{
    dtp_certvalid_opts o = {12, 3, {0, 0, 0}};
    return o;
}

const char *dtp_cert_reason_name(dtp_cert_reason r)
{
    switch (r) {
    case DTP_CERT_NOT_YET_ISSUED:
        return "not_yet_issued";
    case DTP_CERT_EXPIRED:
        return "expired";
    case DTP_CERT_REVOKED:
        return "revoked";
    case DTP_CERT_CANCELLED:
        return "cancelled";
    case DTP_CERT_EXPIRY_EVENT:
        return "expiry_event";
    case DTP_CERT_SUSPENDED:
        return "suspended";
    case DTP_CERT_MISSED_SURVEILLANCE:
        return "missed_surveillance";
    case DTP_CERT_VALID:
        break;
    }
    return "valid";
}

typedef struct indexed_event {
    dtp_cert_event ev;
    size_t order; /* original position: same-day events keep their recorded order */
} indexed_event;

static int cmp_event(const void *a, const void *b)
{
    const indexed_event *x = a, *y = b;
    int c = dtp_date_cmp(x->ev.date, y->ev.date);
    if (c)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

static void set_invalid(dtp_cert_result *out, dtp_cert_reason why, dtp_date since)
{
    out->valid = 0;
    out->reason = why;
    out->since = since;
}

dtp_status dtp_cert_valid_at_year_end(const dtp_cert *c, int year, const dtp_certvalid_opts *o,
                                      dtp_cert_result *out, dtp_error *err)
{
    dtp_date day = {year, 12, 31};
    memset(out, 0, sizeof *out);
    out->valid = 1;
    if (!dtp_date_valid(c->issued) || !dtp_date_valid(c->expires))
        return dtp_error_set(err, DTP_ERR_VALIDATION, "clean",
                             "certificate: issue or expiry date is not a calendar date");
    if (dtp_date_cmp(c->expires, c->issued) < 0)
        return dtp_error_set(err, DTP_ERR_VALIDATION, "clean",
                             "certificate: expiry %04d-%02d-%02d precedes issue %04d-%02d-%02d",
                             c->expires.y, c->expires.m, c->expires.d, c->issued.y, c->issued.m,
                             c->issued.d);
    if (!dtp_date_valid(day))
        return dtp_error_set(err, DTP_ERR_VALIDATION, "clean", "certificate: year %d out of range",
                             year);
    if (dtp_date_cmp(c->issued, day) > 0) {
        set_invalid(out, DTP_CERT_NOT_YET_ISSUED, c->issued);
        return DTP_OK;
    }
    if (dtp_date_cmp(c->expires, day) < 0) {
        set_invalid(out, DTP_CERT_EXPIRED, c->expires);
        return DTP_OK;
    }
    if (!c->history_available) {
        out->flags |= DTP_CERT_FLAG_NO_HISTORY;
        return DTP_OK;
    }
    if (c->n_events > DTP_CERT_MAX_EVENTS)
        return dtp_error_set(err, DTP_ERR_VALIDATION, "clean",
                             "certificate: %zu history events exceed the cap of %u", c->n_events,
                             DTP_CERT_MAX_EVENTS);
    indexed_event *ev = calloc(c->n_events ? c->n_events : 1, sizeof *ev);
    if (!ev)
        return dtp_error_set(err, DTP_ERR_NOMEM, "clean", "out of memory");
    for (size_t i = 0; i < c->n_events; i++) {
        if (!dtp_date_valid(c->events[i].date)) {
            free(ev);
            return dtp_error_set(err, DTP_ERR_VALIDATION, "clean",
                                 "certificate: history event %zu has no calendar date", i + 1);
        }
        ev[i].ev = c->events[i];
        ev[i].order = i;
    }
    qsort(ev, c->n_events, sizeof *ev, cmp_event);

    /* Status on the day: events up to and including it, in order. */
    int suspended = 0;
    dtp_date susp_since = {0, 0, 0};
    for (size_t i = 0; i < c->n_events && dtp_date_cmp(ev[i].ev.date, day) <= 0; i++) {
        switch (ev[i].ev.kind) {
        case DTP_CEV_REVOCATION:
            set_invalid(out, DTP_CERT_REVOKED, ev[i].ev.date);
            goto out;
        case DTP_CEV_CANCELLATION:
            set_invalid(out, DTP_CERT_CANCELLED, ev[i].ev.date);
            goto out;
        case DTP_CEV_EXPIRY:
            set_invalid(out, DTP_CERT_EXPIRY_EVENT, ev[i].ev.date);
            goto out;
        case DTP_CEV_SUSPENSION:
            if (!suspended)
                susp_since = ev[i].ev.date;
            suspended = 1;
            break;
        case DTP_CEV_RESTORATION:
        case DTP_CEV_RECERTIFICATION:
            suspended = 0;
            break;
        default:
            break;
        }
    }
    if (suspended) {
        set_invalid(out, DTP_CERT_SUSPENDED, susp_since);
        goto out;
    }

    /* Surveillance schedule over the whole history (hindsight): the lapse intervals
     * [due, next recertification). The day is invalid when it falls in one. */
    {
        dtp_date last = c->issued; /* last audit, issue or recertification */
        int lapsed = 0;
        dtp_date lapse_from = {0, 0, 0};
        int have_as_of = !date_empty(o->as_of);
        for (size_t i = 0; i <= c->n_events; i++) {
            const dtp_cert_event *e = i < c->n_events ? &ev[i].ev : NULL;
            if (!lapsed) {
                dtp_date due = dtp_date_add_months(last, o->interval_months);
                dtp_date deadline = dtp_date_add_months(due, o->grace_months);
                /* An audit whose grace would end after the expiry is not required: in the
                 * last period of a cycle the recertification audit is what is due, and without
                 * it the certificate simply expires. */
                int needed = dtp_date_cmp(deadline, c->expires) < 0;
                int passed = e ? dtp_date_cmp(e->date, deadline) > 0
                               : (!have_as_of || dtp_date_cmp(o->as_of, deadline) > 0);
                if (needed && passed) {
                    lapsed = 1;
                    lapse_from = due;
                } else if (needed && !e && have_as_of && dtp_date_cmp(due, day) <= 0) {
                    /* captured inside the grace: the audit may still come */
                    out->flags |= DTP_CERT_FLAG_SURVEILLANCE_PENDING;
                }
            }
            if (!e)
                break;
            switch (e->kind) {
            case DTP_CEV_SURVEILLANCE:
                if (!lapsed)
                    last = e->date;
                break;
            case DTP_CEV_INITIAL:
            case DTP_CEV_RECERTIFICATION:
                if (lapsed && dtp_date_cmp(lapse_from, day) <= 0 &&
                    dtp_date_cmp(e->date, day) > 0) {
                    set_invalid(out, DTP_CERT_MISSED_SURVEILLANCE, lapse_from);
                    goto out;
                }
                lapsed = 0;
                last = e->date;
                break;
            default:
                break;
            }
        }
        if (lapsed && dtp_date_cmp(lapse_from, day) <= 0)
            set_invalid(out, DTP_CERT_MISSED_SURVEILLANCE, lapse_from);
    }
out:
    if (!out->valid)
        out->flags &= ~DTP_CERT_FLAG_SURVEILLANCE_PENDING;
    free(ev);
    return DTP_OK;
}
