/* dtpanel load: publish the staging content as a new warehouse release (load/load.h). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
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

int dtp_cmd_load(dtp_cli *cli)
{
    dtp_load_options o;
    memset(&o, 0, sizeof o);
    o.expected_country_rows = -1;
    o.expected_province_rows = -1;
    for (int i = 1; i < cli->argc; i++) {
        const char *a = cli->argv[i];
        if (strcmp(a, "--expect-country-rows") == 0 && i + 1 < cli->argc) {
            if (parse_count(a, cli->argv[++i], &o.expected_country_rows))
                return DTP_EXIT_USAGE;
        } else if (strcmp(a, "--expect-province-rows") == 0 && i + 1 < cli->argc) {
            if (parse_count(a, cli->argv[++i], &o.expected_province_rows))
                return DTP_EXIT_USAGE;
        } else {
            fprintf(stderr, "dtpanel: load: unknown option '%s'\n", a);
            return DTP_EXIT_USAGE;
        }
    }
    dtp_error err;
    dtp_error_clear(&err);
    dtp_lock *lk = NULL;
    sqlite3 *db = NULL;
    dtp_archive *ar = NULL;
    dtp_run *run = NULL;
    int rc = DTP_EXIT_OK;
    dtp_status st;
    if ((st = dtp_lock_acquire(cli->data_dir, &lk, &err)) != DTP_OK)
        return dtp_cli_fail(cli, &err);
    char path[DTP_PATH], runs_dir[DTP_PATH + 8];
    dtp_cli_staging_path(cli, path, sizeof path);
    if ((st = dtp_staging_open(path, &db, &err)) != DTP_OK ||
        (st = dtp_archive_open(cli->data_dir, &ar, &err)) != DTP_OK ||
        (st = dtp_run_begin(db, "load", cli->cfg, dtp_cli_version(), &run, &err)) != DTP_OK) {
        rc = dtp_cli_fail(cli, &err);
        goto out;
    }
    snprintf(runs_dir, sizeof runs_dir, "%s/runs", cli->data_dir);
    long shown = 0;
    o.warehouse = cli->warehouse;
    o.data_dir = cli->data_dir;
    o.keep_releases = (int)dtp_config_int(cli->cfg, "dtpanel", "keep_releases");
    o.run_id = dtp_run_id(run);
    dtp_config_years(cli->cfg, "panel", "years", &o.year_first, &o.year_last);
    o.total_definition = dtp_config_get(cli->cfg, "panel", "total_definition");
    o.iso27001_transform = dtp_config_get(cli->cfg, "panel", "iso27001_transform");
    o.version = dtp_cli_version();
    o.log = cli->log;
    o.on_problem = print_problem;
    o.problem_ctx = &shown;
    dtp_load_result res;
    st = dtp_load_publish(db, ar, &o, &res, &err);
    dtp_run_count(run, "load", "cells", res.cells);
    dtp_run_count(run, "load", "problems", res.problems);
    if (st == DTP_OK) {
        dtp_run_count(run, "load", "release", res.release_id);
        if (!cli->quiet)
            printf("published release %lld: %lld cells\n  warehouse %s\n  kept as %s\n"
                   "  content sha256 %s\n  file sha256 %s\n",
                   (long long)res.release_id, (long long)res.cells, cli->warehouse,
                   res.release_path, res.content_sha256, res.file_sha256);
    } else {
        if (shown > 50)
            fprintf(stderr, "dtpanel: load: %ld more problem(s) recorded in check_results\n",
                    shown - 50);
        rc = dtp_cli_fail(cli, &err);
    }
    dtp_error ferr;
    dtp_error_clear(&ferr);
    const char *status = rc == DTP_EXIT_OK ? "ok" : rc == DTP_EXIT_INVALID ? "invalid" : "failed";
    if (dtp_run_finish(run, status, rc, st == DTP_OK ? NULL : err.message, runs_dir, &ferr) !=
        DTP_OK) {
        int frc = dtp_cli_fail(cli, &ferr);
        if (rc == DTP_EXIT_OK)
            rc = frc;
    }
    run = NULL;
out:
    dtp_archive_free(ar);
    dtp_staging_close(db);
    dtp_lock_release(lk);
    return rc;
}
