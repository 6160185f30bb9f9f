/* dtpanel status: recent runs, the published release, source freshness, pending review. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/config.h"
#include "common/staging.h"

/* The panel report: who is in, who was dropped and why, what was imputed or overridden. */
static void panel_report(sqlite3 *db, long limit)
{
    sqlite3_stmt *s = NULL;
    printf("\ncountry panel (latest clean):\n");
    if (sqlite3_prepare_v2(db,
                           "SELECT COUNT(DISTINCT CASE WHEN status <> 'excluded' THEN entity END),"
                           " COUNT(DISTINCT CASE WHEN status = 'excluded' THEN entity END),"
                           " MIN(year), MAX(year), SUM(status = 'imputed'),"
                           " SUM(status = 'overridden'), COUNT(*) FROM panel_cells"
                           " WHERE panel = 'country'",
                           -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
        if (sqlite3_column_int(s, 6) == 0)
            printf("  (no cells yet: run 'dtpanel clean')\n");
        else
            printf("  %s countries kept, %s excluded, years %s-%s; %s cells imputed, %s "
                   "overridden\n",
                   dtp_db_text(s, 0), dtp_db_text(s, 1), dtp_db_text(s, 2), dtp_db_text(s, 3),
                   dtp_db_text(s, 4), dtp_db_text(s, 5));
    }
    sqlite3_finalize(s);
    printf("  labels set aside as aggregates: ");
    if (sqlite3_prepare_v2(db,
                           "SELECT COUNT(*), SUM(kind = 'unmapped'), SUM(kind = 'ignored') FROM"
                           " entity_map WHERE kind <> 'country'",
                           -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        printf("%s (unmapped %s, ignored %s)\n", dtp_db_text(s, 0),
               *dtp_db_text(s, 1) ? dtp_db_text(s, 1) : "0",
               *dtp_db_text(s, 2) ? dtp_db_text(s, 2) : "0");
    sqlite3_finalize(s);

    printf("\n  exclusions (rule: entity variable, detail):\n");
    if (sqlite3_prepare_v2(db,
                           "SELECT l.rule, l.entity, COALESCE(l.variable, ''),"
                           " json_extract(l.detail, '$.text') FROM ledger l WHERE l.panel ="
                           " 'country' AND l.action = 'drop' AND l.run_id = (SELECT MAX(run_id)"
                           " FROM panel_cells WHERE panel = 'country') ORDER BY l.entity, l.id"
                           " LIMIT ?",
                           -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, limit);
        while (sqlite3_step(s) == SQLITE_ROW)
            printf("    %-20s %s %-9s %s\n", dtp_db_text(s, 0), dtp_db_text(s, 1),
                   dtp_db_text(s, 2), dtp_db_text(s, 3));
    }
    sqlite3_finalize(s);
    printf("\n  imputations (entity year variable = value, method):\n");
    if (sqlite3_prepare_v2(db,
                           "SELECT entity, year, variable, value, method FROM panel_cells WHERE"
                           " panel = 'country' AND status = 'imputed' ORDER BY entity, variable,"
                           " year LIMIT ?",
                           -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, limit);
        while (sqlite3_step(s) == SQLITE_ROW)
            printf("    %s %s %-9s = %-14s %s\n", dtp_db_text(s, 0), dtp_db_text(s, 1),
                   dtp_db_text(s, 2), dtp_db_text(s, 3), dtp_db_text(s, 4));
    }
    sqlite3_finalize(s);
    printf("\n  overrides (entity year variable = value; citation):\n");
    int any = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT o.entity, o.year, o.variable, o.value, o.publisher, o.url,"
                           " EXISTS (SELECT 1 FROM panel_cells c WHERE c.panel = 'country' AND"
                           " c.entity = o.entity AND c.year = o.year AND c.variable = o.variable"
                           " AND c.status = 'overridden') FROM overrides o ORDER BY o.id",
                           -1, &s, NULL) == SQLITE_OK) {
        while (sqlite3_step(s) == SQLITE_ROW) {
            any = 1;
            printf("    %s %s %s = %s; %s <%s>%s\n", dtp_db_text(s, 0), dtp_db_text(s, 1),
                   dtp_db_text(s, 2), dtp_db_text(s, 3), dtp_db_text(s, 4), dtp_db_text(s, 5),
                   sqlite3_column_int(s, 6) ? "" : "  (not applied: outside the panel)");
        }
    }
    sqlite3_finalize(s);
    if (!any)
        printf("    (none)\n");
}

int dtp_cmd_status(dtp_cli *cli)
{
    long nruns = 10;
    int panel = 0;
    for (int i = 1; i < cli->argc; i++) {
        if (strcmp(cli->argv[i], "--panel") == 0) {
            panel = 1;
            continue;
        }
        if (strcmp(cli->argv[i], "--runs") == 0 && i + 1 < cli->argc) {
            if (dtp_parse_long(cli->argv[++i], &nruns) || nruns < 1) {
                fprintf(stderr, "dtpanel: status: --runs needs a positive number\n");
                return DTP_EXIT_USAGE;
            }
            continue;
        }
        fprintf(stderr, "dtpanel: status: unknown option '%s'\n", cli->argv[i]);
        return DTP_EXIT_USAGE;
    }
    char path[DTP_PATH];
    dtp_cli_staging_path(cli, path, sizeof path);
    printf("data directory: %s\n", cli->data_dir);
    if (access(path, F_OK) != 0) {
        printf("nothing has run yet: there is no staging database at %s\n"
               "start with 'dtpanel run' (or 'make run' for the offline demo)\n",
               path);
        return DTP_EXIT_OK;
    }
    sqlite3 *db = NULL;
    /* read-only: status must not migrate or create anything */
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "dtpanel: error: %s: cannot open: %s\n", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return DTP_EXIT_FAILED;
    }
    sqlite3_busy_timeout(db, 5000);
    int version = dtp_staging_version(db);
    if (version != dtp_staging_latest_version())
        printf("staging schema version %d (this dtpanel writes %d; the next run migrates)\n",
               version, dtp_staging_latest_version());
    sqlite3_stmt *s = NULL;
    printf("\nrecent runs:\n");
    int any = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT id, command, status, exit_code, started_at, ended_at, message"
                           " FROM runs ORDER BY id DESC LIMIT ?",
                           -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, nruns);
        while (sqlite3_step(s) == SQLITE_ROW) {
            any = 1;
            printf("  #%-4s %-8s %-11s exit %-3s %s → %s%s%s\n", dtp_db_text(s, 0),
                   dtp_db_text(s, 1), dtp_db_text(s, 2),
                   sqlite3_column_type(s, 3) == SQLITE_NULL ? "-" : dtp_db_text(s, 3),
                   dtp_db_text(s, 4), *dtp_db_text(s, 5) ? dtp_db_text(s, 5) : "(not finished)",
                   *dtp_db_text(s, 6) ? "  " : "", dtp_db_text(s, 6));
        }
    }
    sqlite3_finalize(s);
    if (!any)
        printf("  (none: nothing has run yet)\n");

    printf("\npublished release: ");
    struct stat sb;
    if (stat(cli->warehouse, &sb) == 0) {
        printf("%s (%lld bytes)\n", cli->warehouse, (long long)sb.st_size);
    } else {
        printf("none yet (%s does not exist)\n", cli->warehouse);
    }
    if (sqlite3_prepare_v2(db,
                           "SELECT id, published_at, cells, path FROM releases ORDER BY id DESC"
                           " LIMIT 1",
                           -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        printf("  release %s published %s, %s cells, kept as %s\n", dtp_db_text(s, 0),
               dtp_db_text(s, 1), dtp_db_text(s, 2), dtp_db_text(s, 3));
    sqlite3_finalize(s);

    printf("\nsources (latest fetch):\n");
    any = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT f.source, f.outcome, f.fetched_at, f.upstream_version,"
                           " f.message FROM fetches f JOIN (SELECT source, MAX(id) AS id FROM"
                           " fetches GROUP BY source) l ON l.id = f.id ORDER BY f.source",
                           -1, &s, NULL) == SQLITE_OK) {
        while (sqlite3_step(s) == SQLITE_ROW) {
            any = 1;
            printf("  %-16s %-12s %s%s%s%s%s\n", dtp_db_text(s, 0), dtp_db_text(s, 1),
                   dtp_db_text(s, 2), *dtp_db_text(s, 3) ? "  upstream " : "", dtp_db_text(s, 3),
                   *dtp_db_text(s, 4) ? "  " : "", dtp_db_text(s, 4));
        }
    }
    sqlite3_finalize(s);
    if (!any)
        printf("  (nothing fetched yet)\n");

    if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM review_queue WHERE resolved_run IS NULL", -1,
                           &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        printf("\nOCR fields waiting for review: %s\n", dtp_db_text(s, 0));
    sqlite3_finalize(s);
    if (panel)
        panel_report(db, 1000);
    sqlite3_close(db);
    return DTP_EXIT_OK;
}
