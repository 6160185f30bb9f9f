/* dtpanel clean: observations → country panel cells with lineage and ledger. */
#include <stdio.h>
#include <string.h>

#include "clean/clean.h"
#include "cli/session.h"

int dtp_stage_clean(dtp_cli *cli, dtp_session *s)
{
    dtp_error err;
    dtp_error_clear(&err);
    dtp_clean_opts o = {.db = s->db,
                        .archive = s->archive,
                        .cfg = cli->cfg,
                        .config_dir = cli->config_dir,
                        .log = cli->log,
                        .run_id = dtp_run_id(s->run)};
    dtp_clean_result r;
    dtp_status st = dtp_clean_country(&o, &r, &err);
    dtp_run_count(s->run, "clean", "countries_kept", r.countries_kept);
    dtp_run_count(s->run, "clean", "countries_dropped", r.countries_dropped);
    dtp_run_count(s->run, "clean", "imputed", r.imputed);
    dtp_run_count(s->run, "clean", "overridden", r.overridden);
    dtp_run_count(s->run, "clean", "cells", r.cells);
    if (st != DTP_OK)
        return dtp_cli_fail(cli, &err);
    dtp_log_msg(cli->log, DTP_LOG_INFO, "clean", "country_panel",
                "country panel: %d countries kept, %d dropped by the sample rules (of %d seen), "
                "%d aggregate label(s) set aside; %lld cells, %lld imputed, %lld overridden",
                r.countries_kept, r.countries_dropped, r.countries_seen, r.aggregates,
                (long long)r.cells, (long long)r.imputed, (long long)r.overridden);
    if (r.missing_vars[0])
        dtp_log_msg(cli->log, DTP_LOG_WARN, "clean", "no_source",
                    "no enabled source provides %s: left out of the panel", r.missing_vars);
    return DTP_EXIT_OK;
}

int dtp_cmd_clean(dtp_cli *cli)
{
    for (int i = 1; i < cli->argc; i++) {
        fprintf(stderr, "dtpanel: clean: unknown option '%s'\n", cli->argv[i]);
        return DTP_EXIT_USAGE;
    }
    dtp_session s;
    int rc = dtp_session_open(cli, "clean", &s);
    if (rc)
        return rc;
    rc = dtp_stage_clean(cli, &s);
    dtp_session_close(cli, &s, rc, NULL);
    return rc;
}
