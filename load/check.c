/* Checks over a built or published warehouse: lineage completeness down to raw artifacts, and
 * the content hash that makes two releases comparable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/sha256.h"
#include "common/staging.h"
#include "load/load.h"

#define PROBLEM_DETAIL_MAX 100000 /* problems reported one by one; past this only counted */

static const char *txt(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? (const char *)t : "";
}

static dtp_status wh_error(sqlite3 *db, const char *what, dtp_error *err)
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

static void report(dtp_load_problem_fn fn, void *ctx, int64_t *n, const dtp_load_problem *p)
{
    (*n)++;
    if (fn && *n <= PROBLEM_DETAIL_MAX)
        fn(ctx, p);
}

/* Artifacts that lineage cannot reach, as a temp table the lineage queries consult: rows of the
 * artifacts table whose bytes are not in the raw archive (there are few artifacts: each is looked
 * up), and, unless the caller has run the foreign key check, artifacts that observations or
 * records name but the artifacts table lacks. A missing artifact is reported only when an
 * observation or record uses it. *nbad receives the table's size. */
static dtp_status mark_bad_artifacts(sqlite3 *wh, const dtp_archive *ar, int fk_checked,
                                     dtp_load_problem_fn fn, void *ctx, int64_t *problems,
                                     int64_t *nbad, dtp_error *err)
{
    *nbad = 0;
    dtp_status st = exec(wh,
                         "DROP TABLE IF EXISTS temp.art_bad;"
                         "CREATE TEMP TABLE art_bad(sha256 TEXT PRIMARY KEY);",
                         "create artifact table", err);
    if (st != DTP_OK)
        return st;
    sqlite3_stmt *sel = NULL, *ins = NULL, *used = NULL, *unk = NULL;
    if (sqlite3_prepare_v2(wh, "SELECT sha256 FROM artifacts ORDER BY sha256", -1, &sel, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(wh, "INSERT OR IGNORE INTO temp.art_bad(sha256) VALUES(?)", -1, &ins,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(wh,
                           "SELECT EXISTS(SELECT 1 FROM observations WHERE artifact_sha256 = ?1)"
                           " OR EXISTS(SELECT 1 FROM cert_records WHERE artifact_sha256 = ?1)",
                           -1, &used, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(wh,
                           "SELECT DISTINCT artifact_sha256 FROM (SELECT artifact_sha256 FROM"
                           " observations UNION ALL SELECT artifact_sha256 FROM cert_records)"
                           " WHERE artifact_sha256 NOT IN (SELECT sha256 FROM artifacts)",
                           -1, &unk, NULL) != SQLITE_OK) {
        st = wh_error(wh, "prepare artifact scan", err);
        goto out;
    }
    int rc;
    while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
        const char *sha = txt(sel, 0);
        if (!ar || dtp_archive_has(ar, sha))
            continue;
        sqlite3_bind_text(used, 1, sha, -1, SQLITE_TRANSIENT);
        int is_used = sqlite3_step(used) == SQLITE_ROW && sqlite3_column_int(used, 0);
        sqlite3_reset(used);
        if (!is_used)
            continue;
        dtp_load_problem p = {.check = "artifact_missing",
                              .artifact = sha,
                              .detail = "artifact is not in the raw archive"};
        report(fn, ctx, problems, &p);
        sqlite3_bind_text(ins, 1, sha, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            st = wh_error(wh, "record artifact", err);
            goto out;
        }
        sqlite3_reset(ins);
        (*nbad)++;
    }
    if (rc != SQLITE_DONE) {
        st = wh_error(wh, "scan artifacts", err);
        goto out;
    }
    while (!fk_checked && (rc = sqlite3_step(unk)) == SQLITE_ROW) {
        const char *sha = txt(unk, 0);
        dtp_load_problem p = {.check = "artifact_missing",
                              .artifact = sha,
                              .detail = "observations name an artifact with no artifacts row"};
        report(fn, ctx, problems, &p);
        sqlite3_bind_text(ins, 1, sha, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            st = wh_error(wh, "record artifact", err);
            goto out;
        }
        sqlite3_reset(ins);
        (*nbad)++;
    }
out:
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    sqlite3_finalize(used);
    sqlite3_finalize(unk);
    return st;
}

/* The role of a lineage edge (column i of s) as a bit; 0 for any other value. Compared as
 * SQL's = on text would (type, length and bytes). */
enum { ROLE_SOURCE = 1, ROLE_ANCHOR = 2, ROLE_OVERRIDE = 4, ROLE_REPLACED = 8 };
static int edge_role(sqlite3_stmt *s, int i)
{
    if (sqlite3_column_type(s, i) != SQLITE_TEXT)
        return 0;
    const char *t = (const char *)sqlite3_column_text(s, i);
    size_t n = (size_t)sqlite3_column_bytes(s, i);
    static const struct {
        const char *name;
        int bit;
    } roles[] = {{"source", ROLE_SOURCE},
                 {"anchor_before", ROLE_ANCHOR},
                 {"anchor_after", ROLE_ANCHOR},
                 {"override", ROLE_OVERRIDE},
                 {"replaced", ROLE_REPLACED}};
    for (size_t r = 0; t && r < sizeof roles / sizeof roles[0]; r++)
        if (strlen(roles[r].name) == n && memcmp(t, roles[r].name, n) == 0)
            return roles[r].bit;
    return 0;
}

/* Whether a cell status (column i of s) is one of DTP_LOAD_PUBLISHED_STATUSES; *kind receives
 * 'o' (observed), 'i' (imputed), 'v' (overridden) or 'd' (derived). */
static int published_status(sqlite3_stmt *s, int i, char *kind)
{
    if (sqlite3_column_type(s, i) != SQLITE_TEXT)
        return 0;
    const char *t = (const char *)sqlite3_column_text(s, i);
    size_t n = (size_t)sqlite3_column_bytes(s, i);
    static const char *const names[] = {"observed", "imputed", "overridden", "derived"};
    static const char kinds[] = "oivd";
    for (size_t r = 0; t && r < 4; r++)
        if (strlen(names[r]) == n && memcmp(t, names[r], n) == 0) {
            *kind = kinds[r];
            return 1;
        }
    return 0;
}

/* One pass over the published cells (in id order) beside their lineage edges: per cell, how
 * many edges of each kind, and how many direct edges (observation, record, override) do not
 * reach what they name (edge_bad, a SQL expression over lineage l; NULL when the caller has
 * proven that every edge naming a row reaches stored bytes, so that only an edge naming
 * nothing is bad). Only the cells that need a second look are stored in temp.cell_eval: those
 * that fail locally, and those that use other cells (resolved by the caller's fixpoint). The
 * rest are grounded. ordered = 0 reads lineage in storage order and sets *disorder (and
 * stops) when that is not cell order; ordered = 1 reads it through the index. */
static dtp_status evaluate_cells(sqlite3 *wh, const char *edge_bad, int ordered, int *disorder,
                                 dtp_error *err)
{
    dtp_status st = DTP_OK;
    *disorder = 0;
    sqlite3_stmt *cells = NULL, *edge = NULL, *keep = NULL;
    char *q = sqlite3_mprintf("SELECT l.cell_id, l.role, l.observation_id, l.record_id,"
                              " l.input_cell_id, l.override_id%s%s FROM lineage l%s",
                              edge_bad ? ", " : "", edge_bad ? edge_bad : "",
                              ordered ? " ORDER BY l.cell_id" : "");
    if (!q)
        return dtp_error_set(err, DTP_ERR_NOMEM, "load", "out of memory");
    if (sqlite3_prepare_v2(wh, q, -1, &edge, NULL) != SQLITE_OK ||
        /* the status test is made here: SQL's IN would probe a temporary index per row */
        sqlite3_prepare_v2(wh, "SELECT id, status FROM panel_cells ORDER BY id", -1, &cells,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(wh,
                           "INSERT INTO temp.cell_eval(id, status, edges, sources, anchors,"
                           " overrides, replaced, cell_inputs, bad, local_ok)"
                           " VALUES(?,?,?,?,?,?,?,?,?,?)",
                           -1, &keep, NULL) != SQLITE_OK) {
        st = wh_error(wh, "prepare lineage evaluation", err);
        goto out;
    }
    int erc = sqlite3_step(edge), crc;
    int64_t last = INT64_MIN;
    while ((crc = sqlite3_step(cells)) == SQLITE_ROW) {
        char kind = 0;
        if (!published_status(cells, 1, &kind))
            continue;
        int64_t id = sqlite3_column_int64(cells, 0);
        /* edges, sources, anchors, overrides, replaced, cell inputs, bad */
        int64_t v[7] = {0};
        for (; erc == SQLITE_ROW; erc = sqlite3_step(edge)) {
            if (sqlite3_column_type(edge, 0) != SQLITE_INTEGER)
                continue; /* names no cell */
            int64_t cid = sqlite3_column_int64(edge, 0);
            if (cid < last) {
                *disorder = 1;
                goto out;
            }
            last = cid;
            if (cid > id)
                break;
            if (cid < id)
                continue; /* an edge of a cell that is not published: it does not matter */
            int obs = sqlite3_column_type(edge, 2) != SQLITE_NULL,
                rec = sqlite3_column_type(edge, 3) != SQLITE_NULL,
                inp = sqlite3_column_type(edge, 4) != SQLITE_NULL,
                ovr = sqlite3_column_type(edge, 5) != SQLITE_NULL;
            int role = edge_role(edge, 1);
            v[0]++;
            v[1] += role == ROLE_SOURCE && (obs || rec);
            v[2] += role == ROLE_ANCHOR;
            v[3] += role == ROLE_OVERRIDE && ovr;
            v[4] += role == ROLE_REPLACED;
            v[5] += inp;
            v[6] += edge_bad ? sqlite3_column_int64(edge, 6) : !(obs || rec || inp || ovr);
        }
        int kind_ok = kind == 'o'   ? v[1] > 0
                      : kind == 'i' ? v[2] >= 2
                      : kind == 'v' ? v[3] > 0 && v[4] > 0
                                    : 1;
        int local_ok = v[0] > 0 && v[6] == 0 && kind_ok;
        if (local_ok && v[5] == 0)
            continue; /* grounded: its edges reach artifacts or overrides directly */
        sqlite3_bind_int64(keep, 1, id);
        sqlite3_bind_value(keep, 2, sqlite3_column_value(cells, 1));
        for (int i = 0; i < 7; i++)
            sqlite3_bind_int64(keep, 3 + i, v[i]);
        sqlite3_bind_int(keep, 10, local_ok);
        if (sqlite3_step(keep) != SQLITE_DONE) {
            st = wh_error(wh, "record lineage evaluation", err);
            goto out;
        }
        sqlite3_reset(keep);
    }
    if (crc != SQLITE_DONE || (erc != SQLITE_ROW && erc != SQLITE_DONE))
        st = wh_error(wh, "evaluate lineage", err);
out:
    sqlite3_free(q);
    sqlite3_finalize(cells);
    sqlite3_finalize(edge);
    sqlite3_finalize(keep);
    return st;
}

dtp_status dtp_load_check_lineage_fk(sqlite3 *wh, const dtp_archive *ar, int fk_checked,
                                     dtp_load_problem_fn fn, void *ctx, int64_t *problems,
                                     dtp_error *err)
{
    *problems = 0;
    dtp_status st;
    sqlite3_stmt *s = NULL;
    int64_t nbad = 0;
    if ((st = mark_bad_artifacts(wh, ar, fk_checked, fn, ctx, problems, &nbad, err)) != DTP_OK)
        return st;
    /* With foreign keys checked and every artifact present, an edge naming an observation,
     * record or override reaches stored bytes by construction: skip the per-edge lookups. */
    const char *edge_bad =
        fk_checked && nbad == 0
            ? NULL /* an edge is bad when it names nothing (evaluate_cells) */
            : "CASE"
              " WHEN l.observation_id IS NOT NULL THEN NOT EXISTS(SELECT 1 FROM observations o"
              "   WHERE o.id = l.observation_id AND o.artifact_sha256 NOT IN"
              "   (SELECT sha256 FROM temp.art_bad))"
              " WHEN l.record_id IS NOT NULL THEN NOT EXISTS(SELECT 1 FROM cert_records r"
              "   WHERE r.id = l.record_id AND r.artifact_sha256 NOT IN"
              "   (SELECT sha256 FROM temp.art_bad))"
              " WHEN l.override_id IS NOT NULL THEN NOT EXISTS(SELECT 1 FROM overrides v"
              "   WHERE v.id = l.override_id)"
              " WHEN l.input_cell_id IS NOT NULL THEN 0 ELSE 1 END";
    st = exec(wh,
              "DROP TABLE IF EXISTS temp.cell_eval;"
              "CREATE TEMP TABLE cell_eval(id INTEGER PRIMARY KEY, status TEXT, edges INTEGER,"
              "  sources INTEGER, anchors INTEGER, overrides INTEGER, replaced INTEGER,"
              "  cell_inputs INTEGER, bad INTEGER, local_ok INTEGER);"
              "DROP TABLE IF EXISTS temp.grounded;"
              "CREATE TEMP TABLE grounded(id INTEGER PRIMARY KEY);",
              "create lineage tables", err);
    if (st != DTP_OK)
        return st;
    /* Lineage is normally stored in cell order (the load copies it as clean wrote it): read in
     * storage order, and only when that turns out not to be cell order, again through the
     * lineage_by_cell index. */
    int disorder = 0;
    if ((st = evaluate_cells(wh, edge_bad, 0, &disorder, err)) != DTP_OK)
        return st;
    if (disorder &&
        ((st = exec(wh, "DELETE FROM temp.cell_eval", "reset lineage evaluation", err)) != DTP_OK ||
         (st = evaluate_cells(wh, edge_bad, 1, &disorder, err)) != DTP_OK))
        return st;
    /* A cell that uses other cells is grounded once all of them are: each input is a published
     * cell that is either grounded directly (not stored in cell_eval) or already found
     * grounded. Repeat to a fixpoint (the number of rounds is the depth of the derivation, small
     * in practice). */
    for (int round = 0; round < 1000; round++) {
        if ((st = exec(wh,
                       "INSERT INTO temp.grounded SELECT e.id FROM temp.cell_eval e"
                       " WHERE e.local_ok AND e.cell_inputs > 0"
                       "  AND e.id NOT IN (SELECT id FROM temp.grounded)"
                       "  AND NOT EXISTS (SELECT 1 FROM lineage l WHERE l.cell_id = e.id"
                       "   AND l.input_cell_id IS NOT NULL"
                       "   AND (NOT EXISTS (SELECT 1 FROM panel_cells p"
                       "         WHERE p.id = l.input_cell_id AND p.status "
                       "IN " DTP_LOAD_PUBLISHED_STATUSES ")"
                       "    OR (l.input_cell_id IN (SELECT id FROM temp.cell_eval)"
                       "        AND l.input_cell_id NOT IN (SELECT id FROM temp.grounded))))",
                       "resolve derived lineage", err)) != DTP_OK)
            return st;
        if (sqlite3_changes(wh) == 0)
            break;
    }
    if (sqlite3_prepare_v2(wh,
                           "SELECT c.panel, c.entity, c.year, c.variable, e.status, e.edges,"
                           " e.sources, e.anchors, e.overrides, e.replaced, e.bad, e.local_ok,"
                           " (SELECT o.artifact_sha256 FROM lineage l JOIN observations o ON"
                           "   o.id = l.observation_id WHERE l.cell_id = c.id AND"
                           "   o.artifact_sha256 IN (SELECT sha256 FROM temp.art_bad)"
                           "   LIMIT 1)"
                           " FROM temp.cell_eval e JOIN panel_cells c ON c.id = e.id"
                           " WHERE e.id NOT IN (SELECT id FROM temp.grounded) ORDER BY c.id",
                           -1, &s, NULL) != SQLITE_OK)
        return wh_error(wh, "prepare lineage report", err);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        char detail[512];
        const char *status = txt(s, 4);
        long edges = sqlite3_column_int(s, 5), sources = sqlite3_column_int(s, 6),
             anchors = sqlite3_column_int(s, 7), ovr = sqlite3_column_int(s, 8),
             repl = sqlite3_column_int(s, 9), bad = sqlite3_column_int(s, 10);
        int local_ok = sqlite3_column_int(s, 11);
        if (edges == 0)
            snprintf(detail, sizeof detail, "%s cell has no lineage", status);
        else if (bad > 0)
            snprintf(detail, sizeof detail,
                     "%s cell: %ld lineage edge(s) do not reach a stored artifact or override",
                     status, bad);
        else if (!local_ok && strcmp(status, "observed") == 0 && sources == 0)
            snprintf(detail, sizeof detail, "observed cell has no source observation or record");
        else if (!local_ok && strcmp(status, "imputed") == 0)
            snprintf(detail, sizeof detail, "imputed cell has %ld anchor(s), needs 2", anchors);
        else if (!local_ok && strcmp(status, "overridden") == 0)
            snprintf(detail, sizeof detail, "overridden cell lacks %s%s",
                     ovr ? "" : "its override citation",
                     repl ? "" : (ovr ? "the replaced source value" : " and the replaced value"));
        else
            snprintf(detail, sizeof detail,
                     "%s cell: an input cell is not published or its chain does not reach an"
                     " artifact (or the inputs form a cycle)",
                     status);
        dtp_load_problem p = {.check = "lineage",
                              .panel = txt(s, 0),
                              .entity = txt(s, 1),
                              .year = sqlite3_column_int(s, 2),
                              .variable = txt(s, 3),
                              .artifact = txt(s, 12),
                              .detail = detail};
        report(fn, ctx, problems, &p);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return wh_error(wh, "report lineage", err);
    return exec(wh, "DROP TABLE temp.cell_eval; DROP TABLE temp.grounded; DROP TABLE temp.art_bad;",
                "drop lineage tables", err);
}

/* The tables whose rows make up a release's content (not its history or checks). */
static const char *const content_tables[] = {
    "sources",          "artifacts",   "fetches",       "source_artifacts", "observations",
    "countries",        "aggregates",  "provinces",     "wb_countries",     "entity_map",
    "cert_records",     "cert_fields", "cert_events",   "panel_cells",      "overrides",
    "lineage",          "ledger",      "index_weights", "panel_entities",   "panel_years",
    "release_settings", NULL};

/* Values are gathered in a buffer and hashed in large blocks: one digest update per value
 * costs more than the hashing itself. */
typedef struct hbuf {
    dtp_sha256 *h;
    size_t n;
    unsigned char b[1 << 16];
} hbuf;

static void hb_add(hbuf *hb, const void *p, size_t n)
{
    if (hb->n + n > sizeof hb->b) {
        dtp_sha256_update(hb->h, hb->b, hb->n);
        hb->n = 0;
    }
    if (n > sizeof hb->b) {
        dtp_sha256_update(hb->h, p, n);
        return;
    }
    memcpy(hb->b + hb->n, p, n);
    hb->n += n;
}

/* One row's values into the digest, as a SQL function over the row's columns, so that the
 * values are read straight from the VDBE registers (sqlite3_value_*) rather than through the
 * per-call sqlite3_column_* API, which costs more than decoding the row. The first argument is
 * the digest buffer, bound as a pointer (so the function holds no state between calls and may
 * stay registered on the caller's connection). The byte stream is the one documented in
 * load.h: for each value a type tag, then the 64-bit integer, the double, or the 32-bit length
 * and bytes. */
#define HASH_PTR "dtp_content_hbuf"
static void hash_row(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    hbuf *h = argc > 0 ? sqlite3_value_pointer(argv[0], HASH_PTR) : NULL;
    if (!h) {
        sqlite3_result_error(ctx, "content hash: no digest bound", -1);
        return;
    }
    for (int i = 1; i < argc; i++) {
        int t = sqlite3_value_type(argv[i]);
        unsigned char tag = (unsigned char)t;
        hb_add(h, &tag, 1);
        if (t == SQLITE_INTEGER) {
            int64_t v = sqlite3_value_int64(argv[i]);
            hb_add(h, &v, sizeof v);
        } else if (t == SQLITE_FLOAT) {
            double v = sqlite3_value_double(argv[i]);
            hb_add(h, &v, sizeof v);
        } else if (t != SQLITE_NULL) {
            const void *p = sqlite3_value_blob(argv[i]);
            uint32_t len = (uint32_t)sqlite3_value_bytes(argv[i]);
            hb_add(h, &len, sizeof len);
            if (len)
                hb_add(h, p, len);
        }
    }
}

#define HASH_FN "dtp_content_hash_row"

static dtp_status hash_table(sqlite3 *wh, hbuf *h, const char *table, dtp_buf *sql, dtp_error *err)
{
    /* the table's columns in declaration order: the order SELECT * gives */
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(wh, "SELECT name FROM pragma_table_info(?1) ORDER BY cid", -1, &s,
                           NULL) != SQLITE_OK)
        return wh_error(wh, "prepare content hash columns", err);
    sqlite3_bind_text(s, 1, table, -1, SQLITE_STATIC);
    dtp_buf_reset(sql);
    dtp_status st = dtp_buf_printf(sql, "SELECT " HASH_FN "(?1");
    int ncols = 0;
    while (st == DTP_OK && sqlite3_step(s) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 0);
        st = dtp_buf_printf(sql, ", \"%s\"", name ? name : "");
        ncols++;
    }
    sqlite3_finalize(s);
    if (st == DTP_OK)
        st = dtp_buf_printf(sql, ") FROM \"%s\" ORDER BY rowid", table);
    if (st != DTP_OK)
        return dtp_error_set(err, st, "load", "column list of %s too long", table);
    if (ncols == 0)
        return dtp_error_set(err, DTP_ERR_DB, "load", "prepare content hash: no such table: %s",
                             table);
    hb_add(h, table, strlen(table) + 1);
    if (sqlite3_prepare_v2(wh, dtp_buf_str(sql), -1, &s, NULL) != SQLITE_OK)
        return wh_error(wh, "prepare content hash", err);
    sqlite3_bind_pointer(s, 1, h, HASH_PTR, NULL);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        ;
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return wh_error(wh, "content hash", err);
    return DTP_OK;
}

dtp_status dtp_load_content_hash(sqlite3 *wh, char out[65], dtp_error *err)
{
    hbuf *hb = malloc(sizeof *hb);
    dtp_sha256 *h = dtp_sha256_new();
    if (!h || !hb) {
        free(hb);
        dtp_sha256_free(h);
        return dtp_error_set(err, DTP_ERR_NOMEM, "load", "out of memory");
    }
    hb->h = h;
    hb->n = 0;
    dtp_status st = DTP_OK;
    dtp_buf sql;
    dtp_buf_init(&sql, 64 << 10);
    /* Registering again fails while the caller has statements running (SQLITE_BUSY); the
     * function is then registered already, as the prepare below finds. */
    sqlite3_create_function(wh, HASH_FN, -1, SQLITE_UTF8 | SQLITE_DIRECTONLY, NULL, hash_row, NULL,
                            NULL);
    for (size_t i = 0; content_tables[i] && st == DTP_OK; i++)
        st = hash_table(wh, hb, content_tables[i], &sql, err);
    dtp_buf_free(&sql);
    if (st == DTP_OK) {
        dtp_sha256_update(h, hb->b, hb->n);
        st = dtp_sha256_final_hex(h, out);
    }
    dtp_sha256_free(h);
    free(hb);
    return st;
}

/* A read-only connection to read a whole file (path) in one pass: pages are read in place
 * through a memory map, not copied out of the OS cache. what names the reading in errors. */
static dtp_status open_for_scan(const char *path, const char *what, sqlite3 **out, dtp_error *err)
{
    *out = NULL;
    if (sqlite3_open_v2(path, out, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        char msg[256];
        dtp_error_locatef(err, "%s", path);
        dtp_error_set(err, DTP_ERR_DB, "load", "cannot open for the %s: %s", what,
                      dtp_db_errmsg(*out, msg, sizeof msg));
        sqlite3_close(*out);
        *out = NULL;
        return DTP_ERR_DB;
    }
    (void)sqlite3_exec(*out, "PRAGMA mmap_size = 2147418112; PRAGMA cache_size = -65536;", NULL,
                       NULL, NULL);
    return DTP_OK;
}

dtp_status dtp_load_content_hash_file(const char *path, char out[65], dtp_error *err)
{
    sqlite3 *db = NULL;
    dtp_status st = open_for_scan(path, "content hash", &db, err);
    if (st == DTP_OK)
        st = dtp_load_content_hash(db, out, err);
    sqlite3_close(db);
    return st;
}

dtp_status dtp_load_integrity(const char *path, dtp_load_problem_fn fn, void *ctx,
                              int64_t *problems, dtp_error *err)
{
    *problems = 0;
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    dtp_status st = open_for_scan(path, "integrity check", &db, err);
    if (st != DTP_OK)
        return st;
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA integrity_check(%d)", DTP_LOAD_INTEGRITY_MAX);
    int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
    if (rc == SQLITE_OK) {
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            const char *m = (const char *)sqlite3_column_text(s, 0);
            if (m && strcmp(m, "ok") != 0) {
                dtp_load_problem p = {.check = "integrity", .detail = m};
                (*problems)++;
                if (fn)
                    fn(ctx, &p);
            }
        }
    }
    if (rc != SQLITE_DONE) {
        /* damage that stops the check itself (a page that cannot be decoded) is a failed
         * check, not a tool error */
        char msg[256], d[320];
        snprintf(d, sizeof d, "integrity check could not complete: %s",
                 dtp_db_errmsg(db, msg, sizeof msg));
        dtp_load_problem p = {.check = "integrity", .detail = d};
        (*problems)++;
        if (fn)
            fn(ctx, &p);
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    return st;
}

dtp_status dtp_load_open_release(const char *path, sqlite3 **out, dtp_error *err)
{
    *out = NULL;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        dtp_error_locatef(err, "%s", path);
        dtp_error_set(err, DTP_ERR_NOT_FOUND, "load", "cannot open release: %s",
                      db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return DTP_ERR_NOT_FOUND;
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt *s = NULL;
    int ok = sqlite3_prepare_v2(db, "SELECT id FROM release", -1, &s, NULL) == SQLITE_OK &&
             sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    if (!ok) {
        dtp_error_locatef(err, "%s", path);
        dtp_error_set(err, DTP_ERR_NOT_FOUND, "load",
                      "not a published warehouse (no release row); run 'dtpanel load' first");
        sqlite3_close(db);
        return DTP_ERR_NOT_FOUND;
    }
    *out = db;
    return DTP_OK;
}

dtp_status dtp_load_check_lineage(sqlite3 *wh, const dtp_archive *ar, dtp_load_problem_fn fn,
                                  void *ctx, int64_t *problems, dtp_error *err)
{
    return dtp_load_check_lineage_fk(wh, ar, 0, fn, ctx, problems, err);
}
