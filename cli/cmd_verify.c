/* dtpanel verify: re-hash the raw artifacts the published release depends on, check lineage
 * completeness, the release manifest and the run manifest chain. Exit 4 on any problem. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/archive.h"
#include "load/load.h"

static void print_problem(void *ctx, const dtp_load_problem *p)
{
    (void)ctx;
    fprintf(stderr, "dtpanel: verify: %s:", p->check);
    if (p->panel && *p->panel)
        fprintf(stderr, " %s", p->panel);
    if (p->entity && *p->entity)
        fprintf(stderr, " %s", p->entity);
    if (p->year)
        fprintf(stderr, " %d", p->year);
    if (p->variable && *p->variable)
        fprintf(stderr, " %s", p->variable);
    if (p->artifact && *p->artifact)
        fprintf(stderr, " artifact %s", p->artifact);
    fprintf(stderr, ": %s\n", p->detail ? p->detail : "");
}

int dtp_cmd_verify(dtp_cli *cli)
{
    if (cli->argc > 1) {
        fprintf(stderr, "dtpanel: verify: unexpected argument '%s'\n", cli->argv[1]);
        return DTP_EXIT_USAGE;
    }
    dtp_error err;
    dtp_error_clear(&err);
    sqlite3 *wh = NULL, *stg = NULL;
    dtp_archive *ar = NULL;
    int rc = DTP_EXIT_OK;
    dtp_status st = dtp_load_open_release(cli->warehouse, &wh, &err);
    if (st == DTP_OK)
        st = dtp_archive_open(cli->data_dir, &ar, &err);
    if (st != DTP_OK) {
        rc = dtp_cli_fail(cli, &err);
        goto out;
    }
    char path[DTP_PATH];
    dtp_cli_staging_path(cli, path, sizeof path);
    if (access(path, F_OK) == 0 &&
        sqlite3_open_v2(path, &stg, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        sqlite3_close(stg);
        stg = NULL;
    }
    if (stg)
        sqlite3_busy_timeout(stg, 5000);
    int64_t problems = 0;
    if ((st = dtp_load_verify(wh, ar, stg, print_problem, NULL, &problems, &err)) != DTP_OK) {
        rc = dtp_cli_fail(cli, &err);
        goto out;
    }
    sqlite3_stmt *s = NULL;
    long long arts = 0, cells = 0, rel = 0;
    if (sqlite3_prepare_v2(wh,
                           "SELECT (SELECT COUNT(*) FROM artifacts), (SELECT cells FROM release),"
                           " (SELECT id FROM release)",
                           -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
        arts = sqlite3_column_int64(s, 0);
        cells = sqlite3_column_int64(s, 1);
        rel = sqlite3_column_int64(s, 2);
    }
    sqlite3_finalize(s);
    if (problems > 0) {
        fprintf(stderr, "dtpanel: verify: release %lld: %lld problem(s)\n", rel,
                (long long)problems);
        rc = DTP_EXIT_INVALID;
    } else if (!cli->quiet) {
        printf("release %lld verified: %lld artifacts re-hashed, %lld published cells with"
               " complete lineage, manifests chain\n",
               rel, arts, cells);
    }
out:
    dtp_archive_free(ar);
    if (stg)
        sqlite3_close(stg);
    if (wh)
        sqlite3_close(wh);
    return rc;
}
