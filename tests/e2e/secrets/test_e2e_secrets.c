/* A credential given on the command line (UNCTAD's client_secret) never appears anywhere the
 * program writes: stdout/stderr, the --log-json log, run manifests (runs/run-*.json,
 * runs.manifest), staging (config_text of the runs), error messages, the raw archive and the
 * published warehouse. Every file under the data dir is searched as bytes. Also: the binary
 * links none of the calls that start a shell. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "e2eutil.h"

#define SECRET "S3cr3tValue"

static char dir[256], conf[512];

static int setup(void **state)
{
    (void)state;
    e2e_setup(dir, sizeof dir, conf, sizeof conf);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    e2e_rmrf(dir);
    return 0;
}

/* 1 when the file's bytes contain needle. */
static int file_has(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t nl = strlen(needle), keep = 0, got;
    static char buf[1 << 16];
    int yes = 0;
    while (!yes && (got = fread(buf + keep, 1, sizeof buf - keep, f)) > 0) {
        size_t n = keep + got;
        for (size_t i = 0; !yes && i + nl <= n; i++)
            yes = memcmp(buf + i, needle, nl) == 0;
        keep = n >= nl ? nl - 1 : n;
        memmove(buf, buf + n - keep, keep);
    }
    fclose(f);
    return yes;
}

/* Searches every regular file under path; returns how many were searched. */
static int search_tree(const char *path, const char *needle, char *found, size_t fsz)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return 0;
    if (S_ISREG(sb.st_mode)) {
        if (file_has(path, needle) && !found[0])
            snprintf(found, fsz, "%s", path);
        return 1;
    }
    if (!S_ISDIR(sb.st_mode))
        return 0;
    DIR *d = opendir(path);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        n += search_tree(sub, needle, found, fsz);
    }
    closedir(d);
    return n;
}

static void secret_never_written(void **state)
{
    (void)state;
    char dd[600], out[600], logj[600], url[4096];
    snprintf(dd, sizeof dd, "%s/data", dir);
    snprintf(out, sizeof out, "%s/out.txt", dir);
    snprintf(logj, sizeof logj, "%s/log.json", dir);
    e2e_spawn sp = {.datadir = dd, .out = out};
    /* a full run with the credential set for a configured (disabled) keyed source */
    const char *const run[] = {"--log-json", logj,
                               "--set",      "source.unctad.kind=unctad",
                               "--set",      "source.unctad.enabled=no",
                               "--set",      "source.unctad.client_id=someid",
                               "--set",      "source.unctad.client_secret=" SECRET,
                               "run",        NULL};
    assert_int_equal(e2e_run(conf, &sp, run), 0);
    /* the same source enabled and failing: its errors and the failed run's manifest */
    snprintf(url, sizeof url, "source.unctad.url=file://%s/missing.7z", dir);
    const char *const fail[] = {"--log-json", logj, "--set", "source.unctad.kind=unctad",
                                "--set",      url,  "--set", "source.unctad.client_secret=" SECRET,
                                "run",        NULL};
    assert_int_not_equal(e2e_run(conf, &sp, fail), 0);
    /* the commands that print configuration and state */
    const char *const show[] = {"--set",  "source.unctad.kind=unctad",
                                "--set",  "source.unctad.client_secret=" SECRET,
                                "config", "--show",
                                NULL};
    assert_int_equal(e2e_run(conf, &sp, show), 0);
    const char *const status[] = {"--set", "source.unctad.client_secret=" SECRET, "status", NULL};
    e2e_run(conf, &sp, status);
    /* the secret was accepted (config --show says it is set) ... */
    assert_true(file_has(out, "(set)"));
    assert_true(file_has(logj, "run"));
    /* ... and is nowhere */
    char found[4096] = "";
    int n = search_tree(dir, SECRET, found, sizeof found);
    print_message("    searched %d files (data dir, archive, staging, warehouse, releases, "
                  "manifests, log, output)\n",
                  n);
    assert_true(n > 10);
    if (found[0])
        fail_msg("the secret appears in %s", found);
    /* control: the search does find the value where it is */
    char ctl[700];
    snprintf(ctl, sizeof ctl, "%s/raw/control.bin", dd);
    FILE *f = fopen(ctl, "wb");
    assert_non_null(f);
    fputs("\x01\x02" SECRET "\x03", f);
    fclose(f);
    search_tree(dir, SECRET, found, sizeof found);
    assert_string_equal(found, ctl);
}

/* No shell: the binary imports none of system, popen, execl/execlp/execvp/execve of a shell.
 * (tools/check-banned.sh bans the calls in the sources; this checks what was linked.) */
static void no_shell_in_the_binary(void **state)
{
    (void)state;
    const char *bin = getenv("DTP_BINARY");
    static const char *const calls[] = {"system", "popen",  "execl",  "execlp",      "execle",
                                        "execv",  "execvp", "execve", "posix_spawn", "wordexp"};
    char out[600];
    snprintf(out, sizeof out, "%s/nm.txt", dir);
    pid_t pid = fork();
    if (pid == 0) {
        FILE *f = freopen(out, "w", stdout);
        (void)f;
        execlp("nm", "nm", "-D", "--undefined-only", bin, (char *)NULL);
        _exit(127);
    }
    assert_int_equal(e2e_wait(pid), 0);
    FILE *f = fopen(out, "r");
    assert_non_null(f);
    char line[512];
    int lines = 0;
    while (fgets(line, sizeof line, f)) {
        lines++;
        char *sym = strrchr(line, ' ');
        sym = sym ? sym + 1 : line;
        sym[strcspn(sym, "@\n")] = '\0';
        for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
            if (strcmp(sym, calls[i]) == 0)
                fail_msg("dtpanel imports %s", sym);
    }
    fclose(f);
    assert_true(lines > 20);
}

/* TLS verification cannot be switched off: no key of the table does it, and the obvious
 * spellings are refused as unknown keys (exit 2). The client sets VERIFYPEER=1/VERIFYHOST=2
 * unconditionally (fetch/http.c); tools/check-banned.sh fails on any assignment of 0. */
static void no_tls_switch(void **state)
{
    (void)state;
    char out[600];
    snprintf(out, sizeof out, "%s/keys.txt", dir);
    e2e_spawn sp = {.out = out};
    const char *const keys[] = {"config", "--keys", NULL};
    assert_int_equal(e2e_run(conf, &sp, keys), 0);
    static const char *const words[] = {"verify", "insecure", "ssl", "tls", "cainfo", "capath"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (file_has(out, words[i]))
            fail_msg("config --keys mentions %s", words[i]);
    static const char *const tries[] = {"http.insecure=yes", "http.verify=no", "http.ssl_verify=0",
                                        "http.tls_verify=no"};
    for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
        const char *const args[] = {"--set", tries[i], "config", "--show", NULL};
        assert_int_equal(e2e_run(conf, &sp, args), 2);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(secret_never_written, setup, teardown),
        cmocka_unit_test_setup_teardown(no_shell_in_the_binary, setup, teardown),
        cmocka_unit_test_setup_teardown(no_tls_switch, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
