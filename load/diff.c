/* diff: revisions between two release files, cell by cell. A cell is keyed by (panel, entity,
 * year, variable) and compared on its published value and status; its source is the set of
 * sources its direct lineage names ('override' for an override edge, 'derived' for an input
 * cell). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <csv.h>

#include "load/load.h"

static dtp_status db_fail(sqlite3 *db, const char *what, dtp_error *err)
{
    return dtp_error_set(err, DTP_ERR_DB, "load", "%s: %s", what, sqlite3_errmsg(db));
}

static dtp_status exec(sqlite3 *db, const char *sql, const char *what, dtp_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        dtp_error_set(err, DTP_ERR_DB, "load", "%s: %s", what, msg ? msg : "failed");
        sqlite3_free(msg);
        return DTP_ERR_DB;
    }
    return DTP_OK;
}

static dtp_status attach(sqlite3 *db, const char *path, const char *as, dtp_error *err)
{
    if (access(path, R_OK) != 0) {
        dtp_error_locatef(err, "%s", path);
        return dtp_error_set(err, DTP_ERR_NOT_FOUND, "load", "no such release file");
    }
    char *uri = sqlite3_mprintf("file:%s?mode=ro", path);
    char *sql = sqlite3_mprintf("ATTACH %Q AS %s", uri, as);
    dtp_status st = uri && sql ? exec(db, sql, "attach release", err)
                               : dtp_error_set(err, DTP_ERR_NOMEM, "load", "out of memory");
    sqlite3_free(uri);
    sqlite3_free(sql);
    if (st != DTP_OK)
        dtp_error_locatef(err, "%s", path);
    return st;
}

static dtp_status cells_of(sqlite3 *db, const char *schema, dtp_error *err)
{
    char *sql = sqlite3_mprintf(
        "CREATE TEMP TABLE c_%s AS SELECT c.panel, c.entity, c.year, c.variable, c.value,"
        " c.status, (SELECT group_concat(src, '+') FROM (SELECT DISTINCT"
        "   COALESCE(o.source, ar.first_source, CASE WHEN l.override_id IS NOT NULL THEN"
        "   'override' END, 'derived') AS src FROM %s.lineage l"
        "   LEFT JOIN %s.observations o ON o.id = l.observation_id"
        "   LEFT JOIN %s.cert_records r ON r.id = l.record_id"
        "   LEFT JOIN %s.artifacts ar ON ar.sha256 = r.artifact_sha256"
        "   WHERE l.cell_id = c.id ORDER BY 1)) AS source"
        " FROM %s.panel_cells c WHERE c.status IN " DTP_LOAD_PUBLISHED_STATUSES ";"
        "CREATE UNIQUE INDEX temp.c_%s_key ON c_%s(panel, entity, year, variable);",
        schema, schema, schema, schema, schema, schema, schema, schema);
    if (!sql)
        return dtp_error_set(err, DTP_ERR_NOMEM, "load", "out of memory");
    dtp_status st = exec(db, sql, "collect cells", err);
    sqlite3_free(sql);
    return st;
}

static json_t *query_json(sqlite3 *db, const char *sql, int top)
{
    sqlite3_stmt *s = NULL;
    json_t *arr = json_array();
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        return arr;
    if (sqlite3_bind_parameter_count(s) > 0)
        sqlite3_bind_int(s, 1, top);
    while (sqlite3_step(s) == SQLITE_ROW) {
        json_t *o = json_object();
        for (int i = 0; i < sqlite3_column_count(s); i++) {
            const char *k = sqlite3_column_name(s, i);
            switch (sqlite3_column_type(s, i)) {
            case SQLITE_INTEGER:
                json_object_set_new(o, k, json_integer(sqlite3_column_int64(s, i)));
                break;
            case SQLITE_FLOAT:
                json_object_set_new(o, k, json_real(sqlite3_column_double(s, i)));
                break;
            case SQLITE_NULL:
                json_object_set_new(o, k, json_null());
                break;
            default:
                json_object_set_new(o, k, json_string((const char *)sqlite3_column_text(s, i)));
            }
        }
        json_array_append_new(arr, o);
    }
    sqlite3_finalize(s);
    return arr;
}

static dtp_status write_csv(sqlite3 *db, const char *path, dtp_error *err)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        dtp_error_locatef(err, "%s", path);
        return dtp_error_set(err, DTP_ERR_IO, "load", "cannot write diff");
    }
    sqlite3_stmt *s = NULL;
    dtp_status st = DTP_OK;
    if (sqlite3_prepare_v2(db,
                           "SELECT kind, panel, entity, year, variable, source, value_a, value_b,"
                           " status_a, status_b, rel_change FROM temp.changes"
                           " ORDER BY panel, variable, entity, year",
                           -1, &s, NULL) != SQLITE_OK) {
        st = db_fail(db, "prepare diff rows", err);
        goto out;
    }
    int n = sqlite3_column_count(s), bad = 0;
    for (int i = 0; i < n && !bad; i++) {
        const char *name = sqlite3_column_name(s, i);
        bad = (i && fputc(',', f) == EOF) || csv_fwrite(f, name, strlen(name)) < 0;
    }
    bad = bad || fputc('\n', f) == EOF;
    while (!bad && sqlite3_step(s) == SQLITE_ROW) {
        for (int i = 0; i < n && !bad; i++) {
            char num[64];
            const char *v = "";
            if (sqlite3_column_type(s, i) == SQLITE_FLOAT) {
                snprintf(num, sizeof num, "%.17g", sqlite3_column_double(s, i));
                v = num;
            } else if (sqlite3_column_type(s, i) != SQLITE_NULL) {
                v = (const char *)sqlite3_column_text(s, i);
            }
            bad = (i && fputc(',', f) == EOF) || csv_fwrite(f, v, strlen(v)) < 0;
        }
        bad = bad || fputc('\n', f) == EOF;
    }
    if (bad) {
        dtp_error_locatef(err, "%s", path);
        st = dtp_error_set(err, DTP_ERR_IO, "load", "cannot write diff");
    }
out:
    sqlite3_finalize(s);
    if (fclose(f) != 0 && st == DTP_OK) {
        dtp_error_locatef(err, "%s", path);
        st = dtp_error_set(err, DTP_ERR_IO, "load", "cannot write diff");
    }
    if (st == DTP_OK && rename(tmp, path) != 0) {
        dtp_error_locatef(err, "%s", path);
        st = dtp_error_set(err, DTP_ERR_IO, "load", "cannot write diff");
    }
    if (st != DTP_OK)
        unlink(tmp);
    return st;
}

dtp_status dtp_load_diff(const char *release_a, const char *release_b, const char *csv_path,
                         int top, json_t **out, dtp_error *err)
{
    *out = NULL;
    sqlite3 *db = NULL;
    dtp_status st;
    if (top <= 0)
        top = 10;
    if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI, NULL) !=
        SQLITE_OK) {
        sqlite3_close(db);
        return dtp_error_set(err, DTP_ERR_NOMEM, "load", "cannot open a scratch database");
    }
    if ((st = attach(db, release_a, "ra", err)) != DTP_OK ||
        (st = attach(db, release_b, "rb", err)) != DTP_OK || (st = cells_of(db, "ra", err)) ||
        (st = cells_of(db, "rb", err)))
        goto out;
    /* value differences below a relative 1e-12 are float noise, not revisions */
    if ((st = exec(db,
                   "CREATE TEMP TABLE changes AS"
                   " SELECT CASE WHEN a.panel IS NULL THEN 'new' ELSE 'revised' END AS kind,"
                   "  b.panel, b.entity, b.year, b.variable, b.source, a.value AS value_a,"
                   "  b.value AS value_b, a.status AS status_a, b.status AS status_b,"
                   "  CASE WHEN a.value IS NOT NULL AND a.value <> 0 AND b.value IS NOT NULL"
                   "   THEN (b.value - a.value) / abs(a.value) END AS rel_change"
                   " FROM c_rb b LEFT JOIN c_ra a ON a.panel = b.panel AND a.entity = b.entity"
                   "  AND a.year = b.year AND a.variable = b.variable"
                   " WHERE a.panel IS NULL OR a.status <> b.status"
                   "  OR (a.value IS NULL) <> (b.value IS NULL)"
                   "  OR abs(a.value - b.value) > 1e-12 * max(1.0, abs(a.value))"
                   " UNION ALL"
                   " SELECT 'withdrawn', a.panel, a.entity, a.year, a.variable, a.source,"
                   "  a.value, NULL, a.status, NULL, NULL"
                   " FROM c_ra a LEFT JOIN c_rb b ON a.panel = b.panel AND a.entity = b.entity"
                   "  AND a.year = b.year AND a.variable = b.variable WHERE b.panel IS NULL",
                   "compare releases", err)) != DTP_OK)
        goto out;
    json_t *ids = query_json(db,
                             "SELECT (SELECT id FROM ra.release) AS release_a,"
                             " (SELECT id FROM rb.release) AS release_b,"
                             " (SELECT content_sha256 FROM ra.release) AS content_a,"
                             " (SELECT content_sha256 FROM rb.release) AS content_b,"
                             " (SELECT COUNT(*) FROM c_rb) AS cells_b,"
                             " (SELECT COUNT(*) FROM temp.changes WHERE kind='new') AS new,"
                             " (SELECT COUNT(*) FROM temp.changes WHERE kind='revised') AS revised,"
                             " (SELECT COUNT(*) FROM temp.changes WHERE kind='withdrawn')"
                             "  AS withdrawn",
                             0);
    json_t *o = json_array_size(ids) ? json_incref(json_array_get(ids, 0)) : json_object();
    json_decref(ids);
    json_object_set_new(o, "by_source_variable",
                        query_json(db,
                                   "SELECT COALESCE(source, '') AS source, panel, variable,"
                                   " SUM(kind='new') AS new, SUM(kind='revised') AS revised,"
                                   " SUM(kind='withdrawn') AS withdrawn FROM temp.changes"
                                   " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
                                   0));
    json_object_set_new(o, "largest_revisions",
                        query_json(db,
                                   "SELECT panel, entity, year, variable, source, value_a,"
                                   " value_b, rel_change FROM temp.changes WHERE kind='revised'"
                                   " AND rel_change IS NOT NULL ORDER BY abs(rel_change) DESC,"
                                   " panel, entity, year, variable LIMIT ?",
                                   top));
    /* a series' history moved when a value before its latest year was revised or withdrawn */
    json_object_set_new(o, "history_moved",
                        query_json(db,
                                   "SELECT x.panel, x.entity, x.variable, COUNT(*) AS cells,"
                                   " MIN(x.year) AS first_year, MAX(x.year) AS last_year"
                                   " FROM temp.changes x WHERE x.kind IN ('revised','withdrawn')"
                                   " AND x.year < (SELECT MAX(b.year) FROM c_rb b WHERE"
                                   "  b.panel = x.panel AND b.entity = x.entity AND"
                                   "  b.variable = x.variable)"
                                   " GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2, 3 LIMIT 1000",
                                   0));
    if (csv_path && (st = write_csv(db, csv_path, err)) != DTP_OK) {
        json_decref(o);
        goto out;
    }
    *out = o;
out:
    sqlite3_close(db);
    return st;
}
