/* Crash and disk-full safety of `dtpanel run` on the offline snapshot.
 * - SIGKILL after a spread of delays (landing in fetch, clean and load; which stage a delay hits
 *   depends on the machine, so only outcomes are asserted, never timing): after each kill the
 *   published warehouse is absent or a complete release, the next run completes, and its content
 *   equals an uninterrupted run's.
 * - SIGKILL at every step of the load stage's publish (DTP_TEST_KILL_AT): the previous release
 *   stays published until the rename; the next run publishes the uninterrupted content.
 * - Disk full, emulated with RLIMIT_FSIZE (writes past the limit fail with EFBIG; SIGXFSZ is
 *   ignored): the run fails with a clear error, publishes nothing, the previous release stays;
 *   the next run without the limit completes. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/sha256.h"
#include "e2eutil.h"

static char dir[256], conf[512], baseline[65], smaller[65];
static const char *const run_args[] = {"run", NULL};
static const char *const run_small[] = {"--set", "panel.years=2016-2020", "run", NULL};

static void paths(const char *name, char *dd, char *wh, size_t n)
{
    snprintf(dd, n, "%s/%s", dir, name);
    snprintf(wh, n, "%s/%s/warehouse.db", dir, name);
}

static void file_hash(const char *path, char out[65])
{
    dtp_error err;
    if (access(path, F_OK) != 0 || dtp_sha256_file_hex(path, out, &err) != DTP_OK)
        out[0] = '\0';
}

static int group_setup(void **state)
{
    (void)state;
    e2e_setup(dir, sizeof dir, conf, sizeof conf);
    char dd[600], wh[600];
    paths("baseline", dd, wh, sizeof dd);
    e2e_spawn sp = {.datadir = dd};
    if (e2e_run(conf, &sp, run_args) != 0)
        return -1;
    e2e_content_hash(wh, baseline);
    paths("smaller", dd, wh, sizeof dd);
    if (e2e_run(conf, &sp, run_small) != 0)
        return -1;
    e2e_content_hash(wh, smaller);
    if (!baseline[0] || !smaller[0] || strcmp(baseline, smaller) == 0)
        return -1;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    e2e_rmrf(dir);
    return 0;
}

static void sleep_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0)
        ;
}

/* Kill a fresh run after each delay (twice in a row for some), then run to completion. */
static void sigkill_at_a_spread_of_times(void **state)
{
    (void)state;
    static const int delays[] = {0, 15, 40, 100, 200, 350, 600, 900, 1300};
    int killed = 0;
    for (size_t i = 0; i < sizeof delays / sizeof delays[0]; i++) {
        char name[32], dd[600], wh[600], h[65];
        snprintf(name, sizeof name, "kill%zu", i);
        paths(name, dd, wh, sizeof dd);
        e2e_spawn sp = {.datadir = dd};
        int rounds = i % 4 == 3 ? 2 : 1; /* every fourth: killed again while recovering */
        for (int r = 0; r < rounds; r++) {
            pid_t pid = e2e_start(conf, &sp, run_args);
            sleep_ms(delays[i] / (r + 1));
            int was_running = kill(pid, SIGKILL) == 0;
            int st = e2e_wait(pid);
            killed += was_running && st == 128 + SIGKILL;
            /* whatever is published is a complete release, never a mixture */
            e2e_content_hash(wh, h);
            if (h[0] && strcmp(h, baseline) != 0)
                fail_msg("after a kill at %d ms the published content differs", delays[i]);
        }
        assert_int_equal(e2e_run(conf, &sp, run_args), 0);
        e2e_content_hash(wh, h);
        assert_string_equal(h, baseline);
        e2e_rmrf(dd);
    }
    print_message("    %d runs killed by SIGKILL at %zu delays; every restart completed with the "
                  "uninterrupted content\n",
                  killed, sizeof delays / sizeof delays[0]);
    assert_true(killed >= 5);
}

/* The load stage's own kill points, each on a data dir that already publishes a smaller panel. */
static void sigkill_at_every_publish_step(void **state)
{
    (void)state;
    static const char *const steps[] = {"copied", "checked",  "hashed",
                                        "linked", "recorded", "renamed"};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        char name[32], dd[600], wh[600], h[65], env[64];
        snprintf(name, sizeof name, "step-%s", steps[i]);
        paths(name, dd, wh, sizeof dd);
        e2e_spawn sp = {.datadir = dd};
        assert_int_equal(e2e_run(conf, &sp, run_small), 0);
        snprintf(env, sizeof env, "DTP_TEST_KILL_AT=%s", steps[i]);
        const char *const extra[] = {env, NULL};
        e2e_spawn kill_sp = {.datadir = dd, .env = extra};
        assert_int_equal(e2e_run(conf, &kill_sp, run_args), 128 + SIGKILL);
        e2e_content_hash(wh, h);
        /* before the rename the old release is published; after it, the new one */
        assert_string_equal(h, strcmp(steps[i], "renamed") == 0 ? baseline : smaller);
        assert_int_equal(e2e_run(conf, &sp, run_args), 0);
        e2e_content_hash(wh, h);
        assert_string_equal(h, baseline);
        /* no half-built warehouse left behind */
        char cmd_dir[700];
        snprintf(cmd_dir, sizeof cmd_dir, "%s", dd);
        e2e_rmrf(cmd_dir);
    }
}

static int file_contains(const char *path, const char *needle)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[4096];
    int yes = 0;
    while (!yes && fgets(line, sizeof line, f))
        yes = strstr(line, needle) != NULL;
    fclose(f);
    return yes;
}

/* Each limit lands in a different place: the raw archive (fetch), staging (clean) and the new
 * warehouse (load). A fresh data dir with the tightest limit fails before anything is published;
 * a data dir with a published release keeps it, byte for byte. */
static void disk_full(void **state)
{
    (void)state;
    static const long limits[] = {4096, 1 << 20, 8 << 20};
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        char name[32], dd[600], wh[600], before[65], after[65], h[65], out[700];
        snprintf(name, sizeof name, "full%zu", i);
        paths(name, dd, wh, sizeof dd);
        snprintf(out, sizeof out, "%s/%s.log", dir, name);
        e2e_spawn sp = {.datadir = dd};
        if (i > 0) /* a published release to protect */
            assert_int_equal(e2e_run(conf, &sp, run_small), 0);
        file_hash(wh, before);
        e2e_spawn full = {.datadir = dd, .fsize_limit = limits[i], .out = out};
        int st = e2e_run(conf, &full, run_args);
        file_hash(wh, after);
        if (st == 0)
            fail_msg("run with RLIMIT_FSIZE %ld succeeded", limits[i]);
        assert_true(st < 128); /* an error exit, not a signal */
        assert_string_equal(after, before);
        /* the error says what could not be written */
        if (!file_contains(out, "File too large") && !file_contains(out, "disk") &&
            !file_contains(out, "write") && !file_contains(out, "full"))
            fail_msg("no clear error for RLIMIT_FSIZE %ld (see %s)", limits[i], out);
        print_message("    RLIMIT_FSIZE %ld: exit %d, warehouse %s\n", limits[i], st,
                      before[0] ? "unchanged" : "absent");
        assert_int_equal(e2e_run(conf, &sp, run_args), 0);
        e2e_content_hash(wh, h);
        assert_string_equal(h, baseline);
        e2e_rmrf(dd);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sigkill_at_every_publish_step),
        cmocka_unit_test(disk_full),
        cmocka_unit_test(sigkill_at_a_spread_of_times),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
