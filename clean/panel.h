/* The in-memory panel the clean-stage rules operate on: entity x year x variable cells, each
 * with a status (observed, missing with a reason, imputed, overridden, derived) and what the rule
 * that touched it needs for lineage, plus the ledger every rule writes to. Plain arrays, so the
 * staging layer can fill one from its tables and write the result back. */
#ifndef DTP_CLEAN_PANEL_H
#define DTP_CLEAN_PANEL_H

#include <stddef.h>

#include "common/error.h"

typedef enum dtp_clean_cell_status {
    DTP_CLEAN_CELL_MISSING = 0,
    DTP_CLEAN_CELL_OBSERVED,
    DTP_CLEAN_CELL_IMPUTED,
    DTP_CLEAN_CELL_OVERRIDDEN,
    DTP_CLEAN_CELL_DERIVED,
} dtp_clean_cell_status;

/* Why a value is missing, like Stata's extended missing codes. */
typedef enum dtp_clean_missing_reason {
    DTP_CLEAN_MISS_NONE = 0,
    DTP_CLEAN_MISS_NOT_REPORTED, /* the source reports no value; its own label in source_label */
    DTP_CLEAN_MISS_SUPPRESSED,   /* the source withholds it (confidentiality) */
    DTP_CLEAN_MISS_NOT_APPLICABLE,
    DTP_CLEAN_MISS_LOW_OCR,       /* below OCR confidence */
    DTP_CLEAN_MISS_GAP_TOO_LONG,  /* an imputation gap longer than max_gap */
    DTP_CLEAN_MISS_NO_ANCHOR,     /* a leading/trailing gap that cannot be extrapolated */
    DTP_CLEAN_MISS_INPUT_MISSING, /* a derived value whose inputs are missing */
} dtp_clean_missing_reason;

typedef enum dtp_clean_impute_method {
    DTP_IMPUTE_NONE = 0,
    DTP_IMPUTE_IPOLATE, /* linear interpolation between two observed years (Stata ipolate) */
    DTP_IMPUTE_EPOLATE, /* linear extrapolation from the two nearest observed years (epolate) */
} dtp_clean_impute_method;

#define DTP_CLEAN_CELL_LABEL_MAX 64

typedef struct dtp_clean_cell {
    double value; /* meaningful unless status is MISSING */
    dtp_clean_cell_status status;
    dtp_clean_missing_reason reason;             /* MISSING: why; IMPUTED: why it was missing */
    char source_label[DTP_CLEAN_CELL_LABEL_MAX]; /* the source's own missing label, if any */
    dtp_clean_impute_method method;              /* IMPUTED only */
    int anchor_year[2];                          /* IMPUTED: the two observed years used */
    double anchor_value[2];
    int gap_len;          /* IMPUTED: length in years of the gap the cell was in */
    int has_source_value; /* OVERRIDDEN: the source value it replaced (for lineage) */
    double source_value;
    dtp_clean_cell_status source_status; /* OVERRIDDEN: status the source cell had */
} dtp_clean_cell;

/* Cells are variable-major so that one entity's series of one variable is contiguous:
 * cells[(v * n_entities + e) * n_years + t] is variable v, entity e, year y0 + t. */
typedef struct dtp_clean_panel {
    size_t n_entities, n_years, n_vars;
    int y0;
    char **entities; /* owned copies, e.g. ISO3 or province codes */
    char **vars;     /* owned copies, e.g. "dt_exp" */
    dtp_clean_cell *cells;
    int *dropped;       /* per entity: 1 when a sample rule dropped it */
    char **drop_reason; /* per entity: owned text, NULL when kept */
} dtp_clean_panel;

/* A panel with every cell MISSING (reason NONE). Entities and vars are copied. Caps: 100000
 * entities, 200 years, 1000 variables, 50 million cells. */
dtp_status dtp_clean_panel_new(size_t n_entities, const char *const *entities, int y0,
                               size_t n_years, size_t n_vars, const char *const *vars,
                               dtp_clean_panel **out, dtp_error *err);
void dtp_clean_panel_free(dtp_clean_panel *p);
/* A deep copy (for comparing runs). */
dtp_status dtp_clean_panel_copy(const dtp_clean_panel *p, dtp_clean_panel **out, dtp_error *err);

/* Borrowed cell; NULL when out of range. */
dtp_clean_cell *dtp_clean_panel_cell(dtp_clean_panel *p, size_t e, int year, size_t v);
/* Start of the contiguous series of variable v for entity e (n_years cells). */
dtp_clean_cell *dtp_clean_panel_series(dtp_clean_panel *p, size_t e, size_t v);
/* Index of an entity or variable by name, or -1. */
long dtp_clean_panel_entity(const dtp_clean_panel *p, const char *name);
long dtp_clean_panel_var(const dtp_clean_panel *p, const char *name);

/* Set a cell observed / missing. label may be NULL. */
void dtp_clean_cell_set_observed(dtp_clean_cell *c, double v);
void dtp_clean_cell_set_missing(dtp_clean_cell *c, dtp_clean_missing_reason why, const char *label);

const char *dtp_clean_cell_status_name(dtp_clean_cell_status s);
const char *dtp_clean_missing_reason_name(dtp_clean_missing_reason r);
const char *dtp_impute_method_name(dtp_clean_impute_method m);

/* ---- ledger ---------------------------------------------------------------------------- */

#define DTP_CLEAN_LEDGER_RULE_MAX 32
#define DTP_CLEAN_LEDGER_ENTITY_MAX 32
#define DTP_CLEAN_LEDGER_VAR_MAX 48
#define DTP_CLEAN_LEDGER_DETAIL_MAX 256
#define DTP_CLEAN_LEDGER_MAX_ENTRIES 1000000u

/* One thing a rule did or found. year 0 and empty strings mean "not specific to one". */
typedef struct dtp_clean_ledger_entry {
    char rule[DTP_CLEAN_LEDGER_RULE_MAX];
    char entity[DTP_CLEAN_LEDGER_ENTITY_MAX];
    int year;
    char variable[DTP_CLEAN_LEDGER_VAR_MAX];
    char detail[DTP_CLEAN_LEDGER_DETAIL_MAX];
} dtp_clean_ledger_entry;

typedef struct dtp_clean_ledger {
    dtp_clean_ledger_entry *entries;
    size_t n, cap;
} dtp_clean_ledger;

void dtp_clean_ledger_init(dtp_clean_ledger *l);
void dtp_clean_ledger_free(dtp_clean_ledger *l);
/* Append an entry (fields truncated to their sizes). DTP_ERR_NOMEM / DTP_ERR_LIMIT. */
dtp_status dtp_clean_ledger_add(dtp_clean_ledger *l, const char *rule, const char *entity, int year,
                                const char *variable, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Number of entries whose rule equals rule. */
size_t dtp_clean_ledger_count(const dtp_clean_ledger *l, const char *rule);

#endif
