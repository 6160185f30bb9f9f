/* Declared CSV: the real ITU/OWID file read with configuration only; options and refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fetch/declared_csv.h"
#include "obslog.h"
#include "testutil.h"

#define ITU "owid_population-covered-by-mobile-network-by-network-capability.csv"

static const dtp_declared_csv_cfg ITU_CFG = {
    .entity_col = "Entity",
    .code_col = "Code",
    .code_system = "iso3",
    .year_col = "Year",
    .value_col = "_9_c_1__it_mob_3gntwk",
    .indicator = "IT_MOB_3GNTWK",
    .variable = "infra",
    .unit = "%",
    .aggregate_prefix = "OWID_",
};

static void itu_real(void **state)
{
    FILE *f = open_real("itu/" ITU);
    dtp_reader r = dtp_reader_file(f);
    obslog l = {0};
    dtp_parse_ctx pc = {.source = "itu", .file = ITU, .on_obs = obslog_add, .obs_ctx = &l};
    dtp_parse_stats s = {0};
    dtp_error err;
    dtp_error_clear(&err);
    dtp_status st = dtp_declared_csv_parse(&pc, &ITU_CFG, &r, &s, &err);
    fclose(f);
    if (st != DTP_OK)
        fail_msg("%s: %s", err.locator, err.message);
    /* counted with python's csv module over the same file */
    assert_int_equal(s.rows, 3899);
    assert_int_equal(s.obs, 2582);
    assert_int_equal(s.skipped, 3899 - 2582);
    assert_int_equal(s.missing, 0);
    assert_int_equal(s.aggregates, 126 + 14); /* empty Code rows + OWID_WRL */
    const obs_copy *o = obslog_find(&l, "infra", "AFG", 2017);
    assert_string_equal(o->value_raw, "46");
    assert_true(o->value == 46.0);
    assert_string_equal(o->unit, "%");
    assert_string_equal(o->indicator, "IT_MOB_3GNTWK");
    assert_string_equal(o->locator, ITU ":5:24");
    o = obslog_find(&l, "infra", "DEU", 2020);
    assert_string_equal(o->value_raw, "99.64");
    assert_string_equal(o->locator, ITU ":1374:24");
    o = obslog_find(&l, "infra", "IND", 2019);
    assert_string_equal(o->value_raw, "98.15");
    assert_string_equal(o->locator, ITU ":1633:22");
    o = obslog_find(&l, "infra", "OWID_WRL", 2023);
    assert_string_equal(o->value_raw, "95");
    assert_true(o->is_aggregate);
    assert_string_equal(o->locator, ITU ":3837:26");
    /* a region without a code */
    for (size_t i = 0; i < l.n; i++)
        if (strcmp(l.v[i].entity_raw, "Sub-Saharan Africa (UN)") == 0 && l.v[i].year == 2020) {
            o = &l.v[i];
            break;
        }
    assert_string_equal(o->entity_raw, "Sub-Saharan Africa (UN)");
    assert_null(o->entity_code);
    assert_string_equal(o->entity_system, "name");
    assert_true(o->is_aggregate);
    assert_string_equal(o->value_raw, "75.64");
    assert_string_equal(o->locator, ITU ":3347:37");
    obslog_free(&l);
}

static dtp_status parse_text(const char *text, const dtp_declared_csv_cfg *cfg, obslog *l,
                             dtp_parse_stats *s, dtp_error *err)
{
    dtp_mem_reader m;
    dtp_reader r = dtp_reader_mem(&m, text, strlen(text));
    dtp_parse_ctx pc = {
        .source = "decl", .file = "d.csv", .on_obs = l ? obslog_add : NULL, .obs_ctx = l};
    dtp_error_clear(err);
    return dtp_declared_csv_parse(&pc, cfg, &r, s, err);
}

static void options(void **state)
{
    dtp_error err;
    obslog l = {0};
    dtp_parse_stats s = {0};
    /* semicolon, a title line above the header, m49 codes, thousands opted in, scale, missing */
    dtp_declared_csv_cfg c = {.delim = ';',
                              .header_row = 2,
                              .entity_col = "Country",
                              .code_col = "M49",
                              .code_system = "m49",
                              .year_col = "Year",
                              .value_col = "Certificates",
                              .variable = "iso27001",
                              .unit = "count",
                              .scale = 3,
                              .allow_thousands = 1,
                              .emit_missing = 1,
                              .empty_code = DTP_DECL_EMPTY_CODE_SKIP};
    const char *text = "Title of the table;;;\n"
                       "Country;M49;Year;Certificates\n"
                       "Brazil;076;2020;\"1,234\"\n"
                       "World;;2020;5\n"
                       "China;156;2021;\n";
    assert_int_equal(parse_text(text, &c, &l, &s, &err), DTP_OK);
    assert_int_equal(l.n, 2);
    assert_true(l.v[0].value == 1234000.0);
    assert_int_equal(l.v[0].scale, 3);
    assert_string_equal(l.v[0].entity_system, "m49");
    assert_string_equal(l.v[0].indicator, "Certificates");
    assert_false(l.v[1].has_value);
    assert_int_equal(s.skipped, 1);
    obslog_free(&l);

    /* without the opt-in the same cell is an error naming it */
    c.allow_thousands = 0;
    assert_int_equal(parse_text(text, &c, NULL, NULL, &err), DTP_ERR_PARSE);
    assert_string_equal(err.locator, "d.csv:3:17");
    assert_non_null(strstr(err.message, "thousands separator"));
    c.allow_thousands = 1;
    c.empty_code = DTP_DECL_EMPTY_CODE_ERROR;
    assert_int_equal(parse_text(text, &c, NULL, NULL, &err), DTP_ERR_PARSE);
    assert_string_equal(err.locator, "d.csv:4:7");
}

static void refusals(void **state)
{
    dtp_error err;
    dtp_declared_csv_cfg c = ITU_CFG;
    /* the real header without the declared value column */
    assert_int_equal(
        parse_text("Entity,Code,Year,_9_c_1__it_mob_4gntwk\nA,AAA,2020,1\n", &c, NULL, NULL, &err),
        DTP_ERR_PARSE);
    assert_string_equal(err.locator, "d.csv:1:1");
    assert_non_null(strstr(err.message, "found Entity, Code, Year, _9_c_1__it_mob_4gntwk"));
    struct {
        const char *text, *loc, *msg;
    } bad[] = {
        {"Entity,Code,Year,_9_c_1__it_mob_3gntwk\nA,AAA,2020,NaN\n", "d.csv:2:12", "not a number"},
        {"Entity,Code,Year,_9_c_1__it_mob_3gntwk\nA,AAA,2020,1e999\n", "d.csv:2:12",
         "out of range"},
        {"Entity,Code,Year,_9_c_1__it_mob_3gntwk\nA,AAA,20x0,1\n", "d.csv:2:7", "not a year"},
        {"Entity,Code,Year,_9_c_1__it_mob_3gntwk\nA,AAA,2020\n", "d.csv:2:1", "row has 3 fields"},
        {"Entity,Code,Year,_9_c_1__it_mob_3gntwk\nA,A\0A,2020,1\n", "d.csv:2:4", "nul byte"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t len = strlen(bad[i].text);
        if (i == 4)
            len = 52; /* the text holds a NUL */
        dtp_mem_reader m;
        dtp_reader r = dtp_reader_mem(&m, bad[i].text, len);
        dtp_parse_ctx pc = {.source = "decl", .file = "d.csv"};
        dtp_error_clear(&err);
        dtp_status st = dtp_declared_csv_parse(&pc, &c, &r, NULL, &err);
        if (st != DTP_ERR_PARSE || strcmp(err.locator, bad[i].loc) != 0 ||
            !strstr(err.message, bad[i].msg))
            fail_msg("case %zu: status %d %s: %s", i, st, err.locator, err.message);
    }
    dtp_declared_csv_cfg nocol = {.entity_col = "Entity", .code_system = "iso3"};
    assert_int_equal(parse_text("a\n", &nocol, NULL, NULL, &err), DTP_ERR_CONFIG);
    dtp_declared_csv_cfg badsys = ITU_CFG;
    badsys.code_system = "iso2";
    assert_int_equal(parse_text("a\n", &badsys, NULL, NULL, &err), DTP_ERR_CONFIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(itu_real),
        cmocka_unit_test(options),
        cmocka_unit_test(refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
