/* dtpanel clean: observations → country panel cells, then certificate records and the
 * yearbook → province panel cells, with lineage and ledger. */
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
    /* The province panel (METHODS.md §B) after the country panel: its reconciliation check
     * reads the ISO Survey figure for China that the country panel mapped. It is built when
     * [clean] yearbook is set (the index and controls need it; certificate counts alone are not
     * a usable panel); without it previous province cells are removed. */
    dtp_clean_province_result pr;
    dtp_error_clear(&err);
    st = dtp_clean_province(&o, &pr, &err);
    dtp_run_count(s->run, "clean", "province_cells", pr.cells);
    dtp_run_count(s->run, "clean", "certificates", pr.certificates);
    if (st != DTP_OK)
        return dtp_cli_fail(cli, &err);
    if (!pr.built) {
        dtp_log_msg(cli->log, DTP_LOG_INFO, "clean", "province_panel",
                    "province panel not built: [clean] yearbook is not set");
        return DTP_EXIT_OK;
    }
    dtp_log_msg(cli->log, DTP_LOG_INFO, "clean", "province_panel",
                "province panel: %d provinces x %d years, %lld cells; %lld yearbook values;"
                " %lld certificate records, %lld excluded, %lld certificates (%lld listed by"
                " USCC, %lld by name, %lld not listed; %lld placed by address)",
                pr.provinces, pr.years, (long long)pr.cells, (long long)pr.yearbook_values,
                (long long)pr.records_seen, (long long)pr.records_excluded,
                (long long)pr.certificates, (long long)pr.listed_uscc, (long long)pr.listed_name,
                (long long)pr.unmatched, (long long)pr.address_fallback);
    if (pr.records_seen == 0)
        dtp_log_msg(cli->log, DTP_LOG_WARN, "clean", "no_registry_records",
                    "no certificate record in staging: iso27001_listed is missing in every"
                    " province-year");
    if (pr.reconcile_flagged)
        dtp_log_msg(cli->log, DTP_LOG_WARN, "clean", "survey_vs_registry",
                    "ISO Survey and registry totals for China differ beyond [clean]"
                    " reconcile_ratio in %d of %d year(s): see the check results",
                    pr.reconcile_flagged, pr.reconcile_checked);
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
