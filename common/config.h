/* pipeline.conf: one key table (section, key, type, default, help) read by the INI reader,
 * by `--set SECTION.KEY=VALUE` and by `dtpanel config --show` (STYLE.md 6).
 * Precedence: table default < file < --set. Every value remembers where it came from. */
#ifndef DTP_COMMON_CONFIG_H
#define DTP_COMMON_CONFIG_H

#include <stddef.h>

#include "common/error.h"

typedef enum dtp_cfg_type {
    DTP_CFG_STRING,
    DTP_CFG_INT,    /* decimal integer within [min, max] */
    DTP_CFG_DOUBLE, /* finite decimal number within [min, max] */
    DTP_CFG_BOOL,   /* yes/no, true/false, on/off, 1/0 */
    DTP_CFG_YEARS,  /* "2016-2023" or a single year */
    DTP_CFG_ENUM,   /* one of a '|'-separated list */
    DTP_CFG_URL,    /* https://, http:// or file:// (empty allowed when the default is empty) */
} dtp_cfg_type;

typedef struct dtp_cfg_key {
    const char *section; /* "panel", or "source.*" for keys of every [source.NAME] section */
    const char *key;
    dtp_cfg_type type;
    const char *def;     /* default as text; "" for none */
    double min, max;     /* for INT and DOUBLE */
    const char *choices; /* for ENUM: "a|b|c" */
    const char *help;
    int secret; /* never shown, logged or hashed in clear: config --show prints "(set)" */
} dtp_cfg_key;

/* The table every reader uses; terminated by an entry with key == NULL. */
extern const dtp_cfg_key dtp_config_keys[];

typedef struct dtp_config dtp_config;

/* A config holding the table defaults only. NULL when out of memory. */
dtp_config *dtp_config_new(void);
void dtp_config_free(dtp_config *cfg);

/* Read an INI file over the current values. Unknown sections or keys and bad values fail with
 * DTP_ERR_CONFIG and a locator "file:line". A missing file is DTP_ERR_IO. */
dtp_status dtp_config_load_file(dtp_config *cfg, const char *path, dtp_error *err);

/* Same, from a string; name is used in locators. */
dtp_status dtp_config_load_string(dtp_config *cfg, const char *text, const char *name,
                                  dtp_error *err);

/* Apply "SECTION.KEY=VALUE" (SECTION may itself contain a dot, e.g. source.itu.url=...). */
dtp_status dtp_config_set_arg(dtp_config *cfg, const char *assignment, dtp_error *err);

/* Set one value with an origin label; validates against the table. */
dtp_status dtp_config_set(dtp_config *cfg, const char *section, const char *key, const char *value,
                          const char *origin, dtp_error *err);

/* Borrowed value text, or NULL when the key is not in the table for that section. */
const char *dtp_config_get(const dtp_config *cfg, const char *section, const char *key);
/* Borrowed origin ("default", "pipeline.conf:12", "--set"), or NULL. */
const char *dtp_config_origin(const dtp_config *cfg, const char *section, const char *key);

long dtp_config_int(const dtp_config *cfg, const char *section, const char *key);
double dtp_config_double(const dtp_config *cfg, const char *section, const char *key);
int dtp_config_bool(const dtp_config *cfg, const char *section, const char *key);
/* Years range; returns 0 and sets *y0, *y1 on success. */
int dtp_config_years(const dtp_config *cfg, const char *section, const char *key, int *y0, int *y1);

/* Names of the [source.NAME] sections in file order (borrowed; count in *n). */
const char *const *dtp_config_sources(const dtp_config *cfg, size_t *n);

/* Visit every effective value in table order (sources after the fixed sections). */
typedef void (*dtp_config_visit_fn)(void *ctx, const char *section, const char *key,
                                    const char *value, const char *origin, const char *help);
void dtp_config_each(const dtp_config *cfg, dtp_config_visit_fn fn, void *ctx);

/* sha256 of the canonical effective configuration ("section.key=value\n" lines in visit order);
 * recorded in every run manifest. */
dtp_status dtp_config_hash(const dtp_config *cfg, char hex[65]);

/* Parse helpers shared with the table checks; exposed for tests and other readers. */
int dtp_parse_long(const char *s, long *out);
int dtp_parse_double(const char *s, double *out);
int dtp_parse_bool(const char *s, int *out);
int dtp_parse_years(const char *s, int *y0, int *y1);

#endif
