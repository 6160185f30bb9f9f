/* Test-only helpers shared by the crash, disk-full and secrets end-to-end tests: a config over
 * the offline snapshot (absolute file:// paths), spawning dtpanel with extra environment and
 * resource limits, and a content hash of the published views. Test code: prints and aborts. */
#ifndef DTP_TEST_E2EUTIL_H
#define DTP_TEST_E2EUTIL_H

#include <stddef.h>
#include <sys/types.h>

typedef struct e2e_spawn {
    const char *datadir;    /* --data-dir */
    const char *const *env; /* extra NAME=VALUE entries, NULL-terminated (may be NULL) */
    long fsize_limit;       /* >0: RLIMIT_FSIZE in the child, SIGXFSZ ignored */
    const char *out;        /* file receiving stdout and stderr (NULL: /dev/null) */
} e2e_spawn;

/* A temp dir and, in it, pipeline.conf over data/snapshot with absolute paths. */
void e2e_setup(char *dir, size_t dirsz, char *conf, size_t confsz);
void e2e_rmrf(const char *dir);

/* Start dtpanel --config conf --quiet ARGS... (args NULL-terminated). */
pid_t e2e_start(const char *conf, const e2e_spawn *sp, const char *const *args);
/* Exit status, or 128 + signal. */
int e2e_wait(pid_t pid);
int e2e_run(const char *conf, const e2e_spawn *sp, const char *const *args);

/* sha256 over panel_country_year and source_observation of the warehouse (every row, ordered
 * by every column); "" when the file is absent or unreadable. Run ids and times are not in these
 * views, so two runs over the same inputs give the same hash. */
void e2e_content_hash(const char *warehouse, char out[65]);

#endif
