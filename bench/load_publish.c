/* Benchmark: publishing a release of N panel cells (default 1,000,000) with lineage, each
 * observed cell tracing to an observation in one of 100 raw artifacts, against the SQLite
 * shell's `.import` of a CSV holding the same cells (the STYLE.md 8 baseline). Prints both
 * times and the ratio import/publish (higher is better; the aim is >= 0.5).
 *
 *   build/bench/bench_load_publish [--rounds N] [cells]
 *
 * The two are run in turn, N rounds (default 3), and the medians are compared: this machine's
 * speed drifts by a factor of two within minutes, so one publish and one import taken at
 * different moments say little. Each round publishes the same staging again (a new release).
 *
 * The staging database is built first (not timed) in a temporary directory, which is removed
 * at the end. The sqlite3 shell is started with posix_spawn. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/archive.h"
#include "common/log.h"
#include "common/staging.h"
#include "load/load.h"

extern char **environ;

#define YEARS 25
#define VARS 8
#define ARTIFACTS 100
#define MAX_ROUNDS 15

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *v, long n)
{
    double s[MAX_ROUNDS];
    memcpy(s, v, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_of(const struct rusage *ru)
{
    return (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6 +
           (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
}

static double self_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return cpu_of(&ru);
}

/* Run argv and wait; *cpu receives the child's user + system seconds. */
static int spawn_wait(char *const argv[], double *cpu)
{
    pid_t pid;
    if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ) != 0)
        return -1;
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0)
        return -1;
    if (cpu)
        *cpu = cpu_of(&ru);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int die(const char *what, const dtp_error *e)
{
    fprintf(stderr, "bench_load_publish: %s: %s\n", what, e ? e->message : strerror(errno));
    return 1;
}

int main(int argc, char **argv)
{
    long cells = 1000000, rounds = 3;
    for (int a = 1; a < argc; a++) {
        char *end;
        errno = 0;
        if (strcmp(argv[a], "--rounds") == 0 && a + 1 < argc) {
            rounds = strtol(argv[++a], &end, 10);
            if (!errno && !*end && rounds >= 1 && rounds <= MAX_ROUNDS)
                continue;
        } else {
            cells = strtol(argv[a], &end, 10);
            if (!errno && !*end && cells >= VARS * YEARS)
                continue;
        }
        fprintf(stderr, "usage: bench_load_publish [--rounds 1..%d] [cells >= %d]\n", MAX_ROUNDS,
                VARS * YEARS);
        return 2;
    }
    long entities = cells / (VARS * YEARS);
    cells = entities * VARS * YEARS;
    static const char *vars[VARS] = {"dt_exp", "dt_imp", "dt_total", "iso27001",
                                     "pv",     "fdi",    "infra",    "rcep"};
    char dir[] = "/tmp/dtp-bench-XXXXXX";
    if (!mkdtemp(dir))
        return die("mkdtemp", NULL);
    char stg_path[256], wh_path[256], csv_path[256], imp_path[256];
    snprintf(stg_path, sizeof stg_path, "%s/staging.db", dir);
    snprintf(wh_path, sizeof wh_path, "%s/warehouse.db", dir);
    snprintf(csv_path, sizeof csv_path, "%s/cells.csv", dir);
    snprintf(imp_path, sizeof imp_path, "%s/import.db", dir);
    dtp_error err;
    dtp_archive *ar = NULL;
    sqlite3 *db = NULL;
    if (dtp_archive_open(dir, &ar, &err) != DTP_OK || dtp_staging_open(stg_path, &db, &err))
        return die("open", &err);
    char shas[ARTIFACTS][65];
    for (int i = 0; i < ARTIFACTS; i++) {
        char text[64];
        int n = snprintf(text, sizeof text, "generated benchmark artifact %d\n", i);
        if (dtp_archive_put(ar, text, (size_t)n, shas[i], &err) != DTP_OK ||
            dtp_staging_add_artifact(db, shas[i], (uint64_t)n, "text/csv", "bench.csv", "bench", 1,
                                     &err) != DTP_OK)
            return die("artifact", &err);
    }
    fprintf(stderr, "building staging with %ld cells (%ld entities x %d years x %d variables)\n",
            cells, entities, YEARS, VARS);
    double t0 = now();
    sqlite3_exec(db, "PRAGMA synchronous = OFF; BEGIN", NULL, NULL, NULL);
    sqlite3_stmt *o = NULL, *c = NULL, *l = NULL;
    sqlite3_prepare_v2(db,
                       "INSERT INTO observations(id, artifact_sha256, source, indicator, variable,"
                       " entity_raw, entity_code, entity_system, year, value_raw, has_value, value,"
                       " unit, locator) VALUES(?,?,'bench',?,?,?,?,'iso3',?,?,1,?,'unit',?)",
                       -1, &o, NULL);
    sqlite3_prepare_v2(db,
                       "INSERT INTO panel_cells(id, panel, entity, year, variable, value, status)"
                       " VALUES(?,'country',?,?,?,?,'observed')",
                       -1, &c, NULL);
    sqlite3_prepare_v2(db,
                       "INSERT INTO lineage(cell_id, role, observation_id) VALUES(?,'source',?)",
                       -1, &l, NULL);
    FILE *csv = fopen(csv_path, "w");
    if (!o || !c || !l || !csv)
        return die("prepare", NULL);
    fprintf(csv, "id,panel,entity,year,variable,value,status,observation_id\n");
    long id = 0;
    for (long e = 0; e < entities; e++) {
        char ent[16];
        snprintf(ent, sizeof ent, "E%05ld", e);
        for (int y = 0; y < YEARS; y++) {
            for (int v = 0; v < VARS; v++) {
                id++;
                double val = (double)(id % 100000) / 7.0 + 1;
                char raw[32], loc[48];
                snprintf(raw, sizeof raw, "%.6f", val);
                snprintf(loc, sizeof loc, "line %ld:col %d", id % 100000 + 2, y + 5);
                sqlite3_bind_int64(o, 1, id);
                sqlite3_bind_text(o, 2, shas[id % ARTIFACTS], -1, SQLITE_STATIC);
                sqlite3_bind_text(o, 3, vars[v], -1, SQLITE_STATIC);
                sqlite3_bind_text(o, 4, vars[v], -1, SQLITE_STATIC);
                sqlite3_bind_text(o, 5, ent, -1, SQLITE_STATIC);
                sqlite3_bind_text(o, 6, ent, -1, SQLITE_STATIC);
                sqlite3_bind_int(o, 7, 1999 + y);
                sqlite3_bind_text(o, 8, raw, -1, SQLITE_STATIC);
                sqlite3_bind_double(o, 9, val);
                sqlite3_bind_text(o, 10, loc, -1, SQLITE_STATIC);
                sqlite3_bind_int64(c, 1, id);
                sqlite3_bind_text(c, 2, ent, -1, SQLITE_STATIC);
                sqlite3_bind_int(c, 3, 1999 + y);
                sqlite3_bind_text(c, 4, vars[v], -1, SQLITE_STATIC);
                sqlite3_bind_double(c, 5, val);
                sqlite3_bind_int64(l, 1, id);
                sqlite3_bind_int64(l, 2, id);
                if (sqlite3_step(o) != SQLITE_DONE || sqlite3_step(c) != SQLITE_DONE ||
                    sqlite3_step(l) != SQLITE_DONE)
                    return die(sqlite3_errmsg(db), NULL);
                sqlite3_reset(o);
                sqlite3_reset(c);
                sqlite3_reset(l);
                fprintf(csv, "%ld,country,%s,%d,%s,%.17g,observed,%ld\n", id, ent, 1999 + y,
                        vars[v], val, id);
            }
        }
    }
    sqlite3_finalize(o);
    sqlite3_finalize(c);
    sqlite3_finalize(l);
    sqlite3_exec(db, "COMMIT; PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
    fclose(csv);
    fprintf(stderr, "staging built in %.2f s\n", now() - t0);

    dtp_load_options opt;
    memset(&opt, 0, sizeof opt);
    opt.warehouse = wh_path;
    opt.data_dir = dir;
    opt.keep_releases = 2;
    opt.year_first = 1999;
    opt.year_last = 1999 + YEARS - 1;
    opt.expected_country_rows = entities * YEARS;
    opt.expected_province_rows = -1;
    opt.version = "bench";
    opt.log = dtp_log_new(stderr, NULL, DTP_LOG_DEBUG);
    dtp_load_result res;
    double t_pub[MAX_ROUNDS], c_pub[MAX_ROUNDS], t_imp[MAX_ROUNDS], c_imp[MAX_ROUNDS];
    char import_cmd[512];
    snprintf(import_cmd, sizeof import_cmd, ".import --csv --skip 1 %s panel_cells", csv_path);
    char *sargv[] = {"sqlite3", imp_path,
                     "CREATE TABLE panel_cells(id INTEGER PRIMARY KEY, panel TEXT, entity TEXT,"
                     " year INTEGER, variable TEXT, value REAL, status TEXT, observation_id"
                     " INTEGER)",
                     import_cmd, NULL};
    for (long r = 0; r < rounds; r++) {
        t0 = now();
        double c0 = self_cpu();
        dtp_status st = dtp_load_publish(db, ar, &opt, &res, &err);
        t_pub[r] = now() - t0;
        c_pub[r] = self_cpu() - c0;
        if (st != DTP_OK)
            return die("publish", &err);

        /* Baseline: the SQLite shell importing the same cells into a typed table. */
        unlink(imp_path);
        t0 = now();
        int rc = spawn_wait(sargv, &c_imp[r]);
        t_imp[r] = now() - t0;
        if (rc != 0)
            return die("sqlite3 .import failed (is the sqlite3 shell installed?)", NULL);
        printf("round %ld: publish %.2f s wall, %.2f s cpu; .import %.2f s wall, %.2f s cpu;"
               " ratio %.2f wall\n",
               r + 1, t_pub[r], c_pub[r], t_imp[r], c_imp[r], t_imp[r] / t_pub[r]);
        fflush(stdout);
    }
    double tp = median(t_pub, rounds), cp = median(c_pub, rounds), ti = median(t_imp, rounds),
           ci = median(c_imp, rounds);
    printf("cells published:        %ld (with %ld observations and %ld lineage edges)\n",
           (long)res.cells, cells, cells);
    printf("dtp_load_publish:       %.2f s wall, %.2f s cpu, median of %ld (copy, indexes,"
           " integrity + foreign key + lineage + balance checks, content hash, fsync, rename)\n",
           tp, cp, rounds);
    printf("sqlite3 .import (CSV):  %.2f s wall, %.2f s cpu, median of %ld (cells only, no"
           " checks)\n",
           ti, ci, rounds);
    printf("ratio import/publish:   %.2f wall, %.2f cpu, of the medians (aim >= 0.5)\n", ti / tp,
           ci / cp);

    dtp_log_free(opt.log);
    sqlite3_close(db);
    dtp_archive_free(ar);
    if (getenv("DTP_BENCH_KEEP"))
        fprintf(stderr, "kept %s\n", dir);
    else {
        char *rm[] = {"rm", "-rf", dir, NULL};
        spawn_wait(rm, NULL);
    }
    return 0;
}
