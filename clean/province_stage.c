/* The clean stage driver for the province-year panel (METHODS.md §B): certificate records →
 * listed holders → province → validity on 31 December → iso27001_listed; yearbook CSV →
 * observations → entropy weight indices and controls; cells, lineage, ledger, index weights and
 * check results in staging, in one transaction.
 *
 * Rules chosen where METHODS.md is silent (also in clean/README.md):
 * - records with review_status needs_review never count (ledger: exclude, needs_review);
 * - one certificate is counted once: records sharing a certificate number (else artifact and
 *   record key) are one certificate, read from the detail capture when there is one, else the
 *   newest record (as the certificate_record view does);
 * - the start of validity is the first issue date when given (a recertified certificate shows
 *   the latest issue date), else the issue date; a record without a usable start or expiry date
 *   cannot be evaluated and is excluded with its reason;
 * - the history is readable when the record has at least one history event and every event is
 *   accepted, of a known kind and dated; the capture date (the artifact's stored_at) is the
 *   as-of date of the history;
 * - a province-year with no counted certificate is a real 0 (derived) whose lineage is the
 *   listed-company reference observation for that province (how many reference companies the
 *   USCC places there), with a ledger row; when staging holds no certificate record at all the
 *   variable is missing everywhere (no registry was read), a warning check says so;
 * - the yearbook must give every index and control indicator for every in-panel province and
 *   year (exchange_rate only where FDI is in US$; a national row, province_code 00, serves all
 *   provinces); rows for provinces outside the panel (Tibet) are ignored with a ledger row;
 *   an unknown indicator, a duplicate row or a unit that changes within an index indicator is
 *   an error;
 * - high_dev uses the mean of ln_gdppc over all province-years of the panel. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clean/certvalid.h"
#include "clean/clean.h"
#include "clean/stagekit.h"
#include "clean/controls.h"
#include "clean/csvtable.h"
#include "clean/entropy.h"
#include "clean/listed.h"
#include "clean/province.h"
#include "clean/reconcile.h"
#include "clean/reference.h"
#include "clean/yearbook.h"
#include "common/buf.h"
#include "common/staging.h"

#define PATH_LEN 4096
#define MAX_FILE_BYTES ((uint64_t)64 << 20)
#define MAX_YEARS 100
#define MAX_RECORDS 2000000u
#define MAX_EVENTS_PER_RECORD 1000u

/* ---- the yearbook indicators (clean/yearbook.h) ------------------------------------------ */

enum {
    I_WEBSITES = DTP_YB_WEBSITES,
    N_INDEX = DTP_YB_N_INDEX,
    I_GDP = DTP_YB_GDP,
    I_BUDGET = DTP_YB_BUDGET,
    I_POPULATION = DTP_YB_POPULATION,
    I_AREA = DTP_YB_AREA,
    I_TERTIARY = DTP_YB_TERTIARY,
    I_SECONDARY = DTP_YB_SECONDARY,
    I_RETAIL = DTP_YB_RETAIL,
    I_TECH_MARKET = DTP_YB_TECH_MARKET,
    I_FDI = DTP_YB_FDI,
    I_POSTAL_TELECOM = DTP_YB_POSTAL_TELECOM,
    I_LOANS = DTP_YB_LOANS,
    I_EXCHANGE_RATE = DTP_YB_EXCHANGE_RATE,
    N_IND = DTP_YB_N
};

#define ind_names(k) dtp_yearbook_indicator_name(k)

/* ---- the panel variables ----------------------------------------------------------------- */

enum {
    V_ISO,
    V_INDEX,
    V_ORDERING,
    V_PRODUCTS,
    V_FISCAL,
    V_LNGDPPC,
    V_STRUCTURE,
    V_CONSUMPTION,
    V_TECH,
    V_POPDENS,
    V_FDI,
    V_INFO,
    V_FINANCE,
    V_HIGHDEV,
    N_VARS
};

static const char *const var_names[N_VARS] = {
    "iso27001_listed", "dt_index", "dt_ordering", "dt_products", "fiscal", "ln_gdppc", "structure",
    "consumption",     "tech",     "popdens",     "fdi",         "info",   "finance",  "high_dev"};

/* The yearbook inputs each control uses (lineage), -1 terminated. */
static const int ctl_inputs[N_VARS][4] = {
    [V_FISCAL] = {I_BUDGET, I_GDP, -1},
    [V_LNGDPPC] = {I_GDP, I_POPULATION, -1},
    [V_STRUCTURE] = {I_TERTIARY, I_SECONDARY, -1},
    [V_CONSUMPTION] = {I_RETAIL, I_GDP, -1},
    [V_TECH] = {I_TECH_MARKET, I_GDP, -1},
    [V_POPDENS] = {I_POPULATION, I_AREA, -1},
    [V_FDI] = {I_FDI, I_GDP, -1},
    [V_INFO] = {I_POSTAL_TELECOM, I_GDP, -1},
    [V_FINANCE] = {I_LOANS, I_GDP, -1},
};

/* ---- certificates -------------------------------------------------------------------------- */

typedef struct cert {
    int64_t id;
    char *artifact, *key, *cert_no, *org, *uscc, *address, *issue, *first_issue, *expiry, *review,
        *stored_at;
    int detail, is_isms;
    int use;              /* counted candidate after review, ISMS and duplicate filters */
    int listed;           /* matched to the reference file */
    long prov;            /* index into the panel provinces, -1 outside the panel */
    unsigned flags;       /* DTP_CERT_FLAG_* of the counted years, plus FLAG_ADDRESS */
    unsigned char *valid; /* per panel year */
} cert;

#define FLAG_ADDRESS 0x100u

typedef struct yb_cell {
    double value;
    const char *unit; /* borrowed from the csv table */
    int64_t obs;      /* observation id, 0 when absent */
    size_t line;
} yb_cell;

typedef struct ctx {
    const dtp_clean_opts *o;
    dtp_clean_province_result *res;
    int y0, y1, ny;
    dtp_ref_provinces provs;
    const dtp_ref_province *panel[64];
    size_t np;
    dtp_listed listed;
    char listed_sha[65], listed_file[256];
    dtp_yearbook yb;
    char yb_sha[65], yb_file[256];
    yb_cell *ybv;      /* np x ny x N_IND */
    yb_cell *national; /* ny: exchange rate given for the whole country (province 00) */
    cert *certs;
    size_t ncerts;
    int64_t *cell_ids; /* np x ny x N_VARS */
    double *values;    /* np x ny x N_VARS */
    sqlite3_stmt *ins_obs, *ins_cell, *ins_edge, *ins_ledger;
} ctx;

static size_t yb_at(const ctx *c, size_t p, int t, int k)
{
    return (p * (size_t)c->ny + (size_t)t) * N_IND + (size_t)k;
}

static size_t cell_at(const ctx *c, size_t p, int t, int v)
{
    return (p * (size_t)c->ny + (size_t)t) * N_VARS + (size_t)v;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static dtp_status nomem(dtp_error *err)
{
    return dtp_error_set(err, DTP_ERR_NOMEM, "clean", "out of memory");
}

/* Read a reference file whole (capped), archive exactly those bytes and record the artifact:
 * what is parsed is what the lineage points to. */
static dtp_status read_and_archive(ctx *c, const char *path, const char *source, dtp_buf *b,
                                   char sha[65], dtp_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        dtp_error_where(err, source, NULL, path);
        return dtp_error_set(err, DTP_ERR_IO, "clean", "cannot open reference file");
    }
    char chunk[65536];
    size_t n;
    dtp_status st = DTP_OK;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if ((st = dtp_buf_append(b, chunk, n)) != DTP_OK)
            break;
    int bad = ferror(f);
    fclose(f);
    if (st != DTP_OK || bad) {
        dtp_error_where(err, source, NULL, path);
        return dtp_error_set(err, st != DTP_OK ? st : DTP_ERR_IO, "clean",
                             st != DTP_OK ? "reference file exceeds %llu bytes"
                                          : "read error (%llu byte cap)",
                             (unsigned long long)MAX_FILE_BYTES);
    }
    if ((st = dtp_archive_put(c->o->archive, b->data ? b->data : "", b->len, sha, err)) != DTP_OK)
        return st;
    return dtp_staging_add_artifact(c->o->db, sha, (uint64_t)b->len, "text/csv", base_name(path),
                                    source, 0, err);
}

/* ---- writers ------------------------------------------------------------------------------- */

static dtp_status prepare(ctx *c, dtp_error *err)
{
    sqlite3 *db = c->o->db;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO observations(artifact_sha256, source, indicator, variable,"
                           " entity_raw, entity_code, entity_system, year, value_raw, has_value,"
                           " value, unit, edition, locator)"
                           " VALUES(?,?,?,?,?,?,'gb2260',?,?,1,?,?,?,?)",
                           -1, &c->ins_obs, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO panel_cells(panel, entity, year, variable, value, status,"
                           " method, reason, flags, run_id) VALUES('province',?,?,?,?,?,?,?,?,?)",
                           -1, &c->ins_cell, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO lineage(cell_id, role, observation_id, record_id,"
                           " input_cell_id) VALUES(?,?,?,?,?)",
                           -1, &c->ins_edge, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO ledger(run_id, panel, entity, year, variable, rule, action,"
                           " detail, cell_id) VALUES(?, 'province', NULLIF(?, ''), NULLIF(?, 0),"
                           " NULLIF(?, ''), ?, ?, json_object('text', ?, 'record_id',"
                           " NULLIF(?, 0)), NULLIF(?, 0))",
                           -1, &c->ins_ledger, NULL) != SQLITE_OK)
        return dtp_db_error(db, "prepare province writers", err);
    return DTP_OK;
}

static dtp_status ledger(ctx *c, const char *rule, const char *action, const char *entity, int year,
                         const char *var, int64_t record, int64_t cell, const char *detail,
                         dtp_error *err)
{
    sqlite3_stmt *s = c->ins_ledger;
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    sqlite3_bind_int64(s, 1, c->o->run_id);
    sqlite3_bind_text(s, 2, entity ? entity : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 3, year);
    sqlite3_bind_text(s, 4, var ? var : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, rule, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 7, detail, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 8, record);
    sqlite3_bind_int64(s, 9, cell);
    if (sqlite3_step(s) != SQLITE_DONE)
        return dtp_db_error(c->o->db, "write province ledger", err);
    return DTP_OK;
}

static dtp_status add_obs(ctx *c, const char *source, const char *sha, const char *indicator,
                          const char *entity, int year, const char *raw, double value,
                          const char *unit, const char *edition, const char *locator, int64_t *id,
                          dtp_error *err)
{
    sqlite3_stmt *s = c->ins_obs;
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    sqlite3_bind_text(s, 1, sha, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, indicator, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, indicator, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, entity, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 6, entity, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 7, year);
    sqlite3_bind_text(s, 8, raw, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(s, 9, value);
    if (unit && *unit)
        sqlite3_bind_text(s, 10, unit, -1, SQLITE_TRANSIENT);
    if (edition && *edition)
        sqlite3_bind_text(s, 11, edition, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 12, locator, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) != SQLITE_DONE)
        return dtp_db_error(c->o->db, "insert province observation", err);
    *id = sqlite3_last_insert_rowid(c->o->db);
    return DTP_OK;
}

static dtp_status add_cell(ctx *c, size_t p, int t, int v, const char *status, int has,
                           double value, const char *method, const char *reason, const char *flags,
                           dtp_error *err)
{
    sqlite3_stmt *s = c->ins_cell;
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    sqlite3_bind_text(s, 1, c->panel[p]->code, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, c->y0 + t);
    sqlite3_bind_text(s, 3, var_names[v], -1, SQLITE_STATIC);
    if (has)
        sqlite3_bind_double(s, 4, value);
    sqlite3_bind_text(s, 5, status, -1, SQLITE_STATIC);
    if (method && *method)
        sqlite3_bind_text(s, 6, method, -1, SQLITE_TRANSIENT);
    if (reason && *reason)
        sqlite3_bind_text(s, 7, reason, -1, SQLITE_TRANSIENT);
    if (flags && *flags)
        sqlite3_bind_text(s, 8, flags, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 9, c->o->run_id);
    if (sqlite3_step(s) != SQLITE_DONE)
        return dtp_db_error(c->o->db, "insert province cell", err);
    size_t k = cell_at(c, p, t, v);
    c->cell_ids[k] = sqlite3_last_insert_rowid(c->o->db);
    c->values[k] = has ? value : NAN;
    c->res->cells++;
    return DTP_OK;
}

/* kind: 0 observation, 1 certificate record, 2 input cell */
static dtp_status add_edge(ctx *c, int64_t cell, const char *role, int kind, int64_t ref,
                           dtp_error *err)
{
    if (ref <= 0)
        return DTP_OK;
    sqlite3_stmt *s = c->ins_edge;
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    sqlite3_bind_int64(s, 1, cell);
    sqlite3_bind_text(s, 2, role, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3 + kind, ref);
    if (sqlite3_step(s) != SQLITE_DONE)
        return dtp_db_error(c->o->db, "insert province lineage", err);
    return DTP_OK;
}

/* ---- provinces ----------------------------------------------------------------------------- */

static long panel_index(const ctx *c, const char *code)
{
    for (size_t p = 0; p < c->np; p++)
        if (strcmp(c->panel[p]->code, code) == 0)
            return (long)p;
    return -1;
}

static dtp_status load_provinces(ctx *c, dtp_error *err)
{
    char path[PATH_LEN];
    dtp_clean_resolve(c->o, dtp_config_get(c->o->cfg, "clean", "provinces"), path, sizeof path);
    dtp_status st = dtp_ref_provinces_read_file(path, &c->provs, err);
    if (st != DTP_OK)
        return st;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(c->o->db,
                           "INSERT OR REPLACE INTO provinces(code, name, name_zh, region, in_panel)"
                           " VALUES(?,?,?,?,?)",
                           -1, &s, NULL) != SQLITE_OK)
        return dtp_db_error(c->o->db, "prepare provinces", err);
    for (size_t i = 0; i < c->provs.n; i++) {
        const dtp_ref_province *r = &c->provs.rows[i];
        if (r->in_panel) {
            if (c->np == sizeof c->panel / sizeof *c->panel) {
                st = dtp_error_set(err, DTP_ERR_LIMIT, "clean", "%s: more than %zu provinces", path,
                                   sizeof c->panel / sizeof *c->panel);
                break;
            }
            c->panel[c->np++] = r;
        }
        sqlite3_reset(s);
        sqlite3_bind_text(s, 1, r->code, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, r->name_en, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, r->name_zh, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 4, dtp_region_name(r->region), -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 5, r->in_panel);
        if (sqlite3_step(s) != SQLITE_DONE) {
            st = dtp_db_error(c->o->db, "write provinces", err);
            break;
        }
    }
    sqlite3_finalize(s);
    if (st == DTP_OK && c->np < 2)
        st = dtp_error_set(err, DTP_ERR_CONFIG, "clean",
                           "%s: %zu province(s) in the panel; the entropy index needs at least 2",
                           path, c->np);
    return st;
}

/* ---- yearbook ------------------------------------------------------------------------------ */

static int is_usd(const char *unit)
{
    return unit && (strstr(unit, "usd") || strstr(unit, "USD") || strstr(unit, "美元"));
}

static dtp_status read_yearbook(ctx *c, const char *path, dtp_error *err)
{
    dtp_buf b;
    dtp_buf_init(&b, (size_t)MAX_FILE_BYTES);
    dtp_status st = read_and_archive(c, path, "yearbook", &b, c->yb_sha, err);
    if (st == DTP_OK)
        st = dtp_yearbook_read_mem(b.data ? b.data : "", b.len, path, &c->yb, err);
    dtp_buf_free(&b);
    if (st != DTP_OK) {
        dtp_error_where(err, "yearbook", c->yb_sha, NULL);
        return st;
    }
    snprintf(c->yb_file, sizeof c->yb_file, "%s", base_name(path));
    size_t n = c->np * (size_t)c->ny * N_IND;
    c->ybv = calloc(n, sizeof *c->ybv);
    c->national = calloc((size_t)c->ny, sizeof *c->national);
    if (!c->ybv || !c->national)
        return nomem(err);
    char ignored[64][3];
    size_t nignored = 0;
    for (size_t r = 0; r < c->yb.n; r++) {
        const dtp_yearbook_row *row = &c->yb.rows[r];
        int k = row->indicator;
        char loc[512];
        snprintf(loc, sizeof loc, "%s:%zu", path, row->line);
        if (row->year < c->y0 || row->year > c->y1)
            continue; /* outside [panel] years: not read */
        int t = row->year - c->y0;
        yb_cell *slot = NULL;
        if (strcmp(row->code, "00") == 0) {
            slot = &c->national[t];
        } else {
            if (!dtp_ref_province_get(&c->provs, row->code)) {
                dtp_error_where(err, "yearbook", c->yb_sha, loc);
                return dtp_error_set(err, DTP_ERR_PARSE, "clean",
                                     "province_code %s is not in the provinces table", row->code);
            }
            long p = panel_index(c, row->code);
            if (p < 0) {
                size_t i = 0;
                while (i < nignored && strcmp(ignored[i], row->code) != 0)
                    i++;
                if (i == nignored && nignored < 64) {
                    snprintf(ignored[nignored++], 3, "%s", row->code);
                    char d[256];
                    snprintf(d, sizeof d, "%s: rows for province %s ignored: not in the panel",
                             c->yb_file, row->code);
                    if ((st = ledger(c, "yearbook_not_in_panel", "exclude", row->code, 0, NULL, 0,
                                     0, d, err)) != DTP_OK)
                        return st;
                }
                continue;
            }
            slot = &c->ybv[yb_at(c, (size_t)p, t, k)];
        }
        if (slot->obs) {
            dtp_error_where(err, "yearbook", c->yb_sha, loc);
            return dtp_error_set(err, DTP_ERR_VALIDATION, "clean",
                                 "%s %s %d given twice (lines %zu and %zu)", row->code,
                                 ind_names(k), row->year, slot->line, row->line);
        }
        char locator[600];
        snprintf(locator, sizeof locator, "%s:%zu:%ld", c->yb_file, row->line, row->value_col);
        if ((st = add_obs(c, "yearbook", c->yb_sha, ind_names(k), row->code, row->year, row->raw,
                          row->value, row->unit, row->source, locator, &slot->obs, err)) != DTP_OK)
            return st;
        slot->value = row->value;
        slot->unit = row->unit;
        slot->line = row->line;
        c->res->yearbook_values++;
    }
    /* a file whose every row declares itself GENERATED (the demo) is recorded as generated,
     * so trace and the warehouse say so */
    if (c->yb.all_generated) {
        char sql[200];
        snprintf(sql, sizeof sql, "UPDATE artifacts SET generated = 1 WHERE sha256 = '%s'",
                 c->yb_sha);
        if ((st = dtp_db_exec(c->o->db, sql, "mark yearbook generated", err)) != DTP_OK)
            return st;
    }
    /* An index indicator is min-max normalised per year, which needs one unit across the
     * provinces; a unit change between years is as suspect and refused too. */
    for (int k = 0; k < N_INDEX; k++) {
        const yb_cell *first = NULL;
        for (size_t p = 0; p < c->np; p++)
            for (int t = 0; t < c->ny; t++) {
                const yb_cell *y = &c->ybv[yb_at(c, p, t, k)];
                if (!y->obs)
                    continue;
                if (!first)
                    first = y;
                else if (strcmp(first->unit, y->unit) != 0) {
                    dtp_error_where(err, "yearbook", c->yb_sha, path);
                    return dtp_error_set(err, DTP_ERR_VALIDATION, "clean",
                                         "%s: unit '%s' on line %zu but '%s' on line %zu",
                                         ind_names(k), first->unit, first->line, y->unit, y->line);
                }
            }
    }
    return DTP_OK;
}

/* Every in-panel province, year and indicator present; names what is missing. */
static dtp_status check_yearbook_balanced(ctx *c, dtp_error *err)
{
    dtp_buf m;
    dtp_buf_init(&m, 600);
    size_t missing = 0;
    for (size_t p = 0; p < c->np; p++)
        for (int t = 0; t < c->ny; t++)
            for (int k = 0; k < N_IND; k++) {
                const yb_cell *y = &c->ybv[yb_at(c, p, t, k)];
                if (y->obs)
                    continue;
                if (k == I_EXCHANGE_RATE) {
                    const yb_cell *f = &c->ybv[yb_at(c, p, t, I_FDI)];
                    if (!f->obs || !is_usd(f->unit) || c->national[t].obs)
                        continue;
                }
                if (missing++ < 12)
                    dtp_buf_printf(&m, "%s%s %d %s", missing > 1 ? ", " : "", c->panel[p]->code,
                                   c->y0 + t, ind_names(k));
            }
    dtp_status st = DTP_OK;
    if (missing)
        st = dtp_error_set(err, DTP_ERR_VALIDATION, "clean",
                           "yearbook %s lacks %zu province-year indicator value(s): %s%s; the"
                           " province panel must be balanced (30 provinces x [panel] years)",
                           c->yb_file, missing, dtp_buf_str(&m), missing > 12 ? ", ..." : "");
    dtp_buf_free(&m);
    return st;
}

/* ---- certificates -------------------------------------------------------------------------- */

static void cert_free(cert *r)
{
    free(r->artifact);
    free(r->key);
    free(r->cert_no);
    free(r->org);
    free(r->uscc);
    free(r->address);
    free(r->issue);
    free(r->first_issue);
    free(r->expiry);
    free(r->review);
    free(r->stored_at);
    free(r->valid);
}

static dtp_status load_certs(ctx *c, dtp_error *err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(c->o->db,
                           "SELECT r.id, r.artifact_sha256, r.record_key, r.kind = 'detail',"
                           " COALESCE(r.cert_no, ''), COALESCE(r.org_name, ''),"
                           " COALESCE(r.uscc, ''), COALESCE(r.address, ''),"
                           " COALESCE(r.issue_date, ''), COALESCE(r.first_issue_date, ''),"
                           " COALESCE(r.expiry_date, ''), r.review_status,"
                           " COALESCE(r.is_isms, 0), COALESCE(a.stored_at, '')"
                           " FROM cert_records r LEFT JOIN artifacts a"
                           " ON a.sha256 = r.artifact_sha256 ORDER BY r.id",
                           -1, &s, NULL) != SQLITE_OK)
        return dtp_db_error(c->o->db, "read certificate records", err);
    dtp_status st = DTP_OK;
    size_t cap = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (c->ncerts == MAX_RECORDS) {
            st = dtp_error_set(err, DTP_ERR_LIMIT, "clean", "more than %u certificate records",
                               MAX_RECORDS);
            break;
        }
        if (c->ncerts == cap) {
            size_t ncap = cap ? cap * 2 : 256;
            cert *q = realloc(c->certs, ncap * sizeof *q);
            if (!q) {
                st = nomem(err);
                break;
            }
            c->certs = q;
            cap = ncap;
        }
        cert *r = &c->certs[c->ncerts++];
        memset(r, 0, sizeof *r);
        r->id = sqlite3_column_int64(s, 0);
        r->artifact = dtp_clean_dupz(dtp_db_text(s, 1));
        r->key = dtp_clean_dupz(dtp_db_text(s, 2));
        r->detail = sqlite3_column_int(s, 3);
        r->cert_no = dtp_clean_dupz(dtp_db_text(s, 4));
        r->org = dtp_clean_dupz(dtp_db_text(s, 5));
        r->uscc = dtp_clean_dupz(dtp_db_text(s, 6));
        r->address = dtp_clean_dupz(dtp_db_text(s, 7));
        r->issue = dtp_clean_dupz(dtp_db_text(s, 8));
        r->first_issue = dtp_clean_dupz(dtp_db_text(s, 9));
        r->expiry = dtp_clean_dupz(dtp_db_text(s, 10));
        r->review = dtp_clean_dupz(dtp_db_text(s, 11));
        r->is_isms = sqlite3_column_int(s, 12) == 1;
        r->stored_at = dtp_clean_dupz(dtp_db_text(s, 13));
        r->valid = calloc((size_t)c->ny, 1);
        r->prov = -1;
        if (!r->artifact || !r->key || !r->cert_no || !r->org || !r->uscc || !r->address ||
            !r->issue || !r->first_issue || !r->expiry || !r->review || !r->stored_at ||
            !r->valid) {
            st = nomem(err);
            break;
        }
    }
    sqlite3_finalize(s);
    c->res->records_seen = (int64_t)c->ncerts;
    return st;
}

static int same_certificate(const cert *a, const cert *b)
{
    if (a->cert_no[0] || b->cert_no[0])
        return strcmp(a->cert_no, b->cert_no) == 0;
    return strcmp(a->artifact, b->artifact) == 0 && strcmp(a->key, b->key) == 0;
}

static int cmp_event_kind(const char *s, dtp_cert_event_kind *k)
{
    static const struct {
        const char *name;
        dtp_cert_event_kind kind;
    } t[] = {{"initial", DTP_CEV_INITIAL},
             {"issued", DTP_CEV_INITIAL},
             {"初次认证", DTP_CEV_INITIAL},
             {"surveillance", DTP_CEV_SURVEILLANCE},
             {"监督审核", DTP_CEV_SURVEILLANCE},
             {"recert", DTP_CEV_RECERTIFICATION},
             {"recertification", DTP_CEV_RECERTIFICATION},
             {"再认证", DTP_CEV_RECERTIFICATION},
             {"suspension", DTP_CEV_SUSPENSION},
             {"暂停", DTP_CEV_SUSPENSION},
             {"restoration", DTP_CEV_RESTORATION},
             {"恢复", DTP_CEV_RESTORATION},
             {"revocation", DTP_CEV_REVOCATION},
             {"撤销", DTP_CEV_REVOCATION},
             {"cancellation", DTP_CEV_CANCELLATION},
             {"注销", DTP_CEV_CANCELLATION},
             {"expiry", DTP_CEV_EXPIRY},
             {"过期失效", DTP_CEV_EXPIRY},
             {"change", DTP_CEV_CHANGE},
             {"变更", DTP_CEV_CHANGE}};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (strcmp(s, t[i].name) == 0) {
            *k = t[i].kind;
            return 1;
        }
    return 0;
}

/* The record's history: *ok = 0 when it cannot be read (no event, an event not accepted, of an
 * unknown kind or undated). */
static dtp_status load_events(ctx *c, sqlite3_stmt *s, const cert *r, dtp_cert_event *ev, size_t *n,
                              int *ok, dtp_error *err)
{
    *n = 0;
    *ok = 1;
    sqlite3_reset(s);
    sqlite3_bind_int64(s, 1, r->id);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (*n == MAX_EVENTS_PER_RECORD) {
            *ok = 0;
            break;
        }
        dtp_cert_event *e = &ev[*n];
        if (!sqlite3_column_int(s, 2) || !cmp_event_kind(dtp_db_text(s, 0), &e->kind) ||
            !dtp_date_parse(dtp_db_text(s, 1), &e->date))
            *ok = 0;
        (*n)++;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return dtp_db_error(c->o->db, "read certificate history", err);
    if (*n == 0)
        *ok = 0;
    return DTP_OK;
}

static dtp_status exclude(ctx *c, const cert *r, const char *rule, const char *entity,
                          const char *fmt_detail, dtp_error *err)
{
    char d[600];
    snprintf(d, sizeof d, "record %lld (%s%s%s): %s", (long long)r->id, r->cert_no,
             r->cert_no[0] ? ", " : "", r->org, fmt_detail);
    c->res->records_excluded++;
    return ledger(c, rule, "exclude", entity, 0, "iso27001_listed", r->id, 0, d, err);
}

/* Review, ISMS and duplicate filters; listed matching; province; validity per year. Registry
 * totals (all provinces, listed or not) per year go to total[] for the reconciliation. */
static dtp_status evaluate_certs(ctx *c, int64_t *total, dtp_error *err)
{
    dtp_status st = DTP_OK;
    sqlite3_stmt *evs = NULL;
    dtp_cert_event *ev = calloc(MAX_EVENTS_PER_RECORD, sizeof *ev);
    if (!ev)
        return nomem(err);
    if (sqlite3_prepare_v2(c->o->db,
                           "SELECT event, COALESCE(event_date, ''), accepted FROM cert_events"
                           " WHERE record_id = ? ORDER BY seq",
                           -1, &evs, NULL) != SQLITE_OK) {
        st = dtp_db_error(c->o->db, "prepare certificate history", err);
        goto out;
    }
    dtp_certvalid_opts vo = dtp_certvalid_opts_default();
    vo.grace_months = (int)dtp_config_int(c->o->cfg, "clean", "surveillance_grace_months");
    for (size_t i = 0; i < c->ncerts && st == DTP_OK; i++) {
        cert *r = &c->certs[i];
        if (strcmp(r->review, "needs_review") == 0) {
            st = exclude(c, r, "needs_review", NULL,
                         "waiting for review: a needs_review record never counts", err);
            continue;
        }
        if (!r->is_isms) {
            st = exclude(c, r, "not_isms", NULL, "standard is not ISO/IEC 27001 (GB/T 22080)", err);
            continue;
        }
        r->use = 1;
    }
    /* one certificate, one count: keep the detail capture, else the newest record */
    for (size_t i = 0; i < c->ncerts && st == DTP_OK; i++) {
        cert *r = &c->certs[i];
        if (!r->use)
            continue;
        for (size_t j = 0; j < c->ncerts; j++) {
            cert *q = &c->certs[j];
            if (j == i || !q->use || !same_certificate(r, q))
                continue;
            int q_better = q->detail > r->detail || (q->detail == r->detail && q->id > r->id);
            if (q_better) {
                char d[160];
                snprintf(d, sizeof d,
                         "another capture of the same certificate is used (record %lld)",
                         (long long)q->id);
                r->use = 0;
                st = exclude(c, r, "duplicate_capture", NULL, d, err);
                break;
            }
        }
    }
    for (size_t i = 0; i < c->ncerts && st == DTP_OK; i++) {
        cert *r = &c->certs[i];
        if (!r->use)
            continue;
        dtp_cert vc;
        memset(&vc, 0, sizeof vc);
        const char *start = r->first_issue[0] ? r->first_issue : r->issue;
        if (!dtp_date_parse(start, &vc.issued) || !dtp_date_parse(r->expiry, &vc.expires)) {
            r->use = 0;
            st = exclude(c, r, "no_dates", NULL,
                         "no usable issue or expiry date: validity cannot be evaluated", err);
            continue;
        }
        c->res->certificates++;
        size_t nev = 0;
        int hist_ok = 0;
        if (r->detail && (st = load_events(c, evs, r, ev, &nev, &hist_ok, err)) != DTP_OK)
            break;
        vc.events = hist_ok ? ev : NULL;
        vc.n_events = hist_ok ? nev : 0;
        vc.history_available = hist_ok;
        dtp_certvalid_opts ro = vo;
        memset(&ro.as_of, 0, sizeof ro.as_of);
        if (strlen(r->stored_at) >= 10) {
            char d10[11];
            memcpy(d10, r->stored_at, 10);
            d10[10] = 0;
            dtp_date_parse(d10, &ro.as_of);
        }
        /* listed? */
        dtp_listed_match m = dtp_listed_match_holder(&c->listed, r->uscc, r->org);
        dtp_province_result pr = dtp_province_of_holder(r->uscc, r->address);
        const char *pcode = pr.code[0] ? pr.code : NULL;
        char d[600];
        if (m.how == DTP_LISTED_USCC || m.how == DTP_LISTED_NAME) {
            r->listed = 1;
            if (m.how == DTP_LISTED_USCC)
                c->res->listed_uscc++;
            else
                c->res->listed_name++;
            snprintf(d, sizeof d, "record %lld (%s): %s matched %s %s (%s, %s:%zu)",
                     (long long)r->id, r->org, dtp_listed_how_name(m.how), m.company->code,
                     m.company->name, m.company->exchange, c->listed_file, m.company->line);
        } else {
            c->res->unmatched++;
            snprintf(d, sizeof d, "record %lld (%s, uscc %s): %s: not a listed company",
                     (long long)r->id, r->org, r->uscc[0] ? r->uscc : "none",
                     m.how == DTP_LISTED_AMBIGUOUS ? "ambiguous name" : "unmatched");
        }
        if ((st = ledger(c, "listed_match", "map", pcode, 0, "iso27001_listed", r->id, 0, d,
                         err)) != DTP_OK)
            break;
        if (r->listed) {
            if (pr.how == DTP_PROVINCE_NONE) {
                st = exclude(c, r, "no_province", NULL,
                             "no province from the USCC or the address text", err);
                r->listed = 0;
                continue;
            }
            if (pr.how == DTP_PROVINCE_ADDRESS_FALLBACK) {
                r->flags |= FLAG_ADDRESS;
                c->res->address_fallback++;
                snprintf(d, sizeof d,
                         "record %lld (%s): province %s from the address '%s' (USCC %s)",
                         (long long)r->id, r->org, pr.code, r->address,
                         r->uscc[0] ? "fails its check or names no province" : "missing");
                if ((st = ledger(c, "province_address_fallback", "flag", pr.code, 0,
                                 "iso27001_listed", r->id, 0, d, err)) != DTP_OK)
                    break;
            }
            r->prov = panel_index(c, pr.code);
            if (r->prov < 0) {
                st = exclude(c, r, "province_not_in_panel", pr.code,
                             "the holder's province is not in the panel", err);
                if (st != DTP_OK)
                    break;
            }
            if (!hist_ok)
                c->res->no_history++;
        }
        for (int t = 0; t < c->ny && st == DTP_OK; t++) {
            dtp_cert_result cr;
            dtp_error e2;
            dtp_error_clear(&e2);
            if (dtp_cert_valid_at_year_end(&vc, c->y0 + t, &ro, &cr, &e2) != DTP_OK) {
                r->use = 0;
                memset(r->valid, 0, (size_t)c->ny);
                st = exclude(c, r, "bad_dates", pcode, e2.message, err);
                break;
            }
            r->valid[t] = (unsigned char)cr.valid;
            if (cr.valid) {
                total[t]++;
                if (r->listed && r->prov >= 0)
                    r->flags |= cr.flags;
            }
        }
    }
out:
    sqlite3_finalize(evs);
    free(ev);
    return st;
}

/* How many reference companies the USCC places in each panel province: the observation a zero
 * count traces to. */
static dtp_status listed_reference_obs(ctx *c, int64_t *ref_obs, dtp_error *err)
{
    for (size_t p = 0; p < c->np; p++) {
        long n = 0;
        dtp_buf lines;
        dtp_buf_init(&lines, 200);
        for (size_t i = 0; i < c->listed.n; i++) {
            dtp_province_result pr = dtp_province_of_holder(c->listed.rows[i].uscc, NULL);
            if (pr.how == DTP_PROVINCE_USCC && strcmp(pr.code, c->panel[p]->code) == 0) {
                dtp_buf_printf(&lines, "%s%zu", n ? "," : "", c->listed.rows[i].line);
                n++;
            }
        }
        for (int t = 0; t < c->ny; t++) {
            char loc[400], raw[32];
            snprintf(loc, sizeof loc, "%s: %ld compan%s with USCC in province %s%s%s%s",
                     c->listed_file, n, n == 1 ? "y" : "ies", c->panel[p]->code,
                     n ? " (lines " : "", n ? dtp_buf_str(&lines) : "", n ? ")" : "");
            snprintf(raw, sizeof raw, "%ld", n);
            dtp_status st = add_obs(c, "reference.listed", c->listed_sha, "listed_companies",
                                    c->panel[p]->code, c->y0 + t, raw, (double)n, "companies", NULL,
                                    loc, &ref_obs[p * (size_t)c->ny + (size_t)t], err);
            if (st != DTP_OK) {
                dtp_buf_free(&lines);
                return st;
            }
        }
        dtp_buf_free(&lines);
    }
    return DTP_OK;
}

static dtp_status write_iso_cells(ctx *c, int any_records, dtp_error *err)
{
    dtp_status st = DTP_OK;
    int64_t *ref_obs = NULL;
    if (any_records) {
        ref_obs = calloc(c->np * (size_t)c->ny + 1, sizeof *ref_obs);
        if (!ref_obs)
            return nomem(err);
        if ((st = listed_reference_obs(c, ref_obs, err)) != DTP_OK)
            goto out;
    }
    for (size_t p = 0; p < c->np && st == DTP_OK; p++)
        for (int t = 0; t < c->ny && st == DTP_OK; t++) {
            if (!any_records) {
                st =
                    add_cell(c, p, t, V_ISO, "missing", 0, 0, NULL,
                             "no_registry_records: staging holds no certificate record", NULL, err);
                continue;
            }
            long n = 0, nohist = 0, addr = 0, pending = 0;
            for (size_t i = 0; i < c->ncerts; i++) {
                const cert *r = &c->certs[i];
                if (r->use && r->listed && r->prov == (long)p && r->valid[t]) {
                    n++;
                    nohist += (r->flags & DTP_CERT_FLAG_NO_HISTORY) != 0;
                    addr += (r->flags & FLAG_ADDRESS) != 0;
                    pending += (r->flags & DTP_CERT_FLAG_SURVEILLANCE_PENDING) != 0;
                }
            }
            char flags[160] = "";
            size_t fl = 0;
            if (nohist)
                fl += (size_t)snprintf(flags + fl, sizeof flags - fl, "no_history:%ld", nohist);
            if (addr && fl < sizeof flags)
                fl += (size_t)snprintf(flags + fl, sizeof flags - fl, "%saddress_fallback:%ld",
                                       fl ? "," : "", addr);
            if (pending && fl < sizeof flags)
                snprintf(flags + fl, sizeof flags - fl, "%ssurveillance_pending:%ld", fl ? "," : "",
                         pending);
            st = add_cell(c, p, t, V_ISO, "derived", 1, (double)n,
                          "count of listed companies' ISO/IEC 27001 certificates valid on 31"
                          " December (METHODS.md B 1-3)",
                          NULL, flags, err);
            int64_t id = c->cell_ids[cell_at(c, p, t, V_ISO)];
            for (size_t i = 0; i < c->ncerts && st == DTP_OK; i++) {
                const cert *r = &c->certs[i];
                if (r->use && r->listed && r->prov == (long)p && r->valid[t])
                    st = add_edge(c, id, "source", 1, r->id, err);
            }
            if (st == DTP_OK && n == 0) {
                st = add_edge(c, id, "source", 0, ref_obs[p * (size_t)c->ny + (size_t)t], err);
                if (st == DTP_OK) {
                    char d[300];
                    snprintf(d, sizeof d,
                             "no listed company's ISO/IEC 27001 certificate valid on 31 December"
                             " %d in the registry records read: a real 0 (lineage: %s)",
                             c->y0 + t, c->listed_file);
                    st = ledger(c, "zero_count", "derive", c->panel[p]->code, c->y0 + t,
                                "iso27001_listed", 0, id, d, err);
                }
            }
        }
out:
    free(ref_obs);
    return st;
}

/* ---- index and controls -------------------------------------------------------------------- */

static dtp_status write_index_cells(ctx *c, dtp_error *err)
{
    static const size_t all[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    static const struct {
        int var;
        const char *name;
        size_t first, m;
    } idx[3] = {{V_INDEX, "dt_index", 0, 10},
                {V_ORDERING, "dt_ordering", 0, 5},
                {V_PRODUCTS, "dt_products", 5, 5}};
    dtp_status st = DTP_OK;
    double *x = calloc(c->np * N_INDEX, sizeof *x);
    double *w = calloc(N_INDEX, sizeof *w), *e = calloc(N_INDEX, sizeof *e);
    double *index = calloc(c->np, sizeof *index);
    unsigned *fl = calloc(N_INDEX, sizeof *fl);
    sqlite3_stmt *ws = NULL;
    if (!x || !w || !e || !index || !fl) {
        st = nomem(err);
        goto out;
    }
    if (sqlite3_prepare_v2(c->o->db,
                           "INSERT INTO index_weights(year, index_name, indicator, entropy, weight,"
                           " run_id) VALUES(?,?,?,?,?,?)",
                           -1, &ws, NULL) != SQLITE_OK) {
        st = dtp_db_error(c->o->db, "prepare index weights", err);
        goto out;
    }
    for (int t = 0; t < c->ny && st == DTP_OK; t++) {
        for (size_t p = 0; p < c->np; p++)
            for (int k = 0; k < N_INDEX; k++)
                x[p * N_INDEX + (size_t)k] = c->ybv[yb_at(c, p, t, k)].value;
        for (int j = 0; j < 3 && st == DTP_OK; j++) {
            dtp_entropy_out eo = {.entropy = e, .weight = w, .index = index, .flags = fl};
            if ((st = dtp_entropy_year(x, c->np, N_INDEX, all + idx[j].first, idx[j].m, &eo,
                                       err)) != DTP_OK) {
                dtp_error_prefix(err, "%s %d", idx[j].name, c->y0 + t);
                break;
            }
            for (size_t m = 0; m < idx[j].m && st == DTP_OK; m++) {
                sqlite3_reset(ws);
                sqlite3_bind_int(ws, 1, c->y0 + t);
                sqlite3_bind_text(ws, 2, idx[j].name, -1, SQLITE_STATIC);
                sqlite3_bind_text(ws, 3, ind_names((int)(idx[j].first + m)), -1, SQLITE_STATIC);
                sqlite3_bind_double(ws, 4, e[m]);
                sqlite3_bind_double(ws, 5, w[m]);
                sqlite3_bind_int64(ws, 6, c->o->run_id);
                if (sqlite3_step(ws) != SQLITE_DONE)
                    st = dtp_db_error(c->o->db, "write index weights", err);
                else if (fl[m] & DTP_ENTROPY_DEGENERATE) {
                    char d[200];
                    snprintf(d, sizeof d,
                             "%s is equal in every province: weight 0 in %s (clean/entropy.h)",
                             ind_names((int)(idx[j].first + m)), idx[j].name);
                    st = ledger(c, "entropy_degenerate", "flag", NULL, c->y0 + t, idx[j].name, 0, 0,
                                d, err);
                }
            }
            char method[160];
            snprintf(method, sizeof method,
                     "entropy weight index over %zu indicators and %zu provinces, weights of %d"
                     " in index_weights",
                     idx[j].m, c->np, c->y0 + t);
            for (size_t p = 0; p < c->np && st == DTP_OK; p++) {
                if ((st = add_cell(c, p, t, idx[j].var, "derived", 1, index[p], method, NULL,
                                   eo.all_flags ? "all_degenerate" : NULL, err)) != DTP_OK)
                    break;
                int64_t id = c->cell_ids[cell_at(c, p, t, idx[j].var)];
                for (size_t m = 0; m < idx[j].m && st == DTP_OK; m++)
                    st = add_edge(c, id, "source", 0,
                                  c->ybv[yb_at(c, p, t, (int)(idx[j].first + m))].obs, err);
            }
        }
    }
out:
    sqlite3_finalize(ws);
    free(x);
    free(w);
    free(e);
    free(index);
    free(fl);
    return st;
}

static dtp_ctl_quantity q(const yb_cell *y)
{
    dtp_ctl_quantity r = {y->value, y->obs ? y->unit : NULL};
    return r;
}

static dtp_status write_control_cells(ctx *c, dtp_error *err)
{
    dtp_status st = DTP_OK;
    size_t n = c->np * (size_t)c->ny;
    double *ln = calloc(n, sizeof *ln);
    int *high = calloc(n, sizeof *high);
    if (!ln || !high) {
        st = nomem(err);
        goto out;
    }
    for (size_t p = 0; p < c->np && st == DTP_OK; p++)
        for (int t = 0; t < c->ny && st == DTP_OK; t++) {
            const yb_cell *y = &c->ybv[yb_at(c, p, t, 0)];
            const yb_cell *xr = y[I_EXCHANGE_RATE].obs ? &y[I_EXCHANGE_RATE] : &c->national[t];
            dtp_ctl_inputs in = {.gdp = q(&y[I_GDP]),
                                 .budget_expenditure = q(&y[I_BUDGET]),
                                 .population = q(&y[I_POPULATION]),
                                 .area = q(&y[I_AREA]),
                                 .tertiary_va = q(&y[I_TERTIARY]),
                                 .secondary_va = q(&y[I_SECONDARY]),
                                 .retail_sales = q(&y[I_RETAIL]),
                                 .tech_market_turnover = q(&y[I_TECH_MARKET]),
                                 .fdi = q(&y[I_FDI]),
                                 .exchange_rate = q(xr),
                                 .postal_telecom = q(&y[I_POSTAL_TELECOM]),
                                 .loans = q(&y[I_LOANS])};
            dtp_ctl_outputs out;
            if ((st = dtp_controls_compute(c->panel[p]->code, c->y0 + t, &in, &out, err)) !=
                DTP_OK) {
                dtp_error_where(err, "yearbook", c->yb_sha, c->yb_file);
                break;
            }
            const double vals[N_VARS] = {[V_FISCAL] = out.fiscal,
                                         [V_LNGDPPC] = out.ln_gdp_pc,
                                         [V_STRUCTURE] = out.industrial_structure,
                                         [V_CONSUMPTION] = out.consumption,
                                         [V_TECH] = out.tech_transfer,
                                         [V_POPDENS] = out.pop_density,
                                         [V_FDI] = out.fdi_gdp,
                                         [V_INFO] = out.informatisation,
                                         [V_FINANCE] = out.financial};
            for (int v = V_FISCAL; v <= V_FINANCE && st == DTP_OK; v++) {
                if (!isfinite(vals[v])) {
                    st = dtp_error_set(err, DTP_ERR_VALIDATION, "clean",
                                       "%s %d %s: not computable (a zero denominator in the"
                                       " yearbook); the province panel must be balanced",
                                       c->panel[p]->code, c->y0 + t, var_names[v]);
                    break;
                }
                char method[160];
                snprintf(method, sizeof method, "%s%s%s from the yearbook (clean/controls.h)",
                         v == V_LNGDPPC ? "ln(" : "", ind_names(ctl_inputs[v][0]),
                         v == V_LNGDPPC ? " / population)" : "");
                if (v != V_LNGDPPC)
                    snprintf(method, sizeof method, "%s / %s from the yearbook%s",
                             ind_names(ctl_inputs[v][0]), ind_names(ctl_inputs[v][1]),
                             v == V_FDI && is_usd(y[I_FDI].unit) ? ", US$ at the year's rate" : "");
                if ((st = add_cell(c, p, t, v, "derived", 1, vals[v], method, NULL, NULL, err)) !=
                    DTP_OK)
                    break;
                int64_t id = c->cell_ids[cell_at(c, p, t, v)];
                for (int i = 0; i < 4 && ctl_inputs[v][i] >= 0 && st == DTP_OK; i++)
                    st = add_edge(c, id, "source", 0, y[ctl_inputs[v][i]].obs, err);
                if (st == DTP_OK && v == V_FDI && is_usd(y[I_FDI].unit))
                    st = add_edge(c, id, "source", 0, xr->obs, err);
            }
            ln[p * (size_t)c->ny + (size_t)t] = out.ln_gdp_pc;
        }
    if (st != DTP_OK)
        goto out;
    double mean = 0;
    if ((st = dtp_controls_high_development(ln, n, high, &mean, err)) != DTP_OK)
        goto out;
    char method[160];
    snprintf(method, sizeof method,
             "1 when ln_gdppc > %.6f (mean over the %zu province-years), 0 at or below", mean, n);
    for (size_t p = 0; p < c->np && st == DTP_OK; p++)
        for (int t = 0; t < c->ny && st == DTP_OK; t++) {
            if ((st = add_cell(c, p, t, V_HIGHDEV, "derived", 1,
                               high[p * (size_t)c->ny + (size_t)t], method, NULL, NULL, err)) !=
                DTP_OK)
                break;
            st = add_edge(c, c->cell_ids[cell_at(c, p, t, V_HIGHDEV)], "input", 2,
                          c->cell_ids[cell_at(c, p, t, V_LNGDPPC)], err);
        }
out:
    free(ln);
    free(high);
    return st;
}

/* ---- reconciliation ------------------------------------------------------------------------ */

/* The ISO Survey count for China against the registry total (every accepted ISMS certificate
 * valid on 31 December, listed or not): a check result, never a correction. */
static dtp_status reconcile(ctx *c, const int64_t *total, dtp_error *err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(c->o->db,
                           "SELECT o.value FROM observations o JOIN entity_map em"
                           " ON em.source = o.source AND em.entity_raw = o.entity_raw"
                           " AND em.entity_code = COALESCE(o.entity_code, '')"
                           " AND em.entity_system = COALESCE(o.entity_system, '')"
                           " JOIN source_artifacts sa ON sa.source = o.source"
                           " AND sa.artifact_sha256 = o.artifact_sha256"
                           " WHERE em.kind = 'country' AND em.iso3 = 'CHN'"
                           " AND o.variable = 'iso27001' AND o.year = ? AND o.has_value = 1"
                           " ORDER BY o.id LIMIT 1",
                           -1, &s, NULL) != SQLITE_OK)
        return dtp_db_error(c->o->db, "prepare survey lookup", err);
    double thr = dtp_config_double(c->o->cfg, "clean", "reconcile_ratio");
    dtp_status st = DTP_OK;
    for (int t = 0; t < c->ny && st == DTP_OK; t++) {
        sqlite3_reset(s);
        sqlite3_bind_int(s, 1, c->y0 + t);
        if (sqlite3_step(s) != SQLITE_ROW)
            continue;
        double survey = sqlite3_column_double(s, 0);
        dtp_check_result cr;
        if ((st = dtp_reconcile_survey_registry("CHN", c->y0 + t, "iso27001", survey,
                                                (double)total[t], thr, NULL, &cr)) != DTP_OK) {
            st = dtp_error_set(err, st, "clean", "reconciliation failed");
            break;
        }
        char d[300];
        snprintf(d, sizeof d,
                 "ISO Survey %.0f vs registry %lld certificates valid on 31 December (ratio %g,"
                 " threshold %g): %s",
                 survey, (long long)total[t], cr.ratio, thr,
                 cr.flagged ? "for review, nothing corrected" : "consistent");
        c->res->reconcile_checked++;
        c->res->reconcile_flagged += cr.flagged;
        if ((st = dtp_staging_add_check(c->o->db, c->o->run_id, "clean", "survey_vs_registry",
                                        cr.flagged ? "warn" : "pass", "CHN", c->y0 + t, "iso27001",
                                        d, err)) == DTP_OK &&
            cr.flagged)
            st = ledger(c, "check_survey_vs_registry", "flag", "CHN", c->y0 + t, "iso27001", 0, 0,
                        d, err);
    }
    sqlite3_finalize(s);
    return st;
}

/* ---- driver -------------------------------------------------------------------------------- */

static void ctx_free(ctx *c)
{
    sqlite3_finalize(c->ins_obs);
    sqlite3_finalize(c->ins_cell);
    sqlite3_finalize(c->ins_edge);
    sqlite3_finalize(c->ins_ledger);
    for (size_t i = 0; i < c->ncerts; i++)
        cert_free(&c->certs[i]);
    free(c->certs);
    free(c->ybv);
    free(c->national);
    free(c->cell_ids);
    free(c->values);
    dtp_yearbook_free(&c->yb);
    dtp_listed_free(&c->listed);
    dtp_ref_provinces_free(&c->provs);
}

static const char *const replace_sql =
    "DELETE FROM panel_cells WHERE panel = 'province';"
    " DELETE FROM index_weights;"
    " DELETE FROM observations WHERE source IN ('yearbook', 'reference.listed')"
    " AND id NOT IN (SELECT observation_id FROM lineage WHERE observation_id IS NOT NULL)";

dtp_status dtp_clean_province(const dtp_clean_opts *o, dtp_clean_province_result *res,
                              dtp_error *err)
{
    ctx c;
    memset(&c, 0, sizeof c);
    memset(res, 0, sizeof *res);
    c.o = o;
    c.res = res;
    dtp_status st;
    char ybpath[PATH_LEN], lpath[PATH_LEN];
    dtp_clean_resolve(o, dtp_config_get(o->cfg, "clean", "yearbook"), ybpath, sizeof ybpath);
    dtp_clean_resolve(o, dtp_config_get(o->cfg, "clean", "listed_companies"), lpath, sizeof lpath);
    if (!ybpath[0]) {
        /* no province panel in this configuration: a previous one must not be published */
        if ((st = dtp_db_begin(o->db, err)) != DTP_OK)
            return st;
        if ((st = dtp_db_exec(o->db, replace_sql, "remove province cells", err)) != DTP_OK ||
            (st = dtp_db_commit(o->db, err)) != DTP_OK)
            dtp_db_rollback(o->db);
        return st;
    }
    if (!lpath[0])
        return dtp_error_set(err, DTP_ERR_CONFIG, "clean",
                             "[clean] yearbook is set but [clean] listed_companies is not: the"
                             " province panel needs the listed-company reference file");
    if (dtp_config_years(o->cfg, "panel", "years", &c.y0, &c.y1) != 0 || c.y1 < c.y0 ||
        c.y1 - c.y0 + 1 > MAX_YEARS)
        return dtp_error_set(err, DTP_ERR_CONFIG, "clean", "[panel] years is not a range");
    c.ny = c.y1 - c.y0 + 1;
    res->built = 1;
    res->years = c.ny;
    if ((st = dtp_db_begin(o->db, err)) != DTP_OK)
        return st;
    if ((st = prepare(&c, err)) != DTP_OK ||
        (st = dtp_db_exec(o->db, replace_sql, "replace province cells", err)) != DTP_OK ||
        (st = load_provinces(&c, err)) != DTP_OK)
        goto fail;
    res->provinces = (int)c.np;
    {
        dtp_buf b;
        dtp_buf_init(&b, (size_t)MAX_FILE_BYTES);
        st = read_and_archive(&c, lpath, "reference.listed", &b, c.listed_sha, err);
        if (st == DTP_OK)
            st = dtp_listed_read_mem(b.data ? b.data : "", b.len, lpath, &c.listed, err);
        dtp_buf_free(&b);
        snprintf(c.listed_file, sizeof c.listed_file, "%s", base_name(lpath));
        if (st != DTP_OK)
            goto fail;
    }
    if ((st = read_yearbook(&c, ybpath, err)) != DTP_OK)
        goto fail;
    dtp_status bal = check_yearbook_balanced(&c, err);
    if (bal != DTP_OK) {
        /* the failed check is kept; the previous cells stay */
        char msg[DTP_ERR_MESSAGE_MAX];
        snprintf(msg, sizeof msg, "%s", err->message);
        dtp_db_rollback(o->db);
        dtp_error e2;
        dtp_error_clear(&e2);
        dtp_staging_add_check(o->db, o->run_id, "clean", "province_balanced", "fail", NULL, 0, NULL,
                              msg, &e2);
        ctx_free(&c);
        return bal;
    }
    size_t ncells = c.np * (size_t)c.ny * N_VARS;
    c.cell_ids = calloc(ncells, sizeof *c.cell_ids);
    c.values = calloc(ncells, sizeof *c.values);
    int64_t total[MAX_YEARS] = {0};
    if (!c.cell_ids || !c.values) {
        st = nomem(err);
        goto fail;
    }
    if ((st = load_certs(&c, err)) != DTP_OK || (st = evaluate_certs(&c, total, err)) != DTP_OK ||
        (st = write_iso_cells(&c, c.ncerts > 0, err)) != DTP_OK ||
        (st = write_index_cells(&c, err)) != DTP_OK ||
        (st = write_control_cells(&c, err)) != DTP_OK)
        goto fail;
    if (c.ncerts > 0) {
        if ((st = reconcile(&c, total, err)) != DTP_OK)
            goto fail;
    } else if ((st = dtp_staging_add_check(o->db, o->run_id, "clean", "registry_records", "warn",
                                           NULL, 0, "iso27001_listed",
                                           "staging holds no certificate record: iso27001_listed"
                                           " is missing in every province-year",
                                           err)) != DTP_OK)
        goto fail;
    char detail[200];
    snprintf(detail, sizeof detail, "%zu provinces x %d years x %d variables", c.np, c.ny, N_VARS);
    if ((st = dtp_staging_add_check(o->db, o->run_id, "clean", "province_balanced", "pass", NULL, 0,
                                    NULL, detail, err)) != DTP_OK ||
        (st = dtp_db_commit(o->db, err)) != DTP_OK)
        goto fail;
    ctx_free(&c);
    return DTP_OK;
fail:
    dtp_db_rollback(o->db);
    ctx_free(&c);
    res->cells = 0;
    return st;
}
