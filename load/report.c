/* The release report (see load/report.h). Markup literals go out through put()/putf(), which
 * are only ever given constant text and numbers; everything that comes from the warehouse goes
 * through esc() (dtp_load_report_escape), which is safe for element text and quoted attribute
 * values alike. The HTML uses only HTML 4 element names outside <svg>, so that libxml2's HTML
 * parser (2.9, an HTML 4 parser) reads it without errors other than its unknown-tag notice for
 * the SVG element names. */
#include "common/staging.h"
#include "load/report.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "load/load.h"

#define MAX_YEARS 300
#define MAX_ENTITIES 20000
#define MAX_VARS 200
#define MAX_GRID_CELLS 8000000L
#define PAGE_W 1180 /* the usable figure width at 1280 px */

typedef struct rw {
    FILE *f;
    sqlite3 *db;
    const dtp_load_report_options *o;
    int max_rows;
    dtp_error *err;
} rw;

/* ---- output primitives ---- */

static void put(rw *w, const char *s)
{
    fputs(s, w->f);
}

static void putf(rw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(rw *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(w->f, fmt, ap);
    va_end(ap);
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 when it is not valid. */
static int utf8_len(const unsigned char *p, uint32_t *cp)
{
    unsigned c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    int n;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        v = c & 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        v = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        v = c & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    for (int i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

/* Escape the first n bytes of s (a sequence cut at n counts as invalid). */
static void escape_n(FILE *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end && *p) {
        uint32_t cp = 0;
        int n = utf8_len(p, &cp);
        if (n == 0 || n > end - p) {
            fputs("&#xFFFD;", out);
            p++;
            continue;
        }
        switch (cp) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&#39;", out);
            break;
        default:
            /* characters that are not XML/HTML characters become U+FFFD */
            if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7F ||
                cp == 0xFFFE || cp == 0xFFFF)
                fputs("&#xFFFD;", out);
            else
                fwrite(p, 1, (size_t)n, out);
        }
        p += n;
    }
}

void dtp_load_report_escape(FILE *out, const char *s)
{
    if (s)
        escape_n(out, s, strlen(s));
}

static void esc(rw *w, const char *s)
{
    dtp_load_report_escape(w->f, s);
}

/* An id fragment: letters and digits as they are, every other byte as _xx (injective, so two
 * entities never share an anchor). Appends to out (size n), truncating. */
static void idpart_buf(char *out, size_t n, const char *s)
{
    size_t len = strlen(out);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && len + 4 < n; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
            out[len++] = (char)*p;
        else
            len += (size_t)snprintf(out + len, n - len, "_%02x", *p);
    }
    out[len] = '\0';
}

static void idpart(rw *w, const char *s)
{
    char buf[1024] = "";
    idpart_buf(buf, sizeof buf, s);
    put(w, buf);
}

/* The anchor of one cell's row in the imputation, override or revision tables. */
static void cell_id_str(char *out, size_t n, const char *prefix, const char *panel,
                        const char *entity, int year, const char *var)
{
    char y[24];
    snprintf(out, n, "%s-", prefix);
    idpart_buf(out, n, panel);
    snprintf(y, sizeof y, "-%d-", year);
    size_t len = strlen(out);
    snprintf(out + len, n - len, "-");
    idpart_buf(out, n, entity);
    len = strlen(out);
    snprintf(out + len, n - len, "%s", y);
    idpart_buf(out, n, var);
}

static void cell_id(rw *w, const char *prefix, const char *panel, const char *entity, int year,
                    const char *var)
{
    char buf[1200];
    cell_id_str(buf, sizeof buf, prefix, panel, entity, year, var);
    put(w, buf);
}

/* Append s to out (size n) as one shell word, quoted only when it needs to be. */
static void shell_word(char *out, size_t n, const char *s)
{
    const char *safe = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.,:/+-=@%";
    size_t len = strlen(out);
    s = s ? s : "";
    if (*s && strspn(s, safe) == strlen(s)) {
        snprintf(out + len, n - len, "%s", s);
        return;
    }
    /* 'it'\''s': close the quote, an escaped quote, reopen */
    if (len + 1 < n)
        out[len++] = '\'';
    for (; *s && len + 6 < n; s++) {
        if (*s == '\'') {
            memcpy(out + len, "'\\''", 4);
            len += 4;
        } else {
            out[len++] = *s;
        }
    }
    if (len + 1 < n)
        out[len++] = '\'';
    out[len] = '\0';
}

/* "dtpanel trace ENTITY YEAR VARIABLE --panel PANEL" as plain text (truncated to n). */
static void trace_cmd_str(char *out, size_t n, const char *panel, const char *entity, int year,
                          const char *var)
{
    snprintf(out, n, "dtpanel trace ");
    shell_word(out, n, entity);
    size_t len = strlen(out);
    snprintf(out + len, n - len, " %d ", year);
    shell_word(out, n, var);
    len = strlen(out);
    snprintf(out + len, n - len, " --panel ");
    shell_word(out, n, panel);
}

/* The same, written HTML-escaped. */
static void trace_cmd(rw *w, const char *panel, const char *entity, int year, const char *var)
{
    char buf[2048];
    trace_cmd_str(buf, sizeof buf, panel, entity, year, var);
    esc(w, buf);
}

static void num(rw *w, double v)
{
    if (!isfinite(v)) {
        put(w, "n/a");
        return;
    }
    putf(w, "%.6g", v);
}

static dtp_status prep(rw *w, const char *sql, sqlite3_stmt **s)
{
    if (sqlite3_prepare_v2(w->db, sql, -1, s, NULL) != SQLITE_OK)
        return dtp_error_set(w->err, DTP_ERR_DB, "load", "report: %s", sqlite3_errmsg(w->db));
    return DTP_OK;
}

static dtp_status step_done(rw *w, sqlite3_stmt *s, int rc)
{
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return dtp_error_set(w->err, DTP_ERR_DB, "load", "report: %s", sqlite3_errmsg(w->db));
    return DTP_OK;
}

static long long count(rw *w, const char *sql)
{
    sqlite3_stmt *s = NULL;
    long long v = 0;
    if (sqlite3_prepare_v2(w->db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static void nothing_yet(rw *w, const char *what)
{
    put(w, "<p class=\"empty\">nothing yet: ");
    esc(w, what);
    put(w, "</p>\n");
}

/* ---- statuses ---- */

enum { ST_NONE, ST_OBS, ST_DER, ST_IMP, ST_OVR, ST_MISS, ST_EXCL, ST_OTHER, ST_N };
static const char *const st_name[ST_N] = {"no cell",    "observed", "derived",  "imputed",
                                          "overridden", "missing",  "excluded", "other"};
static const char *const st_class[ST_N] = {"s-none", "s-obs",  "s-der",  "s-imp",
                                           "s-ovr",  "s-miss", "s-excl", "s-oth"};

static int status_code(const char *s)
{
    for (int i = ST_OBS; i < ST_OTHER; i++)
        if (strcmp(s, st_name[i]) == 0)
            return i;
    return ST_OTHER;
}

static const char *STYLE =
    "<style>\n"
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif;"
    "color:#1b1b1b;background:#fff;margin:0;line-height:1.4;font-size:14px}\n"
    ".page{max-width:1220px;margin:0 auto;padding:16px 20px 40px}\n"
    "h1{font-size:24px;margin:8px 0 4px}h2{font-size:19px;margin:28px 0 8px;padding-top:8px;"
    "border-top:2px solid #d0d7de}h3{font-size:15px;margin:18px 0 6px}\n"
    ".meta{color:#555;font-size:13px}.meta code{font-size:12px}\n"
    ".toc{margin:10px 0;padding:8px 12px;background:#f6f8fa;border:1px solid #d0d7de}\n"
    ".toc a{margin-right:14px}\n"
    ".banner{background:#fff4ce;border:1px solid #e0b400;padding:8px 12px;margin:10px 0}\n"
    ".empty{color:#666;font-style:italic;background:#f6f8fa;padding:6px 10px;"
    "border-left:3px solid #bbb}\n"
    "table{border-collapse:collapse;margin:6px 0 12px;font-size:12.5px}\n"
    "th,td{border:1px solid #d0d7de;padding:3px 7px;text-align:left;vertical-align:top}\n"
    "th{background:#f0f3f6}td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "code{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,monospace;font-size:11.5px;"
    "background:#f3f3f3;padding:0 3px;overflow-wrap:anywhere}\n"
    ".fig{margin:8px 0 16px;overflow-x:auto}.fig svg{display:block}\n"
    ".cap{font-size:12px;color:#444;margin:2px 0 8px}\n"
    ".legend span.sw{display:inline-block;width:11px;height:11px;border:1px solid #999;"
    "margin:0 4px -1px 10px}\n"
    ".gen{color:#8a5a00;font-weight:600}.fail{color:#b00020;font-weight:600}"
    ".pass{color:#216e39}\n"
    "svg text{font-family:system-ui,sans-serif;fill:#222}\n"
    "svg .vt{font-size:12px;font-weight:600}svg .yl{font-size:8px;fill:#555}"
    "svg .el{font-size:8px}svg .bl{font-size:11px}svg .bv{font-size:10px;fill:#333}\n"
    ".s-none{fill:#fff;stroke:#e3e3e3;stroke-width:.5}.s-obs{fill:#2166ac}"
    ".s-der{fill:#92c5de}.s-imp{fill:#f4a582}.s-ovr{fill:#b2182b}.s-miss{fill:#d9d9d9}"
    ".s-excl{fill:#636363}.s-oth{fill:#e7d4e8}\n"
    "span.s-none{background:#fff}span.s-obs{background:#2166ac}span.s-der{background:#92c5de}"
    "span.s-imp{background:#f4a582}span.s-ovr{background:#b2182b}span.s-miss{background:#d9d9d9}"
    "span.s-excl{background:#636363}span.s-oth{background:#e7d4e8}\n"
    ".bar{fill:#4a7fb5}.bar-neg{fill:#c0504d}.axis{stroke:#888;stroke-width:1}\n"
    "@media print{body{font-size:10pt}.page{max-width:none;padding:0}.toc{display:none}"
    "h2{break-before:auto;break-after:avoid}.fig,table{break-inside:avoid}"
    "code{background:none}a{color:inherit;text-decoration:none}"
    ".fig{overflow:visible}.fig svg{max-width:100%;height:auto}}\n"
    "</style>\n";

/* ---- bar charts ---- */

typedef struct bar {
    char label[160];
    double v;
    char title[600]; /* hover text; "" for none */
    char href[400];  /* anchor id to link to; "" for none */
} bar;

/* A horizontal bar chart; diverging: bars extend left (negative) or right from a centre line. */
static void bar_chart(rw *w, const char *id, const char *aria, const bar *b, size_t n,
                      int diverging, int percent)
{
    const int lw = 230, bw = 520, rh = 18, pad = 6, vw = 80;
    int width = lw + bw + vw, height = (int)n * rh + 2 * pad;
    double max = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(b[i].v) && fabs(b[i].v) > max)
            max = fabs(b[i].v);
    if (max <= 0)
        max = 1;
    put(w, "<div class=\"fig\" id=\"");
    put(w, id);
    putf(w,
         "\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d "
         "%d\" role=\"img\" aria-label=\"",
         width, height, width, height);
    esc(w, aria);
    put(w, "\">\n");
    double zero = diverging ? lw + bw / 2.0 : lw;
    double scale = diverging ? (bw / 2.0 - 4) / max : (bw - 4) / max;
    for (size_t i = 0; i < n; i++) {
        int y = pad + (int)i * rh;
        double v = isfinite(b[i].v) ? b[i].v : 0;
        double len = fabs(v) * scale;
        double x = v < 0 ? zero - len : zero;
        if (b[i].href[0]) {
            put(w, "<a href=\"#");
            esc(w, b[i].href);
            put(w, "\">");
        }
        putf(w, "<text class=\"bl\" x=\"%d\" y=\"%d\" text-anchor=\"end\">", lw - 6, y + 13);
        esc(w, b[i].label);
        put(w, "</text>");
        putf(w, "<rect class=\"%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\">",
             v < 0 ? "bar bar-neg" : "bar", x, y + 2, len < 1 ? 1 : len, rh - 4);
        put(w, "<title>");
        esc(w, b[i].title[0] ? b[i].title : b[i].label);
        put(w, "</title></rect>");
        putf(w, "<text class=\"bv\" x=\"%.1f\" y=\"%d\">",
             diverging ? (double)lw + bw + 4 : x + (len < 1 ? 1 : len) + 4, y + 13);
        if (percent)
            putf(w, "%+.2f%%", 100 * v);
        else
            putf(w, "%.6g", v);
        put(w, "</text>");
        if (b[i].href[0])
            put(w, "</a>");
        put(w, "\n");
    }
    putf(w, "<line class=\"axis\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n", zero, pad / 2,
         zero, height - pad / 2);
    put(w, "</svg></div>\n");
}

/* ---- header ---- */

static dtp_status write_header(rw *w, long long *release_id)
{
    sqlite3_stmt *s = NULL;
    dtp_status st = prep(w,
                         "SELECT id, run_id, published_at, version, content_sha256, cells,"
                         " prev_release_id FROM release LIMIT 1",
                         &s);
    if (st != DTP_OK)
        return st;
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_finalize(s);
        return dtp_error_set(w->err, DTP_ERR_NOT_FOUND, "load",
                             "report: not a published release (no release row)");
    }
    *release_id = sqlite3_column_int64(s, 0);
    put(w, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    putf(w, "<title>dtpanel release %lld</title>\n", *release_id);
    put(w, STYLE);
    put(w, "</head><body><div class=\"page\">\n");
    putf(w, "<h1 id=\"top\">dtpanel release %lld</h1>\n<p class=\"meta\">published ", *release_id);
    esc(w, dtp_db_text(s, 2));
    put(w, " by ");
    esc(w, dtp_db_text(s, 3));
    if (sqlite3_column_type(s, 1) != SQLITE_NULL)
        putf(w, ", run #%lld", (long long)sqlite3_column_int64(s, 1));
    putf(w, "; %lld published cells; content sha256 <code>", (long long)sqlite3_column_int64(s, 5));
    esc(w, dtp_db_text(s, 4));
    put(w, "</code>");
    if (sqlite3_column_type(s, 6) != SQLITE_NULL)
        putf(w, "; previous release %lld", (long long)sqlite3_column_int64(s, 6));
    put(w, "</p>\n");
    sqlite3_finalize(s);

    if ((st = prep(w, "SELECT key, value FROM release_settings ORDER BY key", &s)) != DTP_OK)
        return st;
    int rc, any = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        put(w, any ? ", " : "<p class=\"meta\">settings: ");
        any = 1;
        esc(w, dtp_db_text(s, 0));
        put(w, " = <code>");
        esc(w, dtp_db_text(s, 1));
        put(w, "</code>");
    }
    if (any)
        put(w, "</p>\n");
    if ((st = step_done(w, s, rc)) != DTP_OK)
        return st;

    if ((st = prep(w, "SELECT name FROM sources WHERE generated = 1 ORDER BY name", &s)) != DTP_OK)
        return st;
    any = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        put(w, any ? ", "
                   : "<div class=\"banner\"><b>Generated demo data.</b> These sources are"
                     " generated, not upstream data: ");
        any = 1;
        put(w, "<span class=\"gen\">");
        esc(w, dtp_db_text(s, 0));
        put(w, "</span>");
    }
    if (any)
        put(w, ". Figures that depend on them are not real.</div>\n");
    if ((st = step_done(w, s, rc)) != DTP_OK)
        return st;
    put(w, "<div class=\"toc\"><a href=\"#coverage\">Coverage</a><a href=\"#sources\">Sources</a>"
           "<a href=\"#imputation\">Imputation and overrides</a><a href=\"#ocr\">OCR</a>"
           "<a href=\"#revisions\">Revisions</a><a href=\"#checks\">Checks</a></div>\n"
           "<p class=\"meta\">Every figure can be explained down to the raw bytes with "
           "<code>dtpanel trace ENTITY YEAR VARIABLE --panel PANEL</code>; hover a grid cell or a "
           "bar for its exact command, and each table row lists it.</p>\n");
    return DTP_OK;
}

/* ---- coverage ---- */

typedef struct gcell {
    unsigned char st;
    unsigned char has_value;
    double value;
    char *note; /* method or reason; owned */
} gcell;

typedef struct grid {
    char **ent, **name;
    size_t ne;
    int years[MAX_YEARS];
    size_t ny;
    char *vars[MAX_VARS];
    size_t nv;
    gcell *cells; /* [v][e][y] */
    long long counts[MAX_VARS][ST_N];
} grid;

static void grid_free(grid *g)
{
    for (size_t i = 0; i < g->ne; i++) {
        free(g->ent[i]);
        free(g->name[i]);
    }
    free(g->ent);
    free(g->name);
    for (size_t i = 0; i < g->nv; i++)
        free(g->vars[i]);
    if (g->cells) {
        size_t n = g->nv * g->ne * g->ny;
        for (size_t i = 0; i < n; i++)
            free(g->cells[i].note);
    }
    free(g->cells);
    memset(g, 0, sizeof *g);
}

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* Variables in the order of the panel views, then any others by name. */
static const char *const var_order[] = {
    "dt_exp",      "dt_imp",    "dt_total", "iso27001",        "pv",          "fdi",
    "infra",       "developed", "rcep",     "iso27001_listed", "dt_index",    "dt_ordering",
    "dt_products", "fiscal",    "ln_gdppc", "structure",       "consumption", "tech",
    "popdens",     "info",      "finance",  "high_dev"};

static int var_rank(const char *v)
{
    for (size_t i = 0; i < sizeof var_order / sizeof var_order[0]; i++)
        if (strcmp(v, var_order[i]) == 0)
            return (int)i;
    return 1000;
}

static int var_cmp(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    int rx = var_rank(x), ry = var_rank(y);
    return rx != ry ? rx - ry : strcmp(x, y);
}

static int str_cmp(const void *key, const void *elem)
{
    return strcmp((const char *)key, *(char *const *)elem);
}

static dtp_status nomem(rw *w)
{
    return dtp_error_set(w->err, DTP_ERR_NOMEM, "load", "report: out of memory");
}

static dtp_status grid_load(rw *w, const char *panel, grid *g)
{
    sqlite3_stmt *s = NULL;
    dtp_status st;
    int rc;
    memset(g, 0, sizeof *g);
    if ((st = prep(w,
                   "SELECT year FROM panel_years WHERE panel = ?1 UNION SELECT DISTINCT year FROM"
                   " panel_cells WHERE panel = ?1 ORDER BY 1",
                   &s)) != DTP_OK)
        return st;
    sqlite3_bind_text(s, 1, panel, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && g->ny < MAX_YEARS)
        g->years[g->ny++] = sqlite3_column_int(s, 0);
    if (rc == SQLITE_ROW) {
        sqlite3_finalize(s);
        return dtp_error_set(w->err, DTP_ERR_LIMIT, "load", "report: %s panel: more than %d years",
                             panel, MAX_YEARS);
    }
    if ((st = step_done(w, s, rc)) != DTP_OK)
        return st;

    const char *ent_sql =
        strcmp(panel, "province") == 0
            ? "SELECT x.entity, p.name FROM (SELECT entity FROM panel_entities WHERE panel = ?1"
              " UNION SELECT DISTINCT entity FROM panel_cells WHERE panel = ?1) x LEFT JOIN"
              " provinces p ON p.code = x.entity ORDER BY x.entity"
            : "SELECT x.entity, COALESCE((SELECT name FROM countries WHERE iso3 = x.entity),"
              " (SELECT name FROM wb_countries WHERE code = x.entity)) FROM (SELECT entity FROM"
              " panel_entities WHERE panel = ?1 UNION SELECT DISTINCT entity FROM panel_cells"
              " WHERE panel = ?1) x ORDER BY x.entity";
    if ((st = prep(w, ent_sql, &s)) != DTP_OK)
        return st;
    sqlite3_bind_text(s, 1, panel, -1, SQLITE_STATIC);
    size_t cap = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (g->ne >= MAX_ENTITIES) {
            sqlite3_finalize(s);
            return dtp_error_set(w->err, DTP_ERR_LIMIT, "load",
                                 "report: %s panel: more than %d entities", panel, MAX_ENTITIES);
        }
        if (g->ne == cap) {
            cap = cap ? cap * 2 : 64;
            char **e = realloc(g->ent, cap * sizeof *e);
            if (e)
                g->ent = e;
            char **nm = e ? realloc(g->name, cap * sizeof *nm) : NULL;
            if (nm)
                g->name = nm;
            if (!e || !nm) {
                sqlite3_finalize(s);
                return nomem(w);
            }
        }
        g->ent[g->ne] = dupstr(dtp_db_text(s, 0));
        g->name[g->ne] = dupstr(dtp_db_text(s, 1));
        g->ne++;
        if (!g->ent[g->ne - 1] || !g->name[g->ne - 1]) {
            sqlite3_finalize(s);
            return nomem(w);
        }
    }
    if ((st = step_done(w, s, rc)) != DTP_OK)
        return st;

    if ((st = prep(w, "SELECT DISTINCT variable FROM panel_cells WHERE panel = ?1", &s)) != DTP_OK)
        return st;
    sqlite3_bind_text(s, 1, panel, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && g->nv < MAX_VARS) {
        if (!(g->vars[g->nv] = dupstr(dtp_db_text(s, 0)))) {
            sqlite3_finalize(s);
            return nomem(w);
        }
        g->nv++;
    }
    if (rc == SQLITE_ROW) {
        sqlite3_finalize(s);
        return dtp_error_set(w->err, DTP_ERR_LIMIT, "load",
                             "report: %s panel: more than %d variables", panel, MAX_VARS);
    }
    if ((st = step_done(w, s, rc)) != DTP_OK)
        return st;
    qsort(g->vars, g->nv, sizeof g->vars[0], var_cmp);
    size_t n = g->nv * g->ne * g->ny;
    if ((long)n > MAX_GRID_CELLS)
        return dtp_error_set(w->err, DTP_ERR_LIMIT, "load",
                             "report: %s panel: %zu grid cells exceed the cap of %ld", panel, n,
                             MAX_GRID_CELLS);
    if (n == 0)
        return DTP_OK;
    if (!(g->cells = calloc(n, sizeof *g->cells)))
        return nomem(w);

    if ((st = prep(w,
                   "SELECT entity, year, variable, status, value, COALESCE(method, reason, '')"
                   " FROM panel_cells WHERE panel = ?1",
                   &s)) != DTP_OK)
        return st;
    sqlite3_bind_text(s, 1, panel, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        char **e = bsearch(dtp_db_text(s, 0), g->ent, g->ne, sizeof *g->ent, str_cmp);
        int year = sqlite3_column_int(s, 1);
        size_t y = 0, v = 0;
        while (y < g->ny && g->years[y] != year)
            y++;
        while (v < g->nv && strcmp(g->vars[v], dtp_db_text(s, 2)) != 0)
            v++;
        if (!e || y == g->ny || v == g->nv)
            continue; /* cannot happen: every key was collected above */
        gcell *c = &g->cells[(v * g->ne + (size_t)(e - g->ent)) * g->ny + y];
        c->st = (unsigned char)status_code(dtp_db_text(s, 3));
        c->has_value = sqlite3_column_type(s, 4) != SQLITE_NULL;
        c->value = sqlite3_column_double(s, 4);
        free(c->note);
        if (!(c->note = dupstr(dtp_db_text(s, 5)))) {
            sqlite3_finalize(s);
            return nomem(w);
        }
    }
    if ((st = step_done(w, s, rc)) != DTP_OK)
        return st;
    for (size_t v = 0; v < g->nv; v++)
        for (size_t i = 0; i < g->ne * g->ny; i++)
            g->counts[v][g->cells[v * g->ne * g->ny + i].st]++;
    return DTP_OK;
}

/* Entity label for a grid row: the name for provinces (codes mean little), else the code. */
static void label_of(const grid *g, size_t e, int province, char *out, size_t n)
{
    const char *l = province && g->name[e][0] ? g->name[e] : g->ent[e];
    size_t len = strlen(l);
    if (len < 18) {
        snprintf(out, n, "%s", l);
        return;
    }
    /* cut on a character boundary and mark the cut */
    size_t cut = 16;
    while (cut > 0 && ((unsigned char)l[cut] & 0xC0) == 0x80)
        cut--;
    snprintf(out, n, "%.*s\xE2\x80\xA6", (int)cut, l);
}

static void write_grid_block_row(rw *w, const char *panel, const grid *g, size_t v0, size_t v1,
                                 int lw, int cw, int ch, int gap)
{
    int province = strcmp(panel, "province") == 0;
    int blockw = (int)g->ny * cw + gap, top = 34;
    int width = lw + (int)(v1 - v0) * blockw, height = top + (int)g->ne * ch + 4;
    put(w, "<div class=\"fig\"><svg xmlns=\"http://www.w3.org/2000/svg\"");
    putf(w,
         " width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"coverage"
         " grid\">\n",
         width, height, width, height);
    for (size_t e = 0; e < g->ne; e++) {
        char lab[64];
        label_of(g, e, province, lab, sizeof lab);
        putf(w, "<text class=\"el\" x=\"%d\" y=\"%d\" text-anchor=\"end\"><title>", lw - 4,
             top + (int)e * ch + ch - 1);
        esc(w, g->ent[e]);
        if (g->name[e][0]) {
            put(w, " ");
            esc(w, g->name[e]);
        }
        put(w, "</title>");
        esc(w, lab);
        put(w, "</text>\n");
    }
    for (size_t v = v0; v < v1; v++) {
        int x0 = lw + (int)(v - v0) * blockw;
        put(w, "<g id=\"cov-");
        idpart(w, panel);
        put(w, "-");
        idpart(w, g->vars[v]);
        put(w, "\">");
        putf(w, "<text class=\"vt\" x=\"%d\" y=\"13\"><title>", x0);
        esc(w, g->vars[v]);
        put(w, ": one square per entity and year; hover for status and trace command</title>");
        esc(w, g->vars[v]);
        put(w, "</text>\n");
        for (size_t y = 0; y < g->ny; y++) {
            /* first, last and every fifth year label, rotated to fit narrow columns */
            if (y == 0 || y + 1 == g->ny || g->years[y] % 5 == 0)
                putf(w,
                     "<text class=\"yl\" x=\"%d\" y=\"%d\" transform=\"rotate(-90 %d "
                     "%d)\">%d</text>",
                     x0 + (int)y * cw + cw - 2, top - 2, x0 + (int)y * cw + cw - 2, top - 2,
                     g->years[y]);
        }
        put(w, "\n");
        for (size_t e = 0; e < g->ne; e++) {
            for (size_t y = 0; y < g->ny; y++) {
                const gcell *c = &g->cells[(v * g->ne + e) * g->ny + y];
                int link = c->st == ST_IMP || c->st == ST_OVR;
                if (link) {
                    put(w, "<a href=\"#");
                    cell_id(w, "cell", panel, g->ent[e], g->years[y], g->vars[v]);
                    put(w, "\">");
                }
                putf(w,
                     "<rect class=\"cv %s\" data-cell=\"1\" x=\"%d\" y=\"%d\" width=\"%d\" "
                     "height=\"%d\"><title>",
                     st_class[c->st], x0 + (int)y * cw, top + (int)e * ch, cw - 1, ch - 1);
                esc(w, g->ent[e]);
                putf(w, " %d ", g->years[y]);
                esc(w, g->vars[v]);
                put(w, ": ");
                put(w, st_name[c->st]);
                if (c->has_value) {
                    put(w, " = ");
                    num(w, c->value);
                }
                if (c->note && c->note[0]) {
                    put(w, " (");
                    esc(w, c->note);
                    put(w, ")");
                }
                if (c->st != ST_NONE) {
                    put(w, " | ");
                    trace_cmd(w, panel, g->ent[e], g->years[y], g->vars[v]);
                }
                put(w, "</title></rect>");
                if (link)
                    put(w, "</a>");
            }
            put(w, "\n");
        }
        put(w, "</g>\n");
    }
    put(w, "</svg></div>\n");
}

static dtp_status write_panel_coverage(rw *w, const char *panel, const char *title)
{
    grid g;
    dtp_status st = grid_load(w, panel, &g);
    if (st != DTP_OK)
        goto out;
    put(w, "<h3 id=\"coverage-");
    idpart(w, panel);
    put(w, "\">");
    esc(w, title);
    put(w, "</h3>\n");
    if (g.nv == 0 || g.ne == 0 || g.ny == 0) {
        char what[160];
        snprintf(what, sizeof what, "no %s cells in this release", panel);
        nothing_yet(w, what);
        goto out;
    }
    putf(w,
         "<p class=\"cap\">%zu entities &times; %zu years (%d&ndash;%d) &times; %zu variables."
         " Variables: ",
         g.ne, g.ny, g.years[0], g.years[g.ny - 1], g.nv);
    for (size_t v = 0; v < g.nv; v++) {
        put(w, "<a href=\"#cov-");
        idpart(w, panel);
        put(w, "-");
        idpart(w, g.vars[v]);
        put(w, "\">");
        esc(w, g.vars[v]);
        put(w, "</a> ");
    }
    put(w, "</p>\n<p class=\"legend cap\">");
    for (int k = 0; k < ST_N; k++) {
        long long tot = 0;
        for (size_t v = 0; v < g.nv; v++)
            tot += g.counts[v][k];
        if (k == ST_OTHER && tot == 0)
            continue;
        putf(w, "<span class=\"sw %s\"></span>%s %lld", st_class[k], st_name[k], tot);
    }
    /* "other" (a status this report does not know) only when some cell has one */
    int nst = ST_OTHER;
    for (size_t v = 0; v < g.nv; v++)
        if (g.counts[v][ST_OTHER])
            nst = ST_N;
    put(w, "</p>\n<table><tr><th>variable</th>");
    for (int k = 1; k < nst; k++)
        putf(w, "<th>%s</th>", st_name[k]);
    putf(w, "<th>%s</th><th>trace one cell</th></tr>\n", st_name[ST_NONE]);
    for (size_t v = 0; v < g.nv; v++) {
        put(w, "<tr><td><a href=\"#cov-");
        idpart(w, panel);
        put(w, "-");
        idpart(w, g.vars[v]);
        put(w, "\">");
        esc(w, g.vars[v]);
        put(w, "</a></td>");
        for (int k = 1; k < nst; k++)
            putf(w, "<td class=\"n\">%lld</td>", g.counts[v][k]);
        putf(w, "<td class=\"n\">%lld</td><td><code>", g.counts[v][ST_NONE]);
        /* the first cell that has a status, as an example command */
        size_t i = 0, n = g.ne * g.ny;
        while (i < n && g.cells[v * n + i].st == ST_NONE)
            i++;
        if (i < n)
            trace_cmd(w, panel, g.ent[i / g.ny], g.years[i % g.ny], g.vars[v]);
        put(w, "</code></td></tr>\n");
    }
    put(w, "</table>\n");

    /* the reasons behind missing and excluded cells */
    sqlite3_stmt *s = NULL;
    if ((st = prep(w,
                   "SELECT status, COALESCE(reason, ''), COUNT(*) FROM panel_cells WHERE panel = ?1"
                   " AND status IN ('missing','excluded') GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2"
                   " LIMIT 25",
                   &s)) != DTP_OK)
        goto out;
    sqlite3_bind_text(s, 1, panel, -1, SQLITE_STATIC);
    int rc, any = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (!any)
            put(w, "<table><tr><th>status</th><th>reason (most frequent first)</th>"
                   "<th>cells</th></tr>\n");
        any = 1;
        put(w, "<tr><td>");
        esc(w, dtp_db_text(s, 0));
        put(w, "</td><td>");
        esc(w, *dtp_db_text(s, 1) ? dtp_db_text(s, 1) : "(no reason recorded)");
        putf(w, "</td><td class=\"n\">%lld</td></tr>\n", (long long)sqlite3_column_int64(s, 2));
    }
    if (any)
        put(w, "</table>\n");
    if ((st = step_done(w, s, rc)) != DTP_OK)
        goto out;

    /* pack the per-variable blocks into rows no wider than the page */
    int province = strcmp(panel, "province") == 0;
    size_t maxlab = 3;
    for (size_t e = 0; e < g.ne; e++) {
        char lab[64];
        label_of(&g, e, province, lab, sizeof lab);
        size_t len = strlen(lab);
        if (len > maxlab)
            maxlab = len;
    }
    int lw = 10 + (int)maxlab * 6, cw = g.ny <= 20 ? 10 : g.ny <= 40 ? 6 : 4;
    int ch = g.ne <= 80 ? 10 : 9, gap = 14;
    int blockw = (int)g.ny * cw + gap;
    size_t per = (size_t)((PAGE_W - lw) / blockw);
    if (per < 1)
        per = 1;
    for (size_t v0 = 0; v0 < g.nv; v0 += per)
        write_grid_block_row(w, panel, &g, v0, v0 + per < g.nv ? v0 + per : g.nv, lw, cw, ch, gap);
    put(w, "<p class=\"cap\">Hover a square for its value, status, method or reason and its trace"
           " command; imputed and overridden squares link to their row below.</p>\n");
out:
    grid_free(&g);
    return st;
}

static dtp_status write_coverage(rw *w)
{
    put(w, "<h2 id=\"coverage\">Coverage</h2>\n<p class=\"cap\">One grid per panel variable: a"
           " square per entity and year, coloured by the cell's status.</p>\n");
    dtp_status st = write_panel_coverage(w, "country", "Country panel");
    if (st == DTP_OK)
        st = write_panel_coverage(w, "province", "Province panel (China)");
    return st;
}

/* ---- sources ---- */

static dtp_status write_sources(rw *w)
{
    put(w, "<h2 id=\"sources\">Sources</h2>\n");
    sqlite3_stmt *s = NULL;
    dtp_status st =
        prep(w,
             "SELECT s.name, s.kind, s.title, s.publisher, s.licence, s.generated, s.url,"
             " COALESCE((SELECT f.upstream_version FROM fetches f WHERE f.source = s.name AND"
             "  f.upstream_version IS NOT NULL ORDER BY f.fetched_at DESC, f.id DESC LIMIT 1),"
             "  (SELECT MAX(o.edition) FROM observations o WHERE o.source = s.name), ''),"
             " COALESCE((SELECT f.last_modified FROM fetches f WHERE f.source = s.name AND"
             "  f.last_modified IS NOT NULL ORDER BY f.fetched_at DESC, f.id DESC LIMIT 1), ''),"
             " COALESCE((SELECT MAX(f.fetched_at) FROM fetches f WHERE f.source = s.name), ''),"
             " (SELECT COUNT(*) FROM (SELECT artifact_sha256 FROM source_artifacts WHERE source ="
             "  s.name UNION SELECT artifact_sha256 FROM fetches WHERE source = s.name AND"
             "  artifact_sha256 IS NOT NULL)),"
             " (SELECT COUNT(*) FROM observations o WHERE o.source = s.name),"
             " COALESCE((SELECT group_concat(k || ' ' || n, ', ') FROM (SELECT kind AS k, COUNT(*)"
             "  AS n FROM entity_map WHERE source = s.name AND kind NOT IN ('country','province')"
             "  GROUP BY kind ORDER BY kind)), ''),"
             " (SELECT COUNT(*) FROM observations o WHERE o.source = s.name AND o.is_aggregate = 1)"
             " FROM sources s ORDER BY s.name",
             &s);
    if (st != DTP_OK)
        return st;
    int rc, any = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (!any)
            put(w, "<table><tr><th>source</th><th>dataset</th><th>version / last updated</th>"
                   "<th>fetched at</th><th>artifacts</th><th>observations</th>"
                   "<th>labels set aside</th></tr>\n");
        any = 1;
        int gen = sqlite3_column_int(s, 5);
        put(w, "<tr><td id=\"src-");
        idpart(w, dtp_db_text(s, 0));
        put(w, "\"><b>");
        esc(w, dtp_db_text(s, 0));
        put(w, "</b><br>");
        esc(w, dtp_db_text(s, 1));
        if (gen)
            put(w, "<br><span class=\"gen\">generated demo data</span>");
        put(w, "</td><td>");
        esc(w, dtp_db_text(s, 2));
        put(w, "<br>");
        esc(w, dtp_db_text(s, 3));
        if (*dtp_db_text(s, 4)) {
            put(w, "; licence ");
            esc(w, dtp_db_text(s, 4));
        }
        put(w, "<br><code>");
        esc(w, dtp_db_text(s, 6));
        put(w, "</code></td><td>");
        esc(w, *dtp_db_text(s, 7) ? dtp_db_text(s, 7) : "-");
        if (*dtp_db_text(s, 8)) {
            put(w, "<br>last modified ");
            esc(w, dtp_db_text(s, 8));
        }
        put(w, "</td><td>");
        esc(w, *dtp_db_text(s, 9) ? dtp_db_text(s, 9) : "-");
        putf(w, "</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td><td>",
             (long long)sqlite3_column_int64(s, 10), (long long)sqlite3_column_int64(s, 11));
        if (*dtp_db_text(s, 12))
            esc(w, dtp_db_text(s, 12));
        else
            put(w, "none");
        if (sqlite3_column_int64(s, 13))
            putf(w, "<br>%lld aggregate rows", (long long)sqlite3_column_int64(s, 13));
        put(w, "</td></tr>\n");
    }
    if (any)
        put(w, "</table>\n");
    else
        nothing_yet(w, "no sources in this release");
    return step_done(w, s, rc);
}

/* ---- imputation and overrides ---- */

typedef struct tally {
    char key[64];
    long long n;
} tally;

static void tally_add(tally *t, size_t *n, size_t cap, const char *key)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(t[i].key, key) == 0) {
            t[i].n++;
            return;
        }
    if (*n < cap) {
        snprintf(t[*n].key, sizeof t[*n].key, "%s", key);
        t[*n].n = 1;
        (*n)++;
    } else {
        t[cap - 1].n++; /* the last slot collects the rest */
        snprintf(t[cap - 1].key, sizeof t[cap - 1].key, "other");
    }
}

static void tally_chart(rw *w, const char *id, const char *aria, const tally *t, size_t n)
{
    bar *b = calloc(n ? n : 1, sizeof *b);
    if (!b)
        return;
    for (size_t i = 0; i < n; i++) {
        snprintf(b[i].label, sizeof b[i].label, "%s", t[i].key);
        b[i].v = (double)t[i].n;
        snprintf(b[i].title, sizeof b[i].title, "%s: %lld cells", t[i].key, t[i].n);
    }
    bar_chart(w, id, aria, b, n, 0, 0);
    free(b);
}

static int gap_cmp(const void *a, const void *b)
{
    const tally *x = a, *y = b;
    char *ex, *ey;
    long gx = strtol(x->key, &ex, 10), gy = strtol(y->key, &ey, 10);
    int nx = *ex == ' ' || !*ex, ny = *ey == ' ' || !*ey;
    if (nx != ny)
        return ny - nx;
    if (nx && gx != gy)
        return gx < gy ? -1 : 1;
    return strcmp(x->key, y->key);
}

static dtp_status write_imputation(rw *w)
{
    put(w, "<h2 id=\"imputation\">Imputation and overrides</h2>\n<h3>Imputed cells</h3>\n");
    sqlite3_stmt *s = NULL;
    dtp_status st = prep(w,
                         "SELECT c.panel, c.entity, c.year, c.variable, c.value,"
                         " COALESCE(c.method, ''), (SELECT json_extract(l.detail, '$.gap') FROM"
                         " ledger l WHERE l.cell_id = c.id AND json_valid(l.detail) LIMIT 1)"
                         " FROM panel_cells c WHERE c.status = 'imputed'"
                         " ORDER BY c.panel, c.variable, c.entity, c.year",
                         &s);
    if (st != DTP_OK)
        return st;
    tally methods[16], gaps[16];
    size_t nm = 0, ng = 0;
    long long total = 0;
    int rc;
    /* first pass: tallies (the table follows the charts) */
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        char m[64], g[64];
        const char *method = dtp_db_text(s, 5);
        size_t ml = strcspn(method, " ");
        snprintf(m, sizeof m, "%.*s", (int)(ml < 60 ? ml : 60), *method ? method : "(none)");
        const char *gp = strstr(method, "gap ");
        long gap = -1;
        if (gp) {
            char *end;
            gap = strtol(gp + 4, &end, 10);
            if (end == gp + 4)
                gap = -1;
        }
        if (gap < 0 && sqlite3_column_type(s, 6) != SQLITE_NULL)
            gap = (long)sqlite3_column_int64(s, 6);
        if (gap < 0)
            snprintf(g, sizeof g, "unknown");
        else
            snprintf(g, sizeof g, "%ld year%s", gap, gap == 1 ? "" : "s");
        tally_add(methods, &nm, 16, m);
        tally_add(gaps, &ng, 16, g);
        total++;
    }
    if (rc != SQLITE_DONE)
        return step_done(w, s, rc);
    if (total == 0) {
        nothing_yet(w, "no imputed cells in this release");
    } else {
        qsort(gaps, ng, sizeof gaps[0], gap_cmp);
        putf(w, "<p class=\"cap\">%lld imputed cells. By method:</p>\n", total);
        tally_chart(w, "imp-method", "imputed cells by method", methods, nm);
        put(w, "<p class=\"cap\">By length of the gap filled:</p>\n");
        tally_chart(w, "imp-gap", "imputed cells by gap length", gaps, ng);
        put(w, "<table><tr><th>panel</th><th>entity</th><th>year</th><th>variable</th>"
               "<th>value</th><th>method</th><th>trace</th></tr>\n");
        sqlite3_reset(s);
        long long row = 0;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW && row < w->max_rows) {
            const char *panel = dtp_db_text(s, 0), *ent = dtp_db_text(s, 1),
                       *var = dtp_db_text(s, 3);
            int year = sqlite3_column_int(s, 2);
            put(w, "<tr id=\"");
            cell_id(w, "cell", panel, ent, year, var);
            put(w, "\"><td>");
            esc(w, panel);
            put(w, "</td><td>");
            esc(w, ent);
            putf(w, "</td><td>%d</td><td>", year);
            esc(w, var);
            put(w, "</td><td class=\"n\">");
            num(w, sqlite3_column_double(s, 4));
            put(w, "</td><td>");
            esc(w, dtp_db_text(s, 5));
            put(w, "</td><td><code>");
            trace_cmd(w, panel, ent, year, var);
            put(w, "</code></td></tr>\n");
            row++;
        }
        put(w, "</table>\n");
        if (total > row)
            putf(w,
                 "<p class=\"cap\">%lld more imputed cells not listed (see <code>dtpanel"
                 " status --panel</code>).</p>\n",
                 total - row);
        if (rc == SQLITE_ROW)
            rc = SQLITE_DONE;
    }
    if ((st = step_done(w, s, rc)) != DTP_OK)
        return st;

    put(w, "<h3 id=\"overrides\">Overrides</h3>\n");
    if ((st = prep(w,
                   "SELECT o.id, o.entity, o.year, o.variable, o.value, o.publisher, o.document,"
                   " o.url, o.date, o.reason, (SELECT c.panel FROM panel_cells c WHERE"
                   " c.entity = o.entity AND c.year = o.year AND c.variable = o.variable AND"
                   " c.status = 'overridden' LIMIT 1), o.line"
                   " FROM overrides o ORDER BY o.id",
                   &s)) != DTP_OK)
        return st;
    int any = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (!any)
            put(w, "<table><tr><th>entity</th><th>year</th><th>variable</th><th>value</th>"
                   "<th>citation</th><th>reason</th><th>applied</th><th>trace</th></tr>\n");
        any = 1;
        const char *ent = dtp_db_text(s, 1), *var = dtp_db_text(s, 3), *url = dtp_db_text(s, 7);
        int year = sqlite3_column_int(s, 2);
        int applied = sqlite3_column_type(s, 10) != SQLITE_NULL;
        const char *panel = applied ? dtp_db_text(s, 10) : "country";
        put(w, "<tr id=\"");
        if (applied)
            cell_id(w, "cell", panel, ent, year, var);
        else
            putf(w, "override-%lld", (long long)sqlite3_column_int64(s, 0));
        put(w, "\"><td>");
        esc(w, ent);
        putf(w, "</td><td>%d</td><td>", year);
        esc(w, var);
        put(w, "</td><td class=\"n\">");
        num(w, sqlite3_column_double(s, 4));
        put(w, "</td><td>");
        esc(w, dtp_db_text(s, 5));
        put(w, ", <i>");
        esc(w, dtp_db_text(s, 6));
        put(w, "</i>, ");
        esc(w, dtp_db_text(s, 8));
        put(w, "<br>");
        /* only web addresses become links; anything else stays text */
        if (strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0) {
            put(w, "<a href=\"");
            esc(w, url);
            put(w, "\">");
            esc(w, url);
            put(w, "</a>");
        } else {
            esc(w, url);
        }
        put(w, "</td><td>");
        esc(w, dtp_db_text(s, 9));
        put(w, "</td><td>");
        put(w, applied ? "yes" : "no: the cell is not in the panel");
        put(w, "</td><td><code>");
        trace_cmd(w, panel, ent, year, var);
        put(w, "</code></td></tr>\n");
    }
    if (any)
        put(w, "</table>\n");
    else
        nothing_yet(w, "no overrides on file for this release");
    return step_done(w, s, rc);
}

/* ---- OCR ---- */

static dtp_status write_ocr(rw *w)
{
    put(w, "<h2 id=\"ocr\">OCR certificate records</h2>\n");
    long long records = count(w, "SELECT COUNT(*) FROM cert_records");
    if (records == 0) {
        nothing_yet(w, "no OCR certificate records in this release");
        return DTP_OK;
    }
    putf(w,
         "<table><tr><th>records</th><th>accepted</th><th>reviewed</th><th>waiting for review"
         "</th><th>certificates (one per number)</th></tr>\n<tr><td class=\"n\">%lld</td>"
         "<td class=\"n\">%lld</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td>"
         "<td class=\"n\">%lld</td></tr></table>\n",
         records, count(w, "SELECT COUNT(*) FROM cert_records WHERE review_status = 'accepted'"),
         count(w, "SELECT COUNT(*) FROM cert_records WHERE review_status = 'reviewed'"),
         count(w, "SELECT COUNT(*) FROM cert_records WHERE review_status = 'needs_review'"),
         count(w, "SELECT COUNT(*) FROM certificate_record"));
    sqlite3_stmt *s = NULL;
    dtp_status st = prep(w, "SELECT confidence FROM cert_fields WHERE confidence IS NOT NULL", &s);
    if (st != DTP_OK)
        return st;
    long long bins[10] = {0}, nconf = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        double c = sqlite3_column_double(s, 0);
        int k = c >= 100 ? 9 : c < 0 ? 0 : (int)(c / 10);
        bins[k]++;
        nconf++;
    }
    if ((st = step_done(w, s, rc)) != DTP_OK)
        return st;
    put(w, "<h3>Field confidence</h3>\n");
    if (nconf == 0) {
        nothing_yet(w, "no field confidences recorded");
    } else {
        bar b[10];
        memset(b, 0, sizeof b);
        for (int k = 0; k < 10; k++) {
            snprintf(b[k].label, sizeof b[k].label, "%d\xE2\x80\x93%d", k * 10, k * 10 + 10);
            b[k].v = (double)bins[k];
            snprintf(b[k].title, sizeof b[k].title, "confidence %d to %d: %lld fields", k * 10,
                     k * 10 + 10, bins[k]);
        }
        putf(w,
             "<p class=\"cap\">%lld fields with an OCR confidence (0&ndash;100), by"
             " confidence:</p>\n",
             nconf);
        bar_chart(w, "ocr-confidence", "histogram of OCR field confidence", b, 10, 0, 0);
    }
    put(w, "<h3>Fields most often sent to review</h3>\n");
    if ((st = prep(w,
                   "SELECT field, SUM(accepted = 0), SUM(reviewer IS NOT NULL), COUNT(*),"
                   " AVG(confidence) FROM cert_fields GROUP BY field HAVING SUM(accepted = 0) > 0"
                   " OR SUM(reviewer IS NOT NULL) > 0 ORDER BY 2 DESC, 3 DESC, 1 LIMIT 20",
                   &s)) != DTP_OK)
        return st;
    int any = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (!any)
            put(w, "<table><tr><th>field</th><th>not accepted</th><th>reviewed</th>"
                   "<th>fields</th><th>mean confidence</th></tr>\n");
        any = 1;
        put(w, "<tr><td>");
        esc(w, dtp_db_text(s, 0));
        putf(w,
             "</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td><td class=\"n\">%lld"
             "</td><td class=\"n\">",
             (long long)sqlite3_column_int64(s, 1), (long long)sqlite3_column_int64(s, 2),
             (long long)sqlite3_column_int64(s, 3));
        if (sqlite3_column_type(s, 4) != SQLITE_NULL)
            putf(w, "%.1f", sqlite3_column_double(s, 4));
        put(w, "</td></tr>\n");
    }
    if (any)
        put(w, "</table>\n");
    else
        put(w, "<p class=\"cap\">No field was sent to review.</p>\n");
    return step_done(w, s, rc);
}

/* ---- revisions ---- */

static const char *js(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static long long ji(json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));
}

static dtp_status write_revisions(rw *w)
{
    put(w, "<h2 id=\"revisions\">Revisions against the previous release</h2>\n");
    const dtp_load_report_options *o = w->o;
    if (!o->prev_release_path || !o->release_path) {
        if (o->prev_release_id > 0) {
            char what[200];
            snprintf(what, sizeof what,
                     "previous release %lld is not kept under releases/: nothing to compare",
                     o->prev_release_id);
            nothing_yet(w, what);
        } else {
            put(w, "<p class=\"empty\">first release: nothing to compare</p>\n");
        }
        return DTP_OK;
    }
    json_t *d = NULL;
    dtp_error derr;
    dtp_error_clear(&derr);
    if (dtp_load_diff(o->prev_release_path, o->release_path, NULL, 20, &d, &derr) != DTP_OK) {
        /* the report still stands without the comparison: say why it is missing */
        put(w, "<p class=\"empty\">could not compare with the previous release: ");
        esc(w, derr.message);
        if (derr.locator[0]) {
            put(w, " (");
            esc(w, derr.locator);
            put(w, ")");
        }
        put(w, "</p>\n");
        return DTP_OK;
    }
    putf(w,
         "<p>release %lld &rarr; release %lld: <b>%lld</b> new, <b>%lld</b> revised, <b>%lld"
         "</b> withdrawn cells (%lld published now).</p>\n",
         ji(d, "release_a"), ji(d, "release_b"), ji(d, "new"), ji(d, "revised"), ji(d, "withdrawn"),
         ji(d, "cells_b"));
    json_t *rows = json_object_get(d, "by_source_variable"), *r;
    size_t i;
    if (json_array_size(rows)) {
        put(w, "<h3>Per variable</h3>\n<table><tr><th>panel</th><th>variable</th><th>source</th>"
               "<th>new</th><th>revised</th><th>withdrawn</th></tr>\n");
        json_array_foreach(rows, i, r)
        {
            put(w, "<tr><td>");
            esc(w, js(r, "panel"));
            put(w, "</td><td>");
            esc(w, js(r, "variable"));
            put(w, "</td><td>");
            esc(w, *js(r, "source") ? js(r, "source") : "-");
            putf(w,
                 "</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td><td class=\"n\">%lld"
                 "</td></tr>\n",
                 ji(r, "new"), ji(r, "revised"), ji(r, "withdrawn"));
        }
        put(w, "</table>\n");
    } else {
        put(w, "<p class=\"cap\">No cell changed.</p>\n");
    }
    rows = json_object_get(d, "largest_revisions");
    size_t n = json_array_size(rows);
    if (n) {
        bar *b = calloc(n, sizeof *b);
        if (!b) {
            json_decref(d);
            return nomem(w);
        }
        json_array_foreach(rows, i, r)
        {
            double va = json_number_value(json_object_get(r, "value_a"));
            double vb = json_number_value(json_object_get(r, "value_b"));
            snprintf(b[i].label, sizeof b[i].label, "%s %lld %s", js(r, "entity"), ji(r, "year"),
                     js(r, "variable"));
            b[i].v = json_number_value(json_object_get(r, "rel_change"));
            cell_id_str(b[i].href, sizeof b[i].href, "rev", js(r, "panel"), js(r, "entity"),
                        (int)ji(r, "year"), js(r, "variable"));
            char cmd[400];
            trace_cmd_str(cmd, sizeof cmd, js(r, "panel"), js(r, "entity"), (int)ji(r, "year"),
                          js(r, "variable"));
            snprintf(b[i].title, sizeof b[i].title, "%s %lld %s: %.10g -> %.10g (%+.2f%%) | %s",
                     js(r, "entity"), ji(r, "year"), js(r, "variable"), va, vb, 100 * b[i].v, cmd);
        }
        put(w, "<h3>Largest relative revisions</h3>\n");
        bar_chart(w, "rev-largest", "largest relative revisions", b, n, 1, 1);
        free(b);
        put(w, "<table><tr><th>panel</th><th>entity</th><th>year</th><th>variable</th>"
               "<th>before</th><th>now</th><th>change</th><th>source</th><th>trace</th></tr>\n");
        json_array_foreach(rows, i, r)
        {
            const char *panel = js(r, "panel"), *ent = js(r, "entity"), *var = js(r, "variable");
            int year = (int)ji(r, "year");
            put(w, "<tr id=\"");
            cell_id(w, "rev", panel, ent, year, var);
            put(w, "\"><td>");
            esc(w, panel);
            put(w, "</td><td>");
            esc(w, ent);
            putf(w, "</td><td>%d</td><td>", year);
            esc(w, var);
            put(w, "</td><td class=\"n\">");
            num(w, json_number_value(json_object_get(r, "value_a")));
            put(w, "</td><td class=\"n\">");
            num(w, json_number_value(json_object_get(r, "value_b")));
            putf(w, "</td><td class=\"n\">%+.2f%%</td><td>",
                 100 * json_number_value(json_object_get(r, "rel_change")));
            esc(w, js(r, "source"));
            put(w, "</td><td><code>");
            trace_cmd(w, panel, ent, year, var);
            put(w, "</code></td></tr>\n");
        }
        put(w, "</table>\n");
    }
    rows = json_object_get(d, "history_moved");
    if (json_array_size(rows)) {
        put(w, "<h3>Series whose history moved</h3>\n<table><tr><th>panel</th><th>entity</th>"
               "<th>variable</th><th>cells revised</th><th>years</th><th>trace the first</th>"
               "</tr>\n");
        json_array_foreach(rows, i, r)
        {
            if ((long long)i >= w->max_rows)
                break;
            put(w, "<tr><td>");
            esc(w, js(r, "panel"));
            put(w, "</td><td>");
            esc(w, js(r, "entity"));
            put(w, "</td><td>");
            esc(w, js(r, "variable"));
            putf(w, "</td><td class=\"n\">%lld</td><td>%lld&ndash;%lld</td><td><code>",
                 ji(r, "cells"), ji(r, "first_year"), ji(r, "last_year"));
            trace_cmd(w, js(r, "panel"), js(r, "entity"), (int)ji(r, "first_year"),
                      js(r, "variable"));
            put(w, "</code></td></tr>\n");
        }
        put(w, "</table>\n");
    }
    json_decref(d);
    return DTP_OK;
}

/* ---- checks ---- */

static dtp_status write_checks(rw *w)
{
    put(w, "<h2 id=\"checks\">Checks</h2>\n");
    sqlite3_stmt *s = NULL;
    dtp_status st = prep(w,
                         "SELECT id, run_id, stage, check_name, status, entity, year, variable,"
                         " detail, created_at FROM check_results"
                         " ORDER BY status IN ('pass','ok','passed') , id",
                         &s);
    if (st != DTP_OK)
        return st;
    long long total = count(w, "SELECT COUNT(*) FROM check_results");
    long long failed =
        count(w, "SELECT COUNT(*) FROM check_results WHERE status NOT IN ('pass','ok','passed')");
    int rc;
    long long row = 0;
    if (total)
        putf(w,
             "<p>%lld check results, <span class=\"%s\">%lld not passed</span> (listed"
             " first).</p>\n<table><tr><th>run</th><th>stage</th><th>check</th><th>status</th>"
             "<th>cell</th><th>detail</th><th>recorded</th></tr>\n",
             total, failed ? "fail" : "pass", failed);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && row < w->max_rows) {
        const char *status = dtp_db_text(s, 4);
        int ok = strcmp(status, "pass") == 0 || strcmp(status, "ok") == 0 ||
                 strcmp(status, "passed") == 0;
        put(w, "<tr><td>");
        if (sqlite3_column_type(s, 1) != SQLITE_NULL)
            putf(w, "#%lld", (long long)sqlite3_column_int64(s, 1));
        put(w, "</td><td>");
        esc(w, dtp_db_text(s, 2));
        put(w, "</td><td>");
        esc(w, dtp_db_text(s, 3));
        putf(w, "</td><td class=\"%s\">", ok ? "pass" : "fail");
        esc(w, status);
        put(w, "</td><td>");
        if (*dtp_db_text(s, 5)) {
            esc(w, dtp_db_text(s, 5));
            if (sqlite3_column_type(s, 6) != SQLITE_NULL)
                putf(w, " %d", sqlite3_column_int(s, 6));
            put(w, " ");
            esc(w, dtp_db_text(s, 7));
        }
        put(w, "</td><td>");
        esc(w, dtp_db_text(s, 8));
        put(w, "</td><td>");
        esc(w, dtp_db_text(s, 9));
        put(w, "</td></tr>\n");
        row++;
    }
    if (total) {
        put(w, "</table>\n");
        if (total > row)
            putf(w, "<p class=\"cap\">%lld more check results not listed.</p>\n", total - row);
        rc = rc == SQLITE_ROW ? SQLITE_DONE : rc;
    } else {
        nothing_yet(w, "no check results recorded in this release");
    }
    return step_done(w, s, rc);
}

dtp_status dtp_load_report(sqlite3 *wh, const dtp_load_report_options *o, FILE *out, dtp_error *err)
{
    dtp_load_report_options defaults;
    memset(&defaults, 0, sizeof defaults);
    rw w = {out, wh, o ? o : &defaults, 0, err};
    w.max_rows = w.o->max_rows > 0 ? w.o->max_rows : 2000;
    long long id = 0;
    dtp_status st = write_header(&w, &id);
    if (st == DTP_OK)
        st = write_coverage(&w);
    if (st == DTP_OK)
        st = write_sources(&w);
    if (st == DTP_OK)
        st = write_imputation(&w);
    if (st == DTP_OK)
        st = write_ocr(&w);
    if (st == DTP_OK)
        st = write_revisions(&w);
    if (st == DTP_OK)
        st = write_checks(&w);
    if (st != DTP_OK)
        return st;
    put(&w, "<p class=\"meta\">Self-contained page: inline CSS and SVG, no scripts, nothing"
            " fetched. <a href=\"#top\">Back to top</a></p>\n</div></body></html>\n");
    if (fflush(out) != 0 || ferror(out))
        return dtp_error_set(err, DTP_ERR_IO, "load", "report: write failed");
    return DTP_OK;
}
