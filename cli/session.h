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

/* Finish the run with the given exit code (status derived from it) and release everything. */
void dtp_session_close(dtp_cli *cli, dtp_session *s, int exit_code, const char *message);

#endif
