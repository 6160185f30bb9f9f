/* The observation: one value as a source wrote it, with where it sits in its artifact.
 * Parsers push observations through a dtp_obs_fn callback (STYLE.md 7); the fetch stage stores
 * them in staging. All strings are borrowed for the duration of the callback only. */
#ifndef DTP_COMMON_OBS_H
#define DTP_COMMON_OBS_H

#include "common/error.h"

typedef struct dtp_obs {
    const char *source;      /* configured source name: unctad, worldbank, itu, ... */
    const char *indicator;   /* the source's own indicator/series code as written */
    const char *variable;    /* panel variable (dt_exp, dt_imp, iso27001, pv, fdi, infra) or NULL */
    const char *entity_raw;  /* entity label as written (may be "") */
    const char *entity_code; /* entity code as written (M49 "076", ISO3, WB id) or NULL */
    const char *entity_system; /* "m49", "iso3", "iso2", "wb", "name" */
    int is_aggregate;          /* 1 when the source itself marks it as a group/aggregate */
    int year;                  /* period as a year */
    const char *value_raw;     /* the value as written ("" when empty) */
    int has_value;             /* 0 when the source has no value (missing) */
    double value;              /* numeric value after unit scaling, valid when has_value */
    const char *unit;          /* unit as the source names it */
    int scale;                 /* power of ten already applied to value relative to value_raw */
    const char *flags;         /* footnotes / status / missing label as written, or NULL */
    const char *edition;       /* survey edition or dataset version, or NULL */
    const char *locator;       /* CSV file:line:col, JSON path, sheet!cell, ... */
} dtp_obs;

/* Return DTP_OK to continue; anything else stops the parser, which returns that status. */
typedef dtp_status (*dtp_obs_fn)(void *ctx, const dtp_obs *o, dtp_error *err);

#endif
