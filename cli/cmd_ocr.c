/* dtpanel ocr: registry captures → certificate records with evidence and a review queue. */
#include <stdio.h>

#include "cli/session.h"
#include "ocr/ocr.h"

int dtp_stage_ocr(dtp_cli *cli, dtp_session *s)
{
    dtp_error err;
    dtp_error_clear(&err);
    dtp_ocr_stage_opts o = {.db = s->db,
                            .archive = s->archive,
                            .cfg = cli->cfg,
                            .data_dir = cli->data_dir,
                            .log = cli->log,
                            .run_id = dtp_run_id(s->run),
                            .interrupt = &dtp_stop_requested};
    dtp_ocr_stage_result r;
    dtp_status st = dtp_ocr_stage_run(&o, &r, &err);
    dtp_run_count(s->run, "ocr", "captures", r.artifacts);
    dtp_run_count(s->run, "ocr", "recognised", r.recognised);
    dtp_run_count(s->run, "ocr", "cached", r.cached);
    dtp_run_count(s->run, "ocr", "records", r.records);
    dtp_run_count(s->run, "ocr", "accepted", r.accepted);
    dtp_run_count(s->run, "ocr", "reviewed", r.reviewed);
    dtp_run_count(s->run, "ocr", "needs_review", r.needs_review);
    dtp_run_count(s->run, "ocr", "queued_fields", r.queued_fields);
    if (r.artifacts)
        dtp_log_msg(cli->log, DTP_LOG_INFO, "ocr", "records",
                    "%d capture(s) (%d screenshot(s): %d recognised, %d from the cache): %lld "
                    "record(s), %lld accepted, %lld reviewed, %lld waiting for review (%lld "
                    "field(s) in %s/review/ocr.csv), %lld correction(s) applied",
                    r.artifacts, r.images, r.recognised, r.cached, (long long)r.records,
                    (long long)r.accepted, (long long)r.reviewed, (long long)r.needs_review,
                    (long long)r.queued_fields, cli->data_dir, (long long)r.corrections);
    if (st != DTP_OK)
        return dtp_stop_requested ? DTP_EXIT_FAILED
               : r.failed         ? (dtp_cli_fail(cli, &err), DTP_EXIT_PARTIAL)
                                  : dtp_cli_fail(cli, &err);
    return DTP_EXIT_OK;
}

int dtp_cmd_ocr(dtp_cli *cli)
{
    for (int i = 1; i < cli->argc; i++) {
        fprintf(stderr, "dtpanel: ocr: unknown option '%s'\n", cli->argv[i]);
        return DTP_EXIT_USAGE;
    }
    dtp_session s;
    int rc = dtp_session_open(cli, "ocr", &s);
    if (rc)
        return rc;
    rc = dtp_stage_ocr(cli, &s);
    dtp_session_close(cli, &s, rc, NULL);
    return rc;
}
