/* The release report (load/report.c) rendered from the load fixture's warehouse, then read back
 * with libxml2's HTML parser: no parse errors (beyond libxml2 2.9's unknown-tag notice for SVG
 * element names, an HTML 4 parser's limit), exactly one coverage square per entity, year and
 * variable, data with < & " ' > escaped everywhere, trace commands per row, revisions against a
 * second release, and the "nothing yet" notes of empty sections. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "load/load.h"
#include "load/report.h"
#include "tests/unit/load/fixture.h"

/* An entity and a source whose names need escaping in text, attributes and shell words. */
#define NASTY "X<&\"'>"
#define NASTY_SQL "X<&\"''>" /* the same as an SQL literal */

static int publish(fixture *f)
{
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
    if (dtp_load_publish(f->db, f->ar, &o, &res, &err) != DTP_OK) {
        fprintf(stderr, "publish: %s\n", err.message);
        return -1;
    }
    return 0;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f || fixture_build(f) != 0)
        return -1;
    /* an excluded country with a nasty code and reason, a missing cell, a nasty source */
    if (fixture_exec(
            f->db,
            "INSERT INTO panel_cells(panel, entity, year, variable, status, reason)"
            " VALUES('country','" NASTY_SQL "',2016,'pv','excluded','rule <1> & \"drop\"'),"
            " ('country','" NASTY_SQL "',2017,'pv','excluded','rule <1> & \"drop\"'),"
            " ('country','" NASTY_SQL "',2018,'pv','excluded','rule <1> & \"drop\"');"
            "INSERT INTO sources VALUES('src" NASTY_SQL "','declared_csv','file:///x?a=1&b=2',"
            "'<script>alert(1)</script> title','Pub & \"Co\"','CC BY 4.0',1,"
            "'2026-01-01T00:00:00Z');"
            "INSERT INTO check_results(run_id, stage, check_name, status, detail,"
            " created_at) VALUES(NULL,'clean','unmapped_labels','pass','',"
            " '2026-01-01T00:00:00Z'),(NULL,'clean','balanced','fail','<gap> & more',"
            " '2026-01-01T00:00:00Z');") ||
        publish(f))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_free(*state);
    free(*state);
    return 0;
}

/* Render the report of the release file at path into a malloc'd string. */
static char *render(const char *path, const char *prev, long long prev_id)
{
    sqlite3 *wh = NULL;
    dtp_error err;
    assert_int_equal(dtp_load_open_release(path, &wh, &err), DTP_OK);
    char *buf = NULL;
    size_t len = 0;
    FILE *mf = open_memstream(&buf, &len);
    assert_non_null(mf);
    dtp_load_report_options o;
    memset(&o, 0, sizeof o);
    o.release_path = path;
    o.prev_release_path = prev;
    o.prev_release_id = prev_id;
    dtp_status st = dtp_load_report(wh, &o, mf, &err);
    if (st != DTP_OK)
        fprintf(stderr, "report: %s\n", err.message);
    assert_int_equal(st, DTP_OK);
    assert_int_equal(fclose(mf), 0);
    sqlite3_close(wh);
    return buf;
}

typedef struct errcount {
    int errors, svg_tags;
} errcount;

static const char *const svg_names[] = {"svg", "g", "rect", "text", "line", "title", NULL};

static void on_error(void *ctx, xmlErrorPtr e)
{
    errcount *c = ctx;
    if (e->code == XML_HTML_UNKNOWN_TAG && e->str1) {
        for (const char *const *n = svg_names; *n; n++)
            if (strcmp((const char *)e->str1, *n) == 0) {
                c->svg_tags++;
                return;
            }
    }
    fprintf(stderr, "libxml2 (line %d): %s", e->line, e->message ? e->message : "?\n");
    c->errors++;
}

static htmlDocPtr parse(const char *html, errcount *c)
{
    memset(c, 0, sizeof *c);
    xmlSetStructuredErrorFunc(c, on_error);
    htmlDocPtr doc =
        htmlReadMemory(html, (int)strlen(html), "report.html", "utf-8", HTML_PARSE_NONET);
    xmlSetStructuredErrorFunc(NULL, NULL);
    assert_non_null(doc);
    return doc;
}

static int has_class(xmlNodePtr n, const char *cls)
{
    xmlChar *v = xmlGetProp(n, BAD_CAST "class");
    int yes = 0;
    if (v) {
        size_t l = strlen(cls);
        yes = strncmp((const char *)v, cls, l) == 0 && (v[l] == ' ' || v[l] == '\0');
        xmlFree(v);
    }
    return yes;
}

typedef struct walk {
    int cells;
    char **keys; /* "entity year variable" of each coverage square (the title up to ':') */
    int nkeys;
    int found_nasty_title, found_nasty_trace, found_source;
} walk;

static void visit(xmlNodePtr n, walk *w)
{
    for (; n; n = n->next) {
        if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, "rect") == 0 &&
            has_class(n, "cv")) {
            w->cells++;
            xmlChar *t = NULL;
            for (xmlNodePtr k = n->children; k; k = k->next)
                if (k->type == XML_ELEMENT_NODE && strcmp((const char *)k->name, "title") == 0)
                    t = xmlNodeGetContent(k);
            assert_non_null(t);
            /* the key ends at the first ": " after the variable */
            const char *colon = strstr((const char *)t, ": ");
            assert_non_null(colon);
            w->keys = realloc(w->keys, (size_t)(w->nkeys + 1) * sizeof *w->keys);
            w->keys[w->nkeys++] = strndup((const char *)t, (size_t)(colon - (const char *)t));
            if (strncmp((const char *)t, NASTY " 2017 pv: excluded (rule <1> & \"drop\")", 39) == 0)
                w->found_nasty_title = 1;
            if (strstr((const char *)t, "dtpanel trace 'X<&\"'\\''>' 2017 pv --panel country"))
                w->found_nasty_trace = 1;
            xmlFree(t);
        }
        if (n->type == XML_TEXT_NODE && n->content && strstr((const char *)n->content, "src" NASTY))
            w->found_source = 1;
        visit(n->children, w);
    }
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_report_parses_and_counts(void **state)
{
    fixture *f = *state;
    char *html = render(f->warehouse, NULL, 0);
    errcount c;
    htmlDocPtr doc = parse(html, &c);
    assert_int_equal(c.errors, 0);
    assert_true(c.svg_tags > 0);
    /* nothing fetched, nothing run */
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "src="));
    assert_null(strstr(html, "<link"));
    assert_null(strstr(html, "@import"));

    walk w;
    memset(&w, 0, sizeof w);
    visit(xmlDocGetRootElement(doc), &w);
    /* country: CHN, USA, NASTY x 2016-2018 x 7 variables (pv fdi iso27001 dt_exp dt_imp
     * dt_total developed); province: 11 x 2016-2018 x iso27001_listed */
    sqlite3 *wh = NULL;
    dtp_error err;
    assert_int_equal(dtp_load_open_release(f->warehouse, &wh, &err), DTP_OK);
    long long expect = fixture_int(wh, "SELECT SUM(n) FROM (SELECT COUNT(DISTINCT entity) *"
                                       " COUNT(DISTINCT year) * COUNT(DISTINCT variable) AS n FROM"
                                       " panel_cells GROUP BY panel)");
    sqlite3_close(wh);
    assert_int_equal(expect, 3 * 3 * 7 + 1 * 3 * 1);
    assert_int_equal(w.cells, expect);
    /* one square per key: no key twice */
    qsort(w.keys, (size_t)w.nkeys, sizeof *w.keys, key_cmp);
    for (int i = 1; i < w.nkeys; i++)
        assert_string_not_equal(w.keys[i - 1], w.keys[i]);
    for (int i = 0; i < w.nkeys; i++)
        free(w.keys[i]);
    free(w.keys);
    assert_true(w.found_nasty_title);
    assert_true(w.found_nasty_trace);
    assert_true(w.found_source);

    /* escaping: the raw data never appears unescaped */
    assert_null(strstr(html, NASTY));
    assert_null(strstr(html, "<script>alert"));
    assert_null(strstr(html, "rule <1>"));
    assert_non_null(strstr(html, "X&lt;&amp;&quot;&#39;&gt;"));
    assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt; title"));
    assert_non_null(strstr(html, "file:///x?a=1&amp;b=2"));
    /* the generated source is marked */
    assert_non_null(strstr(html, "generated demo data"));

    /* trace commands per row: the imputed and overridden cells */
    assert_non_null(strstr(html, "dtpanel trace CHN 2017 iso27001 --panel country"));
    assert_non_null(strstr(html, "id=\"cell-country-CHN-2017-iso27001\""));
    assert_non_null(strstr(html, "id=\"cell-country-CHN-2018-iso27001\""));
    assert_non_null(strstr(html, "dtpanel trace CHN 2018 iso27001 --panel country"));
    /* the override's citation */
    assert_non_null(strstr(html, "State Administration for Market Regulation"));
    assert_non_null(strstr(html, "href=\"https://cx.cnca.cn/\""));
    /* imputation by method and gap: the fixture's cell is linear interpolation, gap 1 (from
     * the ledger) */
    assert_non_null(strstr(html, "id=\"imp-method\""));
    assert_non_null(strstr(html, "1 year: 1 cells"));
    /* OCR: one accepted record, two confidences in the 80-90 and 90-100 bins */
    assert_non_null(strstr(html, "id=\"ocr-confidence\""));
    assert_non_null(strstr(html, "confidence 80 to 90: 1 fields"));
    assert_non_null(strstr(html, "confidence 90 to 100: 1 fields"));
    /* checks: the failed one first */
    char *fail = strstr(html, "<td class=\"fail\">fail</td>");
    char *pass = strstr(html, "<td class=\"pass\">pass</td>");
    assert_non_null(fail);
    assert_non_null(pass);
    assert_true(fail < pass);
    assert_non_null(strstr(html, "&lt;gap&gt; &amp; more"));
    assert_non_null(strstr(html, "first release: nothing to compare"));
    xmlFreeDoc(doc);
    free(html);
}

static void test_revisions(void **state)
{
    fixture *f = *state;
    /* release 2: fdi CHN 2016 revised by +50%, one cell new */
    assert_int_equal(fixture_exec(f->db, "UPDATE panel_cells SET value = value * 1.5 WHERE"
                                         " id = 200;"),
                     0);
    assert_int_equal(publish(f), 0);
    char a[400], b[400];
    snprintf(a, sizeof a, "%s/releases/1.db", f->dir);
    snprintf(b, sizeof b, "%s/releases/2.db", f->dir);
    char *html = render(b, a, 1);
    errcount c;
    htmlDocPtr doc = parse(html, &c);
    assert_int_equal(c.errors, 0);
    assert_null(strstr(html, "first release"));
    assert_non_null(strstr(html, "release 1 &rarr; release 2"));
    assert_non_null(strstr(html, "id=\"rev-largest\""));
    assert_non_null(strstr(html, "id=\"rev-country-CHN-2016-fdi\""));
    assert_non_null(strstr(html, "href=\"#rev-country-CHN-2016-fdi\""));
    assert_non_null(strstr(html, "+50.00%"));
    assert_non_null(strstr(html, "dtpanel trace CHN 2016 fdi --panel country"));
    xmlFreeDoc(doc);
    free(html);
    /* a previous release that is not kept */
    html = render(b, NULL, 1);
    assert_non_null(strstr(html, "nothing yet: previous release 1 is not kept"));
    free(html);
}

static void test_empty_sections(void **state)
{
    fixture *f = *state;
    /* a copy of the release with the OCR records, province cells, imputations, overrides and
     * check results removed */
    char copy[400];
    snprintf(copy, sizeof copy, "%s/empty.db", f->dir);
    sqlite3 *src = NULL, *dst = NULL;
    assert_int_equal(sqlite3_open_v2(f->warehouse, &src, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_open(copy, &dst), SQLITE_OK);
    sqlite3_backup *bk = sqlite3_backup_init(dst, "main", src, "main");
    assert_non_null(bk);
    assert_int_equal(sqlite3_backup_step(bk, -1), SQLITE_DONE);
    sqlite3_backup_finish(bk);
    sqlite3_close(src);
    assert_int_equal(fixture_exec(dst, "DELETE FROM cert_fields; DELETE FROM cert_events;"
                                       " DELETE FROM cert_records;"
                                       " DELETE FROM panel_cells WHERE panel = 'province'"
                                       "  OR status = 'imputed';"
                                       " DELETE FROM panel_entities WHERE panel = 'province';"
                                       " DELETE FROM panel_years WHERE panel = 'province';"
                                       " DELETE FROM overrides; DELETE FROM check_results;"),
                     0);
    sqlite3_close(dst);
    char *html = render(copy, NULL, 0);
    errcount c;
    htmlDocPtr doc = parse(html, &c);
    assert_int_equal(c.errors, 0);
    assert_non_null(strstr(html, "nothing yet: no province cells in this release"));
    assert_non_null(strstr(html, "nothing yet: no imputed cells in this release"));
    assert_non_null(strstr(html, "nothing yet: no overrides on file for this release"));
    assert_non_null(strstr(html, "nothing yet: no OCR certificate records in this release"));
    assert_non_null(strstr(html, "nothing yet: no check results recorded in this release"));
    assert_non_null(strstr(html, "first release: nothing to compare"));
    xmlFreeDoc(doc);
    free(html);
}

static void test_not_a_release(void **state)
{
    fixture *f = *state;
    /* staging has no release row: refused, nothing claimed */
    char *buf = NULL;
    size_t len = 0;
    FILE *mf = open_memstream(&buf, &len);
    dtp_error err;
    assert_int_equal(dtp_load_report(f->db, NULL, mf, &err), DTP_ERR_DB);
    fclose(mf);
    free(buf);
}

static char *escaped(const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mf = open_memstream(&buf, &len);
    dtp_load_report_escape(mf, s);
    fclose(mf);
    return buf;
}

static void test_escape(void **state)
{
    (void)state;
    struct {
        const char *in, *out;
    } cases[] = {
        {"<&\"'>", "&lt;&amp;&quot;&#39;&gt;"},
        {"plain text", "plain text"},
        {"\xe4\xb8\xad\xe5\x9b\xbd", "\xe4\xb8\xad\xe5\x9b\xbd"}, /* 中国 stays UTF-8 */
        {"a\xff"
         "b",
         "a&#xFFFD;b"},                               /* invalid byte */
        {"a\xe4\xb8", "a&#xFFFD;&#xFFFD;"},           /* cut sequence */
        {"\xc0\xaf", "&#xFFFD;&#xFFFD;"},             /* overlong */
        {"\xed\xa0\x80", "&#xFFFD;&#xFFFD;&#xFFFD;"}, /* surrogate */
        {"tab\there\x01", "tab\there&#xFFFD;"},       /* control character */
        {"\xef\xbf\xbf", "&#xFFFD;"},                 /* U+FFFF */
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = escaped(cases[i].in);
        assert_string_equal(got, cases[i].out);
        free(got);
    }
    char *got = escaped(NULL);
    assert_string_equal(got, "");
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test_setup_teardown(test_report_parses_and_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revisions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_sections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_a_release, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
