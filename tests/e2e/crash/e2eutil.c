/* Test-only: prints and aborts on failure. */
#include "e2eutil.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "common/sha256.h"

extern char **environ;

void e2e_setup(char *dir, size_t dirsz, char *conf, size_t confsz)
{
    snprintf(dir, dirsz, "/tmp/dtp-e2e-harden-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    const char *src = getenv("DTP_SOURCE_DIR");
    char in[4096];
    snprintf(in, sizeof in, "%s/data/snapshot/pipeline.conf", src);
    FILE *f = fopen(in, "r");
    snprintf(conf, confsz, "%s/pipeline.conf", dir);
    FILE *o = fopen(conf, "w");
    if (!f || !o)
        abort();
    /* the snapshot's relative paths (file://x and the path keys, relative to data/snapshot)
     * made absolute */
    static const char *const path_keys[] = {
        "overrides", "aliases",     "aggregates", "ignore_labels", "m49",
        "developed", "rcep",        "provinces",  "yearbook",      "listed_companies",
        "inbox",     "corrections", NULL};
    char line[4096];
    int skip = 0;
    while (fgets(line, sizeof line, f)) {
        char *p, key[64] = "";
        /* the registry captures are left out: OCR is tested on its own, and these tests kill and
         * restart whole runs many times */
        if (line[0] == '[')
            skip = strncmp(line, "[source.cnca]", 13) == 0;
        if (skip)
            continue;
        sscanf(line, " %63[a-z_0-9] =", key);
        int is_path = 0;
        for (int i = 0; path_keys[i]; i++)
            is_path |= strcmp(key, path_keys[i]) == 0;
        if ((p = strstr(line, "file://")) && p[7] != '/') {
            *p = '\0';
            fprintf(o, "%sfile://%s/data/snapshot/%s", line, src, p + 7);
        } else if (is_path && (p = strchr(line, '=')) && p[1 + strspn(p + 1, " ")] != '/' &&
                   p[1 + strspn(p + 1, " ")] != '\n') {
            p += 1 + strspn(p + 1, " ");
            char rest[4096];
            snprintf(rest, sizeof rest, "%s", p);
            *p = '\0';
            fprintf(o, "%s%s/data/snapshot/%s", line, src, rest);
        } else {
            fputs(line, o);
        }
        /* the OCR of the generated captures takes most of a run's time under kill after kill;
         * these tests are about fetch, clean and load */
        if (strncmp(line, "kind = cnca", 11) == 0)
            fputs("enabled = no\n", o);
    }
    fclose(f);
    fclose(o);
}

void e2e_rmrf(const char *dir)
{
    pid_t pid = fork();
    if (pid == 0) {
        execlp("rm", "rm", "-rf", dir, (char *)NULL);
        _exit(127);
    }
    waitpid(pid, NULL, 0);
}

pid_t e2e_start(const char *conf, const e2e_spawn *sp, const char *const *args)
{
    const char *argv[40];
    int n = 0;
    argv[n++] = getenv("DTP_BINARY");
    argv[n++] = "--config";
    argv[n++] = conf;
    argv[n++] = "--quiet";
    if (sp && sp->datadir) {
        argv[n++] = "--data-dir";
        argv[n++] = sp->datadir;
    }
    for (int i = 0; args && args[i] && n < 38; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid < 0)
        abort();
    if (pid == 0) {
        const char *out = sp && sp->out ? sp->out : "/dev/null";
        int fd = open(out, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        for (int i = 0; sp && sp->env && sp->env[i]; i++)
            putenv((char *)sp->env[i]);
        if (sp && sp->fsize_limit > 0) {
            signal(SIGXFSZ, SIG_IGN); /* kept across exec: writes fail with EFBIG instead */
            struct rlimit rl = {(rlim_t)sp->fsize_limit, (rlim_t)sp->fsize_limit};
            setrlimit(RLIMIT_FSIZE, &rl);
        }
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}

int e2e_wait(pid_t pid)
{
    int ws;
    if (waitpid(pid, &ws, 0) != pid)
        return -1;
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

int e2e_run(const char *conf, const e2e_spawn *sp, const char *const *args)
{
    return e2e_wait(e2e_start(conf, sp, args));
}

static int hash_view(sqlite3 *h, const char *view, dtp_sha256 *sh)
{
    char sql[256];
    sqlite3_stmt *s;
    snprintf(sql, sizeof sql, "SELECT * FROM %s", view);
    if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) != SQLITE_OK)
        return -1;
    int ncol = sqlite3_column_count(s);
    sqlite3_finalize(s);
    /* ORDER BY every column: the hash does not depend on rowids */
    int at = snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY ", view);
    for (int i = 1; i <= ncol && at < (int)sizeof sql - 8; i++)
        at += snprintf(sql + at, sizeof sql - (size_t)at, "%s%d", i > 1 ? "," : "", i);
    if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) != SQLITE_OK)
        return -1;
    dtp_sha256_update(sh, view, strlen(view) + 1);
    while (sqlite3_step(s) == SQLITE_ROW) {
        for (int i = 0; i < ncol; i++) {
            const unsigned char *t = sqlite3_column_text(s, i);
            char tag = (char)('0' + sqlite3_column_type(s, i));
            dtp_sha256_update(sh, &tag, 1);
            if (t)
                dtp_sha256_update(sh, t, strlen((const char *)t) + 1);
        }
    }
    sqlite3_finalize(s);
    return 0;
}

void e2e_content_hash(const char *warehouse, char out[65])
{
    out[0] = '\0';
    if (access(warehouse, F_OK) != 0)
        return;
    sqlite3 *h = NULL;
    dtp_sha256 *sh = dtp_sha256_new();
    if (sqlite3_open_v2(warehouse, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK && sh &&
        hash_view(h, "panel_country_year", sh) == 0 && hash_view(h, "source_observation", sh) == 0)
        dtp_sha256_final_hex(sh, out);
    dtp_sha256_free(sh);
    sqlite3_close(h);
}
