/* See certcount.h. */
#include "clean/certcount.h"

#include <ctype.h>
#include <string.h>

#include "clean/province.h"

/* token found in s and not followed by another digit nor preceded by one */
static int has_number(const char *s, const char *tok)
{
    size_t tl = strlen(tok);
    for (const char *p = strstr(s, tok); p; p = strstr(p + 1, tok)) {
        int before = p > s && isdigit((unsigned char)p[-1]);
        int after = isdigit((unsigned char)p[tl]);
        if (!before && !after)
            return 1;
    }
    return 0;
}

int dtp_certcount_is_isms(const char *standard)
{
    char norm[512];
    if (!standard || !*standard)
        return 0;
    dtp_listed_normalise(standard, norm, sizeof norm);
    return has_number(norm, "27001") || has_number(norm, "22080");
}

#define ADD(...)                                                                                   \
    do {                                                                                           \
        dtp_status st_ = dtp_ledger_add(l, __VA_ARGS__);                                           \
        if (st_ != DTP_OK) {                                                                       \
            st = dtp_error_set(err, st_, "clean", "ledger: %s", dtp_strerror(st_));                \
            goto fail;                                                                             \
        }                                                                                          \
    } while (0)

dtp_status dtp_certcount_province(const dtp_cert_record *recs, size_t n, const dtp_listed *listed,
                                  const char *const *provinces, size_t n_prov, int y0,
                                  size_t n_years, const dtp_certvalid_opts *o, dtp_panel **out,
                                  dtp_ledger *l, dtp_error *err)
{
    static const char *const vars[1] = {"iso27001_listed"};
    dtp_panel *p = NULL;
    dtp_status st = dtp_panel_new(n_prov, provinces, y0, n_years, 1, vars, &p, err);
    *out = NULL;
    if (st != DTP_OK)
        return st;
    for (size_t e = 0; e < n_prov; e++)
        for (size_t t = 0; t < n_years; t++)
            dtp_cell_set_observed(&dtp_panel_series(p, e, 0)[t], 0.0);
    for (size_t i = 0; i < n; i++) {
        const dtp_cert_record *r = &recs[i];
        const char *no = r->cert_no ? r->cert_no : "";
        if (!dtp_certcount_is_isms(r->standard)) {
            ADD("cert_not_isms", no, 0, vars[0], "standard '%.160s'",
                r->standard ? r->standard : "");
            continue;
        }
        dtp_listed_match m = dtp_listed_match_holder(listed, r->holder_uscc, r->holder_name);
        if (m.how != DTP_LISTED_USCC && m.how != DTP_LISTED_NAME) {
            ADD("cert_not_listed", no, 0, vars[0], "holder '%.120s' (%s)",
                r->holder_name ? r->holder_name : "", dtp_listed_how_name(m.how));
            continue;
        }
        ADD("cert_listed", no, 0, vars[0], "%s %s by %s", m.company->code, m.company->exchange,
            dtp_listed_how_name(m.how));
        dtp_province_result pr = dtp_province_of_holder(r->holder_uscc, r->holder_address);
        if (pr.how == DTP_PROVINCE_NONE) {
            ADD("cert_no_province", no, 0, vars[0], "uscc %s, address '%.120s'",
                pr.uscc_invalid ? "invalid" : "missing",
                r->holder_address ? r->holder_address : "");
            continue;
        }
        long e = dtp_panel_entity(p, pr.code);
        if (e < 0) {
            ADD("cert_outside_panel", no, 0, vars[0], "province %s is not in the panel", pr.code);
            continue;
        }
        ADD("cert_province", no, 0, vars[0], "%s by %s%s%s", pr.code, dtp_province_how_name(pr.how),
            pr.by_city ? " (city)" : "", pr.uscc_invalid ? ", uscc invalid" : "");
        if (!r->cert.history_available)
            ADD("cert_no_history", no, 0, vars[0], "%s",
                "history unreadable: counted through issue and expiry dates only");
        dtp_cell *s = dtp_panel_series(p, (size_t)e, 0);
        dtp_cert_reason last = DTP_CERT_VALID; /* one row each time the reason changes */
        for (size_t t = 0; t < n_years; t++) {
            int year = y0 + (int)t;
            dtp_cert_result cr;
            st = dtp_cert_valid_at_year_end(&r->cert, year, o, &cr, err);
            if (st != DTP_OK) {
                dtp_error_prefix(err, "certificate %s", no);
                goto fail;
            }
            if (cr.valid) {
                s[t].value += 1.0;
            } else if (cr.reason != DTP_CERT_NOT_YET_ISSUED && cr.reason != last) {
                ADD("cert_not_valid", no, year, vars[0], "%s since %04d-%02d-%02d",
                    dtp_cert_reason_name(cr.reason), cr.since.y, cr.since.m, cr.since.d);
            }
            last = cr.reason;
        }
    }
    *out = p;
    return DTP_OK;
fail:
    dtp_panel_free(p);
    return st;
}
