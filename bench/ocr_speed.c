/* Pages per second: our pipeline (worker pool, engines initialised once, OMP_THREAD_LIMIT=1,
 * full-page pass + label parser + second pass over value boxes) against running the tesseract
 * command once per page (`tesseract IMG OUT -l chi_sim+eng`, its default threading), over the
 * same images. Prints both figures and the ratio. Bench program: prints and exits.
 *
 *   ocr_speed [--dir DIR] [--n N] [--workers N] [--langs L] [--first-pass-only]
 *
 * The command is started with posix_spawnp (never system/popen) without OMP_THREAD_LIMIT in its
 * environment, as a user would run it. */
#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"
#include "ocr/preprocess.h"
#include "ocr/readpage.h"
#include "ocr/recognize.h"

extern char **environ;

#define MAX_IMAGES 256

typedef struct ctx {
    char **paths;
    int first_pass_only;
    int failures;
    long records;
} ctx;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = len > 0 ? malloc((size_t)len) : NULL;
    if (b && fread(b, 1, (size_t)len, f) != (size_t)len) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *n = b ? (size_t)len : 0;
    return b;
}

static dtp_status count_record(void *vctx, dtp_ocr_record *rec, dtp_error *err)
{
    (void)rec;
    (void)err;
    __atomic_add_fetch(&((ctx *)vctx)->records, 1, __ATOMIC_RELAXED);
    return DTP_OK;
}

static void run_one(void *vctx, dtp_ocr_engine *eng, size_t i)
{
    ctx *c = vctx;
    size_t n = 0;
    uint8_t *b = slurp(c->paths[i], &n);
    dtp_ocr_params p;
    dtp_ocr_params_default(&p);
    dtp_ocr_image *img = NULL;
    dtp_ocr_page *page = NULL;
    dtp_error err;
    dtp_error_clear(&err);
    dtp_status st = b ? dtp_ocr_image_new(b, n, &p, &img, &err) : DTP_ERR_IO;
    if (st == DTP_OK) {
        if (c->first_pass_only)
            st = dtp_ocr_recognize_image(eng, img, &page, &err);
        else
            st = dtp_ocr_read_page(eng, img, NULL, count_record, c, NULL, &err);
    }
    if (st != DTP_OK)
        __atomic_add_fetch(&c->failures, 1, __ATOMIC_RELAXED);
    dtp_ocr_page_free(page);
    dtp_ocr_image_free(img);
    free(b);
}

/* The environment without OMP_THREAD_LIMIT (the command as a user runs it). */
static char **child_env(void)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 1, sizeof *env);
    size_t k = 0;
    for (size_t i = 0; env && i < n; i++)
        if (strncmp(environ[i], "OMP_THREAD_LIMIT=", 17) != 0)
            env[k++] = environ[i];
    return env;
}

static int run_cli(const char *img, const char *outbase, char **env)
{
    char *argv[] = {"tesseract", (char *)img, (char *)outbase, "-l", "chi_sim+eng", NULL};
    pid_t pid;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    int rc = posix_spawnp(&pid, "tesseract", &fa, NULL, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return -1;
    int status = 0;
    if (waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    /* OpenMP reads OMP_THREAD_LIMIT once at start-up: set it and start again when missing */
    if (!getenv("OMP_THREAD_LIMIT")) {
        setenv("OMP_THREAD_LIMIT", "1", 1);
        execv("/proc/self/exe", argv);
        fprintf(stderr, "ocr_speed: cannot re-execute with OMP_THREAD_LIMIT=1\n");
        return 1;
    }
    const char *dir = "tests/fixtures/cnca/pages";
    char dirbuf[2048];
    if (getenv("DTP_FIXTURES")) {
        snprintf(dirbuf, sizeof dirbuf, "%.2000s/cnca/pages", getenv("DTP_FIXTURES"));
        dir = dirbuf;
    }
    int nmax = 12, workers = 0;
    const char *langs = NULL;
    ctx c = {0};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--dir") && i + 1 < argc)
            dir = argv[++i];
        else if (!strcmp(argv[i], "--n") && i + 1 < argc)
            nmax = (int)strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--workers") && i + 1 < argc)
            workers = (int)strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--langs") && i + 1 < argc)
            langs = argv[++i];
        else if (!strcmp(argv[i], "--first-pass-only"))
            c.first_pass_only = 1;
        else {
            fprintf(stderr, "ocr_speed: unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    if (nmax < 1 || nmax > MAX_IMAGES)
        nmax = 12;
    /* images in name order, alternating PNG and JPEG by taking every file */
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "ocr_speed: cannot open %s\n", dir);
        return 1;
    }
    char *names[MAX_IMAGES];
    int nn = 0;
    struct dirent *de;
    while ((de = readdir(d)) && nn < MAX_IMAGES) {
        size_t l = strlen(de->d_name);
        if (l > 4 && (!strcmp(de->d_name + l - 4, ".png") || !strcmp(de->d_name + l - 4, ".jpg")))
            names[nn++] = strdup(de->d_name);
    }
    closedir(d);
    for (int i = 0; i < nn; i++)
        for (int k = i + 1; k < nn; k++)
            if (strcmp(names[k], names[i]) < 0) {
                char *t = names[i];
                names[i] = names[k];
                names[k] = t;
            }
    /* spread the sample over the set: every (nn / nmax)-th image */
    char *paths[MAX_IMAGES];
    int np = 0;
    int step = nn > nmax ? nn / nmax : 1;
    for (int i = 0; i < nn && np < nmax; i += step) {
        char p[4096];
        snprintf(p, sizeof p, "%.2048s/%.1024s", dir, names[i]);
        paths[np++] = strdup(p);
    }
    c.paths = paths;

    /* baseline: the command, one page at a time */
    char tmpl[] = "/tmp/dtp_ocr_speed_XXXXXX";
    if (!mkdtemp(tmpl)) {
        fprintf(stderr, "ocr_speed: cannot make a temporary directory\n");
        return 1;
    }
    char **env = child_env();
    int cli_fail = 0;
    double t0 = now();
    for (int i = 0; i < np; i++) {
        char out[4096];
        snprintf(out, sizeof out, "%s/out%d", tmpl, i);
        cli_fail += run_cli(paths[i], out, env) != 0;
    }
    double cli_s = now() - t0;
    for (int i = 0; i < np; i++) {
        char out[4096];
        snprintf(out, sizeof out, "%s/out%d.txt", tmpl, i);
        unlink(out);
    }
    rmdir(tmpl);
    free(env);

    dtp_error err;
    dtp_error_clear(&err);
    dtp_ocr_pool *pool = NULL;
    t0 = now();
    if (dtp_ocr_pool_new(workers, NULL, langs, &pool, &err) != DTP_OK) {
        char msg[2048];
        fprintf(stderr, "ocr_speed: %s\n", dtp_error_format(&err, msg, sizeof msg));
        return 1;
    }
    double init_s = now() - t0;
    t0 = now();
    dtp_ocr_pool_run(pool, (size_t)np, run_one, &c, &err);
    double ours_s = now() - t0;

    printf("images: %d from %s (every %d-th of %d)\n", np, dir, step, nn);
    printf("tesseract command, one process per page: %.1f s, %.3f pages/s (%d failed)\n", cli_s,
           np / cli_s, cli_fail);
    /* the engines' start is counted once, as a batch run pays it once */
    double total = init_s + ours_s;
    printf("dtpanel pool, %d workers%s: %.1f s (engine start %.1f s + pages %.1f s), %.3f "
           "pages/s (%d failed, %ld records)\n",
           dtp_ocr_pool_size(pool), c.first_pass_only ? ", first pass only" : ", with second pass",
           total, init_s, ours_s, np / total, c.failures, c.records);
    printf("ratio (pages/s ours / command): %.2fx\n", cli_s / total);
    dtp_ocr_pool_free(pool);
    for (int i = 0; i < np; i++)
        free(paths[i]);
    for (int i = 0; i < nn; i++)
        free(names[i]);
    return 0;
}
