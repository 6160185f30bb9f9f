/* Crosswalk: codes, aliases, normalised names, aggregates, the traps that must never be crossed,
 * and every label of the real recorded fixtures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "clean/crosswalk.h"
#include "clean/csvtable.h"
#include "test_util.h"

static dtp_xw *xw;

static int setup(void **state)
{
    char iso[1024], m49[1024], al[1024], ag[1024], ig[1024];
    dtp_xw_paths p = {"/usr/share/iso-codes/json/iso_3166-1.json",
                      NULL,
                      repo_path("data/reference/unsd_m49_overview.csv", m49, sizeof m49),
                      repo_path("data/country_aliases.csv", al, sizeof al),
                      repo_path("data/aggregates.csv", ag, sizeof ag),
                      repo_path("data/ignore_labels.csv", ig, sizeof ig)};
    (void)iso;
    dtp_error err;
    dtp_error_clear(&err);
    dtp_status st = dtp_xw_open(&p, &xw, &err);
    if (st != DTP_OK) {
        char line[2048];
        fprintf(stderr, "%s\n", dtp_error_format(&err, line, sizeof line));
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    dtp_xw_free(xw);
    return 0;
}

#define ASSERT_COUNTRY(res, code, rulev)                                                           \
    do {                                                                                           \
        dtp_xw_result r_ = (res);                                                                  \
        assert_int_equal(r_.kind, DTP_XW_COUNTRY);                                                 \
        assert_string_equal(r_.iso3, code);                                                        \
        assert_int_equal(r_.rule, rulev);                                                          \
    } while (0)

static void normalise_rules(void **state)
{
    char out[256];
    assert_string_equal(dtp_xw_normalise("Côte D'Ivoire", out, sizeof out), "cote d ivoire");
    assert_string_equal(dtp_xw_normalise("Côte d\xe2\x80\x99Ivoire", out, sizeof out),
                        "cote d ivoire");
    assert_string_equal(dtp_xw_normalise("  Bahamas, The ", out, sizeof out), "bahamas");
    assert_string_equal(dtp_xw_normalise("Trinidad & Tobago", out, sizeof out),
                        "trinidad and tobago");
    assert_string_equal(dtp_xw_normalise("Türkiye", out, sizeof out), "turkiye");
    assert_string_equal(dtp_xw_normalise("Curaçao", out, sizeof out), "curacao");
    assert_string_equal(dtp_xw_normalise("Åland Islands", out, sizeof out), "aland islands");
    assert_string_equal(dtp_xw_normalise("Réunion", out, sizeof out), "reunion");
    assert_string_equal(dtp_xw_normalise("Saint Barthélemy", out, sizeof out), "saint barthelemy");
    assert_string_equal(dtp_xw_normalise("THE the Other", out, sizeof out), "other");
    assert_string_equal(dtp_xw_normalise("中国", out, sizeof out), "中国");
    assert_string_equal(dtp_xw_normalise("", out, sizeof out), "");
    /* truncation is safe */
    char small[4];
    assert_string_equal(dtp_xw_normalise("abcdef", small, sizeof small), "abc");
}

static void codes_in_each_system(void **state)
{
    ASSERT_COUNTRY(dtp_xw_code(xw, DTP_XW_ISO3, "BRA"), "BRA", DTP_XW_RULE_CODE);
    ASSERT_COUNTRY(dtp_xw_code(xw, DTP_XW_ISO2, "BR"), "BRA", DTP_XW_RULE_CODE);
    ASSERT_COUNTRY(dtp_xw_code(xw, DTP_XW_M49, "076"), "BRA", DTP_XW_RULE_CODE);
    ASSERT_COUNTRY(dtp_xw_code(xw, DTP_XW_M49, "76"), "BRA", DTP_XW_RULE_CODE);
    ASSERT_COUNTRY(dtp_xw_code(xw, DTP_XW_M49, " 840 "), "USA", DTP_XW_RULE_CODE);
    ASSERT_COUNTRY(dtp_xw_code(xw, DTP_XW_WB_CODE, "CHN"), "CHN", DTP_XW_RULE_CODE);
    ASSERT_COUNTRY(dtp_xw_code(xw, DTP_XW_OWID_CODE, "DEU"), "DEU", DTP_XW_RULE_CODE);
    dtp_xw_result r = dtp_xw_code(xw, DTP_XW_ISO3, "CHN");
    assert_string_equal(r.iso2, "CN");
    assert_string_equal(r.numeric, "156");
    assert_string_equal(r.name, "China");
    assert_non_null(strstr(r.version, "iso-codes "));
    assert_non_null(strstr(r.version, "aliases sha256:"));
    /* Taiwan is not in the UNSD M49 table; its ISO numeric 158 answers, flagged. */
    r = dtp_xw_code(xw, DTP_XW_M49, "158");
    assert_int_equal(r.kind, DTP_XW_COUNTRY);
    assert_string_equal(r.iso3, "TWN");
    assert_true(r.flags & DTP_XW_FLAG_ISO_NUMERIC);
    /* unknown or malformed codes */
    assert_int_equal(dtp_xw_code(xw, DTP_XW_ISO3, "ZZZ").kind, DTP_XW_UNMAPPED);
    assert_int_equal(dtp_xw_code(xw, DTP_XW_ISO3, "").kind, DTP_XW_UNMAPPED);
    assert_int_equal(dtp_xw_code(xw, DTP_XW_M49, "7a").kind, DTP_XW_UNMAPPED);
    assert_int_equal(dtp_xw_code(xw, DTP_XW_M49, "99999").kind, DTP_XW_UNMAPPED);
    /* Sark: in M49 (680) with no ISO code */
    assert_int_equal(dtp_xw_code(xw, DTP_XW_M49, "680").kind, DTP_XW_IGNORED);
}

static void aggregates_are_never_countries(void **state)
{
    dtp_xw_result r = dtp_xw_code(xw, DTP_XW_M49, "0000");
    assert_int_equal(r.kind, DTP_XW_AGGREGATE);
    assert_int_equal(dtp_xw_code(xw, DTP_XW_M49, "1500").kind, DTP_XW_AGGREGATE);
    r = dtp_xw_code(xw, DTP_XW_M49, "001");
    assert_int_equal(r.kind, DTP_XW_AGGREGATE);
    assert_string_equal(r.name, "World");
    assert_int_equal(dtp_xw_code(xw, DTP_XW_M49, "150").kind, DTP_XW_AGGREGATE); /* Europe */
    assert_int_equal(dtp_xw_code(xw, DTP_XW_M49, "530").kind, DTP_XW_AGGREGATE); /* Antilles */
    r = dtp_xw_code(xw, DTP_XW_WB_CODE, "WLD");
    assert_int_equal(r.kind, DTP_XW_AGGREGATE);
    assert_string_equal(r.iso3, "WLD");
    assert_int_equal(dtp_xw_code(xw, DTP_XW_WB_CODE, "SSF").kind, DTP_XW_AGGREGATE);
    assert_int_equal(dtp_xw_code(xw, DTP_XW_WB_CODE, "EUU").kind, DTP_XW_AGGREGATE);
    assert_int_equal(dtp_xw_code(xw, DTP_XW_WB_CODE, "CHI").kind, DTP_XW_AGGREGATE);
    assert_int_equal(dtp_xw_code(xw, DTP_XW_OWID_CODE, "OWID_WRL").kind, DTP_XW_AGGREGATE);
    /* WB aggregate codes are not ISO3 in the ISO system */
    assert_int_equal(dtp_xw_code(xw, DTP_XW_ISO3, "WLD").kind, DTP_XW_UNMAPPED);
    assert_int_equal(dtp_xw_name(xw, "World", NULL).kind, DTP_XW_AGGREGATE);
    assert_int_equal(dtp_xw_name(xw, "Sub-Saharan Africa", "wb_name").kind, DTP_XW_AGGREGATE);
    assert_int_equal(dtp_xw_name(xw, "TOTAL", "isosurvey_name").kind, DTP_XW_AGGREGATE);
    assert_int_equal(dtp_xw_name(xw, "Asia (UN)", "owid_name").kind, DTP_XW_AGGREGATE);
    r = dtp_xw_name(xw, "Netherlands Antilles (NL)", "isosurvey_name");
    assert_int_equal(r.kind, DTP_XW_AGGREGATE);
    assert_non_null(strstr(r.note, "historic"));
    assert_int_equal(dtp_xw_name(xw, "Serbia and Montenegro", NULL).kind, DTP_XW_AGGREGATE);
}

static void isosurvey_spellings(void **state)
{
    ASSERT_COUNTRY(dtp_xw_name(xw, "Taipei, Chinese", "isosurvey_name"), "TWN", DTP_XW_RULE_ALIAS);
    ASSERT_COUNTRY(dtp_xw_name(xw, "Korea, Republic of", "isosurvey_name"), "KOR",
                   DTP_XW_RULE_ALIAS);
    ASSERT_COUNTRY(dtp_xw_name(xw, "Hong Kong, China", "isosurvey_name"), "HKG", DTP_XW_RULE_ALIAS);
    ASSERT_COUNTRY(dtp_xw_name(xw, "Macau, China", "isosurvey_name"), "MAC", DTP_XW_RULE_ALIAS);
    ASSERT_COUNTRY(dtp_xw_name(xw, "Congo, the Democratic Republic", "isosurvey_name"), "COD",
                   DTP_XW_RULE_ALIAS);
    ASSERT_COUNTRY(dtp_xw_name(xw, "Côte D'Ivoire", "isosurvey_name"), "CIV", DTP_XW_RULE_ALIAS);
    ASSERT_COUNTRY(dtp_xw_name(xw, "Cayman Islands (UK)", "isosurvey_name"), "CYM",
                   DTP_XW_RULE_ALIAS);
    ASSERT_COUNTRY(dtp_xw_name(xw, "Libyan Arab Jamahiriya", "isosurvey_name"), "LBY",
                   DTP_XW_RULE_ALIAS);
    /* other sources' spellings reach the same codes by normalisation */
    ASSERT_COUNTRY(dtp_xw_name(xw, "COTE D IVOIRE", NULL), "CIV", DTP_XW_RULE_NORMALISED_NAME);
    ASSERT_COUNTRY(dtp_xw_name(xw, "Côte d\xe2\x80\x99Ivoire", NULL), "CIV", DTP_XW_RULE_NAME);
    /* a sovereignty qualifier not in the alias table is removed, flagged */
    dtp_xw_result r = dtp_xw_name(xw, "Bermuda (UK)", "isosurvey_name");
    ASSERT_COUNTRY(r, "BMU", DTP_XW_RULE_NORMALISED_NAME);
    assert_true(r.flags & DTP_XW_FLAG_QUALIFIER_STRIPPED);
    /* but a meaningful parenthesis is kept: Sint Maarten vs Saint Martin */
    ASSERT_COUNTRY(dtp_xw_name(xw, "Sint Maarten (Dutch part)", NULL), "SXM", DTP_XW_RULE_ALIAS);
    ASSERT_COUNTRY(dtp_xw_name(xw, "Saint Martin (French part)", NULL), "MAF", DTP_XW_RULE_NAME);
    assert_int_equal(dtp_xw_name(xw, "Saint Martin (Dutch part)", NULL).kind, DTP_XW_UNMAPPED);
    /* ignore list */
    r = dtp_xw_name(xw, "Sector number", "isosurvey_name");
    assert_int_equal(r.kind, DTP_XW_IGNORED);
    assert_int_equal(r.rule, DTP_XW_RULE_IGNORE_LIST);
    assert_non_null(strstr(r.note, "not a country"));
}

/* More spellings of the kind the ISO Survey uses: ISO short names with ", Republic of",
 * territories with a sovereignty qualifier, former names. */
static void more_survey_spellings(void **state)
{
    static const struct {
        const char *label, *iso3;
    } cases[] = {
        {"R\xc3\xa9union (FR)", "REU"},
        {"Guernsey (UK)", "GGY"},
        {"Faroe Islands (DK)", "FRO"},
        {"Cura\xc3\xa7"
         "ao (NL)",
         "CUW"},
        {"Aruba (NL)", "ABW"},
        {"Puerto Rico (US)", "PRI"},
        {"Greenland (DK)", "GRL"},
        {"New Caledonia (FR)", "NCL"},
        {"Macedonia, the former Yugoslav Republic of", "MKD"},
        {"Macedonia, The Former Yugoslav Republic of", "MKD"},
        {"Iran, Islamic Republic of", "IRN"},
        {"Bolivia, Plurinational State of", "BOL"},
        {"Venezuela, Bolivarian Republic of", "VEN"},
        {"Tanzania, United Republic of", "TZA"},
        {"Moldova, Republic of", "MDA"},
        {"Viet Nam", "VNM"},
        {"Lao People's Democratic Republic", "LAO"},
        {"Syrian Arab Republic", "SYR"},
        {"Russian Federation", "RUS"},
        {"Brunei Darussalam", "BRN"},
        {"Bosnia & Herzegovina", "BIH"},
        {"United States of America", "USA"},
        {"United Kingdom of Great Britain and Northern Ireland", "GBR"},
        {"Taiwan, Province of China", "TWN"},
        {"Korea (Republic of)", "KOR"},
        {"Swaziland", "SWZ"},
        {"Turkey", "TUR"},
        {"Czech Republic", "CZE"},
        {"Palestine, State of", "PSE"},
        {"Holy See (Vatican City State)", "VAT"},
        {"China, Hong Kong SAR", "HKG"},
        {"China, Taiwan Province of", "TWN"},
        {"Macau (China)", "MAC"},
        {"Hong Kong (China)", "HKG"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dtp_xw_result r = dtp_xw_name(xw, cases[i].label, "isosurvey_name");
        if (r.kind != DTP_XW_COUNTRY || strcmp(r.iso3, cases[i].iso3) != 0)
            fail_msg("'%s' -> %s %s, expected %s", cases[i].label, dtp_xw_kind_name(r.kind), r.iso3,
                     cases[i].iso3);
    }
}

static void kosovo_is_user_assigned(void **state)
{
    dtp_xw_result r = dtp_xw_code(xw, DTP_XW_WB_CODE, "XKX");
    ASSERT_COUNTRY(r, "XKX", DTP_XW_RULE_ALIAS);
    assert_true(r.flags & DTP_XW_FLAG_USER_ASSIGNED);
    assert_string_equal(r.iso2, "");
    r = dtp_xw_name(xw, "Kosovo", "wb_name");
    ASSERT_COUNTRY(r, "XKX", DTP_XW_RULE_ALIAS);
    assert_true(r.flags & DTP_XW_FLAG_USER_ASSIGNED);
    r = dtp_xw_code(xw, DTP_XW_OWID_CODE, "OWID_KOS");
    ASSERT_COUNTRY(r, "XKX", DTP_XW_RULE_ALIAS);
    /* XKX is not an ISO 3166-1 code */
    assert_int_equal(dtp_xw_code(xw, DTP_XW_ISO3, "XKX").kind, DTP_XW_UNMAPPED);
}

/* The traps: similar names that must never be crossed. */
static void traps(void **state)
{
    ASSERT_COUNTRY(dtp_xw_name(xw, "Dominica", NULL), "DMA", DTP_XW_RULE_NAME);
    ASSERT_COUNTRY(dtp_xw_name(xw, "Dominican Republic", NULL), "DOM", DTP_XW_RULE_NAME);
    ASSERT_COUNTRY(dtp_xw_name(xw, "DOMINICA", NULL), "DMA", DTP_XW_RULE_NORMALISED_NAME);
    ASSERT_COUNTRY(dtp_xw_name(xw, "Congo", NULL), "COG", DTP_XW_RULE_NAME);
    ASSERT_COUNTRY(dtp_xw_name(xw, "Congo, Rep.", "wb_name"), "COG", DTP_XW_RULE_ALIAS);
    ASSERT_COUNTRY(dtp_xw_name(xw, "Congo, Dem. Rep.", "wb_name"), "COD", DTP_XW_RULE_ALIAS);
    ASSERT_COUNTRY(dtp_xw_name(xw, "Congo, The Democratic Republic of the", NULL), "COD",
                   DTP_XW_RULE_NAME);
    ASSERT_COUNTRY(dtp_xw_name(xw, "Democratic Republic of Congo", "owid_name"), "COD",
                   DTP_XW_RULE_ALIAS);
    ASSERT_COUNTRY(dtp_xw_name(xw, "Niger", NULL), "NER", DTP_XW_RULE_NAME);
    ASSERT_COUNTRY(dtp_xw_name(xw, "Nigeria", NULL), "NGA", DTP_XW_RULE_NAME);
    ASSERT_COUNTRY(dtp_xw_name(xw, "NIGER ", NULL), "NER", DTP_XW_RULE_NORMALISED_NAME);
    ASSERT_COUNTRY(dtp_xw_name(xw, "Guinea", NULL), "GIN", DTP_XW_RULE_NAME);
    ASSERT_COUNTRY(dtp_xw_name(xw, "Guinea-Bissau", NULL), "GNB", DTP_XW_RULE_NAME);
    ASSERT_COUNTRY(dtp_xw_name(xw, "Guinea Bissau", NULL), "GNB", DTP_XW_RULE_NORMALISED_NAME);
    ASSERT_COUNTRY(dtp_xw_name(xw, "Equatorial Guinea", NULL), "GNQ", DTP_XW_RULE_NAME);
    ASSERT_COUNTRY(dtp_xw_name(xw, "Papua New Guinea", NULL), "PNG", DTP_XW_RULE_NAME);
    ASSERT_COUNTRY(dtp_xw_name(xw, "Sudan", NULL), "SDN", DTP_XW_RULE_NAME);
    ASSERT_COUNTRY(dtp_xw_name(xw, "South Sudan", NULL), "SSD", DTP_XW_RULE_NAME);
    ASSERT_COUNTRY(dtp_xw_name(xw, "Korea, Rep.", "wb_name"), "KOR", DTP_XW_RULE_ALIAS);
    ASSERT_COUNTRY(dtp_xw_name(xw, "Korea, Dem. People's Rep.", "wb_name"), "PRK",
                   DTP_XW_RULE_ALIAS);
    ASSERT_COUNTRY(dtp_xw_name(xw, "Korea, Republic of", NULL), "KOR", DTP_XW_RULE_ALIAS);
    ASSERT_COUNTRY(dtp_xw_name(xw, "Korea, Democratic People's Republic of", NULL), "PRK",
                   DTP_XW_RULE_ALIAS);
    ASSERT_COUNTRY(dtp_xw_name(xw, "korea republic of", NULL), "KOR", DTP_XW_RULE_NORMALISED_NAME);
    /* a bare "Korea" names no one state: unmapped, not guessed */
    assert_int_equal(dtp_xw_name(xw, "Korea", NULL).kind, DTP_XW_UNMAPPED);
    assert_int_equal(dtp_xw_name(xw, "Congo, Democratic", NULL).kind, DTP_XW_UNMAPPED);
    assert_int_equal(dtp_xw_name(xw, "Guinea Bissau Republic", NULL).kind, DTP_XW_UNMAPPED);
    assert_int_equal(dtp_xw_name(xw, "Nigerr", NULL).kind, DTP_XW_UNMAPPED);
    /* British vs US Virgin Islands */
    ASSERT_COUNTRY(dtp_xw_name(xw, "Virgin Islands (British)", "isosurvey_name"), "VGB",
                   DTP_XW_RULE_ALIAS);
    ASSERT_COUNTRY(dtp_xw_name(xw, "Virgin Islands (US)", "isosurvey_name"), "VIR",
                   DTP_XW_RULE_ALIAS);
}

static void aliases_respect_their_system_for_exact_match(void **state)
{
    /* an alias of another system still matches through the normalised index */
    dtp_xw_result r = dtp_xw_name(xw, "Taipei, Chinese", "wb_name");
    ASSERT_COUNTRY(r, "TWN", DTP_XW_RULE_NORMALISED_NAME);
    assert_int_equal(dtp_xw_ambiguous_keys(xw), 0);
    assert_int_equal(dtp_xw_name(xw, "", NULL).kind, DTP_XW_UNMAPPED);
    assert_int_equal(dtp_xw_name(xw, "   ", NULL).kind, DTP_XW_UNMAPPED);
    assert_int_equal(dtp_xw_name(xw, "Atlantis", NULL).kind, DTP_XW_UNMAPPED);
}

/* Every label in a real fixture column maps to a country or an aggregate; names a source pairs
 * with a code must agree with that code. */
static void check_fixture(const char *rel, const char *name_col, const char *code_col,
                          dtp_xw_system code_sys, const char *system, size_t skip_lines)
{
    char path[1024];
    dtp_clean_csv *t = NULL;
    dtp_error err;
    dtp_error_clear(&err);
    FILE *f = fopen(repo_path(rel, path, sizeof path), "rb");
    assert_non_null(f);
    static char data[4 * 1024 * 1024];
    size_t n = fread(data, 1, sizeof data, f);
    fclose(f);
    /* skip preamble lines (World Bank bulk CSV has four) */
    size_t off = 0;
    for (size_t i = 0; i < skip_lines; i++) {
        const char *nl = memchr(data + off, '\n', n - off);
        assert_non_null(nl);
        off = (size_t)(nl - data) + 1;
    }
    assert_int_equal(dtp_clean_csv_read_mem(data + off, n - off, ',', rel, &t, &err), DTP_OK);
    long ni = dtp_clean_csv_col(t, name_col), ci = dtp_clean_csv_col(t, code_col);
    assert_true(ni >= 0 && ci >= 0);
    size_t bad = 0;
    for (size_t r = 1; r < dtp_clean_csv_rows(t); r++) {
        const char *nm = dtp_clean_csv_cell(t, r, (size_t)ni);
        const char *code = dtp_clean_csv_cell(t, r, (size_t)ci);
        if (!nm || !code)
            continue;
        dtp_xw_result byname = dtp_xw_name(xw, nm, system);
        if (!*code) {
            if (byname.kind != DTP_XW_AGGREGATE) {
                fprintf(stderr, "%s: '%s' (no code) -> %s\n", rel, nm,
                        dtp_xw_kind_name(byname.kind));
                bad++;
            }
            continue;
        }
        dtp_xw_result bycode = dtp_xw_code(xw, code_sys, code);
        int ok = bycode.kind == byname.kind &&
                 (bycode.kind != DTP_XW_COUNTRY || strcmp(bycode.iso3, byname.iso3) == 0) &&
                 bycode.kind != DTP_XW_UNMAPPED && bycode.kind != DTP_XW_AMBIGUOUS;
        if (!ok) {
            fprintf(stderr, "%s: '%s' -> %s %s, code %s -> %s %s\n", rel, nm,
                    dtp_xw_kind_name(byname.kind), byname.iso3, code, dtp_xw_kind_name(bycode.kind),
                    bycode.iso3);
            bad++;
        }
    }
    dtp_clean_csv_free(t);
    assert_int_equal(bad, 0);
}

static void real_fixture_labels(void **state)
{
    check_fixture("tests/fixtures/real/wdi/API_PV.EST_DS2_en_csv_v2_7919.csv", "Country Name",
                  "Country Code", DTP_XW_WB_CODE, "wb_name", 4);
    check_fixture("tests/fixtures/real/wdi/API_BX.KLT.DINV.WD.GD.ZS_DS2_en_csv_v2_397.csv",
                  "Country Name", "Country Code", DTP_XW_WB_CODE, "wb_name", 4);
    check_fixture("tests/fixtures/real/wdi/Metadata_Country_API_PV.EST_DS2_en_csv_v2_7919.csv",
                  "TableName", "Country Code", DTP_XW_WB_CODE, "wb_name", 0);
    check_fixture("tests/fixtures/real/unctad/UNCTAD_DE_data360.csv", "REF_AREA_LABEL", "REF_AREA",
                  DTP_XW_WB_CODE, "wb_name", 0);
    check_fixture("tests/fixtures/real/itu/"
                  "owid_population-covered-by-mobile-network-by-network-capability.csv",
                  "Entity", "Code", DTP_XW_OWID_CODE, "owid_name", 0);
    check_fixture("tests/fixtures/real/m49/UNSD_Methodology_comma_maxwinder-fds.csv",
                  "Country or Area", "M49 Code", DTP_XW_M49, NULL, 0);
}

/* Both UNSD layouts load and agree. */
static void m49_both_delimiters(void **state)
{
    char path[1024];
    dtp_error err;
    const char *files[] = {"tests/fixtures/real/m49/UNSD_Methodology_comma_maxwinder-fds.csv",
                           "tests/fixtures/real/m49/"
                           "UNSD_Methodology_semicolon_alendaris-power-query.csv"};
    for (int i = 0; i < 2; i++) {
        dtp_xw *x = dtp_xw_new();
        dtp_error_clear(&err);
        assert_int_equal(
            dtp_xw_load_iso_file(x, "/usr/share/iso-codes/json/iso_3166-1.json", "test", &err),
            DTP_OK);
        assert_int_equal(dtp_xw_load_m49_file(x, repo_path(files[i], path, sizeof path), &err),
                         DTP_OK);
        ASSERT_COUNTRY(dtp_xw_code(x, DTP_XW_M49, "012"), "DZA", DTP_XW_RULE_CODE);
        ASSERT_COUNTRY(dtp_xw_code(x, DTP_XW_M49, "792"), "TUR", DTP_XW_RULE_CODE);
        assert_int_equal(dtp_xw_code(x, DTP_XW_M49, "419").kind, DTP_XW_AGGREGATE);
        assert_non_null(strstr(dtp_xw_version(x), "iso-codes test"));
        assert_non_null(strstr(dtp_xw_version(x), "m49 sha256:"));
        dtp_xw_free(x);
    }
}

static void bad_tables_name_file_line_field(void **state)
{
    dtp_error err;
    dtp_xw *x = dtp_xw_new();
    dtp_error_clear(&err);
    assert_int_equal(
        dtp_xw_load_iso_file(x, "/usr/share/iso-codes/json/iso_3166-1.json", "test", &err), DTP_OK);
    const char *bad_iso3 = "alias,iso3,system,source,note\n"
                           "Ruritania,RUR,name,a novel,\n";
    assert_int_equal(dtp_xw_load_aliases_mem(x, bad_iso3, strlen(bad_iso3), "al.csv", &err),
                     DTP_ERR_PARSE);
    assert_string_equal(err.locator, "al.csv:2:iso3");
    const char *no_source = "alias,iso3,system,source\n"
                            "Brasil,BRA,name,\n";
    assert_int_equal(dtp_xw_load_aliases_mem(x, no_source, strlen(no_source), "al.csv", &err),
                     DTP_ERR_PARSE);
    assert_string_equal(err.locator, "al.csv:2:source");
    const char *bad_sys = "alias,iso3,system,source\n"
                          "Brasil,BRA,nickname,x\n";
    assert_int_equal(dtp_xw_load_aliases_mem(x, bad_sys, strlen(bad_sys), "al.csv", &err),
                     DTP_ERR_PARSE);
    assert_string_equal(err.locator, "al.csv:2:system");
    const char *conflict = "alias,iso3,system,source\n"
                           "Brasil,BRA,name,x\n"
                           "\n"
                           "Brasil,ARG,name,x\n";
    assert_int_equal(dtp_xw_load_aliases_mem(x, conflict, strlen(conflict), "al.csv", &err),
                     DTP_ERR_PARSE);
    assert_string_equal(err.locator, "al.csv:4:alias");
    const char *no_col = "alias,code,system,source\nBrasil,BRA,name,x\n";
    assert_int_equal(dtp_xw_load_aliases_mem(x, no_col, strlen(no_col), "al.csv", &err),
                     DTP_ERR_PARSE);
    assert_non_null(strstr(err.message, "iso3"));
    const char *bad_date = "label,system,reason,reviewer,date\nX,,r,me,2026-13-01\n";
    assert_int_equal(dtp_xw_load_ignore_mem(x, bad_date, strlen(bad_date), "ig.csv", &err),
                     DTP_ERR_PARSE);
    assert_string_equal(err.locator, "ig.csv:2:date");
    const char *no_reviewer = "label,system,reason,reviewer,date\nX,,r,,2026-01-01\n";
    assert_int_equal(dtp_xw_load_ignore_mem(x, no_reviewer, strlen(no_reviewer), "ig.csv", &err),
                     DTP_ERR_PARSE);
    assert_string_equal(err.locator, "ig.csv:2:reviewer");
    const char *agg_nocode = "code,system,name,source\n,wb_code,World,x\n";
    assert_int_equal(dtp_xw_load_aggregates_mem(x, agg_nocode, strlen(agg_nocode), "ag.csv", &err),
                     DTP_ERR_PARSE);
    assert_string_equal(err.locator, "ag.csv:2:code");
    const char *unterminated = "alias,iso3,system,source\n\"Brasil,BRA,name,x\n";
    assert_int_equal(dtp_xw_load_aliases_mem(x, unterminated, strlen(unterminated), "al.csv", &err),
                     DTP_ERR_PARSE);
    /* a good alias after all that still works (the failed loads added nothing harmful) */
    const char *good = "alias,iso3,system,source\nBrasil,BRA,name,x\n";
    assert_int_equal(dtp_xw_load_aliases_mem(x, good, strlen(good), "al.csv", &err), DTP_OK);
    ASSERT_COUNTRY(dtp_xw_name(x, "Brasil", NULL), "BRA", DTP_XW_RULE_ALIAS);
    dtp_xw_free(x);

    x = dtp_xw_new();
    assert_int_equal(dtp_xw_load_iso_mem(x, "{\"3166-1\": []}", 14, "iso.json", NULL, &err),
                     DTP_ERR_PARSE);
    assert_int_equal(dtp_xw_load_iso_mem(x, "{", 1, "iso.json", NULL, &err), DTP_ERR_PARSE);
    assert_int_equal(dtp_xw_load_aliases_mem(x, good, strlen(good), "al.csv", &err), DTP_ERR_USAGE);
    dtp_xw_free(x);
}

static void ambiguous_key_maps_to_nothing(void **state)
{
    dtp_error err;
    dtp_xw *x = dtp_xw_new();
    const char *iso = "{\"3166-1\":[{\"alpha_2\":\"AA\",\"alpha_3\":\"AAB\",\"numeric\":\"001\","
                      "\"name\":\"Alpha\"},{\"alpha_2\":\"BB\",\"alpha_3\":\"BBB\",\"numeric\":"
                      "\"002\",\"name\":\"Beta\"}]}";
    assert_int_equal(dtp_xw_load_iso_mem(x, iso, strlen(iso), "iso.json", "t", &err), DTP_OK);
    const char *al = "alias,iso3,system,source\nAl-Pha,AAB,name,x\nal pha,BBB,wb_name,y\n";
    assert_int_equal(dtp_xw_load_aliases_mem(x, al, strlen(al), "al.csv", &err), DTP_OK);
    ASSERT_COUNTRY(dtp_xw_name(x, "Al-Pha", NULL), "AAB", DTP_XW_RULE_ALIAS);
    assert_int_equal(dtp_xw_name(x, "AL PHA", NULL).kind, DTP_XW_AMBIGUOUS);
    assert_int_equal(dtp_xw_ambiguous_keys(x), 1);
    dtp_xw_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(normalise_rules),
        cmocka_unit_test(codes_in_each_system),
        cmocka_unit_test(aggregates_are_never_countries),
        cmocka_unit_test(isosurvey_spellings),
        cmocka_unit_test(more_survey_spellings),
        cmocka_unit_test(kosovo_is_user_assigned),
        cmocka_unit_test(traps),
        cmocka_unit_test(aliases_respect_their_system_for_exact_match),
        cmocka_unit_test(real_fixture_labels),
        cmocka_unit_test(m49_both_delimiters),
        cmocka_unit_test(bad_tables_name_file_line_field),
        cmocka_unit_test(ambiguous_key_maps_to_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
