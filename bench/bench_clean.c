/* Figures for the clean stage's rules: crosswalk load time and lookups per second (names that
 * hit each rule, and misses), and the sample rules over a country panel of realistic size.
 * Prints; never asserts. Run from the repository root: build/bench/bench_clean */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clean/crosswalk.h"
#include "clean/sample.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    const char *root = argc > 1 ? argv[1] : ".";
    char m49[1024], al[1024], ag[1024], ig[1024];
    snprintf(m49, sizeof m49, "%s/data/reference/unsd_m49_overview.csv", root);
    snprintf(al, sizeof al, "%s/data/country_aliases.csv", root);
    snprintf(ag, sizeof ag, "%s/data/aggregates.csv", root);
    snprintf(ig, sizeof ig, "%s/data/ignore_labels.csv", root);
    dtp_xw_paths p = {"/usr/share/iso-codes/json/iso_3166-1.json", NULL, m49, al, ag, ig};
    dtp_xw *xw = NULL;
    dtp_error err;
    double t0 = now();
    if (dtp_xw_open(&p, &xw, &err) != DTP_OK) {
        char line[2048];
        fprintf(stderr, "bench_clean: %s\n", dtp_error_format(&err, line, sizeof line));
        return 1;
    }
    double t1 = now();
    printf("crosswalk load: %.1f ms (%s)\n", (t1 - t0) * 1e3, dtp_xw_version(xw));
    static const char *const labels[] = {"Korea, Rep.",  "Taipei, Chinese", "COTE D IVOIRE",
                                         "Bermuda (UK)", "World",           "Atlantis"};
    const int reps = 20000;
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        double a = now();
        dtp_xw_result r = dtp_xw_name(xw, labels[i], NULL);
        for (int k = 1; k < reps; k++)
            r = dtp_xw_name(xw, labels[i], NULL);
        double b = now();
        printf("name '%s' -> %s/%s: %.2f us per lookup\n", labels[i], dtp_xw_kind_name(r.kind),
               dtp_xw_rule_name(r.rule), (b - a) / reps * 1e6);
    }
    double a = now();
    for (int k = 0; k < reps; k++)
        (void)dtp_xw_code(xw, DTP_XW_M49, "076");
    printf("code m49 076: %.2f us per lookup\n", (now() - a) / reps * 1e6);
    dtp_xw_free(xw);

    /* 250 countries x 8 years x 6 variables, 3% of cells missing at random */
    enum { NE = 250, NY = 8, NV = 6 };
    static char names[NE][8];
    const char *ents[NE];
    for (int e = 0; e < NE; e++) {
        snprintf(names[e], sizeof names[e], "C%03d", e);
        ents[e] = names[e];
    }
    const char *vars[NV] = {"dt_exp", "dt_imp", "iso27001", "pv", "fdi", "infra"};
    dtp_panel *pn = NULL;
    if (dtp_panel_new(NE, ents, 2016, NY, NV, vars, &pn, &err) != DTP_OK)
        return 1;
    unsigned s = 7;
    for (size_t i = 0; i < (size_t)NE * NY * NV; i++) {
        s = s * 1103515245u + 12345u;
        if ((s >> 16) % 100 < 3)
            dtp_cell_set_missing(&pn->cells[i], DTP_MISS_NOT_REPORTED, NULL);
        else
            dtp_cell_set_observed(&pn->cells[i], (double)((s >> 8) % 1000));
    }
    dtp_sample_opts o = dtp_sample_opts_default();
    o.extrapolate = 1;
    dtp_ledger l;
    dtp_ledger_init(&l);
    a = now();
    dtp_status st = dtp_sample_apply(pn, &o, &l, &err);
    double b = now();
    size_t dropped = 0;
    for (int e = 0; e < NE; e++)
        dropped += (size_t)pn->dropped[e];
    printf("sample rules on %d x %d x %d: %.2f ms, %s, %zu ledger rows, %zu dropped\n", NE, NY, NV,
           (b - a) * 1e3, dtp_strerror(st), l.n, dropped);
    dtp_ledger_free(&l);
    dtp_panel_free(pn);
    return 0;
}
