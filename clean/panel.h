/* The in-memory panel the clean-stage rules operate on: entity x year x variable cells, each
 * with a status (observed, missing with a reason, imputed, overridden, derived) and what the rule
 * that touched it needs for lineage, plus the ledger every rule writes to. Plain arrays, so the
 * staging layer can fill one from its tables and write the result back. */
#ifndef DTP_CLEAN_PANEL_H
#define DTP_CLEAN_PANEL_H

#include <stddef.h>

#include "common/error.h"

typedef enum dtp_cell_status {
    DTP_CELL_MISSING = 0,
    DTP_CELL_OBSERVED,
    DTP_CELL_IMPUTED,
    DTP_CELL_OVERRIDDEN,
    DTP_CELL_DERIVED,
} dtp_cell_status;

/* Why a value is missing, like Stata's extended missing codes. */
typedef enum dtp_missing_reason {
    DTP_MISS_NONE = 0,
    DTP_MISS_NOT_REPORTED, /* the source reports no value; its own label in source_label */
    DTP_MISS_SUPPRESSED,   /* the source withholds it (confidentiality) */
    DTP_MISS_NOT_APPLICABLE,
    DTP_MISS_LOW_OCR,       /* below OCR confidence */
    DTP_MISS_GAP_TOO_LONG,  /* an imputation gap longer than max_gap */
    DTP_MISS_NO_ANCHOR,     /* a leading/trailing gap that cannot be extrapolated */
    DTP_MISS_INPUT_MISSING, /* a derived value whose inputs are missing */
} dtp_missing_reason;

typedef enum dtp_impute_method {
    DTP_IMPUTE_NONE = 0,
    DTP_IMPUTE_IPOLATE, /* linear interpolation between two observed years (Stata ipolate) */
    DTP_IMPUTE_EPOLATE, /* linear extrapolation from the two nearest observed years (epolate) */
} dtp_impute_method;

#define DTP_CELL_LABEL_MAX 64

typedef struct dtp_cell {
    double value; /* meaningful unless status is MISSING */
    dtp_cell_status status;
    dtp_missing_reason reason;             /* MISSING: why; IMPUTED: why it was missing */
    char source_label[DTP_CELL_LABEL_MAX]; /* the source's own missing label, if any */
    dtp_impute_method method;              /* IMPUTED only */
    int anchor_year[2];                    /* IMPUTED: the two observed years used */
    double anchor_value[2];
    int gap_len;          /* IMPUTED: length in years of the gap the cell was in */
    int has_source_value; /* OVERRIDDEN: the source value it replaced (for lineage) */
    double source_value;
    dtp_cell_status source_status; /* OVERRIDDEN: status the source cell had */
} dtp_cell;

/* Cells are variable-major so that one entity's series of one variable is contiguous:
 * cells[(v * n_entities + e) * n_years + t] is variable v, entity e, year y0 + t. */
typedef struct dtp_panel {
    size_t n_entities, n_years, n_vars;
    int y0;
    char **entities; /* owned copies, e.g. ISO3 or province codes */
    char **vars;     /* owned copies, e.g. "dt_exp" */
    dtp_cell *cells;
    int *dropped;       /* per entity: 1 when a sample rule dropped it */
    char **drop_reason; /* per entity: owned text, NULL when kept */
} dtp_panel;

/* A panel with every cell MISSING (reason NONE). Entities and vars are copied. Caps: 100000
 * entities, 200 years, 1000 variables, 50 million cells. */
dtp_status dtp_panel_new(size_t n_entities, const char *const *entities, int y0, size_t n_years,
                         size_t n_vars, const char *const *vars, dtp_panel **out, dtp_error *err);
void dtp_panel_free(dtp_panel *p);
/* A deep copy (for comparing runs). */
dtp_status dtp_panel_copy(const dtp_panel *p, dtp_panel **out, dtp_error *err);

/* Borrowed cell; NULL when out of range. */
dtp_cell *dtp_panel_cell(dtp_panel *p, size_t e, int year, size_t v);
/* Start of the contiguous series of variable v for entity e (n_years cells). */
dtp_cell *dtp_panel_series(dtp_panel *p, size_t e, size_t v);
/* Index of an entity or variable by name, or -1. */
long dtp_panel_entity(const dtp_panel *p, const char *name);
long dtp_panel_var(const dtp_panel *p, const char *name);

/* Set a cell observed / missing. label may be NULL. */
void dtp_cell_set_observed(dtp_cell *c, double v);
void dtp_cell_set_missing(dtp_cell *c, dtp_missing_reason why, const char *label);

const char *dtp_cell_status_name(dtp_cell_status s);
const char *dtp_missing_reason_name(dtp_missing_reason r);
const char *dtp_impute_method_name(dtp_impute_method m);

/* ---- ledger ---------------------------------------------------------------------------- */

#define DTP_LEDGER_RULE_MAX 32
#define DTP_LEDGER_ENTITY_MAX 32
#define DTP_LEDGER_VAR_MAX 48
#define DTP_LEDGER_DETAIL_MAX 256
#define DTP_LEDGER_MAX_ENTRIES 1000000u

/* One thing a rule did or found. year 0 and empty strings mean "not specific to one". */
typedef struct dtp_ledger_entry {
    char rule[DTP_LEDGER_RULE_MAX];
    char entity[DTP_LEDGER_ENTITY_MAX];
    int year;
    char variable[DTP_LEDGER_VAR_MAX];
    char detail[DTP_LEDGER_DETAIL_MAX];
} dtp_ledger_entry;

typedef struct dtp_ledger {
    dtp_ledger_entry *entries;
    size_t n, cap;
} dtp_ledger;

void dtp_ledger_init(dtp_ledger *l);
void dtp_ledger_free(dtp_ledger *l);
/* Append an entry (fields truncated to their sizes). DTP_ERR_NOMEM / DTP_ERR_LIMIT. */
dtp_status dtp_ledger_add(dtp_ledger *l, const char *rule, const char *entity, int year,
                          const char *variable, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Number of entries whose rule equals rule. */
size_t dtp_ledger_count(const dtp_ledger *l, const char *rule);

#endif
