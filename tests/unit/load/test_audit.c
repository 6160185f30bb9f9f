/* The auditor's tools over a published release: trace of a figure of each kind reaches an
 * artifact whose sha256 matches the bytes on disk; a corrupted raw artifact makes verify fail
 * naming it (library and `dtpanel verify`, exit 4); the .dta export reads back through ReadStat
 * with the same rows, values and labels; the CSV export and its sidecar; diff between releases. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <readstat.h>

#include "common/staging.h"
#include "fixture.h"
#include "load/load.h"

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f || fixture_build(f) != 0)
        return -1;
    dtp_load_options o;
    memset(&o, 0, sizeof o);
    o.warehouse = f->warehouse;
    o.data_dir = f->dir;
    o.keep_releases = 5;
    o.year_first = 2016;
    o.year_last = 2018;
    o.expected_country_rows = 6;
    o.expected_province_rows = 3;
    dtp_load_result res;
    dtp_error err;
    if (dtp_load_publish(f->db, f->ar, &o, &res, &err) != DTP_OK) {
        fprintf(stderr, "publish: %s\n", err.message);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_free(*state);
    free(*state);
    return 0;
}

static sqlite3 *open_wh(fixture *f)
{
    sqlite3 *wh = NULL;
    dtp_error err;
    assert_int_equal(dtp_load_open_release(f->warehouse, &wh, &err), DTP_OK);
    return wh;
}

/* Every artifact object in a trace has a sha256 equal to the hash of its stored file. Returns
 * how many were checked. */
static int check_artifacts(json_t *j, const dtp_archive *ar)
{
    int n = 0;
    if (json_is_object(j)) {
        json_t *a = json_object_get(j, "artifact");
        if (a) {
            const char *sha = json_string_value(json_object_get(a, "sha256"));
            const char *path = json_string_value(json_object_get(a, "path"));
            assert_non_null(sha);
            assert_non_null(path);
            char expect[512], got[65];
            dtp_archive_path(ar, sha, expect, sizeof expect);
            assert_string_equal(path, expect);
            fixture_file_sha(path, got);
            assert_string_equal(got, sha);
            assert_true(json_array_size(json_object_get(a, "fetches")) >= 1);
            n++;
        }
        const char *k;
        json_t *v;
        json_object_foreach(j, k, v) n += check_artifacts(v, ar);
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) n += check_artifacts(v, ar);
    }
    return n;
}

static json_t *trace(fixture *f, sqlite3 *wh, const char *panel, const char *entity, int year,
                     const char *var)
{
    json_t *t = NULL;
    dtp_error err;
    dtp_status st = dtp_load_trace(wh, f->ar, panel, entity, year, var, &t, &err);
    if (st != DTP_OK)
        fprintf(stderr, "trace: %s\n", err.message);
    assert_int_equal(st, DTP_OK);
    return t;
}

static json_t *edge(json_t *t, size_t i)
{
    json_t *e = json_array_get(json_object_get(t, "lineage"), i);
    assert_non_null(e);
    return e;
}

static const char *sget(json_t *o, const char *path1, const char *path2)
{
    json_t *x = json_object_get(o, path1);
    if (path2)
        x = json_object_get(x, path2);
    return json_string_value(x);
}

static void test_trace_each_kind(void **state)
{
    fixture *f = *state;
    sqlite3 *wh = open_wh(f);
    /* observed from CSV */
    json_t *t = trace(f, wh, "country", "CHN", 2016, "pv");
    assert_string_equal(sget(t, "status", NULL), "observed");
    json_t *o = json_object_get(edge(t, 0), "observation");
    assert_string_equal(sget(o, "locator", NULL), "line 45:col 61");
    assert_string_equal(sget(o, "artifact", "sha256"), f->csv_sha);
    assert_int_equal(check_artifacts(t, f->ar), 1);
    json_t *fe = json_array_get(json_object_get(json_object_get(o, "artifact"), "fetches"), 0);
    assert_string_equal(sget(fe, "upstream_version", NULL), "2025-07-01");
    assert_string_equal(sget(fe, "fetched_at", NULL), "2026-11-01T10:00:00Z");
    assert_non_null(strstr(sget(fe, "url", NULL), "PV.EST"));
    json_decref(t);
    /* observed from JSON */
    t = trace(f, wh, "country", "USA", 2017, "fdi");
    o = json_object_get(edge(t, 0), "observation");
    assert_string_equal(sget(o, "locator", NULL), "$[1][11].value");
    assert_string_equal(sget(o, "artifact", "sha256"), f->json_sha);
    assert_int_equal(check_artifacts(t, f->ar), 1);
    json_decref(t);
    /* observed from xlsx */
    t = trace(f, wh, "country", "USA", 2016, "iso27001");
    o = json_object_get(edge(t, 0), "observation");
    assert_string_equal(sget(o, "locator", NULL), "Sheet1!C6");
    assert_string_equal(sget(o, "artifact", "sha256"), f->xlsx_sha);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(o, "artifact"), "generated")), 1);
    assert_int_equal(check_artifacts(t, f->ar), 1);
    json_decref(t);
    /* observed from an OCR record: fields with box and confidence */
    t = trace(f, wh, "province", "11", 2017, "iso27001_listed");
    json_t *r = json_object_get(edge(t, 0), "record");
    assert_string_equal(sget(r, "capture", NULL), "image");
    assert_string_equal(sget(r, "artifact", "sha256"), f->img_sha);
    json_t *fld = json_array_get(json_object_get(r, "fields"), 0);
    assert_string_equal(sget(fld, "field", NULL), "cert_no");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(fld, "bbox"), "x")), 120);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(fld, "bbox"), "h")), 28);
    assert_true(fabs(json_number_value(json_object_get(fld, "confidence")) - 93.5) < 1e-9);
    assert_int_equal(json_array_size(json_object_get(r, "events")), 2);
    assert_int_equal(check_artifacts(t, f->ar), 1);
    json_decref(t);
    /* imputed: method, both anchors, the rule */
    t = trace(f, wh, "country", "CHN", 2017, "iso27001");
    assert_string_equal(sget(t, "status", NULL), "imputed");
    assert_string_equal(sget(t, "method", NULL), "linear interpolation");
    assert_string_equal(sget(edge(t, 0), "role", NULL), "anchor_before");
    assert_string_equal(sget(edge(t, 1), "role", NULL), "anchor_after");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(edge(t, 0), "observation"), "year")),
        2016);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(edge(t, 1), "observation"), "year")),
        2018);
    assert_int_equal(check_artifacts(t, f->ar), 2);
    json_t *rule = json_array_get(json_object_get(t, "rules"), 0);
    assert_string_equal(sget(rule, "action", NULL), "impute");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(rule, "detail"), "gap")),
                     1);
    json_decref(t);
    /* overridden: the citation and the replaced source value */
    t = trace(f, wh, "country", "CHN", 2018, "iso27001");
    assert_string_equal(sget(t, "status", NULL), "overridden");
    assert_true(fabs(json_number_value(json_object_get(t, "value")) - 39835) < 1e-9);
    json_t *rep = json_object_get(edge(t, 0), "observation");
    assert_string_equal(sget(edge(t, 0), "role", NULL), "replaced");
    assert_string_equal(sget(rep, "value_raw", NULL), "10000");
    json_t *ov = json_object_get(edge(t, 1), "override");
    assert_non_null(strstr(sget(ov, "publisher", NULL), "Market Regulation"));
    assert_string_equal(sget(ov, "url", NULL), "https://cx.cnca.cn/");
    assert_int_equal(check_artifacts(t, f->ar), 1);
    json_decref(t);
    /* derived: input cells down to their observations */
    t = trace(f, wh, "country", "USA", 2016, "dt_total");
    json_t *in = json_object_get(edge(t, 0), "cell");
    assert_string_equal(sget(in, "variable", NULL), "dt_exp");
    assert_int_equal(check_artifacts(t, f->ar), 2);
    json_decref(t);
    /* no such cell */
    dtp_error err;
    assert_int_equal(dtp_load_trace(wh, f->ar, "country", "FRA", 2016, "pv", &t, &err),
                     DTP_ERR_NOT_FOUND);
    /* explain: citation card with the generated note and the override */
    json_t *card = NULL;
    assert_int_equal(dtp_load_explain(wh, "country", "CHN", 2018, "iso27001", &card, &err), DTP_OK);
    json_t *src = json_array_get(json_object_get(card, "sources"), 0);
    assert_string_equal(sget(src, "publisher", NULL), "ISO");
    assert_true(json_is_true(json_object_get(src, "generated")));
    assert_int_equal(json_array_size(json_object_get(card, "overrides")), 1);
    json_decref(card);
    assert_int_equal(dtp_load_explain(wh, "country", "CHN", 2016, "pv", &card, &err), DTP_OK);
    src = json_array_get(json_object_get(card, "sources"), 0);
    assert_string_equal(sget(src, "licence", NULL), "CC BY 4.0");
    assert_true(json_is_false(json_object_get(src, "generated")));
    json_decref(card);
    sqlite3_close(wh);
}

static void test_trace_binary_json(void **state)
{
    fixture *f = *state;
    char out[400];
    snprintf(out, sizeof out, "%s/trace.json", f->dir);
    char *argv[] = {getenv("DTP_BINARY"), "--data-dir", f->dir, "trace", "CHN", "2017",
                    "iso27001",           "--json",     NULL};
    assert_non_null(argv[0]);
    assert_int_equal(fixture_spawn(argv, NULL, out), 0);
    json_t *t = json_load_file(out, 0, NULL);
    assert_non_null(t);
    assert_string_equal(sget(t, "status", NULL), "imputed");
    assert_int_equal(check_artifacts(t, f->ar), 2);
    json_decref(t);
    char *argv2[] = {
        getenv("DTP_BINARY"), "--data-dir", f->dir, "trace", "XXX", "2017", "pv", NULL};
    assert_int_equal(fixture_spawn(argv2, NULL, "/dev/null"), 1);
    char *argv3[] = {getenv("DTP_BINARY"), "--data-dir", f->dir, "trace", "CHN", NULL};
    assert_int_equal(fixture_spawn(argv3, NULL, "/dev/null"), 2);
    char *argv4[] = {getenv("DTP_BINARY"), "--data-dir", f->dir, "explain", "11", "2016",
                     "iso27001_listed",    NULL};
    assert_int_equal(fixture_spawn(argv4, NULL, "/dev/null"), 0);
}

typedef struct problems {
    int content, file;
    int n;
    char artifact[65];
    char check[32];
} problems;

static void on_problem(void *ctx, const dtp_load_problem *p)
{
    problems *ps = ctx;
    ps->n++;
    snprintf(ps->artifact, sizeof ps->artifact, "%s", p->artifact ? p->artifact : "");
    snprintf(ps->check, sizeof ps->check, "%s", p->check);
    ps->content += strcmp(p->check, "release_content") == 0;
    ps->file += strcmp(p->check, "release_file") == 0;
}

static void test_verify_edited_release(void **state)
{
    fixture *f = *state;
    /* an analyst "fixes" a figure in the published file */
    assert_int_equal(chmod(f->warehouse, 0644), 0);
    sqlite3 *rw = NULL;
    assert_int_equal(sqlite3_open(f->warehouse, &rw), SQLITE_OK);
    assert_int_equal(fixture_exec(rw, "UPDATE panel_cells SET value = 1 WHERE id = 100"), 0);
    sqlite3_close(rw);
    sqlite3 *wh = open_wh(f);
    problems ps = {0};
    int64_t n = -1;
    dtp_error err;
    assert_int_equal(dtp_load_verify(wh, f->ar, f->db, on_problem, &ps, &n, &err), DTP_OK);
    assert_int_equal(n, 2);
    assert_int_equal(ps.content, 1);
    assert_int_equal(ps.file, 1);
    sqlite3_close(wh);
}

static void test_verify_corrupt_artifact(void **state)
{
    fixture *f = *state;
    sqlite3 *wh = open_wh(f);
    problems ps = {0};
    int64_t n = -1;
    dtp_error err;
    assert_int_equal(dtp_load_verify(wh, f->ar, f->db, on_problem, &ps, &n, &err), DTP_OK);
    assert_int_equal(n, 0);
    char *argv[] = {getenv("DTP_BINARY"), "--data-dir", f->dir, "verify", NULL};
    assert_int_equal(fixture_spawn(argv, NULL, "/dev/null"), 0);
    /* flip one byte of the JSON artifact */
    char path[512];
    dtp_archive_path(f->ar, f->json_sha, path, sizeof path);
    assert_int_equal(chmod(path, 0644), 0);
    FILE *fp = fopen(path, "r+b");
    assert_non_null(fp);
    fseek(fp, 5, SEEK_SET);
    int c = fgetc(fp);
    fseek(fp, 5, SEEK_SET);
    fputc(c ^ 0x20, fp);
    fclose(fp);
    assert_int_equal(dtp_load_verify(wh, f->ar, f->db, on_problem, &ps, &n, &err), DTP_OK);
    assert_int_equal(n, 1);
    assert_string_equal(ps.artifact, f->json_sha);
    assert_string_equal(ps.check, "artifact_hash");
    char errpath[400];
    snprintf(errpath, sizeof errpath, "%s/verify.err", f->dir);
    char *sh[] = {"/bin/sh", "-c", "\"$0\" --data-dir \"$1\" verify 2>\"$2\"", argv[0], f->dir,
                  errpath,   NULL};
    assert_int_equal(fixture_spawn(sh, NULL, "/dev/null"), 4);
    FILE *ef = fopen(errpath, "r");
    assert_non_null(ef);
    char buf[4096] = "";
    size_t got = fread(buf, 1, sizeof buf - 1, ef);
    buf[got] = '\0';
    fclose(ef);
    assert_non_null(strstr(buf, f->json_sha));
    /* a deleted artifact is named too */
    dtp_archive_path(f->ar, f->img_sha, path, sizeof path);
    assert_int_equal(unlink(path), 0);
    ps.n = 0;
    assert_int_equal(dtp_load_verify(wh, f->ar, f->db, on_problem, &ps, &n, &err), DTP_OK);
    assert_true(n >= 2);
    sqlite3_close(wh);
}

/* ReadStat parser callbacks collecting what the .dta holds. */
typedef struct dta_read {
    int nvars, nrows;
    char names[64][40];
    char labels[64][128];
    char labelsets[64][40];
    double chn2017_iso;
    int chn2017_iso_status;
    int iso_col, iso_status_col, iso3_col, year_col, entity_col;
    char cur_iso3[8];
    int cur_year;
    int status_labels; /* value labels seen for dtp_status */
    char imputed_label[32];
} dta_read;

static int on_var(int index, readstat_variable_t *v, const char *val_labels, void *ctx)
{
    dta_read *d = ctx;
    if (index >= 64)
        return READSTAT_HANDLER_ABORT;
    snprintf(d->names[index], sizeof d->names[index], "%s", readstat_variable_get_name(v));
    const char *l = readstat_variable_get_label(v);
    snprintf(d->labels[index], sizeof d->labels[index], "%s", l ? l : "");
    snprintf(d->labelsets[index], sizeof d->labelsets[index], "%s", val_labels ? val_labels : "");
    d->nvars = index + 1;
    if (!strcmp(d->names[index], "iso27001"))
        d->iso_col = index;
    if (!strcmp(d->names[index], "iso27001_status"))
        d->iso_status_col = index;
    if (!strcmp(d->names[index], "iso3"))
        d->iso3_col = index;
    if (!strcmp(d->names[index], "year"))
        d->year_col = index;
    if (!strcmp(d->names[index], "entity_id"))
        d->entity_col = index;
    return READSTAT_HANDLER_OK;
}

static int on_value(int obs, readstat_variable_t *v, readstat_value_t value, void *ctx)
{
    dta_read *d = ctx;
    int i = readstat_variable_get_index(v);
    if (obs + 1 > d->nrows)
        d->nrows = obs + 1;
    if (i == d->iso3_col)
        snprintf(d->cur_iso3, sizeof d->cur_iso3, "%s", readstat_string_value(value));
    else if (i == d->year_col)
        d->cur_year = readstat_int32_value(value);
    else if (i == d->iso_col && !strcmp(d->cur_iso3, "CHN") && d->cur_year == 2017)
        d->chn2017_iso = readstat_double_value(value);
    else if (i == d->iso_status_col && !strcmp(d->cur_iso3, "CHN") && d->cur_year == 2017)
        d->chn2017_iso_status = readstat_int32_value(value);
    return READSTAT_HANDLER_OK;
}

static int on_label(const char *set, readstat_value_t value, const char *label, void *ctx)
{
    dta_read *d = ctx;
    if (!strcmp(set, "dtp_status")) {
        d->status_labels++;
        if (readstat_int32_value(value) == 2)
            snprintf(d->imputed_label, sizeof d->imputed_label, "%s", label);
    }
    return READSTAT_HANDLER_OK;
}

static void test_export_dta_roundtrip(void **state)
{
    fixture *f = *state;
    sqlite3 *wh = open_wh(f);
    char path[400];
    snprintf(path, sizeof path, "%s/country.dta", f->dir);
    int64_t rows = 0;
    dtp_error err;
    assert_int_equal(dtp_load_export(wh, "country", DTP_LOAD_DTA, path, &rows, &err), DTP_OK);
    assert_int_equal(rows, 6);
    dta_read d;
    memset(&d, 0, sizeof d);
    d.iso_col = d.iso_status_col = d.iso3_col = d.year_col = d.entity_col = -1;
    readstat_parser_t *p = readstat_parser_init();
    readstat_set_variable_handler(p, on_var);
    readstat_set_value_handler(p, on_value);
    readstat_set_value_label_handler(p, on_label);
    assert_int_equal(readstat_parse_dta(p, path, &d), READSTAT_OK);
    readstat_parser_free(p);
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(wh, "SELECT * FROM panel_country_year", -1, &s, NULL),
                     SQLITE_OK);
    assert_int_equal(d.nvars, sqlite3_column_count(s));
    for (int i = 0; i < d.nvars; i++)
        assert_string_equal(d.names[i], sqlite3_column_name(s, i));
    sqlite3_finalize(s);
    assert_int_equal(d.nrows, 6);
    assert_true(d.entity_col >= 0);
    assert_true(fabs(d.chn2017_iso - 9000) < 1e-9);
    assert_int_equal(d.chn2017_iso_status, DTP_FLAG_IMPUTED);
    assert_int_equal(d.status_labels, 6);
    assert_string_equal(d.imputed_label, "imputed");
    assert_string_equal(d.labelsets[d.iso_status_col], "dtp_status");
    assert_non_null(strstr(d.labels[d.iso_col], "ISO/IEC 27001"));

    /* the readstat command-line tool converts it back to CSV with the same rows */
    if (access("/usr/bin/readstat", X_OK) == 0) {
        char csv[420];
        snprintf(csv, sizeof csv, "%s/roundtrip.csv", f->dir);
        char *argv[] = {"/usr/bin/readstat", path, csv, NULL};
        assert_int_equal(fixture_spawn(argv, NULL, "/dev/null"), 0);
        FILE *fp = fopen(csv, "r");
        assert_non_null(fp);
        int lines = 0, ch;
        while ((ch = fgetc(fp)) != EOF)
            lines += ch == '\n';
        fclose(fp);
        assert_int_equal(lines, 7);
    }
    /* province panel too */
    snprintf(path, sizeof path, "%s/province.dta", f->dir);
    assert_int_equal(dtp_load_export(wh, "province", DTP_LOAD_DTA, path, &rows, &err), DTP_OK);
    assert_int_equal(rows, 3);
    sqlite3_close(wh);
}

static void test_export_csv(void **state)
{
    fixture *f = *state;
    char path[400], side[420], line[8192];
    snprintf(path, sizeof path, "%s/country.csv", f->dir);
    snprintf(side, sizeof side, "%s.columns.csv", path);
    char *argv[] = {getenv("DTP_BINARY"),
                    "--data-dir",
                    f->dir,
                    "export",
                    "--format",
                    "csv",
                    "--panel",
                    "country",
                    path,
                    NULL};
    assert_int_equal(fixture_spawn(argv, NULL, "/dev/null"), 0);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    assert_non_null(fgets(line, sizeof line, fp));
    assert_int_equal(strncmp(line, "\"iso3\",\"year\",\"dt_exp\"", 22), 0);
    int n = 0, found = 0;
    while (fgets(line, sizeof line, fp)) {
        n++;
        if (strncmp(line, "\"CHN\",\"2018\"", 12) == 0) {
            found = strstr(line, "\"39835\"") != NULL && strstr(line, "\"overridden\"") != NULL;
        }
    }
    fclose(fp);
    assert_int_equal(n, 6);
    assert_true(found);
    fp = fopen(side, "r");
    assert_non_null(fp);
    n = 0;
    while (fgets(line, sizeof line, fp))
        n++;
    fclose(fp);
    sqlite3 *wh = open_wh(f);
    assert_int_equal(n - 1, fixture_int(wh, "SELECT COUNT(*) FROM pragma_table_info("
                                            "'panel_country_year')"));
    sqlite3_close(wh);
    char *bad[] = {getenv("DTP_BINARY"), "--data-dir", f->dir, "export",
                   "--format",           "xls",        path,   NULL};
    assert_int_equal(fixture_spawn(bad, NULL, "/dev/null"), 2);
}

static void test_diff(void **state)
{
    fixture *f = *state;
    /* release 2: one value revised in the past, one new cell, one withdrawn */
    assert_int_equal(fixture_exec(f->db,
                                  "UPDATE panel_cells SET value = 8800 WHERE id = 300;"
                                  "DELETE FROM lineage WHERE cell_id = 112;"
                                  "DELETE FROM panel_cells WHERE id = 112;"
                                  "INSERT INTO panel_cells(id, panel, entity, year, variable,"
                                  " value, status) VALUES(999,'country','USA',2018,'infra',80,"
                                  "'observed');"
                                  "INSERT INTO lineage(cell_id, role, observation_id)"
                                  " VALUES(999,'source',112);"),
                     0);
    dtp_load_options o;
    memset(&o, 0, sizeof o);
    o.warehouse = f->warehouse;
    o.data_dir = f->dir;
    o.keep_releases = 5;
    o.year_first = 2016;
    o.year_last = 2018;
    o.expected_country_rows = o.expected_province_rows = -1;
    dtp_load_result res;
    dtp_error err;
    assert_int_equal(dtp_load_publish(f->db, f->ar, &o, &res, &err), DTP_OK);
    char a[400], b[400], csv[400];
    snprintf(a, sizeof a, "%s/releases/1.db", f->dir);
    snprintf(b, sizeof b, "%s/releases/2.db", f->dir);
    snprintf(csv, sizeof csv, "%s/diff.csv", f->dir);
    json_t *d = NULL;
    assert_int_equal(dtp_load_diff(a, b, csv, 5, &d, &err), DTP_OK);
    assert_int_equal(json_integer_value(json_object_get(d, "new")), 1);
    assert_int_equal(json_integer_value(json_object_get(d, "revised")), 1);
    assert_int_equal(json_integer_value(json_object_get(d, "withdrawn")), 1);
    json_t *top = json_array_get(json_object_get(d, "largest_revisions"), 0);
    assert_string_equal(json_string_value(json_object_get(top, "entity")), "CHN");
    assert_true(fabs(json_number_value(json_object_get(top, "rel_change")) - 0.1) < 1e-12);
    json_t *h = json_array_get(json_object_get(d, "history_moved"), 0);
    assert_string_equal(json_string_value(json_object_get(h, "variable")), "iso27001");
    json_decref(d);
    FILE *fp = fopen(csv, "r");
    assert_non_null(fp);
    int n = 0;
    char line[1024];
    while (fgets(line, sizeof line, fp))
        n++;
    fclose(fp);
    assert_int_equal(n, 4);
    /* the command with its defaults: the two latest kept releases */
    char *argv[] = {getenv("DTP_BINARY"), "--data-dir", f->dir, "diff", NULL};
    assert_int_equal(fixture_spawn(argv, NULL, "/dev/null"), 0);
    /* identical releases: nothing changed */
    assert_int_equal(dtp_load_diff(b, b, NULL, 5, &d, &err), DTP_OK);
    assert_int_equal(json_integer_value(json_object_get(d, "revised")), 0);
    json_decref(d);
    assert_int_equal(dtp_load_diff(a, "/nonexistent.db", NULL, 5, &d, &err), DTP_ERR_NOT_FOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_trace_each_kind, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trace_binary_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_corrupt_artifact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_edited_release, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_dta_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_csv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_diff, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
