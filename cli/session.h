/* What every stage command shares: the data-directory lock, the staging database, the raw
 * archive, a run row with its manifest, and SIGTERM/SIGINT turning into a stop flag. */
#ifndef DTP_CLI_SESSION_H
#define DTP_CLI_SESSION_H

#include <signal.h>

#include "cli/cli.h"
#include "common/archive.h"

typedef struct dtp_session {
    dtp_lock *lock;
    sqlite3 *db;
    dtp_archive *archive;
    dtp_run *run;
    char manifest_dir[DTP_PATH];
} dtp_session;

/* Set by SIGTERM/SIGINT while a session is open. */
extern volatile sig_atomic_t dtp_stop_requested;

/* Lock, open staging and archive, begin a run. On failure prints the error and returns the exit
 * code (5 when locked); 0 on success. */
int dtp_session_open(dtp_cli *cli, const char *command, dtp_session *s);

/* Stages run inside an open session (also by `dtpanel run`); each returns an exit code. */
int dtp_stage_clean(dtp_cli *cli, dtp_session *s);
int dtp_stage_ocr(dtp_cli *cli, dtp_session *s);
/* only: one source or NULL; plan: ask only. */
int dtp_stage_fetch(dtp_cli *cli, dtp_session *s, const char *only, int plan);
/* expect_*: rows each panel view must have, -1 for "balanced" only. */
int dtp_stage_load(dtp_cli *cli, dtp_session *s, long expect_country, long expect_province);

/* Finish the run with the given exit code (status derived from it) and release everything. */
void dtp_session_close(dtp_cli *cli, dtp_session *s, int exit_code, const char *message);

#endif
