/* UNCTADstat bulk 7z: the generated archive against its golden observations, and refusals
 * (truncated archive, wrong or extra entries, unexpected headers, bad cells). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fetch/unctad.h"
#include "obslog.h"
#include "testutil.h"

#define DIR "unctad_bulk/"

static dtp_status parse_7z_bytes(const char *p, size_t n, obslog *l, dtp_parse_stats *s,
                                 dtp_error *err)
{
    dtp_mem_reader m;
    dtp_reader r = dtp_reader_mem(&m, p, n);
    dtp_parse_ctx pc = {.source = "unctad",
                        .file = "US_DigitallyDeliverableServices.csv.7z",
                        .on_obs = l ? obslog_add : NULL,
                        .obs_ctx = l};
    dtp_error_clear(err);
    return dtp_unctad_parse_7z(&pc, &r, NULL, s, err);
}

static void golden(void **state)
{
    size_t n, en;
    char *bytes = slurp_fixture(DIR "US_DigitallyDeliverableServices.csv.7z", &n);
    char *expect = slurp_fixture(DIR "expected.csv", &en);
    obslog l = {0};
    dtp_parse_stats s = {0};
    dtp_error err;
    dtp_status st = parse_7z_bytes(bytes, n, &l, &s, &err);
    if (st != DTP_OK)
        fail_msg("%s: %s", err.locator, err.message);
    char *got = NULL;
    size_t gl = 0;
    FILE *mf = open_memstream(&got, &gl);
    obslog_write(&l, mf);
    fclose(mf);
    assert_string_equal(got, expect);
    assert_int_equal(s.rows, 30);
    assert_int_equal(s.obs, 30);
    assert_int_equal(s.missing, 2);
    assert_int_equal(s.aggregates, 6);
    /* hand-checked against the CSV text: line 3 is `2021,076,"Brazil",02,"Exports",1212.002,...` */
    const obs_copy *o = obslog_find(&l, "dt_exp", "076", 2021);
    assert_non_null(o);
    assert_true(o->value == 1212.002);
    assert_string_equal(o->locator, "US_DigitallyDeliverableServices.csv:3:32");
    o = obslog_find(&l, "dt_imp", "384", 2021);
    assert_false(o->has_value);
    assert_string_equal(o->flags, "No value reported or collected");
    o = obslog_find(&l, "dt_exp", "0000", 2022);
    assert_true(o->is_aggregate);
    assert_string_equal(o->entity_raw, "World");
    free(got);
    obslog_free(&l);

    /* all measures: four per row, percentages with variable NULL */
    dtp_mem_reader m;
    dtp_reader r = dtp_reader_mem(&m, bytes, n);
    dtp_parse_ctx pc = {.source = "unctad", .file = "x.7z"};
    dtp_unctad_opts opts = {.all_measures = 1};
    dtp_parse_stats s2 = {0};
    assert_int_equal(dtp_unctad_parse_7z(&pc, &r, &opts, &s2, &err), DTP_OK);
    assert_int_equal(s2.obs, 120);
    free(bytes);
    free(expect);
}

/* The bare CSV through short reads of 1, 2, 3 and 7 bytes gives the same golden; a read error at
 * any point is an I/O error, never a silently shorter result. */
static void short_reads_and_read_errors(void **state)
{
    size_t n, en;
    char *csv = slurp_fixture(DIR "US_DigitallyDeliverableServices.csv", &n);
    char *expect = slurp_fixture(DIR "expected.csv", &en);
    const size_t steps[] = {1, 2, 3, 7};
    for (size_t k = 0; k < 4; k++) {
        trickle t;
        dtp_reader r = trickle_reader(&t, csv, n, steps[k], 0);
        obslog l = {0};
        dtp_parse_ctx pc = {.source = "unctad",
                            .file = "US_DigitallyDeliverableServices.csv",
                            .on_obs = obslog_add,
                            .obs_ctx = &l};
        dtp_error err;
        dtp_error_clear(&err);
        assert_int_equal(dtp_unctad_parse_csv(&pc, &r, NULL, NULL, &err), DTP_OK);
        char *got = NULL;
        size_t gl = 0;
        FILE *mf = open_memstream(&got, &gl);
        obslog_write(&l, mf);
        fclose(mf);
        assert_string_equal(got, expect);
        free(got);
        obslog_free(&l);
    }
    for (size_t fail = 1; fail < n; fail += 97) {
        trickle t;
        dtp_reader r = trickle_reader(&t, csv, n, 64, fail);
        dtp_parse_ctx pc = {.source = "unctad", .file = "u.csv"};
        dtp_error err;
        dtp_error_clear(&err);
        assert_int_equal(dtp_unctad_parse_csv(&pc, &r, NULL, NULL, &err), DTP_ERR_IO);
        assert_string_equal(err.locator, "u.csv");
        assert_string_equal(err.source, "unctad");
    }
    free(csv);
    free(expect);
}

static dtp_status refuse_third(void *ctx, const dtp_obs *o, dtp_error *err)
{
    int *n = ctx;
    if (++*n == 3)
        return dtp_error_set(err, DTP_ERR_DB, "fetch", "staging full");
    return DTP_OK;
}

static void callback_failure_stops_with_its_status(void **state)
{
    size_t n;
    char *csv = slurp_fixture(DIR "US_DigitallyDeliverableServices.csv", &n);
    dtp_mem_reader m;
    dtp_reader r = dtp_reader_mem(&m, csv, n);
    int calls = 0;
    dtp_parse_ctx pc = {.source = "unctad",
                        .file = "US_DigitallyDeliverableServices.csv",
                        .on_obs = refuse_third,
                        .obs_ctx = &calls};
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_unctad_parse_csv(&pc, &r, NULL, NULL, &err), DTP_ERR_DB);
    assert_int_equal(calls, 3);
    assert_string_equal(err.message, "staging full");
    assert_string_equal(err.locator, "US_DigitallyDeliverableServices.csv:4:46");
    assert_string_equal(err.source, "unctad");
    free(csv);
}

static void truncated_archive_every_length(void **state)
{
    size_t n;
    char *bytes = slurp_fixture(DIR "US_DigitallyDeliverableServices.csv.7z", &n);
    dtp_error err;
    for (size_t cut = 0; cut < n; cut++) {
        dtp_parse_stats s = {0};
        dtp_status st = parse_7z_bytes(bytes, cut, NULL, &s, &err);
        if (st == DTP_OK)
            fail_msg("truncated at %zu of %zu accepted", cut, n);
        assert_string_equal(err.source, "unctad");
        assert_true(err.message[0] != '\0');
    }
    free(bytes);
}

static void wrong_entries(void **state)
{
    size_t n;
    dtp_error err;
    char *b = slurp_fixture(DIR "two_entries.7z", &n);
    assert_int_equal(parse_7z_bytes(b, n, NULL, NULL, &err), DTP_ERR_PARSE);
    assert_non_null(strstr(err.message, "unexpected second entry \"README.txt\""));
    free(b);
    b = slurp_fixture(DIR "wrong_name.7z", &n);
    assert_int_equal(parse_7z_bytes(b, n, NULL, NULL, &err), DTP_ERR_PARSE);
    assert_non_null(
        strstr(err.message, "unexpected entry \"US_DigitallyDeliverableServices_v2.csv\""));
    free(b);
    /* a zip or plain CSV is not a 7z */
    b = slurp_fixture(DIR "US_DigitallyDeliverableServices.csv", &n);
    assert_int_equal(parse_7z_bytes(b, n, NULL, NULL, &err), DTP_ERR_PARSE);
    assert_non_null(strstr(err.message, "not a readable 7z archive"));
    free(b);
}

static dtp_status parse_csv_text(const char *text, dtp_error *err)
{
    dtp_mem_reader m;
    dtp_reader r = dtp_reader_mem(&m, text, strlen(text));
    dtp_parse_ctx pc = {.source = "unctad", .file = "u.csv"};
    dtp_error_clear(err);
    return dtp_unctad_parse_csv(&pc, &r, NULL, NULL, err);
}

#define M "US$ at current prices in millions"
#define HDR "Year,Economy,Economy Label,Flow,Flow Label," M "," M " Footnote," M " Missing value\n"

static void header_and_cells(void **state)
{
    dtp_error err;
    assert_int_equal(parse_csv_text(HDR "2020,076,\"Brazil\",02,\"Exports\",1.5,,\n", &err),
                     DTP_OK);
    /* Year may come with a label column too */
    assert_int_equal(parse_csv_text("Year,Year Label,Economy,Economy Label,Flow,Flow Label," M "," M
                                    " Footnote," M " Missing value\n"
                                    "2020,\"2020\",076,\"Brazil\",02,\"Exports\",1.5,,\n",
                                    &err),
                     DTP_OK);
    struct {
        const char *text;
        dtp_status st;
        const char *loc, *msg;
    } bad[] = {
        {"Year,Economy,Economy Label,Flow,Flow Label,Number of products,Number of products "
         "Footnote,Number of products Missing value\n",
         DTP_ERR_PARSE, "u.csv:1:1", "no \"US$ at current prices in millions\" measure"},
        {"Year,Economy,Flow,Flow Label," M "," M " Footnote," M " Missing value\n", DTP_ERR_PARSE,
         "u.csv:1:6", "neither a dimension pair nor a measure triple"},
        {"Year,Economy,Economy Label,Flow,Flow Label," M "," M " Footnote\n", DTP_ERR_PARSE,
         "u.csv:1:44", "expected Year, Economy, Economy Label"},
        {"Year,Economy,Economy Label,Partner,Partner Label,Flow,Flow Label," M "," M " Footnote," M
         " Missing value\n",
         DTP_ERR_PARSE, "u.csv:1:28", "unknown dimension"},
        {"Year,Economy,Economy Label,Flow,Flow Label,Category,Category Label," M "," M
         " Footnote," M " Missing value\n",
         DTP_ERR_UNSUPPORTED, "u.csv:1:44", "Category dimension"},
        {HDR "2020,76,\"Brazil\",02,\"Exports\",1.5,,\n", DTP_ERR_PARSE, "u.csv:2:6", "M49 code"},
        {HDR "2020,076,\"Brazil\",03,\"Re-exports\",1.5,,\n", DTP_ERR_PARSE, "u.csv:2:19",
         "Flow \"03\""},
        {HDR "2020,076,\"Brazil\",02,\"Exports\",\"1,5\",,\n", DTP_ERR_PARSE, "u.csv:2:32",
         "thousands separator"},
        {HDR "2020,076,\"Brazil\",02,\"Exports\",inf,,\n", DTP_ERR_PARSE, "u.csv:2:32",
         "not a number"},
        {HDR "20x0,076,\"Brazil\",02,\"Exports\",1,,\n", DTP_ERR_PARSE, "u.csv:2:1", "not a year"},
        {HDR "2020,076,\"Brazil\",02,\"Exports\",1,\n", DTP_ERR_PARSE, "u.csv:2:1",
         "row has 7 fields"},
        {HDR "2020,076,\"Bra\"zil\",02,\"Exports\",1,,\n", DTP_ERR_PARSE, "u.csv:2:15",
         "malformed quoting"},
        {"", DTP_ERR_PARSE, "u.csv", "empty file"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dtp_status st = parse_csv_text(bad[i].text, &err);
        if (st != bad[i].st || strcmp(err.locator, bad[i].loc) != 0 ||
            !strstr(err.message, bad[i].msg))
            fail_msg("case %zu: status %d %s: %s", i, st, err.locator, err.message);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(golden),
        cmocka_unit_test(short_reads_and_read_errors),
        cmocka_unit_test(callback_failure_stops_with_its_status),
        cmocka_unit_test(truncated_archive_every_length),
        cmocka_unit_test(wrong_entries),
        cmocka_unit_test(header_and_cells),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
