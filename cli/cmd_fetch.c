/* dtpanel fetch [SOURCE] and dtpanel plan [SOURCE] */
#include <stdio.h>
#include <string.h>

#include "cli/session.h"
#include "fetch/fetch.h"

int dtp_stage_fetch(dtp_cli *cli, dtp_session *s, const char *only, int plan)
{
    static dtp_fetch_result res;
    dtp_error err;
    dtp_error_clear(&err);
    dtp_fetch_opts o = {.db = s->db,
                        .archive = s->archive,
                        .cfg = cli->cfg,
                        .config_dir = cli->config_dir,
                        .log = cli->log,
                        .run_id = dtp_run_id(s->run),
                        .offline = cli->offline,
                        .plan_only = plan,
                        .only_source = only,
                        .interrupt = &dtp_stop_requested,
                        .version = dtp_cli_version()};
    dtp_status st = dtp_fetch_run(&o, &res, &err);
    for (int i = 0; i < res.n; i++) {
        const dtp_fetch_source_result *r = &res.sources[i];
        if (r->status != DTP_OK) {
            dtp_cli_fail(cli, &r->err);
            continue;
        }
        if (plan)
            dtp_log_msg(cli->log, DTP_LOG_INFO, "plan", "source",
                        "%s: %d request(s); %d unchanged upstream, %d changed or unknown: a "
                        "fetch would download %d",
                        r->name, r->requests, r->not_modified, r->requests - r->not_modified,
                        r->requests - r->not_modified);
        else
            dtp_log_msg(cli->log, DTP_LOG_INFO, "fetch", "source",
                        "%s: %d request(s), %d new artifact(s), %d not modified, %d current, "
                        "%lld observation(s) parsed",
                        r->name, r->requests, r->stored, r->not_modified, r->artifacts,
                        (long long)r->observations);
        dtp_run_count(s->run, "fetch", "requests", r->requests);
        dtp_run_count(s->run, "fetch", "stored", r->stored);
        dtp_run_count(s->run, "fetch", "observations", r->observations);
    }
    if (dtp_stop_requested) {
        dtp_log_msg(cli->log, DTP_LOG_ERROR, "fetch", "interrupted",
                    "stopped by signal %d: nothing partial was stored", (int)dtp_stop_requested);
        return DTP_EXIT_FAILED;
    }
    if (st == DTP_ERR_USAGE || st == DTP_ERR_CONFIG)
        return res.failed ? dtp_cli_exit_code(st) : dtp_cli_fail(cli, &err);
    if (res.failed) {
        dtp_log_msg(cli->log, DTP_LOG_ERROR, "fetch", "partial",
                    "%d of %d source(s) failed: their previous data stays", res.failed, res.n);
        return DTP_EXIT_PARTIAL;
    }
    return DTP_EXIT_OK;
}

static int fetch_or_plan(dtp_cli *cli, int plan)
{
    const char *only = NULL;
    for (int i = 1; i < cli->argc; i++) {
        if (cli->argv[i][0] == '-') {
            fprintf(stderr, "dtpanel: %s: unknown option '%s'\n", cli->argv[0], cli->argv[i]);
            return DTP_EXIT_USAGE;
        }
        if (only) {
            fprintf(stderr, "dtpanel: %s: one source at most\n", cli->argv[0]);
            return DTP_EXIT_USAGE;
        }
        only = cli->argv[i];
    }
    if (plan && cli->offline) {
        fprintf(stderr, "dtpanel: plan: asks upstream, so it cannot run --offline\n");
        return DTP_EXIT_USAGE;
    }
    dtp_session s;
    int rc = dtp_session_open(cli, plan ? "plan" : "fetch", &s);
    if (rc)
        return rc;
    rc = dtp_stage_fetch(cli, &s, only, plan);
    dtp_session_close(cli, &s, rc, NULL);
    return rc;
}

int dtp_cmd_fetch(dtp_cli *cli)
{
    return fetch_or_plan(cli, 0);
}

int dtp_cmd_plan(dtp_cli *cli)
{
    return fetch_or_plan(cli, 1);
}
