/* Runs: one lock per data directory, a row per run, and a manifest per finished run chained to
 * the previous manifest's sha256, so a history of runs cannot be edited unnoticed. */
#ifndef DTP_COMMON_RUN_H
#define DTP_COMMON_RUN_H

#include <sqlite3.h>
#include <stdint.h>

#include "common/config.h"
#include "common/error.h"

typedef struct dtp_lock dtp_lock;

/* Take <data_dir>/dtpanel.lock without waiting. DTP_ERR_LOCKED (message names the holder's pid)
 * when another process holds it. The lock is released by dtp_lock_release or process exit. */
dtp_status dtp_lock_acquire(const char *data_dir, dtp_lock **out, dtp_error *err);
void dtp_lock_release(dtp_lock *lk);

typedef struct dtp_run dtp_run;

/* Start a run: marks runs left 'running' by a dead process as 'interrupted', inserts the new
 * row. The caller must hold the lock. */
dtp_status dtp_run_begin(sqlite3 *db, const char *command, const dtp_config *cfg,
                         const char *version, dtp_run **out, dtp_error *err);

int64_t dtp_run_id(const dtp_run *r);

/* Add n to counts[stage][key] (kept in the manifest). */
void dtp_run_count(dtp_run *r, const char *stage, const char *key, int64_t n);

/* Finish: status is one of ok, failed, partial, invalid, interrupted; writes the manifest into
 * the row and, when manifest_dir is not NULL, to <manifest_dir>/run-<id>.json. Frees r. */
dtp_status dtp_run_finish(dtp_run *r, const char *status, int exit_code, const char *message,
                          const char *manifest_dir, dtp_error *err);

/* Check the manifest chain of all finished runs: each manifest's sha256 matches its text and
 * names the previous one. DTP_ERR_INTEGRITY names the first broken run. */
dtp_status dtp_run_verify_chain(sqlite3 *db, dtp_error *err);

#endif
