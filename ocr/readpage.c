/* Full-page pass, label parser, second pass over value boxes, joint judgement (readpage.h). */
#include "ocr/readpage.h"

#include <stdlib.h>
#include <string.h>

#include "ocr/labels.h"
#include "ocr/validate.h"

void dtp_ocr_read_opts_default(dtp_ocr_read_opts *o)
{
    dtp_ocr_layout_opts_default(&o->layout);
    o->second_pass = 1;
}

/* Glyph heights of the second and third reading of a label that the first reread (at the
 * engine's 36) did not read as one. */
#define LABEL_READ_PX2 24
#define LABEL_READ_PX3 48
/* Glyph height of the third reading of free text (the second reads at the engine's 36). */
#define THIRD_READ_PX 24
/* Lowest character confidence of the two agreeing readings when a third one was needed. */
#define THIRD_READ_MIN_CONF 80.0f

/* Which part of a record a reading belongs to: a record field, or a part of a history event. */
typedef enum part_kind { PART_FIELD, PART_ACTIVITY, PART_DESCRIPTION, PART_DATE } part_kind;

typedef struct verdict {
    int accepted;
    char *value; /* normalised value (owned), NULL when none */
} verdict;

/* Judge text as the validators would for that part, with a scratch record, so the rules stay in
 * one place (record.c). */
static dtp_status judge_as(part_kind kind, int id, const char *raw, float conf, float min_conf,
                           verdict *v)
{
    dtp_status st = DTP_OK;
    v->accepted = 0;
    v->value = NULL;
    dtp_ocr_record *r = dtp_ocr_record_new(DTP_OCR_RECORD_DETAIL, NULL, -1);
    if (!r)
        return DTP_ERR_NOMEM;
    dtp_ocr_field *f = NULL;
    if (kind == PART_FIELD) {
        f = dtp_ocr_record_field(r, (dtp_ocr_field_id)id);
    } else {
        dtp_ocr_event *ev = NULL;
        st = dtp_ocr_record_add_event(r, &ev);
        if (st != DTP_OK)
            goto out;
        f = kind == PART_ACTIVITY ? &ev->activity
            : kind == PART_DATE   ? &ev->date
                                  : &ev->description;
    }
    st = dtp_ocr_field_set_raw(f, raw, strlen(raw), NULL, NULL, conf);
    if (st == DTP_OK)
        st = dtp_ocr_record_validate(r, min_conf, NULL);
    if (st != DTP_OK)
        goto out;
    /* a USCC label holding an old organisation code moves the text to org_code */
    if (kind == PART_FIELD && id == DTP_OCR_F_USCC && !f->raw)
        f = dtp_ocr_record_field(r, DTP_OCR_F_ORG_CODE);
    v->accepted = f->accepted;
    if (f->value && !(v->value = strdup(f->value)))
        st = DTP_ERR_NOMEM;
out:
    dtp_ocr_record_free(r);
    return st;
}

/* Codes, dates and closed vocabularies: a validator can tell a good reading from a bad one. */
static int validator_decides(part_kind kind, int id)
{
    if (kind == PART_DATE || kind == PART_ACTIVITY)
        return 1;
    if (kind == PART_DESCRIPTION)
        return 0;
    switch ((dtp_ocr_field_id)id) {
    case DTP_OCR_F_CERT_NO:
    case DTP_OCR_F_USCC:
    case DTP_OCR_F_ORG_CODE:
    case DTP_OCR_F_ISSUE_DATE:
    case DTP_OCR_F_EXPIRY_DATE:
    case DTP_OCR_F_FIRST_ISSUE_DATE:
    case DTP_OCR_F_STATUS:
    case DTP_OCR_F_PROJECT_CODE:
    case DTP_OCR_F_CERT_BODY_ID:
    case DTP_OCR_F_SURVEILLANCE_COUNT:
    case DTP_OCR_F_RECERT_COUNT:
        return 1;
    default:
        return 0;
    }
}

static dtp_ocr_read_mode mode_for(part_kind kind, int id, const dtp_ocr_box *box, double text_px)
{
    if (kind == PART_DATE)
        return DTP_OCR_READ_DATE;
    if (kind == PART_FIELD) {
        switch ((dtp_ocr_field_id)id) {
        case DTP_OCR_F_CERT_NO:
        case DTP_OCR_F_USCC:
        case DTP_OCR_F_ORG_CODE:
        case DTP_OCR_F_PROJECT_CODE:
        case DTP_OCR_F_CERT_BODY_ID:
        case DTP_OCR_F_SURVEILLANCE_COUNT:
        case DTP_OCR_F_RECERT_COUNT:
            return DTP_OCR_READ_CODE;
        case DTP_OCR_F_ISSUE_DATE:
        case DTP_OCR_F_EXPIRY_DATE:
        case DTP_OCR_F_FIRST_ISSUE_DATE:
            return DTP_OCR_READ_DATE;
        case DTP_OCR_F_STANDARD:
            return DTP_OCR_READ_LATIN;
        default:
            break;
        }
    }
    /* a value wrapped over lines (long scope or address) */
    if (text_px > 0 && box->h > 1.8 * text_px)
        return DTP_OCR_READ_BLOCK;
    return DTP_OCR_READ_LINE;
}

typedef struct forced {
    dtp_ocr_field *f;
} forced;

typedef struct reader {
    dtp_ocr_engine *e;
    const dtp_ocr_image *img;
    const dtp_ocr_read_opts *o;
    dtp_ocr_record_fn cb;
    void *ctx;
    dtp_ocr_field *disagree[DTP_OCR_NFIELDS + 3 * DTP_OCR_MAX_EVENTS];
    size_t ndisagree;
    dtp_ocr_field *agree[DTP_OCR_NFIELDS + 3 * DTP_OCR_MAX_EVENTS];
    size_t nagree;
} reader;

/* A reread box widened by a glyph can catch the end of the label before the value (目: of
 * 认证项目:): one or two characters and a colon at the start of a reading are dropped. */
static void strip_label_tail(char *s)
{
    if (!s)
        return;
    size_t b = 0;
    for (int cps = 0; cps < 3 && s[b]; cps++) {
        size_t adv;
        unsigned cp = dtp_ocr_utf8_decode(s + b, strlen(s + b), &adv);
        if ((cp == ':' || cp == 0xFF1A) && cps > 0) {
            b += adv;
            while (s[b] == ' ')
                b++;
            memmove(s, s + b, strlen(s + b) + 1);
            return;
        }
        b += adv ? adv : 1;
    }
}

/* Second pass over one field; may replace its raw text and confidence, and may mark it for a
 * forced "disagree" rejection after validation. */
static dtp_status reread_field(reader *rd, part_kind kind, int id, dtp_ocr_field *f,
                               const dtp_ocr_box *cell, dtp_error *err)
{
    if (!f->raw || !f->has_box || f->box.w <= 0 || f->box.h <= 0 || f->reviewed)
        return DTP_OK;
    float min_conf = rd->o->layout.min_confidence;
    char *r2 = NULL;
    float c2 = 0;
    verdict v1 = {0}, v2 = {0}, s1 = {0}, s2 = {0};
    dtp_ocr_read_mode mode = mode_for(kind, id, &f->box, rd->img->text_px);
    /* the parser's box can be a little short where a label and its value shared one OCR word
     * (the word's box is split evenly between its characters): widen by about a glyph */
    dtp_ocr_box box = f->box;
    if (cell) {
        box = *cell;
    } else {
        int widen = (int)(rd->img->text_px > 0 ? rd->img->text_px : 12);
        if (mode == DTP_OCR_READ_CODE || mode == DTP_OCR_READ_DATE ||
            (kind == PART_FIELD && id == DTP_OCR_F_STATUS))
            widen = 0; /* codes, dates and status badges stand alone: margin invites noise */
        box.x -= widen;
        box.w += 2 * widen;
    }
    dtp_status st = dtp_ocr_reread_region(rd->e, rd->img, box, mode, &r2, &c2, err);
    if (st == DTP_OK)
        strip_label_tail(r2);
    if (st == DTP_ERR_PARSE) { /* a box the engine cannot read: keep the first reading */
        dtp_error_clear(err);
        return DTP_OK;
    }
    if (st != DTP_OK)
        return st;
    st = judge_as(kind, id, f->raw, f->confidence, min_conf, &v1);
    if (st == DTP_OK)
        st = judge_as(kind, id, r2, c2, min_conf, &v2);
    /* the same judgement without the confidence floor: does the text pass its rule? */
    if (st == DTP_OK)
        st = judge_as(kind, id, f->raw, 100, 0, &s1);
    if (st == DTP_OK)
        st = judge_as(kind, id, r2, 100, 0, &s2);
    if (st != DTP_OK)
        goto out;
    int same = v1.value && v2.value && strcmp(v1.value, v2.value) == 0;
    /* Two readings of a code or date, from different scales and language models, that agree
     * and both pass the validator (check character, shape, calendar) are accepted whatever the
     * LSTM's confidence: the confidence of whitelisted single-line reads runs low on correct
     * codes, and the agreement is the stronger evidence. */
    int agree = same && s1.accepted && s2.accepted && validator_decides(kind, id);
    const char *raw = f->raw;
    float conf = f->confidence;
    int disagree = 0, third = 0;
    if (validator_decides(kind, id)) {
        /* two readings that each pass the rule (confidence aside) but differ: one of them is
         * a misreading the rule cannot see (a digit for a digit, an extra trailing 0 that a
         * confusable repair turned valid), so neither is accepted */
        int shapes_differ =
            s1.accepted && s2.accepted && s1.value && s2.value && strcmp(s1.value, s2.value) != 0;
        if ((v2.accepted && v1.accepted && !same) || shapes_differ)
            disagree = 1;
        if (v2.accepted || !v1.accepted) {
            raw = r2;
            conf = c2;
        }
        if (same && c2 < f->confidence)
            conf = f->confidence;
    } else {
        if (!same && mode != DTP_OCR_READ_BLOCK) {
            /* a third reading at another scale settles a disagreement when it agrees with one
             * of the two (its confidence counts like theirs) */
            char *r3 = NULL;
            float c3 = 0;
            verdict v3 = {0};
            st = dtp_ocr_reread_region_px(rd->e, rd->img, box, mode, THIRD_READ_PX, &r3, &c3, err);
            if (st == DTP_OK)
                strip_label_tail(r3);
            if (st == DTP_ERR_PARSE) {
                dtp_error_clear(err);
                st = DTP_OK;
            } else if (st == DTP_OK) {
                st = judge_as(kind, id, r3, c3, min_conf, &v3);
                if (st == DTP_OK && v3.value) {
                    if (v2.value && strcmp(v3.value, v2.value) == 0) {
                        same = 1;
                        f->confidence = c3; /* the pair that agrees: readings two and three */
                        third = 1;
                    } else if (v1.value && strcmp(v3.value, v1.value) == 0) {
                        same = 1;
                        c2 = c3; /* readings one and three */
                        free(r2);
                        r2 = r3;
                        r3 = NULL;
                        third = 1;
                    }
                }
            }
            free(v3.value);
            free(r3);
            if (st != DTP_OK)
                goto out;
        }
        if (same && third && (c2 < f->confidence ? c2 : f->confidence) < THIRD_READ_MIN_CONF)
            same = 0; /* a settled disagreement needs both agreeing readings to be sure */
        if (same) {
            /* free text has no rule to catch a misread, and both passes use one model, so a
             * character the model lacks comes out as the same look-alike twice: the value
             * keeps the LOWER of the two confidences, and either pass's doubt keeps it from
             * being accepted */
            raw = r2;
            conf = c2 < f->confidence ? c2 : f->confidence;
        } else {
            disagree = 1;
            if (c2 > f->confidence) {
                raw = r2;
                conf = c2;
            }
        }
    }
    if (raw != f->raw) {
        dtp_ocr_box keep = box; /* where the kept reading was read */
        char *locator = f->locator ? strdup(f->locator) : NULL;
        int in_gap = dtp_ocr_field_has_flag(f, "read_in_gap"); /* how the field was found */
        st = dtp_ocr_field_set_raw(f, raw, strlen(raw), locator, &keep, conf);
        if (st == DTP_OK && in_gap)
            st = dtp_ocr_field_add_flag(f, "read_in_gap");
        free(locator);
    } else {
        f->confidence = conf;
    }
    if (st == DTP_OK)
        st = dtp_ocr_field_add_flag(f, raw == r2 ? "second_pass" : "first_pass");
    if (st == DTP_OK && third)
        st = dtp_ocr_field_add_flag(f, "third_pass");
    if (st == DTP_OK && disagree && rd->ndisagree < sizeof rd->disagree / sizeof rd->disagree[0])
        rd->disagree[rd->ndisagree++] = f;
    if (st == DTP_OK && agree && rd->nagree < sizeof rd->agree / sizeof rd->agree[0])
        rd->agree[rd->nagree++] = f;
out:
    free(v1.value);
    free(v2.value);
    free(s1.value);
    free(s2.value);
    free(r2);
    if (st != DTP_OK && err && err->status == DTP_OK)
        dtp_error_set(err, st, "ocr", "second pass: out of memory");
    return st;
}

/* The fields of a list row that hold a read value with a box, left to right (ids, returned
 * count), and the band their boxes span (*top, *bottom). */
static int row_values_by_x(const dtp_ocr_record *rec, int ids[DTP_OCR_NFIELDS], int *top,
                           int *bottom)
{
    int n = 0;
    *top = 1 << 30;
    *bottom = -1;
    for (int id = 0; id < DTP_OCR_NFIELDS; id++) {
        const dtp_ocr_field *f = &rec->fields[id];
        if (!f->raw || !f->has_box || f->box.w <= 0 || f->box.h <= 0)
            continue;
        ids[n++] = id;
        if (f->box.y < *top)
            *top = f->box.y;
        if (f->box.y + f->box.h > *bottom)
            *bottom = f->box.y + f->box.h;
    }
    for (int i = 1; i < n; i++) /* by left edge */
        for (int k = i; k > 0 && rec->fields[ids[k]].box.x < rec->fields[ids[k - 1]].box.x; k--) {
            int t = ids[k];
            ids[k] = ids[k - 1];
            ids[k - 1] = t;
        }
    return n;
}

/* Cells of a result-list row: the first pass often runs neighbouring cells together or cuts a
 * value short, so each value is reread from the gap before it to the gap after it (half-way to
 * the neighbouring values' boxes), over the row's full height. */
static void row_cells(const dtp_ocr_record *rec, double text_px, dtp_ocr_box cells[])
{
    int ids[DTP_OCR_NFIELDS], top, bottom;
    for (int id = 0; id < DTP_OCR_NFIELDS; id++)
        cells[id] = rec->fields[id].box;
    int n = row_values_by_x(rec, ids, &top, &bottom);
    int margin = (int)(text_px > 0 ? text_px : 12);
    for (int i = 0; i < n; i++) {
        const dtp_ocr_box *b = &rec->fields[ids[i]].box;
        int x0 = b->x - margin, x1 = b->x + b->w + margin;
        if (i > 0) {
            const dtp_ocr_box *p = &rec->fields[ids[i - 1]].box;
            int mid = (p->x + p->w + b->x) / 2;
            if (mid > x0 && mid < b->x)
                x0 = mid;
            else if (mid >= b->x)
                x0 = b->x;
        }
        if (i + 1 < n) {
            const dtp_ocr_box *q = &rec->fields[ids[i + 1]].box;
            int mid = (b->x + b->w + q->x) / 2;
            if (mid < x1 && mid > b->x + b->w)
                x1 = mid;
            else if (mid <= b->x + b->w)
                x1 = b->x + b->w;
        }
        cells[ids[i]] = (dtp_ocr_box){x0, top, x1 - x0, bottom - top};
    }
}

/* 1 when the record's value boxes share one horizontal band (a table row); a card of a card
 * list holds its values on lines one under another, each reread like a detail page's. */
static int one_band(const dtp_ocr_record *rec)
{
    int top = -(1 << 30), bottom = 1 << 30;
    for (int id = 0; id < DTP_OCR_NFIELDS; id++) {
        const dtp_ocr_field *f = &rec->fields[id];
        if (!f->raw || !f->has_box || f->box.h <= 0)
            continue;
        if (f->box.y > top)
            top = f->box.y;
        if (f->box.y + f->box.h < bottom)
            bottom = f->box.y + f->box.h;
    }
    return top < bottom;
}

/* A result-list row without a status: the full-page pass sometimes drops a narrow column
 * whole (the status cell between two ruled borders, its header too). Each empty stretch of at
 * least three glyphs between the row's values is read on its own; when exactly one of them
 * reads as a status word (Chinese, from the closed vocabulary), it becomes the row's status,
 * flagged read_in_gap, and is then reread like any value. */
static dtp_status find_gap_status(reader *rd, dtp_ocr_record *rec, dtp_error *err)
{
    dtp_ocr_field *sf = &rec->fields[DTP_OCR_F_STATUS];
    if (sf->raw || sf->reviewed)
        return DTP_OK;
    int ids[DTP_OCR_NFIELDS], top, bottom;
    int n = row_values_by_x(rec, ids, &top, &bottom);
    int px = (int)(rd->img->text_px > 0 ? rd->img->text_px : 12);
    int found = 0;
    char *text = NULL;
    float conf = 0;
    dtp_ocr_box at = {0, 0, 0, 0};
    for (int i = 0; i + 1 < n && found < 2; i++) {
        const dtp_ocr_box *a = &rec->fields[ids[i]].box, *b = &rec->fields[ids[i + 1]].box;
        int x0 = a->x + a->w + px / 2, x1 = b->x - px / 2;
        if (x1 - x0 < 2 * px)
            continue;
        dtp_ocr_box box = {x0, top - px / 4, x1 - x0, bottom - top + px / 2};
        char *r2 = NULL;
        float c2 = 0;
        dtp_status st =
            dtp_ocr_reread_region(rd->e, rd->img, box, DTP_OCR_READ_LINE, &r2, &c2, err);
        if (st == DTP_ERR_PARSE) {
            dtp_error_clear(err);
            continue;
        }
        if (st != DTP_OK) {
            free(text);
            return st;
        }
        if ((unsigned char)r2[0] >= 0x80 && dtp_ocr_parse_status(r2) != DTP_OCR_STATUS_UNKNOWN) {
            found++;
            free(text);
            text = r2;
            conf = c2;
            at = box;
        } else {
            free(r2);
        }
    }
    dtp_status st = DTP_OK;
    if (found == 1) {
        st = dtp_ocr_field_set_raw(sf, text, strlen(text), NULL, &at, conf);
        if (st == DTP_OK)
            st = dtp_ocr_field_add_flag(sf, "read_in_gap");
        if (st != DTP_OK)
            dtp_error_set(err, st, "ocr", "second pass: out of memory");
    }
    free(text);
    return st;
}

static dtp_status on_record(void *ctx, dtp_ocr_record *rec, dtp_error *err)
{
    reader *rd = ctx;
    dtp_status st = DTP_OK;
    rd->ndisagree = 0;
    rd->nagree = 0;
    if (rd->o->second_pass) {
        dtp_ocr_box cells[DTP_OCR_NFIELDS];
        int list = rec->kind == DTP_OCR_RECORD_LIST_ROW && one_band(rec);
        if (list && (st = find_gap_status(rd, rec, err)) != DTP_OK)
            return st;
        if (list)
            row_cells(rec, rd->img->text_px, cells);
        for (int id = 0; id < DTP_OCR_NFIELDS && st == DTP_OK; id++)
            st = reread_field(rd, PART_FIELD, id, dtp_ocr_record_field(rec, (dtp_ocr_field_id)id),
                              list ? &cells[id] : NULL, err);
        for (size_t i = 0; i < rec->nevents && st == DTP_OK; i++) {
            dtp_ocr_event *ev = &rec->events[i];
            st = reread_field(rd, PART_ACTIVITY, 0, &ev->activity, NULL, err);
            if (st == DTP_OK)
                st = reread_field(rd, PART_DESCRIPTION, 0, &ev->description, NULL, err);
            if (st == DTP_OK)
                st = reread_field(rd, PART_DATE, 0, &ev->date, NULL, err);
        }
        if (st != DTP_OK)
            return st;
        st = dtp_ocr_record_validate(rec, rd->o->layout.min_confidence, err);
        if (st != DTP_OK)
            return st;
        for (size_t i = 0; i < rd->nagree && st == DTP_OK; i++) {
            dtp_ocr_field *f = rd->agree[i];
            if (f->accepted || (f->check != DTP_OCR_CHECK_OK && f->check != DTP_OCR_CHECK_REPAIRED))
                continue;
            f->accepted = 1;
            st = dtp_ocr_field_set_str(&f->reason, NULL);
            if (st == DTP_OK)
                st = dtp_ocr_field_add_flag(f, "passes_agree");
        }
        for (size_t i = 0; i < rd->ndisagree && st == DTP_OK; i++) {
            dtp_ocr_field *f = rd->disagree[i];
            if (!f->accepted)
                continue;
            f->accepted = 0;
            st = dtp_ocr_field_set_str(&f->reason, "first and second pass disagree");
        }
        if (st == DTP_OK)
            st = dtp_ocr_record_refresh(rec, err);
        if (st != DTP_OK)
            return st;
    }
    return rd->cb(rd->ctx, rec, err);
}

/* Code points in s (UTF-8). */
static size_t cps_of(const char *s)
{
    return dtp_ocr_utf8_cps(s, NULL, 0);
}

/* 1 when t ends in a colon, half- or full-width. */
static int ends_in_colon(const char *t)
{
    size_t n = strlen(t);
    return (n >= 1 && t[n - 1] == ':') || (n >= 3 && strcmp(t + n - 3, "\xEF\xBC\x9A") == 0);
}

static int has_cjk(const char *s)
{
    size_t n = strlen(s), adv = 0;
    for (size_t b = 0; b < n; b += adv ? adv : 1)
        if (dtp_ocr_utf8_decode(s + b, n - b, &adv) >= 0x2E80)
            return 1;
    return 0;
}

/* Read box again on its own. When the reading is within one character of a field's label
 * (history = 0), or is exactly one of the history table's column labels (history = 1), *text
 * receives it (the caller frees) and *target the label's target; otherwise *text is NULL. A
 * reading without Chinese characters is tried again at 24 and then 48 px glyph height. A
 * box the engine cannot read is no label, not an error. */
static dtp_status reread_label(dtp_ocr_engine *e, const dtp_ocr_image *img, dtp_ocr_box box,
                               int history, int *target, char **text, dtp_error *err)
{
    *text = NULL;
    *target = -1;
    static const int scales[] = {0, LABEL_READ_PX2, LABEL_READ_PX3};
    for (size_t k = 0; k < sizeof scales / sizeof *scales; k++) {
        char *r2 = NULL;
        dtp_status st =
            dtp_ocr_reread_region_px(e, img, box, DTP_OCR_READ_LINE, scales[k], &r2, NULL, err);
        if (st == DTP_ERR_PARSE) {
            dtp_error_clear(err);
            return DTP_OK;
        }
        if (st != DTP_OK)
            return st;
        char *f2 = dtp_ocr_label_form(r2, strlen(r2));
        int t = !f2 ? -1 : history ? dtp_ocr_label_lookup(f2, 1) : dtp_ocr_label_near(f2);
        free(f2);
        if (history ? t >= DTP_OCR_LABEL_EV_ACTIVITY && t <= DTP_OCR_LABEL_EV_DATE
                    : t >= 0 && t < DTP_OCR_NFIELDS) {
            *target = t;
            *text = r2;
            return DTP_OK;
        }
        /* Chinese text that is no label (a label with its value, a page title) reads the same
         * at any scale; Latin letters where a label stands (HUE A RA for 颁证日期, small grey
         * type through JPEG) are the model's guess at glyphs too small for it */
        int cjk = has_cjk(r2);
        free(r2);
        if (cjk)
            break;
    }
    return DTP_OK;
}

/* text (consumed) becomes the first of the words, with box; the others are emptied. */
static dtp_status replace_words(dtp_ocr_word *const *words, size_t n, char *text, dtp_ocr_box box,
                                dtp_error *err)
{
    for (size_t w = 1; w < n; w++) {
        char *empty = strdup("");
        if (!empty) {
            free(text);
            return dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "out of memory");
        }
        free(words[w]->text);
        words[w]->text = empty;
    }
    free(words[0]->text);
    words[0]->text = text;
    words[0]->box = box;
    return DTP_OK;
}

#define RELABEL_MAX_WORDS 12 /* words before the colon */
#define RELABEL_MAX_CPS 18   /* characters before the colon (the longest label is 15) */

/* Words from..to of L (to holds the colon) as one label: when their text is no known label,
 * read their box again; a reading that is a known label replaces them. */
static dtp_status relabel_span(dtp_ocr_engine *e, const dtp_ocr_image *img, dtp_ocr_line *L,
                               size_t from, size_t to, dtp_error *err)
{
    /* the text before the colon, as the parser would match it */
    char before[256];
    size_t k = 0;
    dtp_ocr_box box = L->words[from].box;
    for (size_t w = from; w <= to; w++) {
        const char *t = L->words[w].text ? L->words[w].text : "";
        size_t n = strlen(t);
        if (k + n >= sizeof before)
            break;
        memcpy(before + k, t, n);
        k += n;
        if (w > from)
            dtp_ocr_box_union(&box, &L->words[w].box);
    }
    before[k] = '\0';
    char *form = dtp_ocr_label_form(before, k);
    if (!form)
        return dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "out of memory");
    int known = form[0] == '\0' || dtp_ocr_label_lookup(form, 0) >= 0;
    free(form);
    if (known || box.w <= 0 || box.h <= 0)
        return DTP_OK;
    char *r2 = NULL;
    int target = -1;
    dtp_status st = reread_label(e, img, box, 0, &target, &r2, err);
    if (st != DTP_OK || !r2)
        return st;
    /* the reread label (plus its colon) stands in the first word; the others are emptied */
    size_t n2 = strlen(r2);
    char *label = realloc(r2, n2 + 2);
    if (!label) {
        free(r2);
        return dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "out of memory");
    }
    memcpy(label + n2, ":", 2);
    dtp_ocr_word *span[RELABEL_MAX_WORDS + 1];
    size_t n = 0;
    for (size_t w = from; w <= to && n < sizeof span / sizeof span[0]; w++)
        span[n++] = &L->words[w];
    return replace_words(span, n, label, box, err);
}

static int has_colon(const char *t)
{
    return t && (strchr(t, ':') || strstr(t, "\xEF\xBC\x9A") /* ： */);
}

/* Labels the full-page pass garbled. A line that starts with a few characters and a colon
 * ("ES: 2023-11-07": 颁证日期 in small grey type through JPEG) is a label and its value, and so
 * is a lone word ending in a colon further along (the second card of a card list: "WERE:" for
 * 认证项目：), and so are a few characters before a value starting with a digit at the start
 * of a line without a colon (table and grid styles); when the text before the colon is no
 * known label, the label's box is read again
 * on its own (the way value boxes are) and, when that reading IS a known label, it replaces
 * the garbled words in the page the parser reads. A reading that is no label changes nothing. */
static dtp_status relabel(dtp_ocr_engine *e, const dtp_ocr_image *img, dtp_ocr_page *page,
                          dtp_error *err)
{
    dtp_status st = DTP_OK;
    for (size_t i = 0; i < page->nlines && st == DTP_OK; i++) {
        dtp_ocr_line *L = &page->lines[i];
        size_t colon = L->nwords, cps = 0;
        for (size_t w = 0; w < L->nwords && w < RELABEL_MAX_WORDS; w++) {
            const char *t = L->words[w].text ? L->words[w].text : "";
            cps += cps_of(t);
            if (has_colon(t)) {
                colon = w;
                break;
            }
        }
        if (colon < L->nwords && cps <= RELABEL_MAX_CPS) {
            st = relabel_span(e, img, L, 0, colon, err);
        } else {
            /* no colon (table and grid styles): a few characters, then a value that starts
             * with a digit ("MEG 2025-12-01" for 颁证日期 2025-12-01) */
            size_t v = 0, before = 0;
            while (v < L->nwords && v < 3 && L->words[v].text &&
                   !(L->words[v].text[0] >= '0' && L->words[v].text[0] <= '9'))
                before += cps_of(L->words[v++].text);
            if (v > 0 && v < L->nwords && before <= 8 && L->words[v].text &&
                strlen(L->words[v].text) >= 6)
                st = relabel_span(e, img, L, 0, v - 1, err);
        }
        for (size_t w = colon + 1; w < L->nwords && st == DTP_OK; w++) {
            const char *t = L->words[w].text;
            /* a word ending in its colon, two or more characters before it */
            size_t c = t && ends_in_colon(t) ? cps_of(t) : 0;
            if (c >= 3 && c <= RELABEL_MAX_CPS)
                st = relabel_span(e, img, L, w, w, err);
        }
    }
    return st;
}

#define HEADER_ADDS 8 /* labels found in empty stretches of one list header */

typedef struct header_fix {
    dtp_ocr_engine *e;
    const dtp_ocr_image *img;
    dtp_error *err;
    /* labels read where the header had no text: added to the page after the walk (which reads
     * the page's lines) */
    char *add_text[HEADER_ADDS];
    dtp_ocr_box add_box[HEADER_ADDS];
    int add_target[HEADER_ADDS];
    size_t nadd;
} header_fix;

/* The labels found in empty header stretches, each as a line of one word at its place (the
 * parser merges it into the header's row by its height). */
static dtp_status add_header_labels(header_fix *hf, dtp_ocr_page *page)
{
    if (hf->nadd == 0)
        return DTP_OK;
    dtp_ocr_line *lines = realloc(page->lines, (page->nlines + hf->nadd) * sizeof *lines);
    if (!lines)
        return dtp_error_set(hf->err, DTP_ERR_NOMEM, "ocr", "out of memory");
    page->lines = lines;
    for (size_t k = 0; k < hf->nadd; k++) {
        dtp_ocr_word *w = calloc(1, sizeof *w);
        if (!w)
            return dtp_error_set(hf->err, DTP_ERR_NOMEM, "ocr", "out of memory");
        w->text = hf->add_text[k];
        w->box = hf->add_box[k];
        w->confidence = 0; /* a label, never a value */
        hf->add_text[k] = NULL;
        dtp_ocr_line *L = &page->lines[page->nlines++];
        memset(L, 0, sizeof *L);
        L->words = w;
        L->nwords = 1;
        L->box = w->box;
    }
    hf->nadd = 0;
    return DTP_OK;
}

/* Unread text in a list or history header (dtp_ocr_layout_unread_header): read its box again, and
 * when that reading is a label the header does not name yet, it replaces the garbled words
 * (组织名称 read as "BRR" on the full page, whose column was otherwise not stored; 日期 read as
 * 日其, without which the history table was not found). The words belong to the page
 * dtp_ocr_read_page owns, so they may be changed. An empty stretch of a list header (no words)
 * whose reading is such a label gets it as a word of its own, added after the walk
 * (add_header_labels). */
static dtp_status relabel_header_column(void *ctx, const dtp_ocr_word *const *words, size_t n,
                                        dtp_ocr_box box, int history, const int *named)
{
    header_fix *hf = ctx;
    dtp_ocr_word *span[16];
    if (n > sizeof span / sizeof span[0] || (n == 0 && hf->nadd == HEADER_ADDS))
        return DTP_OK; /* not a label's worth of words, or no room */
    char *r2 = NULL;
    int target = -1;
    dtp_status st = reread_label(hf->e, hf->img, box, history, &target, &r2, hf->err);
    if (st != DTP_OK || !r2)
        return st;
    int taken = named[target];
    for (size_t k = 0; k < hf->nadd; k++)
        taken |= hf->add_target[k] == target;
    if (taken) { /* a second column of a field already named: leave it unread */
        free(r2);
        return DTP_OK;
    }
    if (n == 0) { /* an empty stretch: the label is added once the walk is over */
        hf->add_text[hf->nadd] = r2;
        hf->add_box[hf->nadd] = box;
        hf->add_target[hf->nadd++] = target;
        return DTP_OK;
    }
    for (size_t k = 0; k < n; k++)
        span[k] = (dtp_ocr_word *)words[k];
    return replace_words(span, n, r2, box, hf->err);
}

dtp_status dtp_ocr_read_page(dtp_ocr_engine *e, const dtp_ocr_image *img,
                             const dtp_ocr_read_opts *opts, dtp_ocr_record_fn cb, void *ctx,
                             dtp_ocr_page **page_out, dtp_error *err)
{
    dtp_ocr_read_opts def;
    if (!opts) {
        dtp_ocr_read_opts_default(&def);
        opts = &def;
    }
    if (page_out)
        *page_out = NULL;
    dtp_ocr_page *page = NULL;
    dtp_status st = dtp_ocr_recognize_image(e, img, &page, err);
    if (st == DTP_OK && opts->second_pass)
        st = relabel(e, img, page, err);
    if (st == DTP_OK && opts->second_pass) {
        header_fix hf = {.e = e, .img = img, .err = err};
        st = dtp_ocr_layout_unread_header(page, &opts->layout, relabel_header_column, &hf, err);
        if (st == DTP_ERR_LIMIT) { /* an over-long line: the parse below says so */
            dtp_error_clear(err);
            st = DTP_OK;
        }
        if (st == DTP_OK)
            st = add_header_labels(&hf, page);
        for (size_t k = 0; k < hf.nadd; k++)
            free(hf.add_text[k]);
    }
    if (st != DTP_OK) {
        dtp_ocr_page_free(page);
        return st;
    }
    reader *rd = calloc(1, sizeof *rd);
    if (!rd) {
        dtp_ocr_page_free(page);
        return dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "out of memory");
    }
    rd->e = e;
    rd->img = img;
    rd->o = opts;
    rd->cb = cb;
    rd->ctx = ctx;
    st = dtp_ocr_parse_page(page, &opts->layout, on_record, rd, err);
    if (st != DTP_OK)
        dtp_error_where(err, NULL, img->sha256, NULL);
    free(rd);
    if (page_out && st == DTP_OK)
        *page_out = page;
    else
        dtp_ocr_page_free(page);
    return st;
}
