/* dtpanel load: publish the staging content as a new warehouse release (load/load.h). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/session.h"
#include "common/archive.h"
#include "common/staging.h"
#include "load/load.h"

static void print_problem(void *ctx, const dtp_load_problem *p)
{
    long *shown = ctx;
    if (++*shown > 50)
        return; /* the rest are in check_results */
    fprintf(stderr, "dtpanel: load: check %s failed:", p->check);
    if (p->panel && *p->panel)
        fprintf(stderr, " %s", p->panel);
    if (p->entity && *p->entity)
        fprintf(stderr, " %s", p->entity);
    if (p->year)
        fprintf(stderr, " %d", p->year);
    if (p->variable && *p->variable)
        fprintf(stderr, " %s", p->variable);
    fprintf(stderr, ": %s", p->detail ? p->detail : "");
    if (p->artifact && *p->artifact)
        fprintf(stderr, " (artifact %s)", p->artifact);
    fputc('\n', stderr);
}

static int parse_count(const char *opt, const char *v, long *out)
{
    if (dtp_parse_long(v, out) || *out < 0) {
        fprintf(stderr, "dtpanel: load: %s needs a number of rows\n", opt);
        return -1;
    }
    return 0;
}

/* Publish inside an open session (also the last stage of `dtpanel run`). */
int dtp_stage_load(dtp_cli *cli, dtp_session *s, long expect_country, long expect_province)
{
    dtp_load_options o;
    memset(&o, 0, sizeof o);
    o.expected_country_rows = expect_country;
    o.expected_province_rows = expect_province;
    long shown = 0;
    o.warehouse = cli->warehouse;
    o.data_dir = cli->data_dir;
    o.keep_releases = (int)dtp_config_int(cli->cfg, "dtpanel", "keep_releases");
    o.run_id = dtp_run_id(s->run);
    dtp_config_years(cli->cfg, "panel", "years", &o.year_first, &o.year_last);
    o.total_definition = dtp_config_get(cli->cfg, "panel", "total_definition");
    o.iso27001_transform = dtp_config_get(cli->cfg, "panel", "iso27001_transform");
    o.version = dtp_cli_version();
    o.log = cli->log;
    o.interrupt = &dtp_stop_requested;
    o.on_problem = print_problem;
    o.problem_ctx = &shown;
    dtp_load_result res;
    memset(&res, 0, sizeof res);
    dtp_error err;
    dtp_error_clear(&err);
    dtp_status st = dtp_load_publish(s->db, s->archive, &o, &res, &err);
    dtp_run_count(s->run, "load", "cells", res.cells);
    dtp_run_count(s->run, "load", "problems", res.problems);
    if (st != DTP_OK) {
        if (shown > 50)
            fprintf(stderr, "dtpanel: load: %ld more problem(s) recorded in check_results\n",
                    shown - 50);
        return dtp_cli_fail(cli, &err);
    }
    dtp_run_count(s->run, "load", "release", res.release_id);
    if (!cli->quiet)
        printf("published release %lld: %lld cells\n  warehouse %s\n  kept as %s\n"
               "  content sha256 %s\n  file sha256 %s\n",
               (long long)res.release_id, (long long)res.cells, cli->warehouse, res.release_path,
               res.content_sha256, res.file_sha256);
    return DTP_EXIT_OK;
}

int dtp_cmd_load(dtp_cli *cli)
{
    long expect_country = -1, expect_province = -1;
    for (int i = 1; i < cli->argc; i++) {
        const char *a = cli->argv[i];
        if (strcmp(a, "--expect-country-rows") == 0 && i + 1 < cli->argc) {
            if (parse_count(a, cli->argv[++i], &expect_country))
                return DTP_EXIT_USAGE;
        } else if (strcmp(a, "--expect-province-rows") == 0 && i + 1 < cli->argc) {
            if (parse_count(a, cli->argv[++i], &expect_province))
                return DTP_EXIT_USAGE;
        } else {
            fprintf(stderr, "dtpanel: load: unknown option '%s'\n", a);
            return DTP_EXIT_USAGE;
        }
    }
    dtp_session s;
    int rc = dtp_session_open(cli, "load", &s);
    if (rc)
        return rc;
    rc = dtp_stage_load(cli, &s, expect_country, expect_province);
    dtp_session_close(cli, &s, rc, NULL);
    return rc;
}
