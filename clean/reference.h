/* Small reference tables under data/ (see data/README.reference.md): IMF advanced economies
 * (the `developed` dummy), RCEP membership (the `rcep` dummy) and China's provinces (codes,
 * names, economic belts, panel membership). Each reader validates every row and names
 * file:line:field on error. */
#ifndef DTP_CLEAN_REFERENCE_H
#define DTP_CLEAN_REFERENCE_H

#include <stddef.h>

#include "common/error.h"

/* ---- IMF advanced economies: iso3,name --------------------------------------------------- */

typedef struct dtp_ref_advanced {
    char (*iso3)[4];
    size_t n;
} dtp_ref_advanced;

dtp_status dtp_ref_advanced_read_mem(const char *data, size_t n, const char *name,
                                     dtp_ref_advanced *out, dtp_error *err);
dtp_status dtp_ref_advanced_read_file(const char *path, dtp_ref_advanced *out, dtp_error *err);
void dtp_ref_advanced_free(dtp_ref_advanced *t);
/* 1 when iso3 is an IMF advanced economy, else 0. */
int dtp_ref_developed(const dtp_ref_advanced *t, const char *iso3);

/* ---- RCEP: iso3,name,signature_date,entry_into_force,note ------------------------------- */

typedef enum dtp_rcep_mode {
    DTP_RCEP_TIME_INVARIANT = 0, /* 1 for every member in every year (default) */
    DTP_RCEP_ENTRY_INTO_FORCE,   /* 1 from the year whose 31 December follows entry into force */
} dtp_rcep_mode;

#define DTP_RCEP_FLAG_CONTESTED 0x1u /* the row carries a "contested" note (Myanmar) */

typedef struct dtp_ref_rcep_row {
    char iso3[4];
    int sign_y, sign_m, sign_d;
    int eif_y, eif_m, eif_d;
    unsigned flags;
} dtp_ref_rcep_row;

typedef struct dtp_ref_rcep {
    dtp_ref_rcep_row *rows;
    size_t n;
} dtp_ref_rcep;

dtp_status dtp_ref_rcep_read_mem(const char *data, size_t n, const char *name, dtp_ref_rcep *out,
                                 dtp_error *err);
dtp_status dtp_ref_rcep_read_file(const char *path, dtp_ref_rcep *out, dtp_error *err);
void dtp_ref_rcep_free(dtp_ref_rcep *t);
/* The rcep dummy for iso3 in year; *flags (may be NULL) gets DTP_RCEP_FLAG_CONTESTED for a
 * contested member. */
int dtp_ref_rcep_dummy(const dtp_ref_rcep *t, const char *iso3, int year, dtp_rcep_mode mode,
                       unsigned *flags);
/* Parse "time_invariant" / "entry_into_force". */
dtp_status dtp_rcep_mode_parse(const char *s, dtp_rcep_mode *out, dtp_error *err);

/* ---- provinces: code,name_en,name_zh,short_zh,region,in_panel ---------------------------- */

typedef enum dtp_region { DTP_REGION_EASTERN, DTP_REGION_CENTRAL, DTP_REGION_WESTERN } dtp_region;

typedef struct dtp_ref_province {
    char code[3];
    char name_en[48];
    char name_zh[48];
    char short_zh[24];
    dtp_region region;
    int in_panel;
} dtp_ref_province;

typedef struct dtp_ref_provinces {
    dtp_ref_province *rows;
    size_t n;
} dtp_ref_provinces;

dtp_status dtp_ref_provinces_read_mem(const char *data, size_t n, const char *name,
                                      dtp_ref_provinces *out, dtp_error *err);
dtp_status dtp_ref_provinces_read_file(const char *path, dtp_ref_provinces *out, dtp_error *err);
void dtp_ref_provinces_free(dtp_ref_provinces *t);
/* Borrowed row for a two-digit code, or NULL. */
const dtp_ref_province *dtp_ref_province_get(const dtp_ref_provinces *t, const char *code);
const char *dtp_region_name(dtp_region r);

#endif
