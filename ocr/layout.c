#include "ocr/layout.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "ocr/labels.h"
#include "ocr/validate.h"

#define MAX_HITS 32      /* labels per line */
#define LABEL_MAX_CPS 24 /* code points of the longest label */

void dtp_ocr_layout_opts_default(dtp_ocr_layout_opts *o)
{
    o->min_confidence = 60.0f;
    o->max_label_mismatch = 1;
    o->below_slack_px = 8;
}

/* One non-space character of a line, with where it came from. */
typedef struct glyph {
    unsigned cp;     /* half-width mapped code point, for matching */
    size_t word;     /* index of its word in the line */
    size_t off, len; /* bytes of the original character in the word's text */
    int x0, x1;      /* its share of the word's box */
} glyph;

typedef struct hit {
    int target; /* dtp_ocr_field_id or DTP_OCR_LABEL_* */
    size_t g0;  /* first glyph of the label */
    size_t gv;  /* first glyph after the label and its colon */
} hit;

/* A visual row: the recognised lines whose vertical centres agree, words left to right.
 * Tesseract gives a table's cells as separate lines (often separate blocks), so a label and its
 * value in neighbouring cells only meet once lines are merged by height on the page. */
typedef struct vrow {
    const dtp_ocr_word **words; /* borrowed from the page */
    size_t nwords;
    dtp_ocr_box box;
} vrow;

typedef struct line_info {
    const vrow *line;
    glyph *g;
    size_t ng;
    hit hits[MAX_HITS]; /* field labels */
    size_t nhits;
    hit hhits[MAX_HITS]; /* with the history column labels admitted */
    size_t nhhits;
} line_info;

typedef struct label_cps {
    unsigned cp[LABEL_MAX_CPS];
    size_t n;
    int target;
} label_cps;

typedef struct parser {
    const dtp_ocr_page *page;
    dtp_ocr_layout_opts opts;
    dtp_ocr_record_fn cb;
    void *ctx;
    dtp_error *err;
    line_info *li;
    vrow *rows;
    size_t nl;
    label_cps labels[64];
    size_t nlabels;
} parser;

static int is_space_cp(unsigned cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x3000 || cp == 0xA0;
}

static unsigned half(unsigned cp)
{
    if (cp >= 0xFF01 && cp <= 0xFF5E)
        return cp - 0xFEE0;
    return cp;
}

/* Box arithmetic in long, clamped back to int: boxes come from another component and a
 * corrupt one must not overflow. */
static int clampi(long v)
{
    return v > 0x7fffffffL ? 0x7fffffff : v < -0x7fffffffL ? -0x7fffffff : (int)v;
}

/* Columns are assigned per character, not per word: OCR joins neighbouring cells' text into one
 * word when the gap is small (2024-03-14中), and each character's share of the box still falls in
 * its own column. */
static int glyph_cx(const glyph *g)
{
    return clampi(((long)g->x0 + g->x1) / 2);
}

static void load_labels(parser *p)
{
    size_t n;
    const dtp_ocr_label *l = dtp_ocr_labels(&n);
    p->nlabels = 0;
    for (size_t i = 0; i < n && p->nlabels < sizeof p->labels / sizeof *p->labels; i++) {
        label_cps *lc = &p->labels[p->nlabels];
        lc->n = dtp_ocr_utf8_cps(l[i].text, lc->cp, LABEL_MAX_CPS);
        lc->target = l[i].target;
        p->nlabels++;
    }
}

static dtp_status build_glyphs(parser *p, line_info *li)
{
    const vrow *L = li->line;
    size_t cap = 0;
    for (size_t w = 0; w < L->nwords; w++)
        cap += L->words[w]->text ? strlen(L->words[w]->text) : 0;
    if (cap > DTP_OCR_LAYOUT_MAX_GLYPHS * 4)
        return DTP_ERR_LIMIT;
    li->g = cap ? malloc(cap * sizeof *li->g) : NULL;
    if (cap && !li->g)
        return DTP_ERR_NOMEM;
    li->ng = 0;
    for (size_t w = 0; w < L->nwords; w++) {
        const char *t = L->words[w]->text;
        if (!t)
            continue;
        size_t len = strlen(t), first = li->ng;
        for (size_t b = 0; b < len;) {
            size_t adv;
            unsigned cp = dtp_ocr_utf8_decode(t + b, len - b, &adv);
            if (!is_space_cp(cp)) {
                if (li->ng >= DTP_OCR_LAYOUT_MAX_GLYPHS)
                    return DTP_ERR_LIMIT;
                glyph *g = &li->g[li->ng++];
                g->cp = half(cp);
                g->word = w;
                g->off = b;
                g->len = adv;
            }
            b += adv;
        }
        /* split the word's box evenly among its characters */
        size_t k = li->ng - first;
        long x = L->words[w]->box.x, wd = L->words[w]->box.w > 0 ? L->words[w]->box.w : 0;
        for (size_t i = 0; i < k; i++) {
            li->g[first + i].x0 = clampi(x + wd * (long)i / (long)k);
            li->g[first + i].x1 = clampi(x + wd * (long)(i + 1) / (long)k);
        }
    }
    (void)p;
    return DTP_OK;
}

/* 1 when a label ending before glyph `end` ends where a word ends (or at a colon). */
static int ends_at_boundary(const line_info *li, size_t end)
{
    return end >= li->ng || li->g[end].word != li->g[end - 1].word || li->g[end].cp == ':';
}

typedef struct cand {
    int target;
    int edits;    /* 0 exact, else substitutions or the one dropped character */
    int boundary; /* ends at a word end */
    size_t n;     /* label length */
    size_t used;  /* glyphs consumed */
} cand;

static int better(const cand *a, const cand *b)
{
    if (b->target < 0)
        return 1;
    if (a->edits != b->edits)
        return a->edits < b->edits;
    if (a->boundary != b->boundary)
        return a->boundary > b->boundary;
    if (a->n != b->n)
        return a->n > b->n;
    return a->used > b->used;
}

/* Best label starting at glyph i. Exact beats inexact; an inexact match (labels of 4+
 * characters, at a word start only, so a value's text is not taken for a label) may have up to
 * max_label_mismatch substituted characters or one character OCR dropped. Among inexact
 * matches, one that ends where a word ends wins: with 围 lost from 证书覆盖的业务范围, a
 * substitution would swallow the value's first character, the dropped-character reading not. */
static int match_label(const parser *p, const line_info *li, size_t i, int history, size_t *end)
{
    cand best = {.target = -1};
    int word_start = i == 0 || li->g[i - 1].word != li->g[i].word;
    for (size_t l = 0; l < p->nlabels; l++) {
        const label_cps *lc = &p->labels[l];
        int t = lc->target;
        if (!history && t >= DTP_OCR_LABEL_EV_ACTIVITY && t <= DTP_OCR_LABEL_EV_DATE)
            continue;
        int allowed = lc->n >= 4 && word_start ? p->opts.max_label_mismatch : 0;
        if (i + lc->n <= li->ng) {
            int mism = 0;
            for (size_t k = 0; k < lc->n && mism <= allowed; k++)
                mism += li->g[i + k].cp != lc->cp[k];
            cand c = {t, mism, ends_at_boundary(li, i + lc->n), lc->n, lc->n};
            if (mism <= allowed && better(&c, &best))
                best = c;
        }
        if (allowed < 1 || i + lc->n - 1 > li->ng)
            continue;
        for (size_t d = 1; d < lc->n; d++) {
            size_t k = 0, j = 0;
            for (; k < lc->n; k++) {
                if (k == d)
                    continue;
                if (li->g[i + j].cp != lc->cp[k])
                    break;
                j++;
            }
            if (k < lc->n)
                continue;
            cand c = {t, 1, ends_at_boundary(li, i + lc->n - 1), lc->n, lc->n - 1};
            if (better(&c, &best))
                best = c;
            break;
        }
    }
    if (best.target >= 0)
        *end = i + best.used;
    return best.target;
}

static void find_hits(const parser *p, line_info *li, int history, hit *hits, size_t *nhits)
{
    *nhits = 0;
    for (size_t i = 0; i < li->ng && *nhits < MAX_HITS;) {
        size_t end;
        int t = match_label(p, li, i, history, &end);
        if (t < 0) {
            i++;
            continue;
        }
        while (end < li->ng && li->g[end].cp == ':')
            end++;
        hits[(*nhits)++] = (hit){.target = t, .g0 = i, .gv = end};
        i = end;
    }
}

/* ---- value builder ---- */

typedef struct vbuild {
    dtp_buf text;
    int has;
    int x0, y0, x1, y1;
    float conf;
    const vrow *last_line;
    size_t last_word;
    unsigned last_cp;
    size_t keep_len; /* text length up to the last glyph that is not edge punctuation */
} vbuild;

/* Table rules OCR reads as characters: never part of a value. */
static int is_rule(unsigned cp)
{
    return cp == '|' || cp == 0x4E28 /* 丨 */ || cp == 0x2502 /* │ */;
}

/* Punctuation OCR adds at a value's edges (cell borders, dots of a grid); kept inside a value,
 * dropped at its start and end. */
static int is_edge_punct(unsigned cp)
{
    return cp == ',' || cp == ';' || cp == '_' || cp == '`' || cp == '\'' || cp == '"' ||
           cp == 0x3001 /* 、 */ || cp == 0x3002 /* 。 */ || cp == 0x2018 || cp == 0x2019 ||
           cp == 0x201C || cp == 0x201D;
}

static void vb_init(vbuild *v)
{
    memset(v, 0, sizeof *v);
    dtp_buf_init(&v->text, DTP_OCR_TEXT_MAX);
}

static void vb_reset(vbuild *v)
{
    dtp_buf_reset(&v->text);
    v->has = 0;
    v->last_line = NULL;
    v->keep_len = 0;
}

static dtp_status vb_add(vbuild *v, const vrow *L, const glyph *g)
{
    const dtp_ocr_word *w = L->words[g->word];
    dtp_status st = DTP_OK;
    int punct = is_edge_punct(g->cp);
    if (is_rule(g->cp) || (punct && !v->has))
        return DTP_OK;
    /* words of Latin text keep a space between them; Chinese text has none */
    if (v->has && (L != v->last_line || g->word != v->last_word) && v->last_cp < 0x80 &&
        g->cp < 0x80)
        st = dtp_buf_append(&v->text, " ", 1);
    if (st == DTP_OK)
        st = dtp_buf_append(&v->text, w->text + g->off, g->len);
    if (st != DTP_OK)
        return st;
    v->last_line = L;
    v->last_word = g->word;
    v->last_cp = g->cp;
    if (punct && v->has)
        return DTP_OK; /* in the text, but neither in the box nor the confidence (yet) */
    v->keep_len = v->text.len;
    int y0 = w->box.y, y1 = clampi((long)w->box.y + (w->box.h > 0 ? w->box.h : 0));
    if (!v->has) {
        v->x0 = g->x0, v->x1 = g->x1, v->y0 = y0, v->y1 = y1, v->conf = w->confidence;
    } else {
        v->x0 = g->x0 < v->x0 ? g->x0 : v->x0;
        v->x1 = g->x1 > v->x1 ? g->x1 : v->x1;
        v->y0 = y0 < v->y0 ? y0 : v->y0;
        v->y1 = y1 > v->y1 ? y1 : v->y1;
        v->conf = w->confidence < v->conf ? w->confidence : v->conf;
    }
    v->has = 1;
    return DTP_OK;
}

/* Store the built value into f unless f already has one (the first reading wins). */
static dtp_status vb_store(const vbuild *v, dtp_ocr_field *f)
{
    if (!v->has || f->raw)
        return DTP_OK;
    dtp_ocr_box b = {v->x0, v->y0, clampi((long)v->x1 - v->x0), clampi((long)v->y1 - v->y0)};
    return dtp_ocr_field_set_raw(f, dtp_buf_str(&v->text), v->keep_len, NULL, &b, v->conf);
}

/* ---- detail pages ---- */

static dtp_status fail(parser *p, dtp_status st, size_t line, const char *what)
{
    dtp_error_locatef(p->err, "image row %zu", line + 1);
    return dtp_error_set(p->err, st, "ocr", "layout: %s", what);
}

/* The history table: from the header line (活动 … 日期) to the next line with a field label. */
static dtp_status read_history(parser *p, dtp_ocr_record *r, size_t *hist_from, size_t *hist_to)
{
    size_t k;
    *hist_from = *hist_to = p->nl;
    for (k = 0; k < p->nl; k++) {
        int act = 0, date = 0;
        for (size_t h = 0; h < p->li[k].nhhits; h++) {
            act |= p->li[k].hhits[h].target == DTP_OCR_LABEL_EV_ACTIVITY;
            date |= p->li[k].hhits[h].target == DTP_OCR_LABEL_EV_DATE;
        }
        if (act && date)
            break;
    }
    if (k == p->nl)
        return DTP_OK;
    const line_info *hd = &p->li[k];
    int targets[MAX_HITS], bound[MAX_HITS];
    size_t nc = 0, prev = 0;
    for (size_t h = 0; h < hd->nhhits; h++) {
        int t = hd->hhits[h].target;
        if (t < DTP_OCR_LABEL_EV_ACTIVITY || t > DTP_OCR_LABEL_EV_DATE)
            continue;
        targets[nc] = t;
        /* a column starts half-way between the previous header label's end and its own */
        bound[nc] =
            nc ? clampi(((long)hd->g[hd->hhits[prev].gv - 1].x1 + hd->g[hd->hhits[h].g0].x0) / 2)
               : 0;
        prev = h;
        nc++;
    }
    *hist_from = k;
    size_t j;
    vbuild cells[3];
    for (int c = 0; c < 3; c++)
        vb_init(&cells[c]);
    dtp_status st = DTP_OK;
    for (j = k + 1; j < p->nl && st == DTP_OK; j++) {
        const line_info *li = &p->li[j];
        /* a line that starts with a field label ends the table (a description may contain a
         * label word, as in 证书编号变更, but does not start the line with it) */
        if (li->nhits > 0 && li->hits[0].g0 == 0)
            break;
        for (int c = 0; c < 3; c++)
            vb_reset(&cells[c]);
        for (size_t g = 0; g < li->ng && st == DTP_OK; g++) {
            int cx = glyph_cx(&li->g[g]);
            size_t c = 0;
            while (c + 1 < nc && cx >= bound[c + 1])
                c++;
            st = vb_add(&cells[targets[c] - DTP_OCR_LABEL_EV_ACTIVITY], li->line, &li->g[g]);
        }
        if (st != DTP_OK || (!cells[0].has && !cells[2].has))
            continue;
        dtp_ocr_event *e;
        st = dtp_ocr_record_add_event(r, &e);
        if (st == DTP_OK)
            st = vb_store(&cells[0], &e->activity);
        if (st == DTP_OK)
            st = vb_store(&cells[1], &e->description);
        if (st == DTP_OK)
            st = vb_store(&cells[2], &e->date);
        if (st != DTP_OK)
            st = fail(p, st, j, "cannot store a history row");
    }
    for (int c = 0; c < 3; c++)
        dtp_buf_free(&cells[c].text);
    *hist_to = j;
    return st;
}

static dtp_status read_detail(parser *p)
{
    dtp_ocr_record *r = dtp_ocr_record_new(DTP_OCR_RECORD_DETAIL, p->page->image_sha256, -1);
    if (!r)
        return dtp_error_set(p->err, DTP_ERR_NOMEM, "ocr", "layout: out of memory");
    vbuild v;
    vb_init(&v);
    size_t hist_from, hist_to, nlabels = 0;
    dtp_status st = read_history(p, r, &hist_from, &hist_to);
    /* Lines are read bottom-up and the first value stored wins, so a label that appears twice
     * takes its value from the lower line: the page's own label sits in the body, while a
     * navigation bar above it (首页 认证结果 认证机构 ...) repeats some label words. */
    for (size_t ii = p->nl; ii-- > 0 && st == DTP_OK;) {
        size_t i = ii;
        if (i >= hist_from && i < hist_to)
            continue;
        const line_info *li = &p->li[i];
        for (size_t h = 0; h < li->nhits && st == DTP_OK; h++) {
            const hit *ht = &li->hits[h];
            if (ht->target == DTP_OCR_LABEL_HISTORY) {
                nlabels++;
                continue;
            }
            if (ht->target < 0 || ht->target >= DTP_OCR_NFIELDS)
                continue;
            nlabels++;
            dtp_ocr_field *f = &r->fields[ht->target];
            size_t end = h + 1 < li->nhits ? li->hits[h + 1].g0 : li->ng;
            vb_reset(&v);
            for (size_t g = ht->gv; g < end && st == DTP_OK; g++)
                st = vb_add(&v, li->line, &li->g[g]);
            if (st == DTP_OK && !v.has && i + 1 < p->nl && p->li[i + 1].nhits == 0 &&
                !(i + 1 >= hist_from && i + 1 < hist_to)) {
                /* nothing to the right: the value is on the next line, under the label */
                const line_info *below = &p->li[i + 1];
                int lo = clampi((long)li->g[ht->g0].x0 - p->opts.below_slack_px);
                int hi = h + 1 < li->nhits ? li->g[li->hits[h + 1].g0].x0 : 0x7fffffff;
                for (size_t g = 0; g < below->ng && st == DTP_OK; g++) {
                    int cx = clampi(((long)below->g[g].x0 + below->g[g].x1) / 2);
                    if (cx >= lo && cx < hi)
                        st = vb_add(&v, below->line, &below->g[g]);
                }
            }
            if (st == DTP_OK)
                st = vb_store(&v, f);
            if (st != DTP_OK)
                st = fail(p, st, i, "cannot store a field value");
        }
    }
    dtp_buf_free(&v.text);
    if (st == DTP_OK && nlabels == 0 && r->nevents == 0)
        st = dtp_error_set(p->err, DTP_ERR_UNSUPPORTED, "ocr",
                           "layout: no registry label found on the page");
    if (st == DTP_OK)
        st = dtp_ocr_record_validate(r, p->opts.min_confidence, p->err);
    if (st == DTP_OK)
        st = p->cb(p->ctx, r, p->err);
    dtp_ocr_record_free(r);
    return st;
}

/* ---- result lists ---- */

/* A header line: at least three distinct field labels and almost nothing else. */
static int is_header(const line_info *li)
{
    unsigned seen = 0;
    int nfields = 0;
    size_t covered = 0;
    for (size_t h = 0; h < li->nhits; h++) {
        int t = li->hits[h].target;
        covered += li->hits[h].gv - li->hits[h].g0;
        if (t >= 0 && t < DTP_OCR_NFIELDS && !(seen & (1u << t))) {
            seen |= 1u << t;
            nfields++;
        }
    }
    /* OCR may garble a header label (bold, coloured) into a few stray characters: a third of
     * the label text is allowed as such */
    size_t stray = li->ng - covered;
    return nfields >= 3 && (stray <= 2 || stray * 3 <= covered);
}

typedef struct list_state {
    int targets[MAX_HITS];
    int bound[MAX_HITS]; /* left boundary of each column (bound[0] unused) */
    size_t nc;
    size_t key; /* the certificate-number column, else 0 */
    vbuild cells[MAX_HITS];
    int open;    /* a row is being built */
    int last_y1; /* bottom of the row's last line */
    int last_h;  /* height of that line */
    long row;
} list_state;

static dtp_status flush_row(parser *p, list_state *ls, size_t line)
{
    if (!ls->open)
        return DTP_OK;
    ls->open = 0;
    dtp_ocr_record *r =
        dtp_ocr_record_new(DTP_OCR_RECORD_LIST_ROW, p->page->image_sha256, ls->row++);
    if (!r)
        return dtp_error_set(p->err, DTP_ERR_NOMEM, "ocr", "layout: out of memory");
    dtp_status st = DTP_OK;
    for (size_t c = 0; c < ls->nc && st == DTP_OK; c++)
        if (ls->targets[c] >= 0 && ls->targets[c] < DTP_OCR_NFIELDS)
            st = vb_store(&ls->cells[c], &r->fields[ls->targets[c]]);
    if (st != DTP_OK)
        st = fail(p, st, line, "cannot store a row value");
    if (st == DTP_OK)
        st = dtp_ocr_record_validate(r, p->opts.min_confidence, p->err);
    if (st == DTP_OK)
        st = p->cb(p->ctx, r, p->err);
    dtp_ocr_record_free(r);
    return st;
}

/* Columns of a line holding at least one character, by the boundaries given. */
static int columns_filled(const line_info *li, const int *bound, size_t nc)
{
    int filled[MAX_HITS] = {0}, n = 0;
    for (size_t g = 0; g < li->ng; g++) {
        if (is_rule(li->g[g].cp))
            continue;
        int cx = glyph_cx(&li->g[g]);
        size_t c = 0;
        while (c + 1 < nc && cx >= bound[c + 1])
            c++;
        n += !filled[c];
        filled[c] = 1;
    }
    return n;
}

/* Move each column boundary into the space between the columns' values. Between two header
 * labels each body row has empty runs: the space between the two cells (both cells' padding)
 * and the small gaps between the words OCR cut a value into. Per row the widest run is taken
 * as that row's cell gap; the boundary goes where the most rows' cell gaps overlap (the middle
 * of that stretch). A union over all rows would not do: values of one text (信息安全管理体系认证
 * in every row) leave a word gap at the same place in every row, and one row's border read as
 * a comma can fill the true gap. Without any empty pixel the midpoint between labels stays. */
static dtp_status refine_bounds(const parser *p, size_t header, list_state *ls,
                                const size_t *lab_end, const size_t *lab_start)
{
    for (size_t c = 1; c < ls->nc; c++) {
        /* from the middle of the left label to the middle of the right one: a value shorter
         * than its header label (a date under 证书到期日期) ends left of the label's end, and a
         * value under a centred label starts left of the label */
        long lo = ((long)lab_start[c - 1] + (long)lab_end[c - 1]) / 2;
        long hi = ((long)lab_start[c] + (long)lab_end[c]) / 2;
        if (hi - lo < 2 || hi - lo > 8192)
            continue;
        size_t w = (size_t)(hi - lo);
        unsigned char *occ = malloc(w);
        long *votes = calloc(w + 1, sizeof *votes); /* difference array of the rows' gaps */
        if (!occ || !votes) {
            free(occ);
            free(votes);
            return DTP_ERR_NOMEM;
        }
        for (size_t j = header + 1; j < p->nl; j++) {
            const line_info *li = &p->li[j];
            if (columns_filled(li, ls->bound, ls->nc) < 2)
                continue; /* a footer or stray text, not a row */
            memset(occ, 0, w);
            for (size_t g = 0; g < li->ng; g++) {
                if (is_rule(li->g[g].cp) || is_edge_punct(li->g[g].cp))
                    continue; /* a cell border OCR read as a comma sits in the gap */
                long x0 = li->g[g].x0 > lo ? li->g[g].x0 : lo;
                long x1 = li->g[g].x1 < hi ? li->g[g].x1 : hi;
                if (x0 < x1)
                    memset(occ + (x0 - lo), 1, (size_t)(x1 - x0));
            }
            long best_at = -1, best_len = 0, run = 0;
            for (long x = 0; x <= (long)w; x++) {
                if (x < (long)w && !occ[x]) {
                    run++;
                    continue;
                }
                if (run > best_len) {
                    best_len = run;
                    best_at = x - run;
                }
                run = 0;
            }
            if (best_len > 0) {
                votes[best_at]++;
                votes[best_at + best_len]--;
            }
        }
        long most = 0, at = -1, len = 0, cur = 0, run_at = -1;
        for (long x = 0; x <= (long)w; x++) {
            cur += x < (long)w ? votes[x] : 0;
            long v = x < (long)w ? cur : -1;
            if (v > 0 && v == most && run_at >= 0)
                continue; /* the stretch of the current maximum goes on */
            if (run_at >= 0) {
                len = x - run_at;
                at = run_at;
                run_at = -1;
            }
            if (v > most) {
                most = v;
                run_at = x;
                at = -1;
            }
        }
        if (at >= 0 && most > 0)
            ls->bound[c] = clampi(lo + at + len / 2);
        free(occ);
        free(votes);
    }
    return DTP_OK;
}

/* The header's columns, left to right, by the given label hits (a line's field hits, or its
 * hits with the history column labels admitted): each label hit, and each run of two or more
 * other characters standing apart between them (a label OCR could not read): such a column keeps
 * its values out of its neighbours' and is not stored (target -1). touching: stray text touching
 * a label is such a column too (for the walk over unread header text, which reads it again
 * before anything is decided). gfrom/gto (may be NULL) receive each column's glyphs. */
static void header_columns(const line_info *hd, const hit *hits, size_t nhits, int touching,
                           int *targets, size_t *start, size_t *end, size_t *nc, size_t *gfrom,
                           size_t *gto)
{
    size_t n = 0, g = 0, h = 0;
    while (g < hd->ng && n < MAX_HITS) {
        if (h < nhits && hits[h].g0 == g) {
            targets[n] = hits[h].target;
            start[n] = (size_t)(hd->g[g].x0 > 0 ? hd->g[g].x0 : 0);
            size_t last = hits[h].gv - 1;
            end[n] = (size_t)(hd->g[last].x1 > 0 ? hd->g[last].x1 : 0);
            if (gfrom) {
                gfrom[n] = g;
                gto[n] = hits[h].gv;
            }
            n++;
            g = hits[h].gv;
            h++;
            continue;
        }
        size_t stop = h < nhits ? hits[h].g0 : hd->ng, k = g, real = 0;
        for (; k < stop; k++)
            real += !is_rule(hd->g[k].cp) && !is_edge_punct(hd->g[k].cp);
        /* stray text touching a label is part of it (获证 before 组织名称): a column of its
         * own only when a glyph's height apart from the labels on both sides */
        long gh = hd->line->box.h > 0 ? hd->line->box.h : 0;
        int apart = (n == 0 || (long)hd->g[g].x0 - (long)end[n - 1] >= gh) &&
                    (stop >= hd->ng || (long)hd->g[stop].x0 - (long)hd->g[stop - 1].x1 >= gh);
        if (real >= 2 && (apart || touching)) {
            targets[n] = -1;
            start[n] = (size_t)(hd->g[g].x0 > 0 ? hd->g[g].x0 : 0);
            end[n] = (size_t)(hd->g[stop - 1].x1 > 0 ? hd->g[stop - 1].x1 : 0);
            if (gfrom) {
                gfrom[n] = g;
                gto[n] = stop;
            }
            n++;
        }
        g = stop;
    }
    *nc = n;
}

static dtp_status read_list(parser *p, size_t header)
{
    list_state *ls = calloc(1, sizeof *ls);
    if (!ls)
        return dtp_error_set(p->err, DTP_ERR_NOMEM, "ocr", "layout: out of memory");
    const line_info *hd = &p->li[header];
    size_t lab_start[MAX_HITS], lab_end[MAX_HITS];
    header_columns(hd, hd->hits, hd->nhits, 0, ls->targets, lab_start, lab_end, &ls->nc, NULL,
                   NULL);
    for (size_t c = 0; c < ls->nc; c++) {
        if (ls->targets[c] == DTP_OCR_F_CERT_NO && ls->key == 0)
            ls->key = c;
        if (c)
            ls->bound[c] = clampi(((long)lab_end[c - 1] + (long)lab_start[c]) / 2);
    }
    for (size_t c = 0; c < ls->nc; c++)
        vb_init(&ls->cells[c]);
    dtp_status st = refine_bounds(p, header, ls, lab_end, lab_start);
    if (st != DTP_OK)
        st = dtp_error_set(p->err, st, "ocr", "layout: out of memory");
    int filled[MAX_HITS];
    for (size_t j = header + 1; j < p->nl && st == DTP_OK; j++) {
        const line_info *li = &p->li[j];
        if (li->ng == 0 || is_header(li))
            continue;
        memset(filled, 0, sizeof filled);
        int nfilled = 0;
        for (size_t g = 0; g < li->ng; g++) {
            if (is_rule(li->g[g].cp))
                continue;
            int cx = glyph_cx(&li->g[g]);
            size_t c = 0;
            while (c + 1 < ls->nc && cx >= ls->bound[c + 1])
                c++;
            nfilled += !filled[c];
            filled[c]++;
        }
        const dtp_ocr_box *b = &li->line->box;
        int near = ls->open && (long)b->y <= (long)ls->last_y1 + ls->last_h / 2 + 1;
        int continuation = ls->open && !filled[ls->key] && near;
        if (!continuation) {
            st = flush_row(p, ls, j);
            /* a footer (共 3 条) or stray text is no row: a row has two columns, and a
             * certificate number of a few characters where the header has that column */
            if (st != DTP_OK || nfilled < 2 ||
                (ls->targets[ls->key] == DTP_OCR_F_CERT_NO && filled[ls->key] < 4))
                continue;
            for (size_t c = 0; c < ls->nc; c++)
                vb_reset(&ls->cells[c]);
            ls->open = 1;
        }
        for (size_t g = 0; g < li->ng && st == DTP_OK; g++) {
            int cx = glyph_cx(&li->g[g]);
            size_t c = 0;
            while (c + 1 < ls->nc && cx >= ls->bound[c + 1])
                c++;
            st = vb_add(&ls->cells[c], li->line, &li->g[g]);
        }
        if (st != DTP_OK)
            st = fail(p, st, j, "cannot store a row value");
        ls->last_y1 = clampi((long)b->y + (b->h > 0 ? b->h : 0));
        ls->last_h = b->h > 0 ? b->h : 0;
    }
    if (st == DTP_OK)
        st = flush_row(p, ls, p->nl);
    for (size_t c = 0; c < ls->nc; c++)
        dtp_buf_free(&ls->cells[c].text);
    free(ls);
    return st;
}

/* ---- card lists ---- */

#define MAX_CARD_COLS 8

/* Result lists drawn as cards: each card is a block of "label：value" lines, cards side by side
 * in columns (so one visual row holds a label of every column). A card starts at its
 * certificate-number label; the card column of any label is the rightmost column whose
 * certificate-number label starts at or left of it. A value runs from its label to the next
 * label on the row, as on a detail page. Records come out top to bottom, left to right. */
typedef struct card {
    dtp_ocr_record *r;
    int top, x;
} card;

static int card_order(const void *a, const void *b)
{
    const card *x = a, *y = b;
    if (x->top != y->top)
        return x->top < y->top ? -1 : 1;
    return x->x < y->x ? -1 : x->x > y->x;
}

static dtp_status read_cards(parser *p)
{
    int colx[MAX_CARD_COLS];
    size_t ncol = 0, ncards = 0, cap = 0;
    card *cards = NULL;
    int open[MAX_CARD_COLS];
    dtp_status st = DTP_OK;
    vbuild v;
    vb_init(&v);
    /* the card columns: left edges of the certificate-number labels, a label's width apart */
    for (size_t i = 0; i < p->nl; i++) {
        const line_info *li = &p->li[i];
        for (size_t h = 0; h < li->nhits; h++) {
            if (li->hits[h].target != DTP_OCR_F_CERT_NO)
                continue;
            int x = li->g[li->hits[h].g0].x0;
            int lw = li->g[li->hits[h].gv - 1].x1 - x;
            size_t c = 0;
            while (c < ncol && abs(colx[c] - x) > (lw > 8 ? lw : 8))
                c++;
            if (c == ncol && ncol < MAX_CARD_COLS)
                colx[ncol++] = x;
            else if (c < ncol && x < colx[c])
                colx[c] = x;
        }
    }
    for (size_t a = 1; a < ncol; a++) /* left to right */
        for (size_t b = a; b > 0 && colx[b] < colx[b - 1]; b--) {
            int t = colx[b];
            colx[b] = colx[b - 1];
            colx[b - 1] = t;
        }
    for (size_t c = 0; c < MAX_CARD_COLS; c++)
        open[c] = -1;
    for (size_t i = 0; i < p->nl && st == DTP_OK; i++) {
        const line_info *li = &p->li[i];
        for (size_t h = 0; h < li->nhits && st == DTP_OK; h++) {
            const hit *ht = &li->hits[h];
            if (ht->target < 0 || ht->target >= DTP_OCR_NFIELDS)
                continue;
            int x = li->g[ht->g0].x0, th = li->line->box.h > 0 ? li->line->box.h : 12;
            size_t c = ncol;
            for (size_t k = 0; k < ncol; k++)
                if (colx[k] <= x + th)
                    c = k;
            if (c == ncol)
                continue; /* left of every card: page text, not a card's */
            if (ht->target == DTP_OCR_F_CERT_NO) {
                if (ncards == cap) {
                    size_t ncap = cap ? 2 * cap : 16;
                    card *nc = ncap <= 4096 ? realloc(cards, ncap * sizeof *nc) : NULL;
                    if (!nc) {
                        st = dtp_error_set(p->err, DTP_ERR_NOMEM, "ocr", "layout: out of memory");
                        break;
                    }
                    cards = nc;
                    cap = ncap;
                }
                cards[ncards].r =
                    dtp_ocr_record_new(DTP_OCR_RECORD_LIST_ROW, p->page->image_sha256, -1);
                cards[ncards].top = li->line->box.y;
                cards[ncards].x = colx[c];
                if (!cards[ncards].r) {
                    st = dtp_error_set(p->err, DTP_ERR_NOMEM, "ocr", "layout: out of memory");
                    break;
                }
                open[c] = (int)ncards++;
            }
            if (open[c] < 0)
                continue; /* above the column's first card */
            dtp_ocr_field *f = &cards[open[c]].r->fields[ht->target];
            size_t end = h + 1 < li->nhits ? li->hits[h + 1].g0 : li->ng;
            /* a value never runs into the next card column */
            int stop = c + 1 < ncol ? colx[c + 1] - th : 0x7fffffff;
            vb_reset(&v);
            for (size_t g = ht->gv; g < end && st == DTP_OK; g++)
                if (glyph_cx(&li->g[g]) < stop)
                    st = vb_add(&v, li->line, &li->g[g]);
            if (st == DTP_OK)
                st = vb_store(&v, f);
            if (st != DTP_OK)
                st = fail(p, st, i, "cannot store a card value");
        }
    }
    dtp_buf_free(&v.text);
    if (ncards)
        qsort(cards, ncards, sizeof *cards, card_order);
    for (size_t k = 0; k < ncards; k++) {
        if (st == DTP_OK) {
            cards[k].r->row_index = (long)k;
            st = dtp_ocr_record_validate(cards[k].r, p->opts.min_confidence, p->err);
            if (st == DTP_OK)
                st = p->cb(p->ctx, cards[k].r, p->err);
        }
        dtp_ocr_record_free(cards[k].r);
    }
    free(cards);
    return st;
}

/* Card lists hold the certificate-number label and at least one more field label more than
 * once; a detail page holds each once (a history description such as 证书编号变更 may repeat
 * one label, never two). */
static int is_card_list(const parser *p)
{
    int n[DTP_OCR_NFIELDS] = {0}, repeated = 0;
    for (size_t i = 0; i < p->nl; i++)
        for (size_t h = 0; h < p->li[i].nhits; h++) {
            int t = p->li[i].hits[h].target;
            if (t >= 0 && t < DTP_OCR_NFIELDS && ++n[t] == 2)
                repeated++;
        }
    return n[DTP_OCR_F_CERT_NO] >= 2 && repeated >= 2;
}

static long centre_y(const dtp_ocr_box *b)
{
    return (long)b->y + (b->h > 0 ? b->h : 0) / 2;
}

static int line_order(const void *a, const void *b)
{
    const dtp_ocr_line *x = *(const dtp_ocr_line *const *)a, *y = *(const dtp_ocr_line *const *)b;
    long cx = centre_y(&x->box), cy = centre_y(&y->box);
    if (cx != cy)
        return cx < cy ? -1 : 1;
    return x->box.x < y->box.x ? -1 : x->box.x > y->box.x;
}

static int word_order(const void *a, const void *b)
{
    const dtp_ocr_word *x = *(const dtp_ocr_word *const *)a, *y = *(const dtp_ocr_word *const *)b;
    if (x->box.x != y->box.x)
        return x->box.x < y->box.x ? -1 : 1;
    return x->box.y < y->box.y ? -1 : x->box.y > y->box.y;
}

/* Merge the page's lines into visual rows: sorted by vertical centre, a line joins the row
 * above when its centre lies within half the taller height of the row's centre. Words of a row
 * are ordered left to right. */
static dtp_status build_rows(parser *p)
{
    const dtp_ocr_page *pg = p->page;
    dtp_status st = DTP_OK;
    const dtp_ocr_line **order = pg->nlines ? malloc(pg->nlines * sizeof *order) : NULL;
    size_t n = 0;
    if (pg->nlines && !order)
        return dtp_error_set(p->err, DTP_ERR_NOMEM, "ocr", "layout: out of memory");
    for (size_t i = 0; i < pg->nlines; i++)
        if (pg->lines[i].nwords)
            order[n++] = &pg->lines[i];
    if (n)
        qsort(order, n, sizeof *order, line_order);
    p->rows = n ? calloc(n, sizeof *p->rows) : NULL;
    if (n && !p->rows) {
        st = dtp_error_set(p->err, DTP_ERR_NOMEM, "ocr", "layout: out of memory");
        goto out;
    }
    p->nl = 0;
    for (size_t i = 0, first = 0; i <= n; i++) {
        if (i < n && i > first) {
            long h = order[first]->box.h > order[i]->box.h ? order[first]->box.h : order[i]->box.h;
            long d = centre_y(&order[i]->box) - centre_y(&order[first]->box);
            if (d <= (h > 0 ? h : 0) / 2)
                continue;
        }
        if (i == first)
            continue;
        /* lines first..i-1 make one row */
        vrow *r = &p->rows[p->nl++];
        size_t nw = 0;
        for (size_t k = first; k < i; k++)
            nw += order[k]->nwords;
        r->words = malloc(nw * sizeof *r->words);
        if (!r->words) {
            st = dtp_error_set(p->err, DTP_ERR_NOMEM, "ocr", "layout: out of memory");
            goto out;
        }
        r->box = order[first]->box;
        for (size_t k = first; k < i; k++) {
            for (size_t w = 0; w < order[k]->nwords; w++)
                r->words[r->nwords++] = &order[k]->words[w];
            dtp_ocr_box_union(&r->box, &order[k]->box);
        }
        qsort(r->words, r->nwords, sizeof *r->words, word_order);
        first = i;
    }
out:
    free(order);
    return st;
}

/* The rows, glyphs and label hits of a page, and the index of its list header (p->nl: none). */
static dtp_status parser_setup(parser *p, const dtp_ocr_page *page, const dtp_ocr_layout_opts *opts,
                               dtp_error *err, size_t *header)
{
    p->page = page;
    if (opts)
        p->opts = *opts;
    else
        dtp_ocr_layout_opts_default(&p->opts);
    p->err = err;
    dtp_error_clear(err); /* no locator of an earlier call may stay behind */
    dtp_error_where(err, "cnca", page->image_sha256, NULL);
    load_labels(p);
    dtp_status st = build_rows(p);
    if (st != DTP_OK)
        return st;
    p->li = p->nl ? calloc(p->nl, sizeof *p->li) : NULL;
    if (p->nl && !p->li)
        return dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "layout: out of memory");
    *header = p->nl;
    for (size_t i = 0; i < p->nl; i++) {
        p->li[i].line = &p->rows[i];
        st = build_glyphs(p, &p->li[i]);
        if (st != DTP_OK)
            return fail(p, st, i,
                        st == DTP_ERR_LIMIT ? "line longer than the glyph cap" : "out of memory");
        find_hits(p, &p->li[i], 0, p->li[i].hits, &p->li[i].nhits);
        find_hits(p, &p->li[i], 1, p->li[i].hhits, &p->li[i].nhhits);
        if (*header == p->nl && is_header(&p->li[i]))
            *header = i;
    }
    return DTP_OK;
}

static void parser_free(parser *p)
{
    for (size_t i = 0; p->li && i < p->nl; i++)
        free(p->li[i].g);
    free(p->li);
    for (size_t i = 0; p->rows && i < p->nl; i++)
        free(p->rows[i].words);
    free(p->rows);
    free(p);
}

dtp_status dtp_ocr_parse_page(const dtp_ocr_page *page, const dtp_ocr_layout_opts *opts,
                              dtp_ocr_record_fn cb, void *ctx, dtp_error *err)
{
    parser *p = calloc(1, sizeof *p);
    if (!p)
        return dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "layout: out of memory");
    p->cb = cb;
    p->ctx = ctx;
    size_t header = 0;
    dtp_status st = parser_setup(p, page, opts, err, &header);
    if (st == DTP_OK)
        st = header < p->nl    ? read_list(p, header)
             : is_card_list(p) ? read_cards(p)
                               : read_detail(p);
    parser_free(p);
    return st;
}

/* fn for the words of glyphs [g0, g1) of li, with the box they span. */
static dtp_status report_span(const line_info *li, size_t g0, size_t g1, int history,
                              const int *named, dtp_ocr_unread_header_fn fn, void *ctx)
{
    size_t w0 = li->g[g0].word, w1 = li->g[g1 - 1].word;
    if (w1 < w0 || w1 >= li->line->nwords)
        return DTP_OK;
    dtp_ocr_box box = li->line->words[w0]->box;
    for (size_t w = w0 + 1; w <= w1; w++)
        dtp_ocr_box_union(&box, &li->line->words[w]->box);
    /* horizontally the words' span; vertically the row's, as the neighbouring labels */
    if (li->line->box.h > 0) {
        box.y = li->line->box.y;
        box.h = li->line->box.h;
    }
    if (box.w <= 0 || box.h <= 0)
        return DTP_OK; /* nothing there to read again */
    return fn(ctx, li->line->words + w0, w1 - w0 + 1, box, history, named);
}

/* A header line's columns (header_columns with unread text touching a label kept apart) and
 * the label targets they name, as the walk over unread header text sees them. */
typedef struct walk_cols {
    int targets[MAX_HITS], named[DTP_OCR_LABEL_TARGETS];
    size_t start[MAX_HITS], end[MAX_HITS], gfrom[MAX_HITS], gto[MAX_HITS], nc;
} walk_cols;

static void walk_columns(const line_info *li, const hit *hits, size_t nhits, walk_cols *wc)
{
    memset(wc->named, 0, sizeof wc->named);
    header_columns(li, hits, nhits, 1, wc->targets, wc->start, wc->end, &wc->nc, wc->gfrom,
                   wc->gto);
    for (size_t c = 0; c < wc->nc; c++)
        if (wc->targets[c] >= 0 && wc->targets[c] < DTP_OCR_LABEL_TARGETS)
            wc->named[wc->targets[c]] = 1;
}

/* fn for each column of header line li (columns wc) that reads as no label. A column of unread
 * text is split where a glyph's height of space stands between its characters (措述 日其: two
 * garbled labels side by side); pieces of one character are no label. */
static dtp_status report_unread(const line_info *li, const walk_cols *wc, int history,
                                dtp_ocr_unread_header_fn fn, void *ctx)
{
    long gh = li->line->box.h > 0 ? li->line->box.h : 0;
    dtp_status st = DTP_OK;
    for (size_t c = 0; c < wc->nc && st == DTP_OK; c++) {
        if (wc->targets[c] >= 0 || wc->gto[c] <= wc->gfrom[c])
            continue;
        size_t from = wc->gfrom[c];
        for (size_t g = wc->gfrom[c] + 1; g <= wc->gto[c] && st == DTP_OK; g++) {
            if (g < wc->gto[c] && (long)li->g[g].x0 - (long)li->g[g - 1].x1 < gh)
                continue;
            if (g - from >= 2)
                st = report_span(li, from, g, history, wc->named, fn, ctx);
            from = g;
        }
    }
    return st;
}

/* fn (with no words) for each stretch of the list header with no text at all between two of its
 * columns (or before the first, or after the last) that is wide enough for a label of two
 * glyphs and in which a value starts in at least two body rows: a column whose label the full-page
 * pass did not see at all (组织名称 missing from a bordered table's header, its names then
 * read as part of the certificate numbers). The box spans the stretch, less half a glyph at
 * each label, and the header row's height. */
static dtp_status report_gaps(const parser *p, size_t header, const walk_cols *wc,
                              dtp_ocr_unread_header_fn fn, void *ctx)
{
    const line_info *hd = &p->li[header];
    const size_t *start = wc->start, *end = wc->end, nc = wc->nc;
    long gh = hd->line->box.h;
    if (nc == 0 || gh <= 0)
        return DTP_OK;
    long body_lo = LONG_MAX, body_hi = LONG_MIN;
    for (size_t j = header + 1; j < p->nl; j++)
        for (size_t g = 0; g < p->li[j].ng; g++) {
            if (p->li[j].g[g].x0 < body_lo)
                body_lo = p->li[j].g[g].x0;
            if (p->li[j].g[g].x1 > body_hi)
                body_hi = p->li[j].g[g].x1;
        }
    if (body_lo > body_hi)
        return DTP_OK; /* no body rows */
    for (size_t c = 0; c <= nc; c++) {
        long lo = c == 0 ? body_lo : (long)end[c - 1] + gh / 2;
        long hi = c == nc ? body_hi : (long)start[c] - gh / 2;
        if (hi - lo < 2 * gh || hi - lo > INT_MAX)
            continue;
        /* a value starts there: its first character lies in the stretch, a glyph's height or
         * more right of the text before it (not the end of a longer value of the column to the
         * left, nor the next word of one) */
        int rows = 0;
        for (size_t j = header + 1; j < p->nl && rows < 2; j++) {
            const line_info *li = &p->li[j];
            long prev_x1 = LONG_MIN / 2;
            for (size_t g = 0; g < li->ng; g++) {
                if (is_rule(li->g[g].cp) || is_edge_punct(li->g[g].cp))
                    continue;
                if (li->g[g].x0 >= lo && li->g[g].x0 < hi && li->g[g].x0 - prev_x1 >= gh) {
                    rows++;
                    break;
                }
                prev_x1 = li->g[g].x1;
            }
        }
        if (rows < 2)
            continue;
        dtp_ocr_box box = {clampi(lo), hd->line->box.y, clampi(hi - lo), hd->line->box.h};
        dtp_status st = fn(ctx, NULL, 0, box, 0, wc->named);
        if (st != DTP_OK)
            return st;
    }
    return DTP_OK;
}

dtp_status dtp_ocr_layout_unread_header(const dtp_ocr_page *page, const dtp_ocr_layout_opts *opts,
                                        dtp_ocr_unread_header_fn fn, void *ctx, dtp_error *err)
{
    parser *p = calloc(1, sizeof *p);
    if (!p)
        return dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "layout: out of memory");
    size_t header = 0;
    dtp_status st = parser_setup(p, page, opts, err, &header);
    if (st != DTP_OK) {
        parser_free(p);
        return st;
    }
    for (size_t i = 0; i < p->nl && st == DTP_OK; i++) {
        const line_info *li = &p->li[i];
        if (i == header) {
            walk_cols wc;
            walk_columns(li, li->hits, li->nhits, &wc);
            st = report_unread(li, &wc, 0, fn, ctx);
            if (st == DTP_OK)
                st = report_gaps(p, header, &wc, fn, ctx);
            continue;
        }
        /* a history table header with one of its three column labels unread */
        int ev[3] = {0};
        for (size_t h = 0; h < li->nhhits; h++) {
            int t = li->hhits[h].target;
            if (t >= DTP_OCR_LABEL_EV_ACTIVITY && t <= DTP_OCR_LABEL_EV_DATE)
                ev[t - DTP_OCR_LABEL_EV_ACTIVITY] = 1;
        }
        /* or, right under the 证书变化历史轨迹 label (a blank row between allowed), with two of
         * them unread (活动 措述 日其) */
        int under_history = 0;
        for (size_t k = i, back = 0; k-- > 0 && back < 2 && !under_history; back++)
            for (size_t h = 0; h < p->li[k].nhits; h++)
                under_history |= p->li[k].hits[h].target == DTP_OCR_LABEL_HISTORY;
        int named = ev[0] + ev[1] + ev[2];
        if (named == 2 || (named == 1 && under_history)) {
            walk_cols wc;
            walk_columns(li, li->hhits, li->nhhits, &wc);
            st = report_unread(li, &wc, 1, fn, ctx);
        }
    }
    parser_free(p);
    return st;
}
