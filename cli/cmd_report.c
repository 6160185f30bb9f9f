/* dtpanel report [RELEASE] --out FILE.html: the release report as one self-contained HTML page.
 * Read-only on the warehouse (no lock): RELEASE is an id (a file kept under
 * <data-dir>/releases) or a path; default: the published warehouse. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "load/load.h"
#include "load/report.h"

int dtp_cmd_report(dtp_cli *cli)
{
    const char *release = NULL, *out = NULL;
    for (int i = 1; i < cli->argc; i++) {
        const char *a = cli->argv[i];
        if (strcmp(a, "--out") == 0 && i + 1 < cli->argc)
            out = cli->argv[++i];
        else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "dtpanel: report: unknown option '%s'\n", a);
            return DTP_EXIT_USAGE;
        } else if (!release)
            release = a;
        else {
            fprintf(stderr, "dtpanel: report: unexpected argument '%s'\n", a);
            return DTP_EXIT_USAGE;
        }
    }
    if (!out) {
        fprintf(stderr, "usage: dtpanel report [RELEASE] --out FILE.html\n");
        return DTP_EXIT_USAGE;
    }
    char path[DTP_PATH + 64], prev[DTP_PATH + 64], tmp[DTP_PATH + 64];
    long id;
    if (!release)
        snprintf(path, sizeof path, "%s", cli->warehouse);
    else if (dtp_parse_long(release, &id) == 0)
        snprintf(path, sizeof path, "%s/releases/%ld.db", cli->data_dir, id);
    else
        snprintf(path, sizeof path, "%s", release);

    dtp_error err;
    dtp_error_clear(&err);
    sqlite3 *wh = NULL;
    int rc = DTP_EXIT_OK;
    FILE *f = NULL;
    tmp[0] = '\0';
    dtp_status st = dtp_load_open_release(path, &wh, &err);
    if (st != DTP_OK)
        goto out;
    dtp_load_report_options o;
    memset(&o, 0, sizeof o);
    o.release_path = path;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(wh, "SELECT prev_release_id FROM release", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        o.prev_release_id = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    if (o.prev_release_id > 0) {
        snprintf(prev, sizeof prev, "%s/releases/%lld.db", cli->data_dir, o.prev_release_id);
        if (access(prev, R_OK) == 0)
            o.prev_release_path = prev;
    }
    /* write beside the target and rename, so a reader never sees half a page */
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", out, (long)getpid());
    if (!(f = fopen(tmp, "w"))) {
        dtp_error_locatef(&err, "%s", out);
        st = dtp_error_set(&err, DTP_ERR_IO, "load", "report: cannot write: %s", strerror(errno));
        tmp[0] = '\0';
        goto out;
    }
    st = dtp_load_report(wh, &o, f, &err);
    if (fclose(f) != 0 && st == DTP_OK) {
        dtp_error_locatef(&err, "%s", out);
        st = dtp_error_set(&err, DTP_ERR_IO, "load", "report: cannot write: %s", strerror(errno));
    }
    f = NULL;
    if (st == DTP_OK && rename(tmp, out) != 0) {
        dtp_error_locatef(&err, "%s", out);
        st = dtp_error_set(&err, DTP_ERR_IO, "load", "report: cannot rename into place: %s",
                           strerror(errno));
    }
    if (st == DTP_OK)
        tmp[0] = '\0';
out:
    if (tmp[0])
        unlink(tmp);
    if (st != DTP_OK)
        rc = dtp_cli_fail(cli, &err);
    else if (!cli->quiet)
        printf("wrote the report for %s to %s\n", path, out);
    if (wh)
        sqlite3_close(wh);
    return rc;
}
