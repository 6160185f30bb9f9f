#include "cli/session.h"

#include <string.h>

#include "common/staging.h"

volatile sig_atomic_t dtp_stop_requested = 0;

static void on_signal(int sig)
{
    dtp_stop_requested = sig;
}

int dtp_session_open(dtp_cli *cli, const char *command, dtp_session *s)
{
    memset(s, 0, sizeof *s);
    dtp_error err;
    dtp_error_clear(&err);
    char path[DTP_PATH];
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    if (dtp_lock_acquire(cli->data_dir, &s->lock, &err) != DTP_OK)
        return dtp_cli_fail(cli, &err);
    dtp_cli_staging_path(cli, path, sizeof path);
    if (dtp_staging_open(path, &s->db, &err) != DTP_OK ||
        dtp_archive_open(cli->data_dir, &s->archive, &err) != DTP_OK ||
        dtp_run_begin(s->db, command, cli->cfg, dtp_cli_version(), &s->run, &err) != DTP_OK) {
        int rc = dtp_cli_fail(cli, &err);
        dtp_archive_free(s->archive);
        dtp_staging_close(s->db);
        dtp_lock_release(s->lock);
        memset(s, 0, sizeof *s);
        return rc;
    }
    snprintf(s->manifest_dir, sizeof s->manifest_dir, "%s/runs", cli->data_dir);
    return 0;
}

void dtp_session_close(dtp_cli *cli, dtp_session *s, int exit_code, const char *message)
{
    const char *status = "ok";
    if (dtp_stop_requested)
        status = "interrupted";
    else if (exit_code == DTP_EXIT_PARTIAL)
        status = "partial";
    else if (exit_code == DTP_EXIT_INVALID)
        status = "invalid";
    else if (exit_code != DTP_EXIT_OK)
        status = "failed";
    if (s->run) {
        dtp_error err;
        dtp_error_clear(&err);
        if (dtp_run_finish(s->run, status, exit_code, message, s->manifest_dir, &err) != DTP_OK)
            dtp_cli_fail(cli, &err);
    }
    dtp_archive_free(s->archive);
    dtp_staging_close(s->db);
    dtp_lock_release(s->lock);
    memset(s, 0, sizeof *s);
}
