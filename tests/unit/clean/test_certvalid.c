/* Certificate validity on 31 December (certvalid.h): hand cases with the schedule worked out in
 * the comments. Defaults: audits every 12 months, grace 3 months. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "clean/certvalid.h"

static dtp_date D(int y, int m, int d)
{
    dtp_date x = {y, m, d};
    return x;
}

static dtp_cert_result at(const dtp_cert *c, int year, const dtp_certvalid_opts *o)
{
    dtp_cert_result r;
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_cert_valid_at_year_end(c, year, o, &r, &err), DTP_OK);
    return r;
}

#define ASSERT_INVALID(r, why, yy, mm, dd)                                                         \
    do {                                                                                           \
        dtp_cert_result r_ = (r);                                                                  \
        assert_int_equal(r_.valid, 0);                                                             \
        assert_int_equal(r_.reason, why);                                                          \
        assert_int_equal(r_.since.y, yy);                                                          \
        assert_int_equal(r_.since.m, mm);                                                          \
        assert_int_equal(r_.since.d, dd);                                                          \
    } while (0)

static void dates(void **state)
{
    dtp_date d;
    assert_true(dtp_date_parse("2024-02-29", &d));
    assert_false(dtp_date_parse("2023-02-29", &d));
    assert_true(dtp_date_parse("2019/03/01", &d));
    assert_false(dtp_date_parse("2019-03/01", &d));
    assert_false(dtp_date_parse("19-03-01", &d));
    dtp_date e = dtp_date_add_months(D(2019, 1, 31), 1);
    assert_int_equal(e.m, 2);
    assert_int_equal(e.d, 28);
    e = dtp_date_add_months(D(2019, 11, 30), 3); /* -> 2020-02-29 (leap) */
    assert_int_equal(e.y, 2020);
    assert_int_equal(e.m, 2);
    assert_int_equal(e.d, 29);
    e = dtp_date_add_months(D(2019, 5, 15), 12);
    assert_int_equal(dtp_date_cmp(e, D(2020, 5, 15)), 0);
}

static void issue_and_expiry(void **state)
{
    /* issued 2018-03-01, expires 2021-02-28, no history: counts 2018-2020 with the flag */
    dtp_cert c = {D(2018, 3, 1), D(2021, 2, 28), NULL, 0, 0};
    dtp_certvalid_opts o = dtp_certvalid_opts_default();
    ASSERT_INVALID(at(&c, 2017, &o), DTP_CERT_NOT_YET_ISSUED, 2018, 3, 1);
    dtp_cert_result r = at(&c, 2018, &o);
    assert_true(r.valid);
    assert_true(r.flags & DTP_CERT_FLAG_NO_HISTORY);
    assert_true(at(&c, 2020, &o).valid);
    ASSERT_INVALID(at(&c, 2021, &o), DTP_CERT_EXPIRED, 2021, 2, 28);
    /* issued on 31 December counts that year; expiring on 31 December counts too */
    dtp_cert edge = {D(2019, 12, 31), D(2020, 12, 31), NULL, 0, 0};
    assert_true(at(&edge, 2019, &o).valid);
    assert_true(at(&edge, 2020, &o).valid);
    ASSERT_INVALID(at(&edge, 2021, &o), DTP_CERT_EXPIRED, 2020, 12, 31);
}

static void missed_surveillance_stops_counting_from_due_date(void **state)
{
    /* issued 2018-03-01, expires 2021-02-28.
     * audit 1 due 2019-03-01 (grace to 2019-06-01): done 2019-02-15 -> next due 2020-02-15.
     * audit 2 due 2020-02-15 (grace to 2020-05-15): never done -> invalid from 2020-02-15.
     * 2018: valid; 2019: valid; 2020: invalid since 2020-02-15; 2021: expired. */
    dtp_cert_event ev[] = {{DTP_CEV_INITIAL, D(2018, 3, 1)},
                           {DTP_CEV_SURVEILLANCE, D(2019, 2, 15)}};
    dtp_cert c = {D(2018, 3, 1), D(2021, 2, 28), ev, 2, 1};
    dtp_certvalid_opts o = dtp_certvalid_opts_default();
    dtp_cert_result r = at(&c, 2018, &o);
    assert_true(r.valid);
    assert_int_equal(r.flags, 0);
    assert_true(at(&c, 2019, &o).valid);
    ASSERT_INVALID(at(&c, 2020, &o), DTP_CERT_MISSED_SURVEILLANCE, 2020, 2, 15);
    ASSERT_INVALID(at(&c, 2021, &o), DTP_CERT_EXPIRED, 2021, 2, 28);
}

static void late_audit_within_and_beyond_grace(void **state)
{
    /* issued 2018-03-01; audit 1 due 2019-03-01, grace to 2019-06-01.
     * (a) audit on 2019-05-20: within grace -> valid; next due 2020-05-20, done 2020-05-01. */
    dtp_cert_event a[] = {{DTP_CEV_SURVEILLANCE, D(2019, 5, 20)},
                          {DTP_CEV_SURVEILLANCE, D(2020, 5, 1)}};
    dtp_cert ca = {D(2018, 3, 1), D(2021, 2, 28), a, 2, 1};
    dtp_certvalid_opts o = dtp_certvalid_opts_default();
    assert_true(at(&ca, 2019, &o).valid);
    assert_true(at(&ca, 2020, &o).valid);
    /* (b) audit on 2019-06-15: after the grace -> lapsed from the due date 2019-03-01; the late
     * audit does not restore it. */
    dtp_cert_event b[] = {{DTP_CEV_SURVEILLANCE, D(2019, 6, 15)},
                          {DTP_CEV_SURVEILLANCE, D(2020, 5, 1)}};
    dtp_cert cb = {D(2018, 3, 1), D(2021, 2, 28), b, 2, 1};
    assert_true(at(&cb, 2018, &o).valid);
    ASSERT_INVALID(at(&cb, 2019, &o), DTP_CERT_MISSED_SURVEILLANCE, 2019, 3, 1);
    ASSERT_INVALID(at(&cb, 2020, &o), DTP_CERT_MISSED_SURVEILLANCE, 2019, 3, 1);
    /* (c) grace 0: the 2019-05-20 audit of (a) is late (due 2019-03-01) */
    o.grace_months = 0;
    ASSERT_INVALID(at(&ca, 2019, &o), DTP_CERT_MISSED_SURVEILLANCE, 2019, 3, 1);
    /* (d) due in year t, grace into t+1, audit made in the grace: valid on 31 December t.
     * issued 2019-11-10, due 2020-11-10, grace to 2021-02-10, audit 2021-01-20. */
    o.grace_months = 3;
    dtp_cert_event d[] = {{DTP_CEV_SURVEILLANCE, D(2021, 1, 20)}};
    dtp_cert cd = {D(2019, 11, 10), D(2022, 11, 9), d, 1, 1};
    assert_true(at(&cd, 2020, &o).valid);
    /* ... but never made: invalid on 31 December 2020 already, from the due date */
    dtp_cert ce = {D(2019, 11, 10), D(2022, 11, 9), NULL, 0, 1};
    ASSERT_INVALID(at(&ce, 2020, &o), DTP_CERT_MISSED_SURVEILLANCE, 2020, 11, 10);
    /* ... unless the history was captured inside the grace: benefit of the doubt, flagged */
    o.as_of = D(2021, 1, 5);
    dtp_cert_result r = at(&ce, 2020, &o);
    assert_true(r.valid);
    assert_true(r.flags & DTP_CERT_FLAG_SURVEILLANCE_PENDING);
    /* captured after the grace: lapsed */
    o.as_of = D(2021, 3, 1);
    ASSERT_INVALID(at(&ce, 2020, &o), DTP_CERT_MISSED_SURVEILLANCE, 2020, 11, 10);
}

static void suspension_and_restoration(void **state)
{
    /* issued 2018-06-01, audits on time (2019-05-01, 2020-04-20, 2021-04-10), expires
     * 2021-05-31. Suspended 2019-11-01, restored 2020-01-10: 2019 invalid (suspended since
     * 2019-11-01), 2020 valid. A suspension inside 2020 (2020-03-01 .. 2020-06-01) does not
     * matter on 31 December 2020. */
    dtp_cert_event ev[] = {
        {DTP_CEV_SURVEILLANCE, D(2019, 5, 1)},  {DTP_CEV_SUSPENSION, D(2019, 11, 1)},
        {DTP_CEV_RESTORATION, D(2020, 1, 10)},  {DTP_CEV_SUSPENSION, D(2020, 3, 1)},
        {DTP_CEV_SURVEILLANCE, D(2020, 4, 20)}, {DTP_CEV_RESTORATION, D(2020, 6, 1)},
        {DTP_CEV_CHANGE, D(2020, 7, 1)},
    };
    dtp_cert c = {D(2018, 6, 1), D(2021, 5, 31), ev, 7, 1};
    dtp_certvalid_opts o = dtp_certvalid_opts_default();
    assert_true(at(&c, 2018, &o).valid);
    ASSERT_INVALID(at(&c, 2019, &o), DTP_CERT_SUSPENDED, 2019, 11, 1);
    assert_true(at(&c, 2020, &o).valid);
    /* a suspension never lifted */
    dtp_cert_event s[] = {{DTP_CEV_SURVEILLANCE, D(2019, 5, 1)},
                          {DTP_CEV_SUSPENSION, D(2020, 2, 1)}};
    dtp_cert cs = {D(2018, 6, 1), D(2021, 5, 31), s, 2, 1};
    ASSERT_INVALID(at(&cs, 2020, &o), DTP_CERT_SUSPENDED, 2020, 2, 1);
    /* events out of order in the record are sorted by date */
    dtp_cert_event u[] = {{DTP_CEV_RESTORATION, D(2020, 1, 10)},
                          {DTP_CEV_SURVEILLANCE, D(2019, 5, 1)},
                          {DTP_CEV_SUSPENSION, D(2019, 11, 1)}};
    dtp_cert cu = {D(2018, 6, 1), D(2021, 5, 31), u, 3, 1};
    ASSERT_INVALID(at(&cu, 2019, &o), DTP_CERT_SUSPENDED, 2019, 11, 1);
}

static void revocation_cancellation_expiry_event(void **state)
{
    dtp_certvalid_opts o = dtp_certvalid_opts_default();
    dtp_cert_event rv[] = {{DTP_CEV_SURVEILLANCE, D(2019, 5, 1)},
                           {DTP_CEV_REVOCATION, D(2020, 7, 1)},
                           {DTP_CEV_RESTORATION, D(2020, 8, 1)}}; /* revocation is final */
    dtp_cert c = {D(2018, 6, 1), D(2021, 5, 31), rv, 3, 1};
    assert_true(at(&c, 2019, &o).valid);
    ASSERT_INVALID(at(&c, 2020, &o), DTP_CERT_REVOKED, 2020, 7, 1);
    rv[1].kind = DTP_CEV_CANCELLATION;
    ASSERT_INVALID(at(&c, 2020, &o), DTP_CERT_CANCELLED, 2020, 7, 1);
    rv[1].kind = DTP_CEV_EXPIRY;
    ASSERT_INVALID(at(&c, 2020, &o), DTP_CERT_EXPIRY_EVENT, 2020, 7, 1);
}

static void recertification_resets_the_schedule(void **state)
{
    /* issued 2017-01-10, expires (after recertification) 2022-12-19.
     * audit 2018-01-05 -> next due 2019-01-05 (grace to 2019-04-05): missed -> lapsed from
     * 2019-01-05; recertification 2019-12-20 ends the lapse and starts a new cycle.
     * 31 Dec 2018: valid. 31 Dec 2019: valid (recertified on 2019-12-20).
     * New cycle: due 2020-12-20, audit 2020-12-01 -> due 2021-12-01, audit 2021-11-15.
     * 2020, 2021 valid; 2022 expired (2022-12-19). */
    dtp_cert_event ev[] = {{DTP_CEV_INITIAL, D(2017, 1, 10)},
                           {DTP_CEV_SURVEILLANCE, D(2018, 1, 5)},
                           {DTP_CEV_RECERTIFICATION, D(2019, 12, 20)},
                           {DTP_CEV_SURVEILLANCE, D(2020, 12, 1)},
                           {DTP_CEV_SURVEILLANCE, D(2021, 11, 15)}};
    dtp_cert c = {D(2017, 1, 10), D(2022, 12, 19), ev, 5, 1};
    dtp_certvalid_opts o = dtp_certvalid_opts_default();
    assert_true(at(&c, 2017, &o).valid);
    assert_true(at(&c, 2018, &o).valid);
    assert_true(at(&c, 2019, &o).valid);
    assert_true(at(&c, 2020, &o).valid);
    assert_true(at(&c, 2021, &o).valid);
    ASSERT_INVALID(at(&c, 2022, &o), DTP_CERT_EXPIRED, 2022, 12, 19);
    /* with the recertification on 2020-01-15 instead, 31 Dec 2019 falls inside the lapse */
    ev[2].date = D(2020, 1, 15);
    ev[3].date = D(2021, 1, 10); /* new cycle: due 2021-01-15 */
    ev[4].date = D(2021, 12, 20);
    ASSERT_INVALID(at(&c, 2019, &o), DTP_CERT_MISSED_SURVEILLANCE, 2019, 1, 5);
    assert_true(at(&c, 2020, &o).valid);
    assert_true(at(&c, 2021, &o).valid);
    /* without the reset (surveillance instead of recertification) the 2020 audits could not
     * restore the lapsed certificate */
    ev[2].kind = DTP_CEV_SURVEILLANCE;
    ASSERT_INVALID(at(&c, 2021, &o), DTP_CERT_MISSED_SURVEILLANCE, 2019, 1, 5);
}

static void no_audit_needed_after_expiry(void **state)
{
    /* 3-year certificate, audits at 12 and 24 months; the next would be due 2021-04-20, after
     * the expiry 2021-03-31: no lapse, plain expiry. */
    dtp_cert_event ev[] = {{DTP_CEV_SURVEILLANCE, D(2019, 4, 1)},
                           {DTP_CEV_SURVEILLANCE, D(2020, 4, 20)}};
    dtp_cert c = {D(2018, 4, 1), D(2021, 3, 31), ev, 2, 1};
    dtp_certvalid_opts o = dtp_certvalid_opts_default();
    assert_true(at(&c, 2020, &o).valid);
    ASSERT_INVALID(at(&c, 2021, &o), DTP_CERT_EXPIRED, 2021, 3, 31);
}

static void no_surveillance_due_when_its_grace_outlasts_the_certificate(void **state)
{
    /* issued 2018-02-01, expires 2021-01-31; audits a little early: 2019-01-10, 2019-12-20.
     * Next due 2020-12-20, grace to 2021-03-20 -- after the expiry: the recertification audit is
     * what is due, so 31 Dec 2020 still counts; 2021 is plain expiry. */
    dtp_cert_event ev[] = {{DTP_CEV_SURVEILLANCE, D(2019, 1, 10)},
                           {DTP_CEV_SURVEILLANCE, D(2019, 12, 20)}};
    dtp_cert c = {D(2018, 2, 1), D(2021, 1, 31), ev, 2, 1};
    dtp_certvalid_opts o = dtp_certvalid_opts_default();
    assert_true(at(&c, 2020, &o).valid);
    ASSERT_INVALID(at(&c, 2021, &o), DTP_CERT_EXPIRED, 2021, 1, 31);
    /* with no grace the deadline (2020-12-20) is before the expiry: required, and missed */
    o.grace_months = 0;
    ASSERT_INVALID(at(&c, 2020, &o), DTP_CERT_MISSED_SURVEILLANCE, 2020, 12, 20);
}

static void bad_inputs(void **state)
{
    dtp_cert_result r;
    dtp_error err;
    dtp_certvalid_opts o = dtp_certvalid_opts_default();
    dtp_cert c = {D(2018, 2, 30), D(2021, 1, 1), NULL, 0, 0};
    assert_int_equal(dtp_cert_valid_at_year_end(&c, 2019, &o, &r, &err), DTP_ERR_VALIDATION);
    dtp_cert c2 = {D(2021, 1, 1), D(2018, 1, 1), NULL, 0, 0};
    assert_int_equal(dtp_cert_valid_at_year_end(&c2, 2019, &o, &r, &err), DTP_ERR_VALIDATION);
    assert_non_null(strstr(err.message, "precedes"));
    dtp_cert_event ev[] = {{DTP_CEV_SURVEILLANCE, {0, 0, 0}}};
    dtp_cert c3 = {D(2018, 1, 1), D(2021, 1, 1), ev, 1, 1};
    assert_int_equal(dtp_cert_valid_at_year_end(&c3, 2019, &o, &r, &err), DTP_ERR_VALIDATION);
    assert_string_equal(dtp_cert_reason_name(DTP_CERT_MISSED_SURVEILLANCE), "missed_surveillance");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dates),
        cmocka_unit_test(issue_and_expiry),
        cmocka_unit_test(missed_surveillance_stops_counting_from_due_date),
        cmocka_unit_test(late_audit_within_and_beyond_grace),
        cmocka_unit_test(suspension_and_restoration),
        cmocka_unit_test(revocation_cancellation_expiry_event),
        cmocka_unit_test(recertification_resets_the_schedule),
        cmocka_unit_test(no_audit_needed_after_expiry),
        cmocka_unit_test(no_surveillance_due_when_its_grace_outlasts_the_certificate),
        cmocka_unit_test(bad_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
