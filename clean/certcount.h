/* The province-year count of valid ISO/IEC 27001 certificates held by listed companies
 * (METHODS.md §B, `iso27001_listed`): per certificate, (1) is the standard ISO/IEC 27001 /
 * GB/T 22080 and is the holder a listed company (listed.h), (2) for each year, does it count on
 * 31 December (certvalid.h), (3) which province (province.h). Each decision about a certificate
 * is a ledger row; the counts come back as an observed panel (variable "iso27001_listed"). */
#ifndef DTP_CLEAN_CERTCOUNT_H
#define DTP_CLEAN_CERTCOUNT_H

#include <stddef.h>

#include "clean/certvalid.h"
#include "clean/listed.h"
#include "clean/panel.h"

typedef struct dtp_cert_record {
    const char *cert_no;        /* for the ledger */
    const char *standard;       /* 认证依据 text, e.g. "GB/T 22080-2016 / ISO/IEC 27001:2013" */
    const char *holder_name;    /* 组织名称 */
    const char *holder_uscc;    /* may be NULL or "" */
    const char *holder_address; /* may be NULL or "" */
    dtp_cert cert;              /* dates and history */
} dtp_cert_record;

/* 1 when the text names ISO/IEC 27001 or GB/T 22080 (full-width characters and spaces
 * tolerated; 27017, 27701 and the like do not count). */
int dtp_certcount_is_isms(const char *standard);

/* Count certificates into a new panel over provinces[0..n_prov-1] (two-digit codes) and years
 * y0..y0+n_years-1, one variable "iso27001_listed", every cell observed (0 when none).
 * Ledger rows per certificate: "cert_not_isms", "cert_not_listed", "cert_listed" (detail: how),
 * "cert_no_province", "cert_outside_panel", "cert_province" (detail: uscc / address_fallback /
 * by_city), "cert_no_history"; "cert_not_valid" with the year, reason and date, for the first year
 * a certificate stops counting (again when the reason changes). An invalid certificate record (bad
 * dates) is an error naming its number. */
dtp_status dtp_certcount_province(const dtp_cert_record *recs, size_t n, const dtp_listed *listed,
                                  const char *const *provinces, size_t n_prov, int y0,
                                  size_t n_years, const dtp_certvalid_opts *o, dtp_panel **out,
                                  dtp_ledger *l, dtp_error *err);

#endif
