/* trace and explain: the chain behind one published figure, read from a release.
 *
 * dtp_load_trace returns
 *   { panel, entity, year, variable, value, status, method, reason, flags,
 *     release: {id, published_at, content_sha256},
 *     lineage: [ {role, observation: {..., artifact}} | {role, record: {..., fields, events,
 *                artifact}} | {role, override: {...}} | {role, cell: <the same shape>} ],
 *     rules: [ledger rows in the order they were applied] }
 * where artifact is {sha256, size, content_type, original_name, generated, path?, fetches:[...]}
 * and each OCR field carries its locator, bbox {x, y, w, h}, confidence and engine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load/load.h"

#define TRACE_MAX_DEPTH 16 /* derived cells of derived cells ...; deeper chains are cut */

static dtp_status db_fail(sqlite3 *db, const char *what, dtp_error *err)
{
    return dtp_error_set(err, DTP_ERR_DB, "load", "%s: %s", what, sqlite3_errmsg(db));
}

/* The current row as an object, column name -> value (NULLs omitted). */
static json_t *row_json(sqlite3_stmt *s)
{
    json_t *o = json_object();
    int n = sqlite3_column_count(s);
    for (int i = 0; o && i < n; i++) {
        const char *name = sqlite3_column_name(s, i);
        switch (sqlite3_column_type(s, i)) {
        case SQLITE_INTEGER:
            json_object_set_new(o, name, json_integer(sqlite3_column_int64(s, i)));
            break;
        case SQLITE_FLOAT:
            json_object_set_new(o, name, json_real(sqlite3_column_double(s, i)));
            break;
        case SQLITE_NULL:
            break;
        default:
            json_object_set_new(o, name, json_string((const char *)sqlite3_column_text(s, i)));
        }
    }
    return o;
}

/* Run a query with up to two bound values (text or integer) and collect its rows. */
typedef struct bindv {
    const char *t;
    int64_t i;
} bindv;

static dtp_status rows(sqlite3 *db, const char *sql, bindv a, bindv b, json_t **out, dtp_error *err)
{
    sqlite3_stmt *s = NULL;
    *out = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        return db_fail(db, "prepare trace query", err);
    bindv v[2] = {a, b};
    for (int k = 0; k < 2 && k < sqlite3_bind_parameter_count(s); k++) {
        if (v[k].t)
            sqlite3_bind_text(s, k + 1, v[k].t, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_int64(s, k + 1, v[k].i);
    }
    json_t *arr = json_array();
    int rc;
    while (arr && (rc = sqlite3_step(s)) == SQLITE_ROW)
        json_array_append_new(arr, row_json(s));
    sqlite3_finalize(s);
    if (!arr)
        return dtp_error_set(err, DTP_ERR_NOMEM, "load", "out of memory");
    *out = arr;
    return DTP_OK;
}

static json_t *first(json_t *arr)
{
    json_t *o = json_array_size(arr) ? json_incref(json_array_get(arr, 0)) : NULL;
    json_decref(arr);
    return o;
}

static const bindv NONE = {NULL, 0};
static bindv T(const char *s)
{
    return (bindv){s, 0};
}
static bindv I(int64_t i)
{
    return (bindv){NULL, i};
}

static dtp_status artifact_json(sqlite3 *db, const dtp_archive *ar, const char *sha, json_t **out,
                                dtp_error *err)
{
    json_t *a = NULL, *f = NULL;
    dtp_status st = rows(db,
                         "SELECT sha256, size, content_type, original_name, first_source,"
                         " generated, stored_at FROM artifacts WHERE sha256 = ?",
                         T(sha), NONE, &a, err);
    if (st != DTP_OK)
        return st;
    json_t *o = first(a);
    if (!o) {
        o = json_pack("{s:s, s:b}", "sha256", sha, "missing", 1);
    }
    if (ar) {
        char path[4200];
        dtp_archive_path(ar, sha, path, sizeof path);
        json_object_set_new(o, "path", json_string(path));
    }
    if ((st = rows(db,
                   "SELECT source, role, url, fetched_at, upstream_version, http_status, etag,"
                   " last_modified, outcome FROM fetches WHERE artifact_sha256 = ? ORDER BY id",
                   T(sha), NONE, &f, err)) != DTP_OK) {
        json_decref(o);
        return st;
    }
    json_object_set_new(o, "fetches", f);
    *out = o;
    return DTP_OK;
}

static dtp_status with_artifact(sqlite3 *db, const dtp_archive *ar, json_t *o, dtp_error *err)
{
    const char *sha = json_string_value(json_object_get(o, "artifact_sha256"));
    if (!sha)
        return DTP_OK;
    json_t *a = NULL;
    dtp_status st = artifact_json(db, ar, sha, &a, err);
    if (st == DTP_OK)
        json_object_set_new(o, "artifact", a);
    return st;
}

static dtp_status cell_json(sqlite3 *db, const dtp_archive *ar, int64_t cell_id, int depth,
                            json_t **out, dtp_error *err);

static dtp_status record_json(sqlite3 *db, const dtp_archive *ar, int64_t id, json_t **out,
                              dtp_error *err)
{
    json_t *r = NULL, *fields = NULL, *events = NULL;
    dtp_status st = rows(db,
                         "SELECT id, artifact_sha256, record_key, kind, capture, cert_no, org_name,"
                         " uscc, project, standard, issue_date, expiry_date, first_issue_date,"
                         " status, cert_body, address, province_code, province_rule,"
                         " review_status FROM cert_records WHERE id = ?",
                         I(id), NONE, &r, err);
    if (st != DTP_OK)
        return st;
    json_t *o = first(r);
    if (!o)
        return dtp_error_set(err, DTP_ERR_INTEGRITY, "load", "certificate record %lld is missing",
                             (long long)id);
    if ((st = rows(db,
                   "SELECT field, value, raw_text, locator, CASE WHEN bbox_x IS NOT NULL THEN"
                   " json_object('x', bbox_x, 'y', bbox_y, 'w', bbox_w, 'h', bbox_h) END AS bbox,"
                   " confidence, engine, langdata_sha256,"
                   " preprocess, validation, flags, accepted, reason, reviewer, reviewed_at"
                   " FROM cert_fields WHERE record_id = ? ORDER BY field",
                   I(id), NONE, &fields, err)) != DTP_OK ||
        (st = rows(db,
                   "SELECT seq, event, event_date, description, locator, confidence, accepted"
                   " FROM cert_events WHERE record_id = ? ORDER BY seq",
                   I(id), NONE, &events, err)) != DTP_OK) {
        json_decref(o);
        json_decref(fields);
        return st;
    }
    /* bbox came back as JSON text: make it an object */
    size_t i;
    json_t *fld;
    json_array_foreach(fields, i, fld)
    {
        const char *b = json_string_value(json_object_get(fld, "bbox"));
        json_t *bo = b ? json_loads(b, 0, NULL) : NULL;
        if (bo && json_object_size(bo))
            json_object_set_new(fld, "bbox", bo);
        else {
            json_decref(bo);
            json_object_del(fld, "bbox");
        }
    }
    json_object_set_new(o, "fields", fields);
    json_object_set_new(o, "events", events);
    if ((st = with_artifact(db, ar, o, err)) != DTP_OK) {
        json_decref(o);
        return st;
    }
    *out = o;
    return DTP_OK;
}

static dtp_status lineage_json(sqlite3 *db, const dtp_archive *ar, int64_t cell_id, int depth,
                               json_t **out, dtp_error *err)
{
    json_t *edges = NULL;
    dtp_status st = rows(db,
                         "SELECT role, observation_id, record_id, input_cell_id, override_id"
                         " FROM lineage WHERE cell_id = ? ORDER BY rowid",
                         I(cell_id), NONE, &edges, err);
    if (st != DTP_OK)
        return st;
    json_t *outv = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(edges, i, e)
    {
        json_t *item = json_pack("{s:O}", "role", json_object_get(e, "role"));
        json_t *x = NULL;
        if (json_object_get(e, "observation_id")) {
            json_t *r = NULL;
            if ((st = rows(db,
                           "SELECT o.id, o.source, o.indicator, o.variable, o.entity_raw,"
                           " o.entity_code, o.year, o.value_raw, o.value, o.unit, o.scale,"
                           " o.flags, o.edition, o.locator, o.artifact_sha256"
                           " FROM observations o WHERE o.id = ?",
                           I(json_integer_value(json_object_get(e, "observation_id"))), NONE, &r,
                           err)) != DTP_OK)
                break;
            x = first(r);
            if (x && (st = with_artifact(db, ar, x, err)) != DTP_OK)
                break;
            json_object_set_new(item, "observation", x ? x : json_null());
        } else if (json_object_get(e, "record_id")) {
            if ((st = record_json(db, ar, json_integer_value(json_object_get(e, "record_id")), &x,
                                  err)) != DTP_OK)
                break;
            json_object_set_new(item, "record", x);
        } else if (json_object_get(e, "override_id")) {
            json_t *r = NULL;
            if ((st = rows(db,
                           "SELECT id, entity, year, variable, value, publisher, document, url,"
                           " date, reason, file_sha256, line FROM overrides WHERE id = ?",
                           I(json_integer_value(json_object_get(e, "override_id"))), NONE, &r,
                           err)) != DTP_OK)
                break;
            x = first(r);
            json_object_set_new(item, "override", x ? x : json_null());
        } else if (json_object_get(e, "input_cell_id")) {
            if (depth >= TRACE_MAX_DEPTH) {
                json_object_set_new(
                    item, "cell",
                    json_pack("{s:I, s:s}", "id",
                              json_integer_value(json_object_get(e, "input_cell_id")), "note",
                              "chain cut: too deep"));
            } else {
                if ((st = cell_json(db, ar, json_integer_value(json_object_get(e, "input_cell_id")),
                                    depth + 1, &x, err)) != DTP_OK)
                    break;
                json_object_set_new(item, "cell", x);
            }
        }
        json_array_append_new(outv, item);
        item = NULL;
    }
    json_decref(edges);
    if (st != DTP_OK) {
        json_decref(outv);
        return st;
    }
    *out = outv;
    return DTP_OK;
}

static dtp_status cell_json(sqlite3 *db, const dtp_archive *ar, int64_t cell_id, int depth,
                            json_t **out, dtp_error *err)
{
    json_t *r = NULL, *lin = NULL, *rules = NULL;
    dtp_status st = rows(db,
                         "SELECT id AS cell_id, panel, entity, year, variable, value, status,"
                         " method, reason, flags, ln_value FROM panel_cells WHERE id = ?",
                         I(cell_id), NONE, &r, err);
    if (st != DTP_OK)
        return st;
    json_t *o = first(r);
    if (!o)
        return dtp_error_set(err, DTP_ERR_INTEGRITY, "load", "cell %lld is missing",
                             (long long)cell_id);
    if ((st = lineage_json(db, ar, cell_id, depth, &lin, err)) != DTP_OK)
        goto fail;
    json_object_set_new(o, "lineage", lin);
    if ((st = rows(db,
                   "SELECT g.id, g.rule, g.action, g.detail, g.run_id FROM ledger g, panel_cells c"
                   " WHERE c.id = ?1 AND (g.cell_id = c.id OR (g.cell_id IS NULL AND"
                   " g.panel = c.panel AND g.entity = c.entity AND (g.year IS NULL OR"
                   " g.year = c.year) AND (g.variable IS NULL OR g.variable = c.variable)))"
                   " ORDER BY g.id",
                   I(cell_id), NONE, &rules, err)) != DTP_OK)
        goto fail;
    /* ledger detail is JSON text: embed it as JSON when it parses */
    size_t i;
    json_t *g;
    json_array_foreach(rules, i, g)
    {
        const char *d = json_string_value(json_object_get(g, "detail"));
        json_t *dj = d ? json_loads(d, 0, NULL) : NULL;
        if (dj)
            json_object_set_new(g, "detail", dj);
    }
    json_object_set_new(o, "rules", rules);
    *out = o;
    return DTP_OK;
fail:
    json_decref(o);
    return st;
}

static dtp_status find_cell(sqlite3 *wh, const char *panel, const char *entity, int year,
                            const char *variable, int64_t *id, dtp_error *err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(wh,
                           "SELECT id FROM panel_cells WHERE panel = ? AND entity = ? AND year = ?"
                           " AND variable = ?",
                           -1, &s, NULL) != SQLITE_OK)
        return db_fail(wh, "prepare cell lookup", err);
    sqlite3_bind_text(s, 1, panel, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, entity, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 3, year);
    sqlite3_bind_text(s, 4, variable, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW) {
        dtp_error_locatef(err, "%s %s %d %s", panel, entity, year, variable);
        return dtp_error_set(err, DTP_ERR_NOT_FOUND, "load",
                             "no such cell in the published release");
    }
    return DTP_OK;
}

dtp_status dtp_load_trace(sqlite3 *wh, const dtp_archive *ar, const char *panel, const char *entity,
                          int year, const char *variable, json_t **out, dtp_error *err)
{
    *out = NULL;
    int64_t id = 0;
    dtp_status st = find_cell(wh, panel, entity, year, variable, &id, err);
    if (st != DTP_OK)
        return st;
    json_t *o = NULL, *rel = NULL;
    if ((st = cell_json(wh, ar, id, 0, &o, err)) != DTP_OK)
        return st;
    if ((st = rows(wh, "SELECT id, published_at, content_sha256 FROM release", NONE, NONE, &rel,
                   err)) != DTP_OK) {
        json_decref(o);
        return st;
    }
    json_t *r1 = first(rel);
    json_object_set_new(o, "release", r1 ? r1 : json_null());
    *out = o;
    return DTP_OK;
}

/* Collect the sources a cell's lineage reaches (recursively) and its override citations. */
static void collect_sources(json_t *cell, json_t *sources, json_t *overrides, json_t *seen_art)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(cell, "lineage"), i, e)
    {
        json_t *x = json_object_get(e, "observation");
        if (!x || json_is_null(x))
            x = json_object_get(e, "record");
        if (x && !json_is_null(x)) {
            json_t *art = json_object_get(x, "artifact");
            const char *sha = json_string_value(json_object_get(art, "sha256"));
            const char *src = json_string_value(json_object_get(x, "source"));
            json_t *fetches = json_object_get(art, "fetches");
            if (!src)
                src = json_string_value(json_object_get(art, "first_source"));
            if (sha && !json_object_get(seen_art, sha)) {
                json_object_set_new(seen_art, sha, json_true());
                json_t *arr = json_object_get(sources, src ? src : "");
                if (!arr) {
                    arr = json_array();
                    json_object_set_new(sources, src ? src : "", arr);
                }
                json_t *last = json_array_size(fetches)
                                   ? json_array_get(fetches, json_array_size(fetches) - 1)
                                   : NULL;
                json_array_append_new(
                    arr,
                    json_pack("{s:s, s:O?, s:O?, s:O?, s:O?, s:O?}", "artifact_sha256", sha, "url",
                              last ? json_object_get(last, "url") : NULL, "fetched_at",
                              last ? json_object_get(last, "fetched_at") : NULL, "upstream_version",
                              last ? json_object_get(last, "upstream_version") : NULL,
                              "last_modified", last ? json_object_get(last, "last_modified") : NULL,
                              "generated", json_object_get(art, "generated")));
            }
        }
        x = json_object_get(e, "override");
        if (x && !json_is_null(x))
            json_array_append(overrides, x);
        x = json_object_get(e, "cell");
        if (x && !json_is_null(x))
            collect_sources(x, sources, overrides, seen_art);
    }
}

dtp_status dtp_load_explain(sqlite3 *wh, const char *panel, const char *entity, int year,
                            const char *variable, json_t **out, dtp_error *err)
{
    *out = NULL;
    json_t *t = NULL;
    dtp_status st = dtp_load_trace(wh, NULL, panel, entity, year, variable, &t, err);
    if (st != DTP_OK)
        return st;
    json_t *by_source = json_object(), *overrides = json_array(), *seen = json_object();
    collect_sources(t, by_source, overrides, seen);
    json_t *cards = json_array();
    const char *name;
    json_t *arts;
    json_object_foreach(by_source, name, arts)
    {
        json_t *src = NULL;
        if ((st = rows(wh,
                       "SELECT name, kind, url, title, publisher, licence, generated FROM sources"
                       " WHERE name = ?",
                       T(name), NONE, &src, err)) != DTP_OK)
            break;
        json_t *card = first(src);
        if (!card)
            card = json_pack("{s:s}", "name", name);
        int generated = json_is_true(json_object_get(card, "generated")) ||
                        json_integer_value(json_object_get(card, "generated")) == 1;
        size_t i;
        json_t *a;
        json_array_foreach(arts, i, a)
        {
            if (json_integer_value(json_object_get(a, "generated")) == 1)
                generated = 1;
        }
        json_object_set_new(card, "generated", json_boolean(generated));
        json_object_set(card, "artifacts", arts);
        json_array_append_new(cards, card);
    }
    if (st == DTP_OK)
        *out = json_pack("{s:s, s:s, s:i, s:s, s:O?, s:O?, s:o, s:o, s:O?}", "panel", panel,
                         "entity", entity, "year", year, "variable", variable, "value",
                         json_object_get(t, "value"), "status", json_object_get(t, "status"),
                         "sources", cards, "overrides", overrides, "release",
                         json_object_get(t, "release"));
    else {
        json_decref(cards);
        json_decref(overrides);
    }
    json_decref(by_source);
    json_decref(seen);
    json_decref(t);
    if (st == DTP_OK && !*out)
        return dtp_error_set(err, DTP_ERR_NOMEM, "load", "out of memory");
    return st;
}
