/* Benchmark: the UNCTAD bulk CSV reader against the SQLite shell's `.import`.
 *
 *   bench_unctad_staging [ROWS] [TMPDIR]      (ROWS defaults to 5,000,000)
 *
 * 1. writes ROWS rows in the UNCTADstat bulk layout to a temporary CSV (streamed);
 * 2. parses it with dtp_unctad_parse_csv (every observation carries its file:line:col locator)
 *    into a sink that only counts: observations/second and peak RSS of the parse alone;
 * 3. parses it again and inserts every observation into a plain SQLite table with one prepared
 *    into the staging database through its observation writer (the path `dtpanel fetch` takes),
 *    in batched transactions;
 * 4. times `sqlite3 DB ".import --csv FILE raw"` on the same CSV (the baseline the issue names),
 *    run with posix_spawn, and prints the ratio.
 * A program that prints figures, not a test. */
#include <errno.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/sha256.h"
#include "common/staging.h"
#include "fetch/unctad.h"

extern char **environ;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds (user + system) of this process or of its waited-for children: the machine may be
 * shared, so CPU time is reported beside wall time. */
static double cpu(int who)
{
    struct rusage ru;
    getrusage(who, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* KiB on Linux */
}

#define M "US$ at current prices in millions"

static int write_csv(const char *path, long rows)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    static char buf[1 << 20];
    setvbuf(f, buf, _IOFBF, sizeof buf);
    fputs("\xEF\xBB\xBFYear,Economy,Economy Label,Flow,Flow Label," M "," M " Footnote," M
          " Missing value\r\n",
          f);
    for (long i = 0; i < rows; i++) {
        int flow = (int)(i % 2) + 1;
        long econ = (i / 2) % 1100;
        int year = 1000 + (int)(i / 2200);
        char code[8];
        if (econ < 1000)
            snprintf(code, sizeof code, "%03ld", econ);
        else
            snprintf(code, sizeof code, "%04ld", econ * 7 % 10000); /* groups */
        if (i % 97 == 0)
            fprintf(f, "%d,%s,\"Economy %s\",%02d,\"%s\",,,\"No value reported or collected\"\r\n",
                    year, code, code, flow, flow == 1 ? "Imports" : "Exports");
        else
            fprintf(f, "%d,%s,\"Economy %s\",%02d,\"%s\",%ld.%03ld,%s,\r\n", year, code, code, flow,
                    flow == 1 ? "Imports" : "Exports", i % 100000, i % 1000,
                    i % 13 == 0 ? "\"Estimated\"" : "");
    }
    return fclose(f);
}

static dtp_status count_only(void *ctx, const dtp_obs *o, dtp_error *err)
{
    (void)err;
    size_t *n = ctx;
    *n += o->locator[0] != '\0';
    return DTP_OK;
}

/* ---- the store: the real staging database and its observation writer (common/staging.h),
 * the same path `dtpanel fetch` uses, committed in batches as the bench goes ---- */

typedef struct store {
    sqlite3 *db;
    dtp_obs_writer *w;
    long in_batch;
    long batch;
} store;

static int store_open(store *s, const char *path, const char *csv)
{
    memset(s, 0, sizeof *s);
    s->batch = 50000;
    dtp_error err;
    char sha[65];
    dtp_error_clear(&err);
    if (dtp_staging_open(path, &s->db, &err) != DTP_OK ||
        dtp_sha256_file_hex(csv, sha, &err) != DTP_OK ||
        dtp_staging_add_artifact(s->db, sha, 0, "text/csv", "bench.csv", "unctad", 1, &err) !=
            DTP_OK ||
        dtp_obs_writer_new(s->db, sha, &s->w, &err) != DTP_OK) {
        fprintf(stderr, "bench: staging: %s\n", err.message);
        return -1;
    }
    return dtp_db_begin(s->db, &err) == DTP_OK ? 0 : -1;
}

static dtp_status store_observation(void *ctx, const dtp_obs *o, dtp_error *err)
{
    store *s = ctx;
    dtp_status st = dtp_obs_writer_add(s->w, o, err);
    if (st == DTP_OK && ++s->in_batch == s->batch) {
        s->in_batch = 0;
        if ((st = dtp_db_commit(s->db, err)) == DTP_OK)
            st = dtp_db_begin(s->db, err);
    }
    return st;
}

static int store_close(store *s)
{
    dtp_error err;
    int rc = dtp_db_commit(s->db, &err) == DTP_OK ? 0 : -1;
    dtp_obs_writer_free(s->w);
    dtp_staging_close(s->db);
    return rc;
}

/* ---- end of the store ---- */

static int run_sqlite_import(const char *db, const char *csv, double *secs, double *cpu_secs)
{
    char cmd[4400];
    int w = snprintf(cmd, sizeof cmd, ".import --csv \"%s\" raw", csv);
    if (w < 0 || (size_t)w >= sizeof cmd)
        return -1;
    char *argv[] = {"sqlite3", (char *)db, cmd, NULL};
    pid_t pid;
    double t0 = now(), c0 = cpu(RUSAGE_CHILDREN);
    int rc = posix_spawnp(&pid, "sqlite3", NULL, NULL, argv, environ);
    if (rc != 0) {
        fprintf(stderr, "bench: cannot run sqlite3: %s\n", strerror(rc));
        return -1;
    }
    int status;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench: sqlite3 .import failed\n");
        return -1;
    }
    *secs = now() - t0;
    *cpu_secs = cpu(RUSAGE_CHILDREN) - c0;
    return 0;
}

static int parse_file(const char *path, dtp_obs_fn fn, void *ctx, dtp_parse_stats *s)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    dtp_reader r = dtp_reader_file(f);
    dtp_parse_ctx pc = {.source = "unctad",
                        .file = "US_DigitallyDeliverableServices.csv",
                        .on_obs = fn,
                        .obs_ctx = ctx};
    dtp_error err;
    dtp_error_clear(&err);
    dtp_status st = dtp_unctad_parse_csv(&pc, &r, NULL, s, &err);
    fclose(f);
    if (st != DTP_OK) {
        char msg[2048];
        fprintf(stderr, "bench: %s\n", dtp_error_format(&err, msg, sizeof msg));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    long rows = argc > 1 ? strtol(argv[1], NULL, 10) : 5000000;
    const char *tmp = argc > 2 ? argv[2] : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (rows <= 0) {
        fprintf(stderr, "usage: bench_unctad_staging [ROWS] [TMPDIR]\n");
        return 2;
    }
    char dir[4096], csv[4200], db1[4200], db2[4200];
    snprintf(dir, sizeof dir, "%s/dtp-bench-XXXXXX", tmp);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(csv, sizeof csv, "%s/US_DigitallyDeliverableServices.csv", dir);
    snprintf(db1, sizeof db1, "%s/staging.db", dir);
    snprintf(db2, sizeof db2, "%s/import.db", dir);
    int rc = 1;

    double t0 = now();
    if (write_csv(csv, rows) != 0) {
        perror("write csv");
        goto out;
    }
    struct stat sb;
    stat(csv, &sb);
    printf("csv: %ld rows, %.1f MB written in %.2f s\n", rows, (double)sb.st_size / 1e6,
           now() - t0);

    size_t counted = 0;
    dtp_parse_stats ps = {0};
    t0 = now();
    double c0 = cpu(RUSAGE_SELF);
    if (parse_file(csv, count_only, &counted, &ps) != 0)
        goto out;
    double t_parse = now() - t0, c_parse = cpu(RUSAGE_SELF) - c0;
    double rss_parse = peak_rss_mb();
    printf("parse only: %zu observations (%zu missing) in %.2f s wall = %.0f obs/s; %.2f s CPU = "
           "%.0f obs/CPU-s; peak RSS %.1f MB\n",
           ps.obs, ps.missing, t_parse, (double)ps.obs / t_parse, c_parse, (double)ps.obs / c_parse,
           rss_parse);

    store s;
    if (store_open(&s, db1, csv) != 0)
        goto out;
    dtp_parse_stats ps2 = {0};
    t0 = now();
    c0 = cpu(RUSAGE_SELF);
    if (parse_file(csv, store_observation, &s, &ps2) != 0 || store_close(&s) != 0)
        goto out;
    double t_store = now() - t0, c_store = cpu(RUSAGE_SELF) - c0;
    printf("parse + staging (observation writer, %ld rows per transaction): %.2f s wall = %.0f "
           "obs/s; %.2f s CPU = %.0f obs/CPU-s; peak RSS %.1f MB\n",
           s.batch, t_store, (double)ps2.obs / t_store, c_store, (double)ps2.obs / c_store,
           peak_rss_mb());

    double t_import, c_import;
    if (run_sqlite_import(db2, csv, &t_import, &c_import) != 0)
        goto out;
    printf("baseline sqlite3 .import --csv: %.2f s wall = %.0f rows/s; %.2f s CPU = %.0f "
           "rows/CPU-s\n",
           t_import, (double)rows / t_import, c_import, (double)rows / c_import);
    printf("ratio parse+insert / .import: wall %.2f, CPU %.2f (parse only / .import: wall %.2f, "
           "CPU %.2f)\n",
           t_store / t_import, c_store / c_import, t_parse / t_import, c_parse / c_import);
    printf("peak RSS of the parse %s the 64 MB bound\n",
           rss_parse < 64.0 ? "is within" : "EXCEEDS");
    rc = rss_parse < 64.0 ? 0 : 1;
out:
    unlink(csv);
    unlink(db1);
    unlink(db2);
    char side[4300];
    snprintf(side, sizeof side, "%s-wal", db1);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", db1);
    unlink(side);
    rmdir(dir);
    return rc;
}
