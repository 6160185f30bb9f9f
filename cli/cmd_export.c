/* dtpanel export --format csv|dta --panel country|province FILE */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "load/load.h"

int dtp_cmd_export(dtp_cli *cli)
{
    const char *format = NULL, *panel = "country", *file = NULL;
    for (int i = 1; i < cli->argc; i++) {
        const char *a = cli->argv[i];
        if (strcmp(a, "--format") == 0 && i + 1 < cli->argc)
            format = cli->argv[++i];
        else if (strcmp(a, "--panel") == 0 && i + 1 < cli->argc)
            panel = cli->argv[++i];
        else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "dtpanel: export: unknown option '%s'\n", a);
            return DTP_EXIT_USAGE;
        } else if (!file)
            file = a;
        else {
            fprintf(stderr, "dtpanel: export: unexpected argument '%s'\n", a);
            return DTP_EXIT_USAGE;
        }
    }
    if (!file || !format || (strcmp(format, "csv") != 0 && strcmp(format, "dta") != 0) ||
        (strcmp(panel, "country") != 0 && strcmp(panel, "province") != 0)) {
        fprintf(stderr, "usage: dtpanel export --format csv|dta --panel country|province FILE\n");
        return DTP_EXIT_USAGE;
    }
    dtp_error err;
    dtp_error_clear(&err);
    sqlite3 *wh = NULL;
    int64_t rows = 0;
    int rc = DTP_EXIT_OK;
    dtp_status st = dtp_load_open_release(cli->warehouse, &wh, &err);
    if (st == DTP_OK)
        st = dtp_load_export(wh, panel, strcmp(format, "dta") == 0 ? DTP_LOAD_DTA : DTP_LOAD_CSV,
                             file, &rows, &err);
    if (st != DTP_OK)
        rc = dtp_cli_fail(cli, &err);
    else if (!cli->quiet)
        printf("exported %lld %s-year rows to %s%s%s\n", (long long)rows, panel, file,
               strcmp(format, "csv") == 0 ? " (columns described in " : "",
               strcmp(format, "csv") == 0 ? "FILE.columns.csv)" : "");
    if (wh)
        sqlite3_close(wh);
    return rc;
}
