/* Documented overrides of source values (METHODS.md §A). A CSV file, one row per replaced cell:
 *   entity,year,variable,value,publisher,document,url,date,reason
 * every field required. Applying an override keeps the source value in the cell (for lineage)
 * and marks it overridden. */
#ifndef DTP_CLEAN_OVERRIDE_H
#define DTP_CLEAN_OVERRIDE_H

#include <stddef.h>

#include "clean/panel.h"
#include "common/error.h"

typedef struct dtp_override {
    char entity[32];
    int year;
    char variable[48];
    double value;
    char publisher[512];
    char document[512];
    char url[1024];
    char date[11]; /* YYYY-MM-DD */
    char reason[1024];
    size_t line; /* line in the file, for lineage and messages */
} dtp_override;

typedef struct dtp_override_set {
    dtp_override *rows;
    size_t n;
    char source[512]; /* the file name it was read from */
} dtp_override_set;

#define DTP_OVERRIDE_MAX_ROWS 100000u

/* Parse an override file held in memory; name is used in messages ("file:line:field: ...").
 * Rejects a missing or empty field, a year outside 1900-2100, a value that is not a finite
 * number, a date that is not a real YYYY-MM-DD, a url that is not http(s), a field longer than
 * its slot, and a second row for the same entity, year and variable. */
dtp_status dtp_override_read_mem(const char *data, size_t n, const char *name,
                                 dtp_override_set *out, dtp_error *err);
dtp_status dtp_override_read_file(const char *path, dtp_override_set *out, dtp_error *err);
void dtp_override_set_free(dtp_override_set *s);

/* The override for this cell, or NULL. Borrowed. */
const dtp_override *dtp_override_find(const dtp_override_set *s, const char *entity, int year,
                                      const char *variable);

/* Replace the cell's value: status OVERRIDDEN, the previous value and status kept in
 * source_value / source_status (has_source_value 0 when the source had no value). */
void dtp_override_apply_cell(const dtp_override *o, dtp_cell *c);

/* Apply every override that names a cell of the panel; ledger row "override" for each applied
 * (with the source value and citation) and "override_unused" for each that names an entity,
 * variable or year the panel lacks. */
dtp_status dtp_override_apply_panel(const dtp_override_set *s, dtp_panel *p, dtp_ledger *l,
                                    dtp_error *err);

#endif
