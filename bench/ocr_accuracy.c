/* OCR accuracy over the generated registry-like pages (tests/fixtures/cnca/pages): runs the
 * image pipeline on every page (PNG and its quality-60 JPEG) and compares with the ground truth
 * per field. Prints a per-field table for the main set (DIR) and, separately, for the hard set
 * (DIR/hard, or --hard-dir): pages whose names hold characters outside the model's character set,
 * which must go to review and never be accepted wrong. Bench program: prints and exits.
 *
 *   ocr_accuracy [--dir DIR] [--hard-dir DIR | --no-hard] [--scale PX] [--max-scale F]
 *                [--bin none|sauvola|otsu] [--rules] [--deskew] [--psm N] [--workers N]
 *                [--langs L] [--only png|jpg] [--match PREFIX] [--dump] [--no-parse]
 *                [--no-second-pass] [--min-conf F]
 *
 * Measure "appears": the exact value (whitespace removed on both sides) appears in the text of
 * the page, words joined without spaces — the measure SOURCES.md §5 reports for the tesseract
 * command. Set OMP_THREAD_LIMIT=1 (the pool runs a worker per core). */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "common/error.h"
#include "ocr/preprocess.h"
#include "ocr/readpage.h"
#include "ocr/recognize.h"
#include "ocr/record.h"

#define MAX_PAGES 512
#define MAX_FIELDS 128

typedef struct fieldres {
    char key[32];
    char value[320]; /* truth, whitespace removed */
    char truth[320]; /* truth as normalised by the validators */
    int appears;     /* truth appears verbatim in the page text */
    int outcome;     /* after parsing: 0 missing, 1 accepted and exact, 2 accepted and wrong,
                        3 sent to review */
    char got[320];
    char why[160];
    int row, part; /* list row or history row; part of a history row */
    int outside;   /* the truth holds characters outside the model's set (hard set) */
} fieldres;

typedef struct job {
    char path[4096];
    char id[512];
    int jpeg;
    int set; /* 0 main, 1 hard */
    json_t *truth;
    fieldres f[MAX_FIELDS];
    int nf;
    int failed;
    char text[65536]; /* page text, whitespace removed */
    double seconds;
} job;

typedef struct ctx {
    job *jobs;
    dtp_ocr_params params;
    dtp_ocr_read_opts ropts;
    int dump, parse;
} ctx;

/* The validators' normalised form of a truth value, so that truth and reading are compared the
 * same way (ISO dates, canonical status words, names without CJK-adjacent spaces). */
static void normalise_truth(const char *key, const char *raw, char *out, size_t outsz)
{
    snprintf(out, outsz, "%s", raw);
    dtp_ocr_record *r = dtp_ocr_record_new(DTP_OCR_RECORD_DETAIL, NULL, -1);
    if (!r)
        return;
    dtp_ocr_field *f = NULL;
    const char *k = strchr(key, '.') ? strchr(key, '.') + 1 : key;
    if (!strncmp(key, "history.", 8)) {
        dtp_ocr_event *ev = NULL;
        if (dtp_ocr_record_add_event(r, &ev) == DTP_OK)
            f = !strcmp(k, "activity") ? &ev->activity
                : !strcmp(k, "date")   ? &ev->date
                                       : &ev->description;
    } else {
        int id = dtp_ocr_field_by_name(k);
        if (id >= 0)
            f = dtp_ocr_record_field(r, (dtp_ocr_field_id)id);
    }
    if (f && dtp_ocr_field_set_raw(f, raw, strlen(raw), NULL, NULL, 100) == DTP_OK &&
        dtp_ocr_record_validate(r, 0, NULL) == DTP_OK && f->value)
        snprintf(out, outsz, "%s", f->value);
    dtp_ocr_record_free(r);
}

static void strip_ws(const char *in, char *out, size_t outsz)
{
    size_t k = 0;
    for (; *in && k + 1 < outsz; in++)
        if (*in != ' ' && *in != '\t' && *in != '\n' && *in != '\r')
            out[k++] = *in;
    out[k] = 0;
}

static void add_field(job *j, const char *key, const char *value, int row, int part)
{
    if (j->nf >= MAX_FIELDS)
        return;
    fieldres *f = &j->f[j->nf++];
    snprintf(f->key, sizeof f->key, "%s", key);
    strip_ws(value, f->value, sizeof f->value);
    normalise_truth(key, value, f->truth, sizeof f->truth);
    f->row = row;
    f->part = part;
}

/* Whether the truth's outside_model list names key (list keys without their "list." prefix). */
static int outside_model(const json_t *truth, const char *key)
{
    const char *k = !strncmp(key, "list.", 5) ? key + 5 : key;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(truth, "outside_model"), i, v)
    {
        if (json_string_value(v) && !strcmp(json_string_value(v), k))
            return 1;
    }
    return 0;
}

static void collect_truth(job *j)
{
    json_t *fields = json_object_get(j->truth, "fields");
    const char *k;
    json_t *v;
    if (fields) {
        json_object_foreach(fields, k, v) add_field(j, k, json_string_value(v), -1, -1);
    }
    json_t *hist = json_object_get(j->truth, "history");
    size_t i;
    json_array_foreach(hist, i, v)
    {
        add_field(j, "history.activity", json_string_value(json_object_get(v, "activity")), (int)i,
                  0);
        add_field(j, "history.description", json_string_value(json_object_get(v, "description")),
                  (int)i, 1);
        add_field(j, "history.date", json_string_value(json_object_get(v, "date")), (int)i, 2);
    }
    json_t *rows = json_object_get(j->truth, "rows");
    json_array_foreach(rows, i, v)
    {
        json_t *c;
        json_object_foreach(v, k, c)
        {
            char key[32];
            snprintf(key, sizeof key, "list.%s", k);
            add_field(j, key, json_string_value(c), (int)i, -1);
        }
    }
    for (int f = 0; f < j->nf; f++)
        j->f[f].outside = outside_model(j->truth, j->f[f].key);
}

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

static void score(fieldres *fr, const dtp_ocr_field *f)
{
    if (!f || !f->raw) {
        fr->outcome = 0;
        return;
    }
    snprintf(fr->got, sizeof fr->got, "%s", f->value ? f->value : f->raw);
    snprintf(fr->why, sizeof fr->why, "%s conf %.0f %s", f->reason ? f->reason : "",
             (double)f->confidence, f->flags ? f->flags : "");
    if (!f->accepted)
        fr->outcome = 3;
    else
        fr->outcome = f->value && !strcmp(f->value, fr->truth) ? 1 : 2;
}

/* The truth row a list record stands for: the row with the most values equal to the record's
 * (a parser that drops or merges a row must not shift every later row into "wrong"); ties and
 * no match at all fall back to the record's own index. */
static long list_row_of(const job *j, const dtp_ocr_record *rec)
{
    long best = rec->row_index;
    int best_n = 0;
    for (int i = 0; i < j->nf; i++) {
        const fieldres *fr = &j->f[i];
        if (strncmp(fr->key, "list.", 5) || (i > 0 && j->f[i - 1].row == fr->row))
            continue; /* first field of each truth row */
        int n = 0;
        for (int k = i; k < j->nf && j->f[k].row == fr->row; k++) {
            int id = dtp_ocr_field_by_name(j->f[k].key + 5);
            const dtp_ocr_field *f =
                id >= 0 ? dtp_ocr_record_field_c(rec, (dtp_ocr_field_id)id) : NULL;
            n += f && f->value && !strcmp(f->value, j->f[k].truth);
        }
        if (n > best_n || (n == best_n && n > 0 && fr->row == rec->row_index)) {
            best_n = n;
            best = fr->row;
        }
    }
    return best;
}

static dtp_status on_record(void *vj, dtp_ocr_record *rec, dtp_error *err)
{
    job *j = vj;
    for (int i = 0; i < j->nf; i++) {
        fieldres *fr = &j->f[i];
        const char *k = strchr(fr->key, '.') ? strchr(fr->key, '.') + 1 : fr->key;
        if (!strncmp(fr->key, "history.", 8)) {
            if (rec->kind != DTP_OCR_RECORD_DETAIL || (size_t)fr->row >= rec->nevents)
                continue;
            const dtp_ocr_event *ev = &rec->events[fr->row];
            score(fr, fr->part == 0 ? &ev->activity : fr->part == 2 ? &ev->date : &ev->description);
        } else if (!strncmp(fr->key, "list.", 5)) {
            if (rec->kind != DTP_OCR_RECORD_LIST_ROW || list_row_of(j, rec) != fr->row)
                continue;
            int id = dtp_ocr_field_by_name(k);
            score(fr, id >= 0 ? dtp_ocr_record_field_c(rec, (dtp_ocr_field_id)id) : NULL);
        } else {
            if (rec->kind != DTP_OCR_RECORD_DETAIL)
                continue;
            int id = dtp_ocr_field_by_name(k);
            score(fr, id >= 0 ? dtp_ocr_record_field_c(rec, (dtp_ocr_field_id)id) : NULL);
        }
    }
    return DTP_OK;
}

static void run_job(void *vctx, dtp_ocr_engine *eng, size_t index)
{
    ctx *c = vctx;
    job *j = &c->jobs[index];
    size_t n = 0;
    uint8_t *bytes = slurp(j->path, &n);
    dtp_error err;
    dtp_error_clear(&err);
    dtp_ocr_image *img = NULL;
    dtp_ocr_page *page = NULL;
    double t0 = now();
    dtp_status st = DTP_ERR_IO;
    if (bytes && (st = dtp_ocr_image_new(bytes, n, &c->params, &img, &err)) == DTP_OK) {
        if (c->parse)
            st = dtp_ocr_read_page(eng, img, &c->ropts, on_record, j, &page, &err);
        else
            st = dtp_ocr_recognize_image(eng, img, &page, &err);
    }
    if (st != DTP_OK) {
        char msg[2048];
        fprintf(stderr, "%s: %s\n", j->path, dtp_error_format(&err, msg, sizeof msg));
        j->failed = 1;
        goto out;
    }
    j->seconds = now() - t0;
    if (c->dump)
        fprintf(stderr, "%s| text_px %.1f scale %.2f %.2f s\n", j->id, img->text_px, img->scale,
                j->seconds);
    size_t k = 0;
    for (size_t li = 0; li < page->nlines; li++) {
        if (c->dump)
            fprintf(stderr, "%s|", j->id);
        for (size_t wi = 0; wi < page->lines[li].nwords; wi++) {
            char tmp[1024];
            strip_ws(page->lines[li].words[wi].text, tmp, sizeof tmp);
            if (c->dump)
                fprintf(stderr, " %s(%.0f)", page->lines[li].words[wi].text,
                        page->lines[li].words[wi].confidence);
            size_t tl = strlen(tmp);
            if (k + tl + 2 < sizeof j->text) {
                memcpy(j->text + k, tmp, tl);
                k += tl;
            }
        }
        if (c->dump)
            fprintf(stderr, "\n");
        if (k + 2 < sizeof j->text)
            j->text[k++] = '\x1f'; /* line separator: a value must lie within one line */
    }
    j->text[k] = 0;
    for (int i = 0; i < j->nf; i++)
        j->f[i].appears = strstr(j->text, j->f[i].value) != NULL;
out:
    dtp_ocr_page_free(page);
    dtp_ocr_image_free(img);
    free(bytes);
}

typedef struct tally {
    char key[32];
    int n[2], ok[2];
    int exact[2], wrong[2], review[2], missing[2];
} tally;

/* Add one job's pages of dir (every <id>.json with its <id>.png and <id>.jpg) as jobs of set. */
static void load_dir(ctx *c, size_t *njobs, const char *dir, int set, const char *only,
                     const char *match)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "ocr_accuracy: cannot open %s\n", dir);
        return;
    }
    struct dirent *de;
    char **names = NULL;
    size_t nnames = 0;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l < 6 || strcmp(de->d_name + l - 5, ".json"))
            continue;
        if (match && strncmp(de->d_name, match, strlen(match)))
            continue;
        char **grown = realloc(names, (nnames + 1) * sizeof *names);
        if (!grown)
            break;
        names = grown;
        names[nnames++] = strdup(de->d_name);
    }
    closedir(d);
    for (size_t i = 0; i < nnames; i++) /* a stable order: sort names */
        for (size_t k = i + 1; k < nnames; k++)
            if (strcmp(names[k], names[i]) < 0) {
                char *t = names[i];
                names[i] = names[k];
                names[k] = t;
            }
    for (size_t i = 0; i < nnames; i++) {
        char base[256], path[4096];
        int bl = names[i] ? (int)(strlen(names[i]) - 5) : 0;
        json_t *truth = NULL;
        if (names[i] && strlen(dir) <= 2048) {
            snprintf(base, sizeof base, "%.*s", bl > 200 ? 200 : bl, names[i]);
            snprintf(path, sizeof path, "%.2048s/%.1024s", dir, names[i]);
            truth = json_load_file(path, 0, NULL);
        }
        for (int jpeg = 0; truth && jpeg < 2 && *njobs < MAX_PAGES; jpeg++) {
            if (only && strcmp(only, jpeg ? "jpg" : "png"))
                continue;
            job *j = &c->jobs[(*njobs)++];
            snprintf(j->id, sizeof j->id, "%s.%s", base, jpeg ? "jpg" : "png");
            snprintf(j->path, sizeof j->path, "%.2048s/%.1024s", dir, j->id);
            j->jpeg = jpeg;
            j->set = set;
            j->truth = truth;
            collect_truth(j);
        }
        free(names[i]);
    }
    free(names);
}

/* Print the per-field tables (appears; parsed) of one set; returns its number of images. */
static size_t report_set(const ctx *c, size_t njobs, int set, const char *title)
{
    tally t[64];
    int nt = 0;
    size_t nimg = 0;
    /* fields whose truth the model cannot output: [png/jpeg][n exact wrong review missing] */
    int out[2][5] = {{0}};
    for (size_t i = 0; i < njobs; i++) {
        const job *j = &c->jobs[i];
        if (j->set != set)
            continue;
        nimg++;
        for (int f = 0; f < j->nf; f++) {
            int k;
            for (k = 0; k < nt; k++)
                if (!strcmp(t[k].key, j->f[f].key))
                    break;
            if (k == nt) {
                if (nt == 64)
                    continue;
                memset(&t[nt], 0, sizeof t[nt]);
                snprintf(t[nt].key, sizeof t[nt].key, "%s", j->f[f].key);
                nt++;
            }
            t[k].n[j->jpeg]++;
            t[k].ok[j->jpeg] += j->f[f].appears;
            int o = j->f[f].outcome;
            t[k].exact[j->jpeg] += o == 1;
            t[k].wrong[j->jpeg] += o == 2;
            t[k].review[j->jpeg] += o == 3;
            t[k].missing[j->jpeg] += o == 0;
            if (j->f[f].outside) {
                out[j->jpeg][0]++;
                out[j->jpeg][o == 1 ? 1 : o == 2 ? 2 : o == 3 ? 3 : 4]++;
            }
            if (getenv("OCR_ACCURACY_MISSES") && (c->parse ? o != 1 : !j->f[f].appears))
                fprintf(stderr, "%s %s %s row %d: truth '%s' got '%s' (%s)\n",
                        o == 2   ? "WRONG"
                        : o == 3 ? "review"
                                 : "miss",
                        j->id, j->f[f].key, j->f[f].row, j->f[f].truth, j->f[f].got, j->f[f].why);
        }
    }
    if (!nimg)
        return 0;
    printf("\n== %s: %zu images ==\n", title, nimg);
    int all[2] = {0, 0}, allok[2] = {0, 0};
    printf("%-22s %14s %14s\n", "field (appears)", "png", "jpeg q60");
    for (int k = 0; k < nt; k++) {
        printf("%-22s", t[k].key);
        for (int q = 0; q < 2; q++) {
            all[q] += t[k].n[q];
            allok[q] += t[k].ok[q];
            if (t[k].n[q])
                printf(" %4d/%-4d %5.1f%%", t[k].ok[q], t[k].n[q], 100.0 * t[k].ok[q] / t[k].n[q]);
            else
                printf(" %14s", "-");
        }
        printf("\n");
    }
    printf("%-22s", "ALL");
    for (int q = 0; q < 2; q++)
        if (all[q])
            printf(" %4d/%-4d %5.1f%%", allok[q], all[q], 100.0 * allok[q] / all[q]);
        else
            printf(" %14s", "-");
    if (c->parse) {
        int tot[2][5] = {{0}};
        printf("\n%-22s %-31s %-31s\n", "field (parsed)", "png: exact wrong review missing",
               "jpeg: exact wrong review missing");
        for (int k = 0; k < nt; k++) {
            printf("%-22s", t[k].key);
            for (int q = 0; q < 2; q++) {
                int n = t[k].n[q] ? t[k].n[q] : 1;
                tot[q][0] += t[k].n[q];
                tot[q][1] += t[k].exact[q];
                tot[q][2] += t[k].wrong[q];
                tot[q][3] += t[k].review[q];
                tot[q][4] += t[k].missing[q];
                printf(" %5.1f%% %5.1f%% %5.1f%% %5.1f%%  ", 100.0 * t[k].exact[q] / n,
                       100.0 * t[k].wrong[q] / n, 100.0 * t[k].review[q] / n,
                       100.0 * t[k].missing[q] / n);
            }
            printf("\n");
        }
        printf("%-22s", "ALL");
        for (int q = 0; q < 2; q++) {
            int n = tot[q][0] ? tot[q][0] : 1;
            printf(" %5.1f%% %5.1f%% %5.1f%% %5.1f%%  ", 100.0 * tot[q][1] / n,
                   100.0 * tot[q][2] / n, 100.0 * tot[q][3] / n, 100.0 * tot[q][4] / n);
        }
        printf("\n%-22s png %d fields (%d wrong), jpeg %d fields (%d wrong)\n", "counts", tot[0][0],
               tot[0][2], tot[1][0], tot[1][2]);
        if (out[0][0] + out[1][0])
            for (int q = 0; q < 2; q++)
                printf("%-22s %s %d fields: exact %d, ACCEPTED WRONG %d, review %d, missing %d\n",
                       q ? "" : "outside the model", q ? "jpeg" : "png ", out[q][0], out[q][1],
                       out[q][2], out[q][3], out[q][4]);
    }
    printf("\n");
    return nimg;
}

int main(int argc, char **argv)
{
    const char *dir = getenv("DTP_FIXTURES") ? NULL : "tests/fixtures/cnca/pages";
    char dirbuf[1024], hardbuf[1100];
    if (!dir) {
        snprintf(dirbuf, sizeof dirbuf, "%s/cnca/pages", getenv("DTP_FIXTURES"));
        dir = dirbuf;
    }
    const char *only = NULL, *match = NULL, *hard_dir = NULL;
    int workers = 0, no_hard = 0;
    const char *langs = NULL;
    ctx c = {0};
    dtp_ocr_params_default(&c.params);
    dtp_ocr_read_opts_default(&c.ropts);
    c.parse = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--dir") && v)
            dir = argv[++i];
        else if (!strcmp(a, "--hard-dir") && v)
            hard_dir = argv[++i];
        else if (!strcmp(a, "--no-hard"))
            no_hard = 1;
        else if (!strcmp(a, "--scale") && v)
            c.params.target_text_px = (int)strtol(argv[++i], NULL, 10);
        else if (!strcmp(a, "--max-scale") && v)
            c.params.max_scale = strtod(argv[++i], NULL);
        else if (!strcmp(a, "--bin") && v) {
            i++;
            c.params.binarize = !strcmp(v, "sauvola") ? DTP_OCR_BIN_SAUVOLA
                                : !strcmp(v, "otsu")  ? DTP_OCR_BIN_OTSU
                                                      : DTP_OCR_BIN_NONE;
        } else if (!strcmp(a, "--rules"))
            c.params.remove_rules = 1;
        else if (!strcmp(a, "--deskew"))
            c.params.deskew = 1;
        else if (!strcmp(a, "--psm") && v)
            c.params.psm = (int)strtol(argv[++i], NULL, 10);
        else if (!strcmp(a, "--workers") && v)
            workers = (int)strtol(argv[++i], NULL, 10);
        else if (!strcmp(a, "--only") && v)
            only = argv[++i];
        else if (!strcmp(a, "--match") && v)
            match = argv[++i];
        else if (!strcmp(a, "--dump"))
            c.dump = 1;
        else if (!strcmp(a, "--langs") && v)
            langs = argv[++i];
        else if (!strcmp(a, "--no-parse"))
            c.parse = 0;
        else if (!strcmp(a, "--no-second-pass"))
            c.ropts.second_pass = 0;
        else if (!strcmp(a, "--min-conf") && v)
            c.ropts.layout.min_confidence = (float)strtod(argv[++i], NULL);
        else {
            fprintf(stderr, "ocr_accuracy: unknown argument %s\n", a);
            return 2;
        }
    }
    c.jobs = calloc(MAX_PAGES, sizeof *c.jobs);
    if (!c.jobs)
        return 1;
    if (!hard_dir && !no_hard) { /* the hard set beside the main set, when there is one */
        snprintf(hardbuf, sizeof hardbuf, "%.1000s/hard", dir);
        DIR *hd = opendir(hardbuf);
        if (hd) {
            closedir(hd);
            hard_dir = hardbuf;
        }
    }
    size_t njobs = 0;
    load_dir(&c, &njobs, dir, 0, only, match);
    size_t nmain = njobs;
    if (hard_dir && !no_hard)
        load_dir(&c, &njobs, hard_dir, 1, only, match);
    if (!njobs) {
        fprintf(stderr, "ocr_accuracy: no pages in %s\n", dir);
        return 1;
    }

    dtp_error err;
    dtp_error_clear(&err);
    dtp_ocr_pool *pool = NULL;
    if (dtp_ocr_pool_new(workers, NULL, langs, &pool, &err) != DTP_OK) {
        char msg[2048];
        fprintf(stderr, "ocr_accuracy: %s\n", dtp_error_format(&err, msg, sizeof msg));
        return 1;
    }
    char ps[256];
    dtp_ocr_params_string(&c.params, ps, sizeof ps);
    printf("pages: %zu images from %s", nmain, dir);
    if (njobs > nmain)
        printf(" + %zu hard-set images from %s", njobs - nmain, hard_dir);
    printf("\nparams: %s\nengine: %s\nworkers: %d\n", ps,
           dtp_ocr_engine_identity(dtp_ocr_pool_engine(pool, 0)), dtp_ocr_pool_size(pool));
    double t0 = now();
    dtp_ocr_pool_run(pool, njobs, run_job, &c, &err);
    double wall = now() - t0;

    int failed = 0;
    for (size_t i = 0; i < njobs; i++)
        failed += c.jobs[i].failed;
    report_set(&c, njobs, 0, "main set");
    report_set(&c, njobs, 1,
               "hard set (names with characters outside the model: must be review, never wrong)");
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
                 (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    printf("failed images: %d; wall %.1f s, %.2f s/image; process CPU %.1f s, %.2f CPU s/image "
           "(engine start included)\n",
           failed, wall, njobs ? wall / (double)njobs : 0, cpu, njobs ? cpu / (double)njobs : 0);
    dtp_ocr_pool_free(pool);
    for (size_t i = 0; i < njobs; i++) /* a truth is shared by a page's PNG and JPEG jobs */
        if (!c.jobs[i].jpeg || only)
            json_decref(c.jobs[i].truth);
    free(c.jobs);
    return 0;
}
