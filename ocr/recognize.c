/* Tesseract C API recognition, engine identity and the worker pool (see recognize.h). */
#include "ocr/recognize.h"

#include <leptonica/allheaders.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <tesseract/capi.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/sha256.h"

#define LANGS_MAX 64
#define PATH_MAX_ 1024

struct dtp_ocr_engine {
    TessBaseAPI *page;  /* langs, full-page and line passes */
    TessBaseAPI *latin; /* eng only: codes, dates, standards */
    char tessdata[PATH_MAX_];
    char langs[LANGS_MAX];
    char identity[DTP_OCR_IDENTITY_MAX];
    int reread_px; /* glyph height the second pass scales crops to */
};

/* Settings every handle gets. debug_file keeps Tesseract's diagnostics off stderr (a library
 * does not print); inversion retries are off because captured pages are dark-on-light and the
 * retries cost time on every low-confidence line (measured: see bench/ocr_speed.c). */
static char *var_names[] = {"debug_file", "tessedit_do_invert", "user_defined_dpi"};
static char *var_values[] = {"/dev/null", "0", "300"};
#define ENGINE_OPTS "invert=0;dpi=300"
/* Version of what is done with the recognised words (label parser, second and third reading,
 * judgement), part of the identity so that cached records of an older reader are not reused:
 * 2 = card lists, gap status, relabel, third reading (2026-11-22); 3 = list header labels
 * reread, third reading needs 80; 4 = history header and touching header text reread too
 * (2026-11-22); 5 = a list header's empty stretch over a column of values read for its label. */
#define READER_VERSION 5

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static dtp_status find_tessdata(const char *given, char *out, size_t outsz, dtp_error *err)
{
    const char *env = getenv("TESSDATA_PREFIX");
    const char *cands[] = {given, env, "/usr/share/tesseract-ocr/5/tessdata",
                           "/usr/share/tesseract-ocr/4.00/tessdata"};
    for (size_t i = 0; i < sizeof cands / sizeof cands[0]; i++) {
        if (!cands[i] || !*cands[i])
            continue;
        if (is_dir(cands[i])) {
            snprintf(out, outsz, "%s", cands[i]);
            return DTP_OK;
        }
        if (i == 0) /* an explicitly given directory that does not exist is an error */
            break;
    }
    dtp_error_set(err, DTP_ERR_CONFIG, "ocr", "no tesseract language data directory found");
    dtp_error_where(err, NULL, NULL, given ? given : "");
    return DTP_ERR_CONFIG;
}

/* "tesseract=5.3.0;langs=chi_sim+eng;chi_sim=<sha>;eng=<sha>;invert=0;dpi=300" */
static dtp_status make_identity(dtp_ocr_engine *e, dtp_error *err)
{
    dtp_status st = DTP_OK;
    dtp_buf b;
    dtp_buf_init(&b, DTP_OCR_IDENTITY_MAX - 1);
    char langs[LANGS_MAX];
    snprintf(langs, sizeof langs, "%s", e->langs);
    st = dtp_buf_printf(&b, "tesseract=%s;langs=%s", TessVersion(), e->langs);
    /* every language file either handle loads, eng included for the second pass */
    int has_eng = 0;
    char *save = NULL;
    for (char *tok = strtok_r(langs, "+", &save); tok && st == DTP_OK;
         tok = strtok_r(NULL, "+", &save)) {
        char path[PATH_MAX_ + LANGS_MAX + 16], hex[65];
        snprintf(path, sizeof path, "%s/%s.traineddata", e->tessdata, tok);
        st = dtp_sha256_file_hex(path, hex, err);
        if (st == DTP_OK)
            st = dtp_buf_printf(&b, ";%s=%s", tok, hex);
        if (!strcmp(tok, "eng"))
            has_eng = 1;
    }
    if (st == DTP_OK && !has_eng) {
        char path[PATH_MAX_ + 32], hex[65];
        snprintf(path, sizeof path, "%s/eng.traineddata", e->tessdata);
        st = dtp_sha256_file_hex(path, hex, err);
        if (st == DTP_OK)
            st = dtp_buf_printf(&b, ";eng=%s", hex);
    }
    if (st == DTP_OK)
        st = dtp_buf_printf(&b, ";%s;reread=%d;reader=%d", ENGINE_OPTS, e->reread_px,
                            READER_VERSION);
    if (st == DTP_OK)
        snprintf(e->identity, sizeof e->identity, "%s", dtp_buf_str(&b));
    else if (st == DTP_ERR_LIMIT)
        dtp_error_set(err, st, "ocr", "engine identity too long");
    dtp_buf_free(&b);
    return st;
}

static TessBaseAPI *start_api(const char *tessdata, const char *langs)
{
    TessBaseAPI *api = TessBaseAPICreate();
    if (!api)
        return NULL;
    if (TessBaseAPIInit4(api, tessdata, langs, OEM_LSTM_ONLY, NULL, 0, var_names, var_values,
                         sizeof var_names / sizeof var_names[0], 0) != 0) {
        TessBaseAPIDelete(api);
        return NULL;
    }
    return api;
}

dtp_status dtp_ocr_engine_new(const char *tessdata, const char *langs, dtp_ocr_engine **out,
                              dtp_error *err)
{
    dtp_status st;
    *out = NULL;
    if (!langs)
        langs = "chi_sim+eng";
    if (strlen(langs) >= LANGS_MAX || !*langs)
        return dtp_error_set(err, DTP_ERR_CONFIG, "ocr", "bad language list '%s'", langs);
    dtp_ocr_engine *e = calloc(1, sizeof *e);
    if (!e)
        return dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "out of memory");
    snprintf(e->langs, sizeof e->langs, "%s", langs);
    e->reread_px = 36;
    st = find_tessdata(tessdata, e->tessdata, sizeof e->tessdata, err);
    if (st != DTP_OK)
        goto fail;
    st = make_identity(e, err);
    if (st != DTP_OK)
        goto fail;
    e->page = start_api(e->tessdata, e->langs);
    e->latin = e->page ? start_api(e->tessdata, "eng") : NULL;
    if (!e->page || !e->latin) {
        st = dtp_error_set(err, DTP_ERR_CONFIG, "ocr", "tesseract cannot load '%s' from %s",
                           e->page ? "eng" : e->langs, e->tessdata);
        goto fail;
    }
    *out = e;
    return DTP_OK;
fail:
    dtp_ocr_engine_free(e);
    return st;
}

void dtp_ocr_engine_free(dtp_ocr_engine *e)
{
    if (!e)
        return;
    if (e->page) {
        TessBaseAPIEnd(e->page);
        TessBaseAPIDelete(e->page);
    }
    if (e->latin) {
        TessBaseAPIEnd(e->latin);
        TessBaseAPIDelete(e->latin);
    }
    free(e);
}

const char *dtp_ocr_engine_identity(const dtp_ocr_engine *e)
{
    return e->identity;
}

const char *dtp_ocr_engine_tessdata(const dtp_ocr_engine *e)
{
    return e->tessdata;
}

dtp_status dtp_ocr_cache_key(const dtp_ocr_engine *e, const char image_sha256[65],
                             const dtp_ocr_params *p, char key[65], dtp_error *err)
{
    char ps[256];
    dtp_ocr_params_string(p, ps, sizeof ps);
    dtp_buf b;
    dtp_buf_init(&b, 2048);
    dtp_status st = dtp_buf_printf(&b, "%s\n%s\n%s", image_sha256, e->identity, ps);
    if (st == DTP_OK)
        st = dtp_sha256_hex(b.data, b.len, key);
    dtp_buf_free(&b);
    if (st != DTP_OK)
        return dtp_error_set(err, st, "ocr", "cannot compute cache key");
    return DTP_OK;
}

void dtp_ocr_page_free(dtp_ocr_page *page)
{
    if (!page)
        return;
    for (size_t i = 0; i < page->nlines; i++) {
        for (size_t j = 0; j < page->lines[i].nwords; j++)
            free(page->lines[i].words[j].text);
        free(page->lines[i].words);
    }
    free(page->lines);
    free(page);
}

static int cmp_line(const void *a, const void *b)
{
    const dtp_ocr_line *x = a, *y = b;
    if (x->box.y != y->box.y)
        return x->box.y < y->box.y ? -1 : 1;
    return (x->box.x > y->box.x) - (x->box.x < y->box.x);
}

/* Grow an array by one element, doubling; 0 on failure. */
static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return 1;
    size_t nc = *cap ? *cap * 2 : 16;
    void *p = realloc(*arr, nc * elem);
    if (!p)
        return 0;
    *arr = p;
    *cap = nc;
    return 1;
}

static int cmp_word_x(const void *a, const void *b)
{
    const dtp_ocr_word *x = a, *y = b;
    return (x->box.x > y->box.x) - (x->box.x < y->box.x);
}

static int overlap_v(dtp_ocr_box a, dtp_ocr_box b)
{
    int top = a.y > b.y ? a.y : b.y;
    int bot = a.y + a.h < b.y + b.h ? a.y + a.h : b.y + b.h;
    return bot - top;
}

/* Tesseract segments a table row into one line per cell (or a few) when cells are far apart.
 * The label parser reads a visual row as one line, so lines on the same row — vertical overlap
 * of at least half the smaller height — are merged, words ordered left to right. Lines are
 * sorted by top edge on entry. Returns 0, or -1 when out of memory (page unchanged then). */
static int merge_rows(dtp_ocr_page *page)
{
    size_t k = 0;
    for (size_t i = 0; i < page->nlines; i++) {
        dtp_ocr_line *l = &page->lines[i];
        size_t target = k;
        /* only the last few rows can still overlap a line that starts lower */
        for (size_t r = k > 8 ? k - 8 : 0; r < k; r++) {
            dtp_ocr_line *row = &page->lines[r];
            int minh = row->box.h < l->box.h ? row->box.h : l->box.h;
            if (minh > 0 && overlap_v(row->box, l->box) * 2 >= minh) {
                target = r;
                break;
            }
        }
        if (target == k) {
            page->lines[k++] = *l;
            continue;
        }
        dtp_ocr_line *row = &page->lines[target];
        dtp_ocr_word *w = realloc(row->words, (row->nwords + l->nwords) * sizeof *w);
        if (!w)
            return -1;
        memcpy(w + row->nwords, l->words, l->nwords * sizeof *w);
        float sum = row->confidence * (float)row->nwords + l->confidence * (float)l->nwords;
        row->words = w;
        row->nwords += l->nwords;
        row->confidence = sum / (float)row->nwords;
        free(l->words);
        int x0 = row->box.x < l->box.x ? row->box.x : l->box.x;
        int y0 = row->box.y < l->box.y ? row->box.y : l->box.y;
        int x1 = row->box.x + row->box.w > l->box.x + l->box.w ? row->box.x + row->box.w
                                                               : l->box.x + l->box.w;
        int y1 = row->box.y + row->box.h > l->box.y + l->box.h ? row->box.y + row->box.h
                                                               : l->box.y + l->box.h;
        row->box = (dtp_ocr_box){x0, y0, x1 - x0, y1 - y0};
        qsort(row->words, row->nwords, sizeof *row->words, cmp_word_x);
    }
    page->nlines = k;
    return 0;
}

dtp_status dtp_ocr_recognize_image(dtp_ocr_engine *e, const dtp_ocr_image *img, dtp_ocr_page **out,
                                   dtp_error *err)
{
    dtp_status st = DTP_OK;
    TessResultIterator *it = NULL;
    size_t lines_cap = 0, words_cap = 0;
    *out = NULL;
    dtp_ocr_page *page = calloc(1, sizeof *page);
    if (!page)
        return dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "out of memory");
    snprintf(page->image_sha256, sizeof page->image_sha256, "%s", img->sha256);
    page->width = img->width;
    page->height = img->height;

    TessBaseAPISetPageSegMode(e->page, (TessPageSegMode)img->params.psm);
    TessBaseAPISetImage2(e->page, img->proc);
    if (TessBaseAPIRecognize(e->page, NULL) != 0) {
        st = dtp_error_set(err, DTP_ERR_PARSE, "ocr", "tesseract could not recognise the page");
        dtp_error_where(err, NULL, img->sha256, NULL);
        goto out;
    }
    it = TessBaseAPIGetIterator(e->page);
    if (!it) /* nothing found: an empty page, not an error */
        goto done;
    TessPageIterator *pit = TessResultIteratorGetPageIterator(it);
    dtp_ocr_line *line = NULL;
    do {
        int x0, y0, x1, y1;
        if (!line || TessPageIteratorIsAtBeginningOf(pit, RIL_TEXTLINE)) {
            if (!grow((void **)&page->lines, &lines_cap, page->nlines, sizeof *page->lines)) {
                st = dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "out of memory");
                goto out;
            }
            line = &page->lines[page->nlines++];
            memset(line, 0, sizeof *line);
            words_cap = 0;
            if (TessPageIteratorBoundingBox(pit, RIL_TEXTLINE, &x0, &y0, &x1, &y1))
                line->box = dtp_ocr_image_to_original(img, (dtp_ocr_box){x0, y0, x1 - x0, y1 - y0});
        }
        char *t = TessResultIteratorGetUTF8Text(it, RIL_WORD);
        if (!t)
            continue;
        if (!*t) {
            TessDeleteText(t);
            continue;
        }
        if (!grow((void **)&line->words, &words_cap, line->nwords, sizeof *line->words)) {
            TessDeleteText(t);
            st = dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "out of memory");
            goto out;
        }
        dtp_ocr_word *w = &line->words[line->nwords];
        memset(w, 0, sizeof *w);
        w->text = strdup(t);
        TessDeleteText(t);
        if (!w->text) {
            st = dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "out of memory");
            goto out;
        }
        line->nwords++;
        w->confidence = TessResultIteratorConfidence(it, RIL_WORD);
        if (TessPageIteratorBoundingBox(pit, RIL_WORD, &x0, &y0, &x1, &y1))
            w->box = dtp_ocr_image_to_original(img, (dtp_ocr_box){x0, y0, x1 - x0, y1 - y0});
        line->confidence += (w->confidence - line->confidence) / (float)line->nwords;
    } while (TessResultIteratorNext(it, RIL_WORD));
done:
    /* drop lines that ended up without words, then order top to bottom */
    {
        size_t k = 0;
        for (size_t i = 0; i < page->nlines; i++) {
            if (page->lines[i].nwords)
                page->lines[k++] = page->lines[i];
            else
                free(page->lines[i].words);
        }
        page->nlines = k;
    }
    if (page->nlines > 1)
        qsort(page->lines, page->nlines, sizeof *page->lines, cmp_line);
    if (img->params.merge_rows && merge_rows(page) != 0) {
        st = dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "out of memory");
        goto out;
    }
    *out = page;
    page = NULL;
out:
    if (it)
        TessResultIteratorDelete(it);
    TessBaseAPIClear(e->page);
    dtp_ocr_page_free(page);
    return st;
}

dtp_status dtp_ocr_recognize(dtp_ocr_engine *e, const uint8_t *bytes, size_t n,
                             const dtp_ocr_params *params, dtp_ocr_page **out, dtp_error *err)
{
    dtp_ocr_params def;
    dtp_ocr_image *img = NULL;
    if (!params) {
        dtp_ocr_params_default(&def);
        params = &def;
    }
    *out = NULL;
    dtp_status st = dtp_ocr_image_new(bytes, n, params, &img, err);
    if (st == DTP_OK)
        st = dtp_ocr_recognize_image(e, img, out, err);
    dtp_ocr_image_free(img);
    return st;
}

/* Collapse line breaks and runs of blanks to one space; trim both ends. */
static void tidy(char *s)
{
    char *w = s;
    int space = 1;
    for (char *r = s; *r; r++) {
        if (*r == '\n' || *r == '\r' || *r == '\t' || *r == ' ' || *r == '\f') {
            if (!space)
                *w++ = ' ';
            space = 1;
        } else {
            *w++ = *r;
            space = 0;
        }
    }
    if (w > s && w[-1] == ' ')
        w--;
    *w = 0;
}

static int starts_with_any(const char *s, const char *const *set, size_t *len)
{
    for (size_t i = 0; set[i]; i++) {
        size_t n = strlen(set[i]);
        if (strncmp(s, set[i], n) == 0) {
            *len = n;
            return 1;
        }
    }
    return 0;
}

/* Cell borders, badge edges and the colon after a label come out of a crop as stray quotes,
 * bars, dots and commas at its ends. None of the registry's values starts with these, and none
 * ends with them except a closing bracket, which is kept. */
static void trim_edge_noise(char *s)
{
    static const char *const lead[] = {"\u201c", "\u201d", "\u2018", "\u2019", "\u3002", "\uff0c",
                                       "\uff1a", "\uff09", "\"",     "'",      "|",      "_",
                                       ".",      ",",      ":",      ";",      ")",      "]",
                                       "-",      " ",      NULL};
    static const char *const trail[] = {
        "\u201c", "\u201d", "\u2018", "\u2019", "\u3002", "\uff0c", "\uff1a", "\uff08", "\"", "'",
        "|",      "_",      ".",      ",",      ":",      ";",      "(",      "[",      " ",  NULL};
    size_t n = strlen(s), k;
    size_t start = 0;
    while (start < n && starts_with_any(s + start, lead, &k))
        start += k;
    for (int changed = 1; changed && n > start;) {
        changed = 0;
        for (size_t i = 0; trail[i]; i++) {
            size_t m = strlen(trail[i]);
            if (n - start >= m && memcmp(s + n - m, trail[i], m) == 0) {
                n -= m;
                changed = 1;
                break;
            }
        }
    }
    memmove(s, s + start, n - start);
    s[n - start] = 0;
}

/* The lowest confidence of any recognised character: one doubtful character spoils a name or a
 * code, and the mean over a line hides it (a rare character outside the model's character set
 * comes out as a confident-looking look-alike inside an otherwise clean line). */
static float min_symbol_confidence(TessBaseAPI *api)
{
    float m = -1;
    TessResultIterator *it = TessBaseAPIGetIterator(api);
    if (!it)
        return 0;
    do {
        char *sym = TessResultIteratorGetUTF8Text(it, RIL_SYMBOL);
        if (!sym)
            continue;
        if (*sym && *sym != ' ') {
            float c = TessResultIteratorConfidence(it, RIL_SYMBOL);
            if (m < 0 || c < m)
                m = c;
        }
        TessDeleteText(sym);
    } while (TessResultIteratorNext(it, RIL_SYMBOL));
    TessResultIteratorDelete(it);
    return m < 0 ? 0 : m;
}

dtp_status dtp_ocr_reread_region(dtp_ocr_engine *e, const dtp_ocr_image *img, dtp_ocr_box box,
                                 dtp_ocr_read_mode mode, char **text, float *confidence,
                                 dtp_error *err)
{
    return dtp_ocr_reread_region_px(e, img, box, mode, 0, text, confidence, err);
}

dtp_status dtp_ocr_reread_region_px(dtp_ocr_engine *e, const dtp_ocr_image *img, dtp_ocr_box box,
                                    dtp_ocr_read_mode mode, int glyph_px, char **text,
                                    float *confidence, dtp_error *err)
{
    dtp_status st = DTP_OK;
    if (text)
        *text = NULL;
    if (confidence)
        *confidence = 0;
    int pad = (int)(img->text_px > 0 ? img->text_px * 0.3 : 4) + 2;
    PIX *crop =
        dtp_ocr_image_crop(img, box, pad, glyph_px > 0 ? glyph_px : e->reread_px, 4.0, NULL);
    if (!crop)
        return dtp_error_set(err, DTP_ERR_PARSE, "ocr", "region %d,%d %dx%d is outside the image",
                             box.x, box.y, box.w, box.h);
    TessBaseAPI *api = e->page;
    const char *white = NULL;
    TessPageSegMode psm = PSM_SINGLE_LINE;
    switch (mode) {
    case DTP_OCR_READ_BLOCK:
        psm = PSM_SINGLE_BLOCK;
        break;
    case DTP_OCR_READ_LATIN:
        api = e->latin;
        white = "";
        break;
    case DTP_OCR_READ_CODE:
        api = e->latin;
        white = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/";
        break;
    case DTP_OCR_READ_DATE:
        api = e->latin;
        white = "0123456789-./";
        break;
    default:
        break;
    }
    if (white)
        TessBaseAPISetVariable(api, "tessedit_char_whitelist", white);
    TessBaseAPISetPageSegMode(api, psm);
    TessBaseAPISetImage2(api, crop);
    char *t = NULL;
    if (TessBaseAPIRecognize(api, NULL) != 0 || !(t = TessBaseAPIGetUTF8Text(api))) {
        st = dtp_error_set(err, DTP_ERR_PARSE, "ocr", "tesseract could not read region");
        dtp_error_where(err, NULL, img->sha256, NULL);
        dtp_error_locatef(err, "image %.12s bbox %d,%d %dx%d", img->sha256, box.x, box.y, box.w,
                          box.h);
        goto out;
    }
    tidy(t);
    trim_edge_noise(t);
    if (confidence)
        *confidence = min_symbol_confidence(api);
    if (text) {
        *text = strdup(t);
        if (!*text)
            st = dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "out of memory");
    }
out:
    if (t)
        TessDeleteText(t);
    TessBaseAPIClear(api);
    pixDestroy(&crop);
    return st;
}

/* ---- worker pool ---- */

struct dtp_ocr_pool {
    int n;
    dtp_ocr_engine **engines;
};

typedef struct pool_run {
    dtp_ocr_pool *pool;
    pthread_mutex_t mu;
    size_t next, njobs;
    dtp_ocr_job_fn fn;
    void *ctx;
} pool_run;

typedef struct worker_arg {
    pool_run *run;
    dtp_ocr_engine *engine;
} worker_arg;

static void *worker_main(void *arg)
{
    worker_arg *wa = arg;
    pool_run *r = wa->run;
    for (;;) {
        pthread_mutex_lock(&r->mu);
        size_t i = r->next < r->njobs ? r->next++ : r->njobs;
        pthread_mutex_unlock(&r->mu);
        if (i >= r->njobs)
            break;
        r->fn(r->ctx, wa->engine, i);
    }
    return NULL;
}

dtp_status dtp_ocr_pool_new(int nworkers, const char *tessdata, const char *langs,
                            dtp_ocr_pool **out, dtp_error *err)
{
    dtp_status st = DTP_OK;
    *out = NULL;
    if (nworkers <= 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        nworkers = c > 0 ? (int)c : 1;
    }
    if (nworkers > 64)
        nworkers = 64;
    dtp_ocr_pool *p = calloc(1, sizeof *p);
    if (!p || !(p->engines = calloc((size_t)nworkers, sizeof *p->engines))) {
        free(p);
        return dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "out of memory");
    }
    for (p->n = 0; p->n < nworkers; p->n++) {
        st = dtp_ocr_engine_new(tessdata, langs, &p->engines[p->n], err);
        if (st != DTP_OK) {
            dtp_ocr_pool_free(p);
            return st;
        }
    }
    *out = p;
    return DTP_OK;
}

void dtp_ocr_pool_free(dtp_ocr_pool *pool)
{
    if (!pool)
        return;
    for (int i = 0; i < pool->n; i++)
        dtp_ocr_engine_free(pool->engines[i]);
    free(pool->engines);
    free(pool);
}

int dtp_ocr_pool_size(const dtp_ocr_pool *pool)
{
    return pool->n;
}

dtp_ocr_engine *dtp_ocr_pool_engine(dtp_ocr_pool *pool, int i)
{
    return i >= 0 && i < pool->n ? pool->engines[i] : NULL;
}

dtp_status dtp_ocr_pool_run(dtp_ocr_pool *pool, size_t njobs, dtp_ocr_job_fn fn, void *ctx,
                            dtp_error *err)
{
    pool_run r = {.pool = pool, .next = 0, .njobs = njobs, .fn = fn, .ctx = ctx};
    pthread_t th[64];
    worker_arg wa[64];
    int started = 0;
    if (pthread_mutex_init(&r.mu, NULL) != 0)
        return dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "cannot create pool mutex");
    for (int i = 0; i < pool->n; i++) {
        wa[i] = (worker_arg){&r, pool->engines[i]};
        if (pthread_create(&th[i], NULL, worker_main, &wa[i]) != 0)
            break;
        started++;
    }
    if (started == 0) /* no thread could start: do the work on this one */
        worker_main(&(worker_arg){&r, pool->engines[0]});
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    pthread_mutex_destroy(&r.mu);
    return DTP_OK;
}
