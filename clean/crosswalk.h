/* Country crosswalk: maps the codes and labels every source uses onto ISO 3166-1 alpha-3.
 *
 * Tables: ISO 3166-1 (Debian iso-codes JSON), UN M49 (UNSD overview table, ',' or ';'), a curated
 * alias table (data/country_aliases.csv), the aggregates that are never countries
 * (data/aggregates.csv) and labels a reviewer chose to ignore (data/ignore_labels.csv).
 *
 * Matching is exact, never fuzzy: a code in its system, then a label equal to an alias, an
 * aggregate name or an ISO/M49 name, then the same after normalisation (case-fold, accents and
 * punctuation removed, "the" dropped, '&' read as "and"), then once more with a trailing
 * sovereignty qualifier such as "(UK)" removed. A normalised key that two tables give different
 * codes is ambiguous and maps to nothing. Every answer says which rule fired and which table
 * version answered. */
#ifndef DTP_CLEAN_CROSSWALK_H
#define DTP_CLEAN_CROSSWALK_H

#include <stddef.h>

#include "common/error.h"

typedef struct dtp_xw dtp_xw;

/* Code systems for dtp_xw_code. */
typedef enum dtp_xw_system {
    DTP_XW_ISO3,      /* ISO 3166-1 alpha-3 */
    DTP_XW_ISO2,      /* ISO 3166-1 alpha-2 */
    DTP_XW_M49,       /* UN M49 numeric, "076" or "76"; 4-digit UNCTAD group codes are aggregates */
    DTP_XW_WB_CODE,   /* World Bank / Data360 code: ISO3 for countries, else aggregates, XKX */
    DTP_XW_OWID_CODE, /* Our World in Data code: ISO3 or OWID_* */
} dtp_xw_system;

typedef enum dtp_xw_kind {
    DTP_XW_UNMAPPED = 0, /* nothing matched: the caller collects these for review */
    DTP_XW_COUNTRY,      /* a country or territory; iso3 filled */
    DTP_XW_AGGREGATE,    /* a group, region, total or historic entity: never a panel country */
    DTP_XW_IGNORED,      /* listed in the ignore file; note holds the reason */
    DTP_XW_AMBIGUOUS,    /* the normalised label names different entities in different tables */
} dtp_xw_kind;

typedef enum dtp_xw_rule {
    DTP_XW_RULE_NONE = 0,
    DTP_XW_RULE_CODE,            /* code in its system */
    DTP_XW_RULE_ALIAS,           /* exact alias (country_aliases.csv) */
    DTP_XW_RULE_NAME,            /* exact ISO 3166-1, M49 or aggregate name */
    DTP_XW_RULE_NORMALISED_NAME, /* equal after normalisation */
    DTP_XW_RULE_IGNORE_LIST,     /* ignore_labels.csv */
} dtp_xw_rule;

/* Flags on a result. */
#define DTP_XW_FLAG_USER_ASSIGNED 0x1u      /* code is not ISO 3166-1 (e.g. XKX Kosovo) */
#define DTP_XW_FLAG_QUALIFIER_STRIPPED 0x2u /* matched after removing "(UK)", "(US)", ... */
#define DTP_XW_FLAG_ISO_NUMERIC 0x4u        /* M49 code found only as ISO 3166-1 numeric */

typedef struct dtp_xw_result {
    dtp_xw_kind kind;
    dtp_xw_rule rule;
    unsigned flags;
    char iso3[4];        /* COUNTRY: alpha-3; AGGREGATE: its code when it has one, else "" */
    char iso2[3];        /* COUNTRY with an ISO entry, else "" */
    char numeric[4];     /* COUNTRY with an ISO entry: ISO/M49 numeric, else "" */
    const char *name;    /* borrowed: ISO short name, or aggregate name; "" otherwise */
    const char *note;    /* borrowed: alias/aggregate note or ignore reason; "" otherwise */
    const char *version; /* borrowed: the table version (see dtp_xw_version) */
} dtp_xw_result;

/* Paths of the tables; aliases, aggregates and ignore may be NULL (not loaded). */
typedef struct dtp_xw_paths {
    const char *iso3166_json;      /* /usr/share/iso-codes/json/iso_3166-1.json */
    const char *iso_codes_version; /* e.g. "4.15.0"; NULL reads /usr/share/pkgconfig/iso-codes.pc */
    const char *m49_csv;           /* data/reference/unsd_m49_overview.csv, may be NULL */
    const char *aliases_csv;
    const char *aggregates_csv;
    const char *ignore_csv;
} dtp_xw_paths;

/* An empty crosswalk; load tables with the dtp_xw_load_* calls (ISO first), then look up. */
dtp_xw *dtp_xw_new(void);
void dtp_xw_free(dtp_xw *xw);

/* Load everything named in paths, in the right order. */
dtp_status dtp_xw_open(const dtp_xw_paths *paths, dtp_xw **out, dtp_error *err);

/* ISO 3166-1 JSON ({"3166-1":[{alpha_2,alpha_3,numeric,name,official_name?,common_name?}]}). */
dtp_status dtp_xw_load_iso_mem(dtp_xw *xw, const char *data, size_t n, const char *name,
                               const char *iso_codes_version, dtp_error *err);
dtp_status dtp_xw_load_iso_file(dtp_xw *xw, const char *path, const char *iso_codes_version,
                                dtp_error *err);
/* UNSD M49 overview table (',' or ';', with or without the Developed/Developing column). */
dtp_status dtp_xw_load_m49_mem(dtp_xw *xw, const char *data, size_t n, const char *name,
                               dtp_error *err);
dtp_status dtp_xw_load_m49_file(dtp_xw *xw, const char *path, dtp_error *err);
/* alias,iso3,system,source,note. iso3 must be in the ISO table or a user-assigned code
 * (AAA-AAZ, QMA-QZZ, XAA-XZZ, ZZA-ZZZ); every field but note is required. */
dtp_status dtp_xw_load_aliases_mem(dtp_xw *xw, const char *data, size_t n, const char *name,
                                   dtp_error *err);
dtp_status dtp_xw_load_aliases_file(dtp_xw *xw, const char *path, dtp_error *err);
/* code,system,name,source[,note]; code may be empty for a name-only aggregate. */
dtp_status dtp_xw_load_aggregates_mem(dtp_xw *xw, const char *data, size_t n, const char *name,
                                      dtp_error *err);
dtp_status dtp_xw_load_aggregates_file(dtp_xw *xw, const char *path, dtp_error *err);
/* label,system,reason,reviewer,date (system may be empty: any system; date YYYY-MM-DD). */
dtp_status dtp_xw_load_ignore_mem(dtp_xw *xw, const char *data, size_t n, const char *name,
                                  dtp_error *err);
dtp_status dtp_xw_load_ignore_file(dtp_xw *xw, const char *path, dtp_error *err);

/* Map a code in a system. Never fails: an unknown code is DTP_XW_UNMAPPED. */
dtp_xw_result dtp_xw_code(dtp_xw *xw, dtp_xw_system sys, const char *code);

/* Map a label. system names the label's source system, e.g. "isosurvey_name", "wb_name",
 * "unctad_label", "owid_name", or NULL for any: aliases and ignore rows of another system
 * are not used for an exact match, but all enter the normalised index. */
dtp_xw_result dtp_xw_name(dtp_xw *xw, const char *label, const char *system);

/* Normalise a label into out (always NUL-terminated): UTF-8 Latin letters folded to ASCII
 * lower case, '&' -> "and", other punctuation -> space, word "the" dropped, spaces collapsed.
 * Bytes outside Latin-1/Latin Extended-A are kept as they are. Returns out. */
char *dtp_xw_normalise(const char *label, char *out, size_t outsz);

/* "iso-codes 4.15.0 sha256:<json>; m49 sha256:<csv>; aliases sha256:<csv>; ..." of what was
 * loaded. Borrowed, valid until the next load or free. */
const char *dtp_xw_version(dtp_xw *xw);

/* Short names for logs and ledgers: "country", "aggregate", ...; "code", "alias", ... */
const char *dtp_xw_kind_name(dtp_xw_kind k);
const char *dtp_xw_rule_name(dtp_xw_rule r);

/* Number of normalised keys that two tables map to different entities (these never match). */
size_t dtp_xw_ambiguous_keys(const dtp_xw *xw);

#endif
