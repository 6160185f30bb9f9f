/* Saved HTML pages of the CNCA registry, read by label text, never by position or class names:
 * the current page design is unverified (SOURCES.md 5), so the reader only assumes that a
 * value sits right after its label — in the next cell, the next element, the <dd> after the
 * <dt>, or after the colon of a "label：value" text. */
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ocr/capture.h"
#include "ocr/labels.h"
#include "ocr/validate.h"

#define LABEL_TEXT_MAX 200 /* a label cell longer than this is content, not a label */
#define MAX_TABLES 4096

typedef struct html_state {
    const char *sha;
    dtp_ocr_record_fn cb;
    void *ctx;
    dtp_error *err;
    dtp_ocr_record *detail; /* created at the first detail label */
    long nrows;             /* list rows emitted */
    xmlNode *history[64];   /* history tables, skipped by the detail walk */
    size_t nhistory;
} html_state;

static int is_elem(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && n->name &&
           strcasecmp((const char *)n->name, name) == 0;
}

/* Bytes of text under n, stopping once past cap (so long subtrees cost O(cap)). */
static size_t text_len_capped(const xmlNode *n, size_t cap, size_t acc)
{
    for (const xmlNode *c = n->children; c && acc <= cap; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
            acc += c->content ? strlen((const char *)c->content) : 0;
        else if (c->type == XML_ELEMENT_NODE)
            acc = text_len_capped(c, cap, acc);
    }
    return acc;
}

/* Trimmed text content of a node (caller frees), or NULL when out of memory. */
static char *node_text(const xmlNode *n)
{
    xmlChar *c = xmlNodeGetContent(n);
    const char *s = c ? (const char *)c : "";
    size_t len = strlen(s);
    size_t a = 0;
    while (a < len && (s[a] == ' ' || s[a] == '\t' || s[a] == '\n' || s[a] == '\r'))
        a++;
    while (len > a &&
           (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' || s[len - 1] == '\r'))
        len--;
    char *out = malloc(len - a + 1);
    if (out) {
        memcpy(out, s + a, len - a);
        out[len - a] = '\0';
    }
    xmlFree(c);
    return out;
}

/* Label target of an element whose whole text is a label, or -1. */
static int elem_label(const xmlNode *n, int history_context)
{
    if (text_len_capped(n, LABEL_TEXT_MAX, 0) > LABEL_TEXT_MAX)
        return -1;
    char *t = node_text(n);
    if (!t)
        return -1;
    char *form = dtp_ocr_label_form(t, strlen(t));
    int target = form ? dtp_ocr_label_lookup(form, history_context) : -1;
    free(form);
    free(t);
    return target;
}

/* Set a field from text read at node (first non-empty value wins). */
static dtp_status set_field(html_state *s, dtp_ocr_field *f, const char *text, size_t len,
                            const xmlNode *at, const char *loc)
{
    while (len && (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r'))
        text++, len--;
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\n' ||
                   text[len - 1] == '\r'))
        len--;
    if (f->raw || len == 0)
        return DTP_OK;
    xmlChar *path = loc ? NULL : xmlGetNodePath(at);
    const char *where = loc ? loc : path ? (const char *)path : "";
    dtp_status st = dtp_ocr_field_set_raw(f, text, len, where, NULL, 100.0f);
    if (st != DTP_OK) {
        dtp_error_locatef(s->err, "%s", where);
        dtp_error_set(s->err, st, "ocr", "html capture: cannot store a value of %zu bytes", len);
    }
    xmlFree(path);
    return st;
}

static dtp_status set_field_node(html_state *s, dtp_ocr_field *f, const xmlNode *n, const char *loc)
{
    char *t = node_text(n);
    if (!t)
        return dtp_error_set(s->err, DTP_ERR_NOMEM, "ocr", "html capture: out of memory");
    dtp_status st = set_field(s, f, t, strlen(t), n, loc);
    free(t);
    return st;
}

static dtp_ocr_record *detail(html_state *s)
{
    if (!s->detail) {
        s->detail = dtp_ocr_record_new(DTP_OCR_RECORD_DETAIL, s->sha, -1);
        if (s->detail)
            s->detail->text_capture = 1;
    }
    return s->detail;
}

/* ---- tables ---- */

#define MAX_COLS 64

static size_t row_cells(xmlNode *tr, xmlNode **cells)
{
    size_t n = 0;
    for (xmlNode *c = tr->children; c && n < MAX_COLS; c = c->next)
        if (is_elem(c, "td") || is_elem(c, "th"))
            cells[n++] = c;
    return n;
}

/* Iterate rows one by one (tables can be large; no row array sized from input). */
static xmlNode *next_row(xmlNode *table, xmlNode *after)
{
    /* walk: table > tr | table > (thead|tbody|tfoot) > tr */
    xmlNode *start = NULL;
    if (!after) {
        start = table->children;
    } else if (after->parent != table) {
        for (xmlNode *r = after->next; r; r = r->next)
            if (is_elem(r, "tr"))
                return r;
        start = after->parent->next;
    } else {
        start = after->next;
    }
    for (xmlNode *c = start; c; c = c->next) {
        if (is_elem(c, "tr"))
            return c;
        if (is_elem(c, "thead") || is_elem(c, "tbody") || is_elem(c, "tfoot"))
            for (xmlNode *r = c->children; r; r = r->next)
                if (is_elem(r, "tr"))
                    return r;
    }
    return NULL;
}

static dtp_status read_history(html_state *s, xmlNode *table, xmlNode *header, const int *targets,
                               size_t ncols)
{
    dtp_ocr_record *r = detail(s);
    if (!r)
        return dtp_error_set(s->err, DTP_ERR_NOMEM, "ocr", "html capture: out of memory");
    xmlNode *cells[MAX_COLS];
    for (xmlNode *tr = next_row(table, header); tr; tr = next_row(table, tr)) {
        size_t nc = row_cells(tr, cells);
        dtp_ocr_event *e = NULL;
        for (size_t i = 0; i < nc && i < ncols; i++) {
            if (targets[i] < DTP_OCR_LABEL_EV_ACTIVITY || targets[i] > DTP_OCR_LABEL_EV_DATE)
                continue;
            if (text_len_capped(cells[i], 0, 0) == 0)
                continue;
            if (!e) {
                dtp_status st = dtp_ocr_record_add_event(r, &e);
                if (st != DTP_OK) {
                    dtp_error_locatef(s->err, "table row %ld", (long)r->nevents);
                    return dtp_error_set(s->err, st, "ocr",
                                         "html capture: too many history rows (cap %d)",
                                         DTP_OCR_MAX_EVENTS);
                }
            }
            dtp_ocr_field *f = targets[i] == DTP_OCR_LABEL_EV_ACTIVITY      ? &e->activity
                               : targets[i] == DTP_OCR_LABEL_EV_DESCRIPTION ? &e->description
                                                                            : &e->date;
            dtp_status st = set_field_node(s, f, cells[i], NULL);
            if (st != DTP_OK)
                return st;
        }
    }
    return DTP_OK;
}

static dtp_status emit(html_state *s, dtp_ocr_record *r)
{
    dtp_status st = dtp_ocr_record_validate(r, 0.0f, s->err);
    if (st == DTP_OK)
        st = s->cb(s->ctx, r, s->err);
    return st;
}

/* XPath of list cells without xmlGetNodePath per cell, which counts preceding siblings and
 * would make a long list quadratic: the row container's path is taken once, rows are counted
 * as they are walked. */
typedef struct row_path {
    xmlNode *parent;
    xmlChar *path;
    long idx; /* 1-based position of the current tr among the parent's tr children */
} row_path;

static void row_path_step(row_path *rp, xmlNode *tr)
{
    if (tr->parent == rp->parent) {
        rp->idx++;
        return;
    }
    xmlFree(rp->path);
    rp->parent = tr->parent;
    rp->path = xmlGetNodePath(tr->parent);
    rp->idx = 1;
    for (xmlNode *c = tr->prev; c; c = c->prev)
        rp->idx += is_elem(c, "tr");
}

static void cell_path(const row_path *rp, const xmlNode *cell, char *out, size_t outsz)
{
    long k = 1;
    for (const xmlNode *c = cell->prev; c; c = c->prev)
        k +=
            c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, (const char *)cell->name);
    snprintf(out, outsz, "%s/tr[%ld]/%s[%ld]", rp->path ? (const char *)rp->path : "", rp->idx,
             (const char *)cell->name, k);
}

static dtp_status read_list(html_state *s, xmlNode *table, xmlNode *header, const int *targets,
                            size_t ncols)
{
    xmlNode *cells[MAX_COLS];
    char loc[DTP_ERR_LOCATOR_MAX];
    dtp_status st = DTP_OK;
    row_path rp = {0};
    row_path_step(&rp, header);
    for (xmlNode *tr = next_row(table, header); tr && st == DTP_OK; tr = next_row(table, tr)) {
        row_path_step(&rp, tr);
        size_t nc = row_cells(tr, cells);
        int any = 0;
        for (size_t i = 0; i < nc; i++)
            any |= text_len_capped(cells[i], 0, 0) > 0;
        if (!any)
            continue;
        if (s->nrows >= DTP_OCR_CAPTURE_MAX_ROWS) {
            st = dtp_error_set(s->err, DTP_ERR_LIMIT, "ocr", "html capture: more than %d list rows",
                               DTP_OCR_CAPTURE_MAX_ROWS);
            break;
        }
        dtp_ocr_record *r = dtp_ocr_record_new(DTP_OCR_RECORD_LIST_ROW, s->sha, s->nrows++);
        if (!r) {
            st = dtp_error_set(s->err, DTP_ERR_NOMEM, "ocr", "html capture: out of memory");
            break;
        }
        r->text_capture = 1;
        for (size_t i = 0; i < nc && i < ncols && st == DTP_OK; i++)
            if (targets[i] >= 0 && targets[i] < DTP_OCR_NFIELDS) {
                cell_path(&rp, cells[i], loc, sizeof loc);
                st = set_field_node(s, &r->fields[targets[i]], cells[i], loc);
            }
        if (st == DTP_OK)
            st = emit(s, r);
        dtp_ocr_record_free(r);
    }
    xmlFree(rp.path);
    return st;
}

/* Classify a table by its first row: history (活动 … 日期), result list (a header of at least
 * three field labels and at most one other non-empty cell), or neither. */
static dtp_status read_table(html_state *s, xmlNode *table, int *is_list)
{
    xmlNode *header = next_row(table, NULL);
    xmlNode *cells[MAX_COLS];
    int targets[MAX_COLS];
    *is_list = 0;
    if (!header)
        return DTP_OK;
    size_t nc = row_cells(header, cells);
    int has_act = 0, has_date = 0, nfields = 0, others = 0;
    unsigned seen[(DTP_OCR_NFIELDS + 31) / 32] = {0};
    for (size_t i = 0; i < nc; i++) {
        targets[i] = elem_label(cells[i], 1);
        if (targets[i] == DTP_OCR_LABEL_EV_ACTIVITY)
            has_act = 1;
        else if (targets[i] == DTP_OCR_LABEL_EV_DATE)
            has_date = 1;
        if (targets[i] >= 0 && targets[i] < DTP_OCR_NFIELDS) {
            unsigned bit = 1u << (targets[i] % 32);
            if (!(seen[targets[i] / 32] & bit))
                nfields++;
            seen[targets[i] / 32] |= bit;
        } else if (targets[i] < 0 && text_len_capped(cells[i], 0, 0) > 0) {
            others++;
        }
    }
    if (has_act && has_date) {
        if (s->nhistory < sizeof s->history / sizeof *s->history)
            s->history[s->nhistory++] = table;
        return read_history(s, table, header, targets, nc);
    }
    if (nfields >= 3 && others <= 1) {
        *is_list = 1;
        return read_list(s, table, header, targets, nc);
    }
    return DTP_OK;
}

static dtp_status walk_tables(html_state *s, xmlNode *n, int *lists, size_t *ntables, int depth)
{
    dtp_status st = DTP_OK;
    for (xmlNode *c = n; c && st == DTP_OK; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (is_elem(c, "table")) {
            if (++*ntables > MAX_TABLES)
                return dtp_error_set(s->err, DTP_ERR_LIMIT, "ocr",
                                     "html capture: more than %d tables", MAX_TABLES);
            int is_list = 0;
            st = read_table(s, c, &is_list);
            *lists += is_list;
        }
        if (st == DTP_OK && depth < 256)
            st = walk_tables(s, c->children, lists, ntables, depth + 1);
    }
    return st;
}

/* ---- detail labels ---- */

static int is_history_table(const html_state *s, const xmlNode *n)
{
    for (size_t i = 0; i < s->nhistory; i++)
        if (s->history[i] == n)
            return 1;
    return 0;
}

static int blank_text(const xmlNode *n)
{
    if (n->type != XML_TEXT_NODE)
        return 0;
    for (const xmlChar *p = n->content; p && *p; p++)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
            return 0;
    return 1;
}

/* The value after a label node: the next non-blank sibling (element or text). */
static const xmlNode *value_after(const xmlNode *label)
{
    const xmlNode *v = label->next;
    while (v && (blank_text(v) || v->type == XML_COMMENT_NODE))
        v = v->next;
    if (v && (v->type == XML_ELEMENT_NODE || v->type == XML_TEXT_NODE))
        return v;
    return NULL;
}

/* "label：value" inside one text node, line by line (split at the first colon of a line). */
static dtp_status text_labels(html_state *s, xmlNode *t)
{
    const char *txt = (const char *)t->content;
    if (!txt)
        return DTP_OK;
    dtp_status st = DTP_OK;
    const char *line = txt;
    while (*line && st == DTP_OK) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        const char *colon = NULL;
        size_t clen = 0;
        for (size_t i = 0; i < len; i++) {
            if (line[i] == ':') {
                colon = line + i, clen = 1;
                break;
            }
            if (i + 3 <= len && memcmp(line + i, "：", 3) == 0) {
                colon = line + i, clen = 3;
                break;
            }
        }
        if (colon && (size_t)(colon - line) <= LABEL_TEXT_MAX) {
            char *form = dtp_ocr_label_form(line, (size_t)(colon - line));
            int target = form ? dtp_ocr_label_lookup(form, 0) : -1;
            free(form);
            if (target >= 0 && target < DTP_OCR_NFIELDS) {
                dtp_ocr_record *r = detail(s);
                if (!r)
                    return dtp_error_set(s->err, DTP_ERR_NOMEM, "ocr",
                                         "html capture: out of memory");
                const char *v = colon + clen;
                size_t vlen = len - (size_t)(v - line);
                size_t k = 0;
                while (k < vlen && (v[k] == ' ' || v[k] == '\t' || v[k] == '\r'))
                    k++;
                if (k < vlen) {
                    st = set_field(s, &r->fields[target], v, vlen, t, NULL);
                } else if (!eol || eol[1] == '\0') {
                    const xmlNode *after = value_after(t);
                    if (after && after->type == XML_ELEMENT_NODE)
                        st = set_field_node(s, &r->fields[target], after, NULL);
                }
            }
        }
        line = eol ? eol + 1 : line + len;
    }
    return st;
}

static dtp_status walk_detail(html_state *s, xmlNode *n, int depth)
{
    dtp_status st = DTP_OK;
    for (xmlNode *c = n; c && st == DTP_OK; c = c->next) {
        if (c->type == XML_TEXT_NODE) {
            st = text_labels(s, c);
            continue;
        }
        if (c->type != XML_ELEMENT_NODE || is_history_table(s, c) || is_elem(c, "script") ||
            is_elem(c, "style"))
            continue;
        int target = elem_label(c, 0);
        if (target >= 0 && target < DTP_OCR_NFIELDS) {
            dtp_ocr_record *r = detail(s);
            if (!r)
                return dtp_error_set(s->err, DTP_ERR_NOMEM, "ocr", "html capture: out of memory");
            const xmlNode *v = value_after(c);
            if (is_elem(c, "dt"))
                while (v && !is_elem(v, "dd"))
                    v = v->next;
            if (v && v->type == XML_ELEMENT_NODE)
                st = set_field_node(s, &r->fields[target], v, NULL);
            else if (v && v->content)
                st = set_field(s, &r->fields[target], (const char *)v->content,
                               strlen((const char *)v->content), v, NULL);
            continue; /* the label's own children hold the label only */
        }
        if (depth < 256)
            st = walk_detail(s, c->children, depth + 1);
    }
    return st;
}

/* 1 when the first KiB declares a charset, so libxml2 should honour it; else UTF-8 is used. */
static int declares_charset(const char *b, size_t n)
{
    size_t m = n < 1024 ? n : 1024;
    for (size_t i = 0; i + 8 <= m; i++)
        if (strncasecmp(b + i, "charset=", 8) == 0)
            return 1;
    return 0;
}

dtp_status dtp_ocr_parse_html_capture(const char *bytes, size_t n, const char *sha,
                                      dtp_ocr_record_fn cb, void *ctx, dtp_error *err)
{
    dtp_status st = DTP_OK;
    html_state s = {.sha = sha, .cb = cb, .ctx = ctx, .err = err};
    dtp_error_clear(err); /* no locator of an earlier call may stay behind */
    dtp_error_where(err, "cnca", sha, NULL);
    if (n > DTP_OCR_CAPTURE_MAX_BYTES || n > INT_MAX)
        return dtp_error_set(err, DTP_ERR_LIMIT, "ocr", "html capture: %zu bytes exceeds cap %u", n,
                             DTP_OCR_CAPTURE_MAX_BYTES);
    htmlDocPtr doc = htmlReadMemory(
        bytes, (int)n, NULL, declares_charset(bytes, n) ? NULL : "UTF-8",
        HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
    if (!doc || !xmlDocGetRootElement(doc)) {
        st = dtp_error_set(err, DTP_ERR_PARSE, "ocr", "html capture: not an html document");
        goto out;
    }
    int lists = 0;
    size_t ntables = 0;
    st = walk_tables(&s, xmlDocGetRootElement(doc), &lists, &ntables, 0);
    if (st != DTP_OK)
        goto out;
    if (lists > 0) {
        /* a result list: its header cells are labels without values, so no detail walk */
        goto out;
    }
    st = walk_detail(&s, xmlDocGetRootElement(doc), 0);
    if (st != DTP_OK)
        goto out;
    if (!s.detail) {
        st = dtp_error_set(err, DTP_ERR_UNSUPPORTED, "ocr",
                           "html capture: no registry label found on the page");
        goto out;
    }
    st = emit(&s, s.detail);
out:
    dtp_ocr_record_free(s.detail);
    if (doc)
        xmlFreeDoc(doc);
    return st;
}
