/* Data360 SDMX-CSV: the real redistribution file, hand-checked values, malformed inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "fetch/data360.h"
#include "obslog.h"
#include "testutil.h"

#define REAL "unctad/UNCTAD_DE_data360.csv"

static void real_file_counts_and_values(void **state)
{
    FILE *f = open_real(REAL);
    dtp_reader r = dtp_reader_file(f);
    obslog l = {0};
    dtp_parse_ctx pc = {.source = "unctad_data360",
                        .file = "UNCTAD_DE_data360.csv",
                        .on_obs = obslog_add,
                        .obs_ctx = &l};
    dtp_parse_stats s = {0};
    dtp_error err;
    dtp_error_clear(&err);
    dtp_status st = dtp_data360_parse(&pc, &r, &s, &err);
    fclose(f);
    if (st != DTP_OK)
        fail_msg("%s: %s", err.locator, err.message);
    /* counted with python's csv module over the same file (see tests/unit/parsers/README.md) */
    assert_int_equal(s.rows, 8156);
    assert_int_equal(s.obs, 5721);
    assert_int_equal(s.skipped, 2435);
    assert_int_equal(s.missing, 465);
    assert_int_equal(obslog_count(&l, "dt_exp", -1), 2842);
    assert_int_equal(obslog_count(&l, "dt_imp", -1), 2879);

    /* grep USA.*SERVTRADE_ANN_EXP.*,2010, -> "...,2010,329324.0,SUM,..." on line 1993 */
    const obs_copy *o = obslog_find(&l, "dt_exp", "USA", 2010);
    assert_non_null(o);
    assert_string_equal(o->value_raw, "329324.0");
    assert_true(o->has_value);
    assert_true(o->value == 329324.0);
    assert_int_equal(o->scale, 0);
    assert_string_equal(o->unit, "US$ millions");
    assert_string_equal(o->entity_raw, "United States");
    assert_string_equal(o->entity_system, "iso3");
    assert_string_equal(o->flags, "A");
    assert_string_equal(o->locator, "UNCTAD_DE_data360.csv:2718:292");

    o = obslog_find(&l, "dt_imp", "USA", 2010);
    assert_non_null(o);
    assert_string_equal(o->value_raw, "219641.0");

    o = obslog_find(&l, "dt_exp", "WLD", 2010);
    assert_non_null(o);
    assert_string_equal(o->value_raw, "1835732.0");
    assert_int_equal(o->is_aggregate, 0); /* clean decides what WLD is */
    assert_string_equal(o->locator, "UNCTAD_DE_data360.csv:2:284");

    o = obslog_find(&l, "dt_exp", "AFG", 2021);
    assert_non_null(o);
    assert_false(o->has_value);
    assert_string_equal(o->value_raw, "");
    assert_string_equal(o->flags, "O");
    assert_string_equal(o->locator, "UNCTAD_DE_data360.csv:41:290");
    obslog_free(&l);
}

static dtp_status parse_text(const char *text, dtp_parse_stats *s, dtp_error *err)
{
    dtp_mem_reader m;
    dtp_reader r = dtp_reader_mem(&m, text, strlen(text));
    dtp_parse_ctx pc = {.source = "unctad_data360", .file = "d.csv"};
    dtp_error_clear(err);
    return dtp_data360_parse(&pc, &r, s, err);
}

#define HDR "REF_AREA,REF_AREA_LABEL,INDICATOR,TIME_PERIOD,OBS_VALUE,UNIT_MULT,OBS_STATUS\n"

static void scaling_and_malformed(void **state)
{
    dtp_parse_stats s = {0};
    dtp_error err;
    obslog l = {0};
    dtp_mem_reader m;
    const char *ok = HDR "USA,United States,UNCTAD_DE_DIG_SERVTRADE_ANN_EXP,2010,329324000,3,A\n"
                         "USA,United States,UNCTAD_DE_DIG_SERVTRADE_ANN_IMP,2010,-0,6,A\n";
    dtp_reader r = dtp_reader_mem(&m, ok, strlen(ok));
    dtp_parse_ctx pc = {.source = "x", .file = "d.csv", .on_obs = obslog_add, .obs_ctx = &l};
    dtp_error_clear(&err);
    assert_int_equal(dtp_data360_parse(&pc, &r, &s, &err), DTP_OK);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.v[0].scale, -3);
    assert_true(l.v[0].value == 329324.0);
    assert_true(l.v[1].value == 0.0 && !signbit(l.v[1].value));
    obslog_free(&l);

    struct {
        const char *text;
        const char *loc;
        const char *msg;
    } bad[] = {
        {"REF_AREA,INDICATOR,TIME_PERIOD,OBS_VALUE\n", "d.csv:1:1",
         "missing column(s) REF_AREA_LABEL, UNIT_MULT, OBS_STATUS"},
        {HDR "USA,US,UNCTAD_DE_DIG_SERVTRADE_ANN_EXP,2010,\"1,234\",6,A\n", "d.csv:2:45",
         "thousands separator"},
        {HDR "USA,US,UNCTAD_DE_DIG_SERVTRADE_ANN_EXP,2010,nan,6,A\n", "d.csv:2:45", "not a number"},
        {HDR "USA,US,UNCTAD_DE_DIG_SERVTRADE_ANN_EXP,2010,1e999,6,A\n", "d.csv:2:45",
         "out of range"},
        {HDR "USA,US,UNCTAD_DE_DIG_SERVTRADE_ANN_EXP,2010, 12,6,A\n", "d.csv:2:45", "not a number"},
        {HDR "USA,US,UNCTAD_DE_DIG_SERVTRADE_ANN_EXP,10,12,6,A\n", "d.csv:2:40", "not a year"},
        {HDR "USA,US,UNCTAD_DE_DIG_SERVTRADE_ANN_EXP,2010,12,x,A\n", "d.csv:2:48", "UNIT_MULT"},
        {HDR "USA,US,UNCTAD_DE_DIG_SERVTRADE_ANN_EXP,2010,12,6\n", "d.csv:2:1", "row has 6 fields"},
        {HDR "USA,US,UNCTAD_DE_DIG_SERVTRADE_ANN_EXP,2010,\"12,6,A\n", "d.csv:2:45", "not closed"},
        {"", "d.csv", "empty file"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dtp_status st = parse_text(bad[i].text, &s, &err);
        if (st != DTP_ERR_PARSE || strcmp(err.locator, bad[i].loc) != 0 ||
            !strstr(err.message, bad[i].msg))
            fail_msg("case %zu: status %d %s: %s", i, st, err.locator, err.message);
        assert_string_equal(err.source, "unctad_data360");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(real_file_counts_and_values),
        cmocka_unit_test(scaling_and_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
