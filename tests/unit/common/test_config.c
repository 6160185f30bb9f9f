#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/config.h"

static void defaults_come_from_the_table(void **state)
{
    dtp_config *c = dtp_config_new();
    assert_non_null(c);
    assert_string_equal(dtp_config_get(c, "panel", "years"), "2016-2023");
    assert_string_equal(dtp_config_origin(c, "panel", "years"), "default");
    int y0, y1;
    assert_int_equal(dtp_config_years(c, "panel", "years", &y0, &y1), 0);
    assert_int_equal(y0, 2016);
    assert_int_equal(y1, 2023);
    assert_true(dtp_config_double(c, "clean", "drop_if_missing_share") == 0.5);
    dtp_config_free(c);
}

static void precedence_default_file_set(void **state)
{
    dtp_config *c = dtp_config_new();
    dtp_error err;
    dtp_error_clear(&err);
    const char *text = "[panel]\nyears = 2017-2022\n[clean]\nmax_gap = 3\n";
    assert_int_equal(dtp_config_load_string(c, text, "test.conf", &err), DTP_OK);
    assert_string_equal(dtp_config_get(c, "panel", "years"), "2017-2022");
    assert_string_equal(dtp_config_origin(c, "panel", "years"), "test.conf:2");
    assert_int_equal(dtp_config_int(c, "clean", "max_gap"), 3);
    assert_string_equal(dtp_config_origin(c, "clean", "max_gap"), "test.conf:4");
    assert_int_equal(dtp_config_set_arg(c, "panel.years=2018-2019", &err), DTP_OK);
    assert_string_equal(dtp_config_get(c, "panel", "years"), "2018-2019");
    assert_string_equal(dtp_config_origin(c, "panel", "years"), "--set");
    /* untouched keys keep their defaults */
    assert_string_equal(dtp_config_origin(c, "clean", "extrapolate"), "default");
    dtp_config_free(c);
}

static void unknown_key_rejected_with_file_line(void **state)
{
    dtp_config *c = dtp_config_new();
    dtp_error err;
    dtp_error_clear(&err);
    const char *text = "[panel]\nyears = 2016-2023\n\n[clean]\nmax_gapp = 3\n";
    assert_int_equal(dtp_config_load_string(c, text, "p.conf", &err), DTP_ERR_CONFIG);
    assert_string_equal(err.locator, "p.conf:5");
    assert_non_null(strstr(err.message, "unknown key 'max_gapp'"));
    dtp_config_free(c);
}

static void unknown_section_rejected(void **state)
{
    dtp_config *c = dtp_config_new();
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_config_load_string(c, "[pannel]\nyears = 2016\n", "p.conf", &err),
                     DTP_ERR_CONFIG);
    assert_string_equal(err.locator, "p.conf:2");
    assert_non_null(strstr(err.message, "unknown section [pannel]"));
    dtp_config_free(c);
}

static void bad_values_rejected_with_file_line(void **state)
{
    struct {
        const char *text;
        const char *locator;
        const char *needle;
    } cases[] = {
        {"[panel]\nyears = 2023-2016\n", "c.conf:2", "year range"},
        {"[clean]\nmax_gap = two\n", "c.conf:2", "whole number"},
        {"[clean]\nmax_gap = 1000\n", "c.conf:2", "from 0 to 100"},
        {"[clean]\ndrop_if_missing_share = 1.5\n", "c.conf:2", "number from 0 to 1"},
        {"[clean]\nextrapolate = maybe\n", "c.conf:2", "yes or no"},
        {"[panel]\ntotal_definition = product\n", "c.conf:2", "one of sum|log_sum"},
        {"[source.itu]\nurl = ftp://example.org/x.csv\n", "c.conf:2", "file:// URL"},
        {"[source.Bad-Name]\nurl = file:///x\n", "c.conf:2", "source name"},
        {"years = 2016\n", "c.conf:1", "outside any [section]"},
        {"[panel]\nthis line has no equals sign\n", "c.conf:2", "key = value"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        dtp_config *c = dtp_config_new();
        dtp_error err;
        dtp_error_clear(&err);
        dtp_status st = dtp_config_load_string(c, cases[i].text, "c.conf", &err);
        if (st != DTP_ERR_CONFIG || strcmp(err.locator, cases[i].locator) != 0 ||
            !strstr(err.message, cases[i].needle))
            fail_msg("case %zu: status %d locator '%s' message '%s'", i, st, err.locator,
                     err.message);
        dtp_config_free(c);
    }
}

static void set_arg_shapes(void **state)
{
    dtp_config *c = dtp_config_new();
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_config_set_arg(c, "panelyears", &err), DTP_ERR_USAGE);
    assert_int_equal(dtp_config_set_arg(c, "panel.years", &err), DTP_ERR_USAGE);
    assert_int_equal(dtp_config_set_arg(c, "panel.nope=1", &err), DTP_ERR_CONFIG);
    /* a source section name contains a dot: the key is after the last dot before '=' */
    assert_int_equal(dtp_config_set_arg(c, "source.itu.url=file:///tmp/x.csv", &err), DTP_OK);
    assert_string_equal(dtp_config_get(c, "source.itu", "url"), "file:///tmp/x.csv");
    /* a value may contain dots and '=' */
    assert_int_equal(dtp_config_set_arg(c, "source.itu.url=https://a.example/x?y=1.2", &err),
                     DTP_OK);
    assert_string_equal(dtp_config_get(c, "source.itu", "url"), "https://a.example/x?y=1.2");
    dtp_config_free(c);
}

static void sources_listed_in_file_order_with_defaults(void **state)
{
    dtp_config *c = dtp_config_new();
    dtp_error err;
    dtp_error_clear(&err);
    const char *text = "[source.unctad]\nkind = unctad\n[source.itu]\nkind = declared_csv\n";
    assert_int_equal(dtp_config_load_string(c, text, "s.conf", &err), DTP_OK);
    size_t n;
    const char *const *names = dtp_config_sources(c, &n);
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "unctad");
    assert_string_equal(names[1], "itu");
    assert_string_equal(dtp_config_get(c, "source.itu", "enabled"), "yes");
    assert_int_equal(dtp_config_bool(c, "source.itu", "enabled"), 1);
    dtp_config_free(c);
}

static void visit_secret(void *ctx, const char *section, const char *key, const char *value,
                         const char *origin, const char *help)
{
    if (strcmp(key, "client_secret") == 0)
        *(int *)ctx += strcmp(value, "(set)") == 0 ? 1 : 100;
    if (strstr(value, "hunter2"))
        *(int *)ctx += 1000;
}

static void secrets_never_shown_or_hashed_in_clear(void **state)
{
    dtp_config *a = dtp_config_new(), *b = dtp_config_new();
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_config_set_arg(a, "source.unctad.client_secret=hunter2", &err), DTP_OK);
    assert_int_equal(dtp_config_set_arg(b, "source.unctad.client_secret=other", &err), DTP_OK);
    int seen = 0;
    dtp_config_each(a, visit_secret, &seen);
    assert_int_equal(seen, 1);
    char ha[65], hb[65];
    assert_int_equal(dtp_config_hash(a, ha), DTP_OK);
    assert_int_equal(dtp_config_hash(b, hb), DTP_OK);
    assert_string_equal(ha, hb);
    /* the real value is still there for the adapter that needs it */
    assert_string_equal(dtp_config_get(a, "source.unctad", "client_secret"), "hunter2");
    dtp_config_free(a);
    dtp_config_free(b);
}

static void long_line_rejected(void **state)
{
    char text[1200];
    int n = snprintf(text, sizeof text, "[source.x]\nurl = file:///");
    memset(text + n, 'a', 600);
    text[n + 600] = '\n';
    text[n + 601] = '\0';
    dtp_config *c = dtp_config_new();
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_config_load_string(c, text, "l.conf", &err), DTP_ERR_CONFIG);
    assert_string_equal(err.locator, "l.conf:2");
    dtp_config_free(c);
}

static void file_missing_is_io_error(void **state)
{
    dtp_config *c = dtp_config_new();
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_config_load_file(c, "/nonexistent/pipeline.conf", &err), DTP_ERR_IO);
    assert_string_equal(err.locator, "/nonexistent/pipeline.conf");
    dtp_config_free(c);
}

static void shipped_pipeline_conf_loads(void **state)
{
    const char *src = getenv("DTP_SOURCE_DIR");
    assert_non_null(src);
    char path[4096];
    snprintf(path, sizeof path, "%s/pipeline.conf", src);
    dtp_config *c = dtp_config_new();
    dtp_error err;
    dtp_error_clear(&err);
    dtp_status st = dtp_config_load_file(c, path, &err);
    if (st != DTP_OK)
        fail_msg("%s: %s", err.locator, err.message);
    size_t n;
    dtp_config_sources(c, &n);
    assert_true(n >= 5);
    dtp_config_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_come_from_the_table),
        cmocka_unit_test(precedence_default_file_set),
        cmocka_unit_test(unknown_key_rejected_with_file_line),
        cmocka_unit_test(unknown_section_rejected),
        cmocka_unit_test(bad_values_rejected_with_file_line),
        cmocka_unit_test(set_arg_shapes),
        cmocka_unit_test(sources_listed_in_file_order_with_defaults),
        cmocka_unit_test(secrets_never_shown_or_hashed_in_clear),
        cmocka_unit_test(long_line_rejected),
        cmocka_unit_test(file_missing_is_io_error),
        cmocka_unit_test(shipped_pipeline_conf_loads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
