/* The clean stage driver for the country-year panel: current observations → crosswalk → panel
 * (observed / missing with reason) → overrides → sample rules (drop, impute, balance) → derived
 * variables and reference dummies → cells, lineage, ledger and checks in staging. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clean/clean.h"
#include "clean/stagekit.h"
#include "clean/crosswalk.h"
#include "clean/override.h"
#include "clean/panel.h"
#include "clean/reconcile.h"
#include "clean/reference.h"
#include "clean/sample.h"
#include "clean/transform.h"
#include "common/buf.h"
#include "common/staging.h"

#define PATH_LEN 4096

static const char *const country_vars[] = {"dt_exp", "dt_imp", "iso27001", "pv", "fdi", "infra"};
#define N_COUNTRY_VARS (sizeof country_vars / sizeof *country_vars)

typedef struct obsrow {
    int64_t id;
    char *source, *variable, *raw, *code, *system, *flags;
    int agg, year, has;
    double value;
    long entity; /* index into the country list, -1 when not a country */
    int var;     /* index into country_vars */
} obsrow;

typedef struct mapentry {
    char *key;
    dtp_xw_kind kind;
    dtp_xw_rule rule;
    char iso3[4];
    struct mapentry *next;
} mapentry;

typedef struct ctx {
    const dtp_clean_opts *o;
    dtp_clean_result *res;
    int y0, y1;
    obsrow *rows;
    size_t nrows, caprows;
    mapentry *buckets[4096];
    char (*countries)[4];
    size_t ncountries;
    dtp_xw *xw;
    dtp_ledger ledger;
    dtp_panel *panel;
    int64_t *cell_obs;      /* per panel cell: observation id, 0 when none */
    int64_t *cell_override; /* per panel cell: override row id, 0 when none */
    char version[1024];
} ctx;

static unsigned hash(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static int var_index(const char *v)
{
    for (size_t i = 0; i < N_COUNTRY_VARS; i++)
        if (v && strcmp(v, country_vars[i]) == 0)
            return (int)i;
    return -1;
}

/* Which name table a source's labels belong to. */
static const char *name_system(const dtp_config *cfg, const char *source)
{
    char sec[96];
    snprintf(sec, sizeof sec, "source.%s", source);
    const char *kind = dtp_config_get(cfg, sec, "kind");
    if (!kind)
        return NULL;
    if (strcmp(kind, "isosurvey") == 0)
        return "isosurvey_name";
    if (strcmp(kind, "declared_csv") == 0)
        return "owid_name";
    if (strncmp(kind, "unctad", 6) == 0)
        return "unctad_label";
    if (strncmp(kind, "worldbank", 9) == 0)
        return "wb_name";
    return NULL;
}

static mapentry *map_obs(ctx *c, obsrow *r)
{
    char key[1024];
    snprintf(key, sizeof key, "%s\x1f%s\x1f%s\x1f%s\x1f%d", r->source, r->raw, r->code, r->system,
             r->agg);
    unsigned b = hash(key) % 4096;
    for (mapentry *m = c->buckets[b]; m; m = m->next)
        if (strcmp(m->key, key) == 0)
            return m;
    dtp_xw_result x;
    if (r->code[0] && strcmp(r->system, "m49") == 0)
        x = dtp_xw_code(c->xw, DTP_XW_M49, r->code);
    else if (r->code[0] && strncmp(r->code, "OWID_", 5) == 0)
        x = dtp_xw_code(c->xw, DTP_XW_OWID_CODE, r->code);
    else if (r->code[0] && (strcmp(r->system, "iso3") == 0 || strcmp(r->system, "wb") == 0))
        x = dtp_xw_code(c->xw, DTP_XW_WB_CODE, r->code);
    else if (r->code[0] && strcmp(r->system, "iso2") == 0)
        x = dtp_xw_code(c->xw, DTP_XW_ISO2, r->code);
    else
        x = dtp_xw_name(c->xw, r->raw, name_system(c->o->cfg, r->source));
    /* METHODS.md §A: panel entities have an ISO 3166-1 code; a user-assigned code (XKX Kosovo)
     * is mapped and recorded but kept out of the panel */
    if (x.kind == DTP_XW_COUNTRY && (x.flags & DTP_XW_FLAG_USER_ASSIGNED))
        x.kind = DTP_XW_IGNORED;
    /* a row the source itself marks as a group is never a country */
    if (r->agg && x.kind == DTP_XW_COUNTRY) {
        x.kind = DTP_XW_AGGREGATE;
        x.rule = DTP_XW_RULE_NONE;
    }
    /* a source-marked group the tables do not know is still a group, by the source's word */
    if (r->agg && x.kind == DTP_XW_UNMAPPED)
        x.kind = DTP_XW_AGGREGATE;
    mapentry *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->key = strdup(key);
    m->kind = x.kind;
    m->rule = x.rule;
    snprintf(m->iso3, sizeof m->iso3, "%s", x.kind == DTP_XW_COUNTRY ? x.iso3 : "");
    m->next = c->buckets[b];
    c->buckets[b] = m;
    if (m->kind == DTP_XW_AGGREGATE)
        c->res->aggregates++; /* once per distinct label, not per observation */
    return m;
}

static int cmp_iso(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static long country_index(const ctx *c, const char *iso3)
{
    size_t lo = 0, hi = c->ncountries;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int k = strcmp(c->countries[mid], iso3);
        if (k == 0)
            return (long)mid;
        if (k < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static int source_enabled(const dtp_config *cfg, const char *source)
{
    char sec[96];
    snprintf(sec, sizeof sec, "source.%s", source);
    return dtp_config_get(cfg, sec, "kind") && dtp_config_bool(cfg, sec, "enabled");
}

static dtp_status load_observations(ctx *c, dtp_error *err)
{
    sqlite3 *db = c->o->db;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT o.id, o.source, o.variable, o.entity_raw,"
                           " COALESCE(o.entity_code, ''), COALESCE(o.entity_system, ''),"
                           " o.is_aggregate, o.year, o.has_value, o.value, COALESCE(o.flags, '')"
                           " FROM observations o JOIN source_artifacts sa ON sa.source = o.source"
                           " AND sa.artifact_sha256 = o.artifact_sha256"
                           " WHERE o.year BETWEEN ? AND ? ORDER BY o.id",
                           -1, &s, NULL) != SQLITE_OK)
        return dtp_db_error(db, "read observations", err);
    sqlite3_bind_int(s, 1, c->y0);
    sqlite3_bind_int(s, 2, c->y1);
    dtp_status st = DTP_OK;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *var = dtp_db_text(s, 2);
        int vi = var_index(var);
        if (vi < 0 || !source_enabled(c->o->cfg, dtp_db_text(s, 1)))
            continue;
        if (c->nrows == c->caprows) {
            size_t ncap = c->caprows ? c->caprows * 2 : 4096;
            obsrow *p = realloc(c->rows, ncap * sizeof *p);
            if (!p) {
                st = dtp_error_set(err, DTP_ERR_NOMEM, "clean", "out of memory");
                break;
            }
            c->rows = p;
            c->caprows = ncap;
        }
        obsrow *r = &c->rows[c->nrows++];
        memset(r, 0, sizeof *r);
        r->id = sqlite3_column_int64(s, 0);
        r->source = dtp_clean_dupz(dtp_db_text(s, 1));
        r->variable = dtp_clean_dupz(var);
        r->raw = dtp_clean_dupz(dtp_db_text(s, 3));
        r->code = dtp_clean_dupz(dtp_db_text(s, 4));
        r->system = dtp_clean_dupz(dtp_db_text(s, 5));
        r->agg = sqlite3_column_int(s, 6);
        r->year = sqlite3_column_int(s, 7);
        r->has = sqlite3_column_int(s, 8);
        r->value = sqlite3_column_double(s, 9);
        r->flags = dtp_clean_dupz(dtp_db_text(s, 10));
        r->var = vi;
        r->entity = -1;
        if (!r->source || !r->variable || !r->raw || !r->code || !r->system || !r->flags) {
            st = dtp_error_set(err, DTP_ERR_NOMEM, "clean", "out of memory");
            break;
        }
    }
    sqlite3_finalize(s);
    return st;
}

static dtp_status write_entity_map(ctx *c, dtp_error *err)
{
    sqlite3 *db = c->o->db;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db,
                           "INSERT OR REPLACE INTO entity_map(source, entity_raw, entity_code,"
                           " entity_system, iso3, kind, rule, table_version, run_id)"
                           " VALUES(?,?,?,?,?,?,?,?,?)",
                           -1, &s, NULL) != SQLITE_OK)
        return dtp_db_error(db, "prepare entity map", err);
    for (size_t i = 0; i < c->nrows; i++) {
        obsrow *r = &c->rows[i];
        mapentry *m = map_obs(c, r);
        if (!m)
            continue;
        static const char *const kinds[] = {"unmapped", "country", "aggregate", "ignored",
                                            "unmapped"};
        sqlite3_reset(s);
        sqlite3_bind_text(s, 1, r->source, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, r->raw, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, r->code, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 4, r->system, -1, SQLITE_STATIC);
        if (m->iso3[0])
            sqlite3_bind_text(s, 5, m->iso3, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(s, 5);
        sqlite3_bind_text(s, 6, kinds[m->kind], -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 7,
                          m->kind == DTP_XW_AMBIGUOUS ? "ambiguous" : dtp_xw_rule_name(m->rule), -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(s, 8, c->version, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 9, c->o->run_id);
        if (sqlite3_step(s) != SQLITE_DONE) {
            sqlite3_finalize(s);
            return dtp_db_error(db, "write entity map", err);
        }
    }
    sqlite3_finalize(s);
    return DTP_OK;
}

/* Map every observation; countries get an index; unmapped labels are listed in the message. */
static dtp_status map_all(ctx *c, dtp_error *err)
{
    dtp_buf unm;
    dtp_buf_init(&unm, 900);
    c->countries = calloc(c->nrows + 1, sizeof *c->countries);
    if (!c->countries)
        return dtp_error_set(err, DTP_ERR_NOMEM, "clean", "out of memory");
    for (size_t i = 0; i < c->nrows; i++) {
        obsrow *r = &c->rows[i];
        mapentry *m = map_obs(c, r);
        if (!m) {
            dtp_buf_free(&unm);
            return dtp_error_set(err, DTP_ERR_NOMEM, "clean", "out of memory");
        }
        if (m->kind == DTP_XW_COUNTRY) {
            memcpy(c->countries[c->ncountries++], m->iso3, 4);
        } else if (m->kind == DTP_XW_UNMAPPED || m->kind == DTP_XW_AMBIGUOUS) {
            /* count each label once: the map entry is shared by all its observations */
            if (m->rule != (dtp_xw_rule)-1) {
                m->rule = (dtp_xw_rule)-1;
                c->res->unmapped++;
                dtp_buf_printf(&unm, "%s'%s' (%s%s%s)", c->res->unmapped > 1 ? ", " : "", r->raw,
                               r->source, r->code[0] ? " code " : "", r->code);
            }
        }
    }
    qsort(c->countries, c->ncountries, sizeof *c->countries, cmp_iso);
    size_t k = 0;
    for (size_t i = 0; i < c->ncountries; i++)
        if (k == 0 || strcmp(c->countries[k - 1], c->countries[i]) != 0)
            memcpy(c->countries[k++], c->countries[i], 4);
    c->ncountries = k;
    c->res->countries_seen = (int)k;
    for (size_t i = 0; i < c->nrows; i++) {
        mapentry *m = map_obs(c, &c->rows[i]);
        c->rows[i].entity = m && m->kind == DTP_XW_COUNTRY ? country_index(c, m->iso3) : -1;
    }
    dtp_status st = DTP_OK;
    if (c->res->unmapped) {
        st = dtp_error_set(err, DTP_ERR_VALIDATION, "clean",
                           "%d label(s) map to no country or aggregate: %s%s; add them to %s or,"
                           " after review, to the ignore file with a reason",
                           c->res->unmapped, dtp_buf_str(&unm),
                           unm.len >= unm.max - 40 ? ", ..." : "",
                           dtp_config_get(c->o->cfg, "clean", "aliases"));
    }
    dtp_buf_free(&unm);
    return st;
}

static size_t cell_idx(const dtp_panel *p, size_t e, int year, size_t v)
{
    return (v * p->n_entities + e) * p->n_years + (size_t)(year - p->y0);
}

/* One source per variable: a second would make the cell's origin a matter of order. */
static dtp_status check_one_source_per_variable(ctx *c, int *present, dtp_error *err)
{
    const char *src[N_COUNTRY_VARS] = {0};
    for (size_t i = 0; i < c->nrows; i++) {
        obsrow *r = &c->rows[i];
        present[r->var] = 1;
        if (!src[r->var])
            src[r->var] = r->source;
        else if (strcmp(src[r->var], r->source) != 0)
            return dtp_error_set(err, DTP_ERR_CONFIG, "clean",
                                 "variable %s comes from two enabled sources (%s and %s): disable"
                                 " one (enabled = no)",
                                 country_vars[r->var], src[r->var], r->source);
    }
    return DTP_OK;
}

static dtp_status fill_panel(ctx *c, const int *present, dtp_error *err)
{
    const char *vars[N_COUNTRY_VARS];
    size_t nv = 0;
    int vmap[N_COUNTRY_VARS];
    for (size_t v = 0; v < N_COUNTRY_VARS; v++) {
        vmap[v] = -1;
        if (present[v]) {
            vmap[v] = (int)nv;
            vars[nv++] = country_vars[v];
        } else {
            size_t l = strlen(c->res->missing_vars);
            snprintf(c->res->missing_vars + l, sizeof c->res->missing_vars - l, "%s%s",
                     l ? "," : "", country_vars[v]);
        }
    }
    c->res->variables = (int)nv;
    const char **ents = calloc(c->ncountries + 1, sizeof *ents);
    if (!ents)
        return dtp_error_set(err, DTP_ERR_NOMEM, "clean", "out of memory");
    for (size_t i = 0; i < c->ncountries; i++)
        ents[i] = c->countries[i];
    dtp_status st = dtp_panel_new(c->ncountries, ents, c->y0, (size_t)(c->y1 - c->y0 + 1), nv, vars,
                                  &c->panel, err);
    free(ents);
    if (st != DTP_OK)
        return st;
    size_t ncells = c->panel->n_entities * c->panel->n_years * c->panel->n_vars;
    c->cell_obs = calloc(ncells + 1, sizeof *c->cell_obs);
    c->cell_override = calloc(ncells + 1, sizeof *c->cell_override);
    if (!c->cell_obs || !c->cell_override)
        return dtp_error_set(err, DTP_ERR_NOMEM, "clean", "out of memory");
    for (size_t i = 0; i < ncells; i++)
        dtp_cell_set_missing(&c->panel->cells[i], DTP_MISS_NOT_REPORTED, "no value in source");
    for (size_t i = 0; i < c->nrows; i++) {
        obsrow *r = &c->rows[i];
        if (r->entity < 0 || vmap[r->var] < 0)
            continue;
        size_t k = cell_idx(c->panel, (size_t)r->entity, r->year, (size_t)vmap[r->var]);
        dtp_cell *cell = &c->panel->cells[k];
        if (c->cell_obs[k]) {
            /* two labels of one source map to the same country-year (an alias and a code):
             * the same value is one observation twice; different values are a conflict */
            obsrow *prev = NULL;
            for (size_t j = 0; j < i && !prev; j++)
                if (c->rows[j].id == c->cell_obs[k])
                    prev = &c->rows[j];
            int same = prev && prev->has == r->has && (!r->has || prev->value == r->value);
            if (!same) {
                dtp_error_where(err, r->source, NULL, NULL);
                return dtp_error_set(err, DTP_ERR_VALIDATION, "clean",
                                     "%s %d %s: '%s' and '%s' map to the same country with "
                                     "different values (observations %lld and %lld)",
                                     c->countries[r->entity], r->year, r->variable,
                                     prev ? prev->raw : "?", r->raw, (long long)c->cell_obs[k],
                                     (long long)r->id);
            }
            continue;
        }
        c->cell_obs[k] = r->id;
        if (r->has)
            dtp_cell_set_observed(cell, r->value);
        else
            dtp_cell_set_missing(cell, DTP_MISS_NOT_REPORTED,
                                 r->flags[0] ? r->flags : "empty in source");
    }
    return DTP_OK;
}

/* Archive a reference file and record it as an artifact: its rows become lineage. */
static dtp_status archive_reference(ctx *c, const char *path, const char *source, char sha[65],
                                    dtp_error *err)
{
    dtp_status st = dtp_archive_put_file(c->o->archive, path, (uint64_t)64 << 20, sha, err);
    if (st != DTP_OK)
        return st;
    const char *base = strrchr(path, '/');
    return dtp_staging_add_artifact(c->o->db, sha, 0, "text/csv", base ? base + 1 : path, source, 0,
                                    err);
}

static dtp_status apply_overrides(ctx *c, dtp_error *err)
{
    char path[PATH_LEN], sha[65];
    dtp_clean_resolve(c->o, dtp_config_get(c->o->cfg, "clean", "overrides"), path, sizeof path);
    if (!path[0])
        return DTP_OK;
    dtp_override_set set;
    memset(&set, 0, sizeof set);
    dtp_status st = dtp_override_read_file(path, &set, err);
    if (st != DTP_OK)
        return st;
    if ((st = archive_reference(c, path, "overrides", sha, err)) != DTP_OK)
        goto out;
    if ((st = dtp_db_exec(c->o->db,
                          "DELETE FROM overrides WHERE id NOT IN (SELECT override_id FROM lineage"
                          " WHERE override_id IS NOT NULL)",
                          "clear overrides", err)) != DTP_OK)
        goto out;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(c->o->db,
                           "INSERT INTO overrides(entity, year, variable, value, publisher,"
                           " document, url, date, reason, file_sha256, line)"
                           " VALUES(?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &s, NULL) != SQLITE_OK) {
        st = dtp_db_error(c->o->db, "prepare override insert", err);
        goto out;
    }
    for (size_t i = 0; i < set.n; i++) {
        const dtp_override *ov = &set.rows[i];
        sqlite3_reset(s);
        sqlite3_bind_text(s, 1, ov->entity, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 2, ov->year);
        sqlite3_bind_text(s, 3, ov->variable, -1, SQLITE_STATIC);
        sqlite3_bind_double(s, 4, ov->value);
        sqlite3_bind_text(s, 5, ov->publisher, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 6, ov->document, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 7, ov->url, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 8, ov->date, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 9, ov->reason, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 10, sha, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 11, (sqlite3_int64)ov->line);
        if (sqlite3_step(s) != SQLITE_DONE) {
            st = dtp_db_error(c->o->db, "insert override", err);
            break;
        }
        long e = dtp_panel_entity(c->panel, ov->entity);
        long v = dtp_panel_var(c->panel, ov->variable);
        if (e >= 0 && v >= 0 && ov->year >= c->y0 && ov->year <= c->y1)
            c->cell_override[cell_idx(c->panel, (size_t)e, ov->year, (size_t)v)] =
                sqlite3_last_insert_rowid(c->o->db);
    }
    sqlite3_finalize(s);
    if (st == DTP_OK)
        st = dtp_override_apply_panel(&set, c->panel, &c->ledger, err);
out:
    dtp_override_set_free(&set);
    if (st != DTP_OK && !err->locator[0])
        dtp_error_where(err, NULL, NULL, path);
    return st;
}

static const char *ledger_action(const char *rule)
{
    if (strncmp(rule, "drop_", 5) == 0)
        return "drop";
    if (strcmp(rule, "ipolate") == 0 || strcmp(rule, "epolate") == 0)
        return "impute";
    if (strcmp(rule, "override") == 0)
        return "override";
    if (strcmp(rule, "gap_too_long") == 0 || strcmp(rule, "no_anchor") == 0 ||
        strcmp(rule, "no_extrapolation") == 0)
        return "keep_missing";
    return "flag";
}

static dtp_status write_ledger(ctx *c, dtp_error *err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(c->o->db,
                           "INSERT INTO ledger(run_id, panel, entity, year, variable, rule, action,"
                           " detail) VALUES(?, 'country', NULLIF(?, ''), NULLIF(?, 0),"
                           " NULLIF(?, ''), ?, ?, json_object('text', ?))",
                           -1, &s, NULL) != SQLITE_OK)
        return dtp_db_error(c->o->db, "prepare ledger insert", err);
    for (size_t i = 0; i < c->ledger.n; i++) {
        const dtp_ledger_entry *l = &c->ledger.entries[i];
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, c->o->run_id);
        sqlite3_bind_text(s, 2, l->entity, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 3, l->year);
        sqlite3_bind_text(s, 4, l->variable, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 5, l->rule, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 6, ledger_action(l->rule), -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 7, l->detail, -1, SQLITE_STATIC);
        if (sqlite3_step(s) != SQLITE_DONE) {
            sqlite3_finalize(s);
            return dtp_db_error(c->o->db, "write ledger", err);
        }
    }
    sqlite3_finalize(s);
    return DTP_OK;
}

typedef struct writer {
    sqlite3_stmt *cell, *edge;
} writer;

static const char *status_name(dtp_cell_status s)
{
    switch (s) {
    case DTP_CELL_OBSERVED:
        return "observed";
    case DTP_CELL_IMPUTED:
        return "imputed";
    case DTP_CELL_OVERRIDDEN:
        return "overridden";
    case DTP_CELL_DERIVED:
        return "derived";
    default:
        return "missing";
    }
}

static dtp_status insert_cell(ctx *c, writer *w, const char *entity, int year, const char *var,
                              const char *status, int has_value, double value, const char *method,
                              const char *reason, const char *flags, int64_t *id, dtp_error *err)
{
    sqlite3_stmt *s = w->cell;
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    sqlite3_bind_text(s, 1, entity, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, year);
    sqlite3_bind_text(s, 3, var, -1, SQLITE_STATIC);
    if (has_value)
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
        return dtp_db_error(c->o->db, "insert cell", err);
    *id = sqlite3_last_insert_rowid(c->o->db);
    return DTP_OK;
}

/* kind: 0 observation, 1 input cell, 2 override */
static dtp_status edge(ctx *c, writer *w, int64_t cell, const char *role, int kind, int64_t ref,
                       dtp_error *err)
{
    if (ref <= 0)
        return DTP_OK;
    sqlite3_stmt *s = w->edge;
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    sqlite3_bind_int64(s, 1, cell);
    sqlite3_bind_text(s, 2, role, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3 + kind, ref);
    if (sqlite3_step(s) != SQLITE_DONE)
        return dtp_db_error(c->o->db, "insert lineage", err);
    return DTP_OK;
}

/* The reference dummies: one observation per country-year from the archived table, so a
 * developed/rcep cell traces to the table's bytes like any other figure. */
static dtp_status reference_obs(ctx *c, const char *source, const char *var, const char *sha,
                                const char *file, const char *iso3, int year, int value,
                                const char *note, int64_t *id, dtp_error *err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(c->o->db,
                           "INSERT INTO observations(artifact_sha256, source, indicator, variable,"
                           " entity_raw, entity_code, entity_system, year, value_raw, has_value,"
                           " value, unit, locator) VALUES(?,?,?,?,?,?,'iso3',?,?,1,?,'dummy',?)",
                           -1, &s, NULL) != SQLITE_OK)
        return dtp_db_error(c->o->db, "prepare reference observation", err);
    char raw[4], loc[512];
    snprintf(raw, sizeof raw, "%d", value);
    snprintf(loc, sizeof loc, "%s: %s %s", file, value ? "row iso3 =" : "no row for", iso3);
    if (note && *note) {
        size_t l = strlen(loc);
        snprintf(loc + l, sizeof loc - l, " (%s)", note);
    }
    sqlite3_bind_text(s, 1, sha, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, var, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, var, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, iso3, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, iso3, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 7, year);
    sqlite3_bind_text(s, 8, raw, -1, SQLITE_STATIC);
    sqlite3_bind_double(s, 9, value);
    sqlite3_bind_text(s, 10, loc, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return dtp_db_error(c->o->db, "insert reference observation", err);
    *id = sqlite3_last_insert_rowid(c->o->db);
    return DTP_OK;
}

static dtp_status write_cells(ctx *c, dtp_error *err)
{
    dtp_panel *p = c->panel;
    sqlite3 *db = c->o->db;
    writer w = {0};
    dtp_status st = DTP_OK;
    char devpath[PATH_LEN], rcppath[PATH_LEN], devsha[65], rcpsha[65];
    dtp_ref_advanced adv;
    dtp_ref_rcep rcep;
    memset(&adv, 0, sizeof adv);
    memset(&rcep, 0, sizeof rcep);
    dtp_rcep_mode mode = DTP_RCEP_TIME_INVARIANT;
    dtp_clean_resolve(c->o, dtp_config_get(c->o->cfg, "clean", "developed"), devpath,
                      sizeof devpath);
    dtp_clean_resolve(c->o, dtp_config_get(c->o->cfg, "clean", "rcep"), rcppath, sizeof rcppath);
    if ((st = dtp_ref_advanced_read_file(devpath, &adv, err)) != DTP_OK ||
        (st = dtp_ref_rcep_read_file(rcppath, &rcep, err)) != DTP_OK ||
        (st = dtp_rcep_mode_parse(dtp_config_get(c->o->cfg, "panel", "rcep_mode"), &mode, err)) !=
            DTP_OK ||
        (st = archive_reference(c, devpath, "reference", devsha, err)) != DTP_OK ||
        (st = archive_reference(c, rcppath, "reference", rcpsha, err)) != DTP_OK)
        goto out;
    if ((st = dtp_db_exec(db,
                          "DELETE FROM panel_cells WHERE panel = 'country';"
                          " DELETE FROM observations WHERE source IN ('reference.developed',"
                          " 'reference.rcep') AND id NOT IN (SELECT observation_id FROM lineage"
                          " WHERE observation_id IS NOT NULL)",
                          "replace country cells", err)) != DTP_OK)
        goto out;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO panel_cells(panel, entity, year, variable, value, status,"
                           " method, reason, flags, run_id) VALUES('country',?,?,?,?,?,?,?,?,?)",
                           -1, &w.cell, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO lineage(cell_id, role, observation_id, input_cell_id,"
                           " override_id) VALUES(?,?,?,?,?)",
                           -1, &w.edge, NULL) != SQLITE_OK) {
        st = dtp_db_error(db, "prepare cell insert", err);
        goto out;
    }
    const char *devfile = strrchr(devpath, '/') ? strrchr(devpath, '/') + 1 : devpath;
    const char *rcpfile = strrchr(rcppath, '/') ? strrchr(rcppath, '/') + 1 : rcppath;
    long vexp = dtp_panel_var(p, "dt_exp"), vimp = dtp_panel_var(p, "dt_imp");
    for (size_t e = 0; e < p->n_entities && st == DTP_OK; e++) {
        const char *ent = p->entities[e];
        int dropped = p->dropped[e];
        for (size_t t = 0; t < p->n_years && st == DTP_OK; t++) {
            int year = p->y0 + (int)t;
            int64_t ids[N_COUNTRY_VARS] = {0};
            for (size_t v = 0; v < p->n_vars && st == DTP_OK; v++) {
                size_t k = cell_idx(p, e, year, v);
                dtp_cell *cell = &p->cells[k];
                char method[96] = "", reason[160] = "";
                const char *status = dropped ? "excluded" : status_name(cell->status);
                int has = !dropped && cell->status != DTP_CELL_MISSING;
                if (dropped)
                    snprintf(reason, sizeof reason, "%s",
                             p->drop_reason[e] ? p->drop_reason[e] : "dropped");
                else if (cell->status == DTP_CELL_MISSING)
                    snprintf(reason, sizeof reason, "%s%s%s", dtp_missing_reason_name(cell->reason),
                             cell->source_label[0] ? ": " : "", cell->source_label);
                if (cell->status == DTP_CELL_IMPUTED)
                    snprintf(method, sizeof method, "%s between %d and %d, gap %d",
                             dtp_impute_method_name(cell->method), cell->anchor_year[0],
                             cell->anchor_year[1], cell->gap_len);
                if (cell->status == DTP_CELL_OVERRIDDEN)
                    snprintf(method, sizeof method, "override");
                st = insert_cell(c, &w, ent, year, p->vars[v], status, has, cell->value, method,
                                 reason, NULL, &ids[v], err);
                if (st != DTP_OK || dropped)
                    continue;
                if (cell->status == DTP_CELL_OBSERVED) {
                    st = edge(c, &w, ids[v], "source", 0, c->cell_obs[k], err);
                } else if (cell->status == DTP_CELL_OVERRIDDEN) {
                    st = edge(c, &w, ids[v], "override", 2, c->cell_override[k], err);
                    /* the source's own observation, even one that reported no value: the
                     * cell keeps what it replaced (METHODS.md §A) */
                    if (st == DTP_OK)
                        st = edge(c, &w, ids[v], "replaced", 0, c->cell_obs[k], err);
                } else if (cell->status == DTP_CELL_IMPUTED) {
                    for (int a = 0; a < 2 && st == DTP_OK; a++) {
                        size_t ak = cell_idx(p, e, cell->anchor_year[a], v);
                        const char *role = a == 0 ? "anchor_before" : "anchor_after";
                        if (p->cells[ak].status == DTP_CELL_OVERRIDDEN)
                            st = edge(c, &w, ids[v], role, 2, c->cell_override[ak], err);
                        else
                            st = edge(c, &w, ids[v], role, 0, c->cell_obs[ak], err);
                    }
                }
            }
            if (st != DTP_OK)
                break;
            /* dt_total = dt_exp + dt_imp, derived from the two cells */
            if (vexp >= 0 && vimp >= 0) {
                dtp_cell tot;
                dtp_transform_dt_total(&p->cells[cell_idx(p, e, year, (size_t)vexp)],
                                       &p->cells[cell_idx(p, e, year, (size_t)vimp)], &tot);
                int64_t id;
                int has = !dropped && tot.status == DTP_CELL_DERIVED;
                st = insert_cell(c, &w, ent, year, "dt_total",
                                 dropped ? "excluded"
                                 : has   ? "derived"
                                         : "missing",
                                 has, tot.value, has ? "dt_exp + dt_imp" : NULL,
                                 dropped ? "dropped"
                                 : has   ? NULL
                                         : "input_missing",
                                 NULL, &id, err);
                if (st == DTP_OK && has) {
                    st = edge(c, &w, id, "input", 1, ids[vexp], err);
                    if (st == DTP_OK)
                        st = edge(c, &w, id, "input", 1, ids[vimp], err);
                    c->res->derived++;
                }
                c->res->cells++;
            }
            /* developed and rcep from the archived reference tables */
            for (int d = 0; d < 2 && st == DTP_OK && !dropped; d++) {
                unsigned flags = 0;
                int val = d == 0 ? dtp_ref_developed(&adv, ent)
                                 : dtp_ref_rcep_dummy(&rcep, ent, year, mode, &flags);
                int64_t oid = 0, id = 0;
                st = reference_obs(c, d == 0 ? "reference.developed" : "reference.rcep",
                                   d == 0 ? "developed" : "rcep", d == 0 ? devsha : rcpsha,
                                   d == 0 ? devfile : rcpfile, ent, year, val,
                                   flags ? "contested membership, see the file's note" : NULL, &oid,
                                   err);
                if (st == DTP_OK)
                    st = insert_cell(
                        c, &w, ent, year, d == 0 ? "developed" : "rcep", "derived", 1, val,
                        d == 0                            ? "IMF WEO advanced economies table"
                        : mode == DTP_RCEP_TIME_INVARIANT ? "RCEP members, time-invariant"
                                                          : "RCEP members from entry into force",
                        NULL, NULL, &id, err);
                if (st == DTP_OK)
                    st = edge(c, &w, id, "source", 0, oid, err);
                c->res->cells++;
            }
            c->res->cells += (int64_t)p->n_vars;
        }
    }
out:
    sqlite3_finalize(w.cell);
    sqlite3_finalize(w.edge);
    dtp_ref_advanced_free(&adv);
    dtp_ref_rcep_free(&rcep);
    return st;
}

static void count_statuses(ctx *c)
{
    dtp_panel *p = c->panel;
    for (size_t e = 0; e < p->n_entities; e++) {
        if (p->dropped[e]) {
            c->res->countries_dropped++;
            continue;
        }
        c->res->countries_kept++;
        for (size_t i = 0; i < p->n_vars * p->n_years; i++) {
            size_t v = i / p->n_years, t = i % p->n_years;
            dtp_cell *cell = &p->cells[(v * p->n_entities + e) * p->n_years + t];
            if (cell->status == DTP_CELL_IMPUTED)
                c->res->imputed++;
            if (cell->status == DTP_CELL_OVERRIDDEN)
                c->res->overridden++;
        }
    }
}

/* Year-on-year jumps in kept series: flags for a reviewer, never corrections. */
static dtp_status year_on_year_checks(ctx *c, dtp_error *err)
{
    dtp_panel *p = c->panel;
    double factor = dtp_config_double(c->o->cfg, "clean", "yoy_factor");
    for (size_t e = 0; e < p->n_entities; e++) {
        if (p->dropped[e])
            continue;
        for (size_t v = 0; v < p->n_vars; v++) {
            size_t flagged = 0;
            /* pv is an index around zero: sign changes are its nature, not a jump */
            if (strcmp(p->vars[v], "pv") == 0)
                continue;
            dtp_status st = dtp_reconcile_year_on_year(dtp_panel_series(p, e, v), p->n_years, p->y0,
                                                       p->entities[e], p->vars[v], factor,
                                                       &c->ledger, &flagged);
            if (st != DTP_OK)
                return dtp_error_set(err, st, "clean", "ledger full");
        }
    }
    return DTP_OK;
}

static dtp_status record_checks(ctx *c, const char *name, const char *status, const char *detail,
                                dtp_error *err)
{
    return dtp_staging_add_check(c->o->db, c->o->run_id, "clean", name, status, NULL, 0, NULL,
                                 detail, err);
}

static void ctx_free(ctx *c)
{
    for (size_t i = 0; i < c->nrows; i++) {
        obsrow *r = &c->rows[i];
        free(r->source);
        free(r->variable);
        free(r->raw);
        free(r->code);
        free(r->system);
        free(r->flags);
    }
    free(c->rows);
    for (size_t b = 0; b < 4096; b++) {
        mapentry *m = c->buckets[b];
        while (m) {
            mapentry *n = m->next;
            free(m->key);
            free(m);
            m = n;
        }
    }
    free(c->countries);
    free(c->cell_obs);
    free(c->cell_override);
    dtp_panel_free(c->panel);
    dtp_ledger_free(&c->ledger);
    dtp_xw_free(c->xw);
}

dtp_status dtp_clean_country(const dtp_clean_opts *o, dtp_clean_result *res, dtp_error *err)
{
    static ctx c;
    memset(&c, 0, sizeof c);
    memset(res, 0, sizeof *res);
    c.o = o;
    c.res = res;
    dtp_ledger_init(&c.ledger);
    dtp_status st;
    if (dtp_config_years(o->cfg, "panel", "years", &c.y0, &c.y1) != 0)
        return dtp_error_set(err, DTP_ERR_CONFIG, "clean", "[panel] years is not a range");
    char iso[PATH_LEN], m49[PATH_LEN], ali[PATH_LEN], agg[PATH_LEN], ign[PATH_LEN];
    dtp_clean_resolve(o, dtp_config_get(o->cfg, "clean", "iso3166"), iso, sizeof iso);
    dtp_clean_resolve(o, dtp_config_get(o->cfg, "clean", "m49"), m49, sizeof m49);
    dtp_clean_resolve(o, dtp_config_get(o->cfg, "clean", "aliases"), ali, sizeof ali);
    dtp_clean_resolve(o, dtp_config_get(o->cfg, "clean", "aggregates"), agg, sizeof agg);
    dtp_clean_resolve(o, dtp_config_get(o->cfg, "clean", "ignore_labels"), ign, sizeof ign);
    dtp_xw_paths paths = {.iso3166_json = iso,
                          .m49_csv = m49[0] ? m49 : NULL,
                          .aliases_csv = ali[0] ? ali : NULL,
                          .aggregates_csv = agg[0] ? agg : NULL,
                          .ignore_csv = ign[0] ? ign : NULL};
    if ((st = dtp_xw_open(&paths, &c.xw, err)) != DTP_OK)
        goto out;
    snprintf(c.version, sizeof c.version, "%s", dtp_xw_version(c.xw));
    if ((st = load_observations(&c, err)) != DTP_OK)
        goto out;
    dtp_status mapped = map_all(&c, err);
    if (mapped != DTP_OK && mapped != DTP_ERR_VALIDATION) {
        st = mapped;
        goto out;
    }
    /* the entity map is written even when labels are unmapped: it is what a reviewer reads */
    if ((st = dtp_db_begin(o->db, err)) != DTP_OK)
        goto out;
    dtp_error e2;
    dtp_error_clear(&e2);
    if ((st = write_entity_map(&c, &e2)) != DTP_OK ||
        (st = record_checks(&c, "unmapped_labels", mapped == DTP_OK ? "pass" : "fail",
                            mapped == DTP_OK ? NULL : err->message, &e2)) != DTP_OK ||
        (st = dtp_db_commit(o->db, &e2)) != DTP_OK) {
        dtp_db_rollback(o->db);
        *err = e2;
        goto out;
    }
    if ((st = mapped) != DTP_OK)
        goto out;
    int present[N_COUNTRY_VARS] = {0};
    if ((st = check_one_source_per_variable(&c, present, err)) != DTP_OK ||
        (st = fill_panel(&c, present, err)) != DTP_OK)
        goto out;
    if ((st = dtp_db_begin(o->db, err)) != DTP_OK)
        goto out;
    dtp_sample_opts so = dtp_sample_opts_default();
    so.drop_if_missing_share = dtp_config_double(o->cfg, "clean", "drop_if_missing_share");
    so.impute_if_missing_share = dtp_config_double(o->cfg, "clean", "impute_if_missing_share");
    so.extrapolate = dtp_config_bool(o->cfg, "clean", "extrapolate");
    so.max_gap = (unsigned)dtp_config_int(o->cfg, "clean", "max_gap");
    if ((st = apply_overrides(&c, err)) != DTP_OK)
        goto fail_tx;
    dtp_status sample = dtp_sample_drop_sparse(c.panel, &so, &c.ledger, NULL, err);
    if (sample == DTP_OK)
        sample = dtp_sample_impute(c.panel, &so, &c.ledger, err);
    if (sample == DTP_OK && strcmp(dtp_config_get(o->cfg, "clean", "incomplete"), "drop") == 0)
        sample = dtp_sample_drop_incomplete(c.panel, &c.ledger, NULL, err);
    if (sample == DTP_OK)
        sample = dtp_sample_check_balanced(c.panel, &c.ledger, NULL, err);
    if (sample != DTP_OK && sample != DTP_ERR_VALIDATION) {
        st = sample;
        goto fail_tx;
    }
    if (sample == DTP_OK && (st = year_on_year_checks(&c, err)) != DTP_OK)
        goto fail_tx;
    if ((st = write_ledger(&c, err)) != DTP_OK)
        goto fail_tx;
    if (sample != DTP_OK) {
        /* unbalanced: the ledger and the failed check are kept, the previous cells stay */
        char msg[DTP_ERR_MESSAGE_MAX];
        snprintf(msg, sizeof msg, "%s", err->message);
        dtp_error_clear(&e2);
        if (record_checks(&c, "balanced", "fail", msg, &e2) != DTP_OK ||
            dtp_db_commit(o->db, &e2) != DTP_OK)
            dtp_db_rollback(o->db);
        st = sample;
        goto out;
    }
    count_statuses(&c);
    if ((st = write_cells(&c, err)) != DTP_OK)
        goto fail_tx;
    char detail[256];
    snprintf(detail, sizeof detail, "%d countries x %d years x %d variables", res->countries_kept,
             c.y1 - c.y0 + 1, res->variables);
    if ((st = record_checks(&c, "balanced", "pass", detail, err)) != DTP_OK)
        goto fail_tx;
    if ((st = dtp_db_commit(o->db, err)) != DTP_OK)
        goto fail_tx;
    goto out;
fail_tx:
    dtp_db_rollback(o->db);
out:
    ctx_free(&c);
    return st;
}
