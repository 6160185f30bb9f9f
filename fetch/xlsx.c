/* Streaming xlsx reader: libarchive for the zip, libxml2's xmlTextReader for the parts. */
#include "fetch/xlsx.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <archive.h>
#include <archive_entry.h>
#include <libxml/xmlreader.h>

#include "common/buf.h"

#define XLSX_MAX_ROW 1048576u
#define XLSX_MAX_COL 16384u
#define XLSX_MAX_NAME 1024 /* zip entry names and part paths */
#define XLSX_MAX_ATTR 4096 /* attribute values we keep (sheet names, targets) */

/* Relationship namespaces: transitional (what Excel writes) and strict OOXML. */
static const char *const rel_ns[] = {
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
};

typedef struct xlsx_sheet {
    char *name;
    char *rid;
    char *part;
} xlsx_sheet;

struct dtp_xlsx {
    const unsigned char *mem; /* borrowed, or NULL when reading a file */
    size_t mem_len;
    char *path;
    char *name;
    dtp_xlsx_limits lim;

    char **entries; /* zip entry names, validated */
    size_t n_entries;

    xlsx_sheet *sheets; /* every <sheet> listed, in order */
    size_t n_sheets;
    size_t *ws; /* indices into sheets of those that have a worksheet part */
    size_t n_ws;

    dtp_buf sst_pool; /* shared strings, each NUL-terminated */
    size_t *sst_off;
    size_t sst_count;
    size_t sst_cap;
};

void dtp_xlsx_limits_default(dtp_xlsx_limits *lim)
{
    lim->max_entries = 10000;
    lim->max_entry_bytes = (uint64_t)512 << 20;
    lim->max_total_bytes = (uint64_t)2 << 30;
    lim->max_ratio = 1000;
    lim->ratio_grace = (uint64_t)1 << 20;
    lim->max_sheets = 1000;
    lim->max_shared_strings = 2000000;
    lim->max_shared_bytes = (size_t)256 << 20;
    lim->max_cell_bytes = (size_t)128 << 10;
    lim->max_merges = 100000;
    lim->read_chunk = 0;
}

const char *dtp_xlsx_type_name(dtp_xlsx_type t)
{
    switch (t) {
    case DTP_XLSX_BLANK:
        return "blank";
    case DTP_XLSX_NUMBER:
        return "number";
    case DTP_XLSX_STRING:
        return "string";
    case DTP_XLSX_BOOL:
        return "bool";
    case DTP_XLSX_ERROR:
        return "error";
    case DTP_XLSX_DATE:
        return "date";
    }
    return "unknown";
}

/* ---- cell references ---- */

dtp_status dtp_xlsx_parse_ref(const char *ref, uint32_t *row, uint32_t *col)
{
    const char *p = ref;
    uint32_t c = 0, r = 0;
    int nc = 0, nr = 0;
    if (!p)
        return DTP_ERR_PARSE;
    if (*p == '$')
        p++;
    while (isalpha((unsigned char)*p)) {
        c = c * 26 + (uint32_t)(toupper((unsigned char)*p) - 'A' + 1);
        if (++nc > 3 || c > XLSX_MAX_COL)
            return DTP_ERR_PARSE;
        p++;
    }
    if (*p == '$')
        p++;
    while (isdigit((unsigned char)*p)) {
        r = r * 10 + (uint32_t)(*p - '0');
        if (++nr > 7 || r > XLSX_MAX_ROW)
            return DTP_ERR_PARSE;
        p++;
    }
    if (*p || nc == 0 || nr == 0 || r == 0)
        return DTP_ERR_PARSE;
    *row = r;
    *col = c;
    return DTP_OK;
}

char *dtp_xlsx_format_ref(uint32_t row, uint32_t col, char *out, size_t outsz)
{
    char letters[8];
    int n = 0;
    while (col > 0 && n < 7) {
        uint32_t rem = (col - 1) % 26;
        letters[n++] = (char)('A' + rem);
        col = (col - 1) / 26;
    }
    char rev[8];
    for (int i = 0; i < n; i++)
        rev[i] = letters[n - 1 - i];
    rev[n] = '\0';
    snprintf(out, outsz, "%s%u", rev, (unsigned)row);
    return out;
}

/* ---- errors ---- */

static dtp_status xerr(dtp_xlsx *x, dtp_error *err, dtp_status st, const char *locator,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static dtp_status xerr(dtp_xlsx *x, dtp_error *err, dtp_status st, const char *locator,
                       const char *fmt, ...)
{
    char msg[DTP_ERR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    dtp_error_set(err, st, "fetch", "xlsx: %s: %s", x && x->name ? x->name : "workbook", msg);
    if (locator)
        dtp_error_where(err, NULL, NULL, locator);
    return st;
}

/* ---- zip ---- */

/* A zip entry name we accept: relative, no `..` component, no drive letter. */
static int entry_name_ok(const char *p)
{
    if (!p || !*p || strlen(p) > XLSX_MAX_NAME)
        return 0;
    if (p[0] == '/' || p[0] == '\\')
        return 0;
    if (isalpha((unsigned char)p[0]) && p[1] == ':')
        return 0;
    const char *s = p;
    for (;;) {
        const char *e = s;
        while (*e && *e != '/' && *e != '\\')
            e++;
        if (e - s == 2 && s[0] == '.' && s[1] == '.')
            return 0;
        if (!*e)
            break;
        s = e + 1;
    }
    return 1;
}

static dtp_status zip_open(dtp_xlsx *x, struct archive **out, dtp_error *err)
{
    struct archive *a = archive_read_new();
    int r;
    *out = NULL;
    if (!a)
        return xerr(x, err, DTP_ERR_NOMEM, NULL, "out of memory");
    /* The streamable reader walks local headers in order, which lets us measure how many
     * compressed bytes each entry consumes (for the ratio cap) through archive_filter_bytes. */
    archive_read_support_format_zip_streamable(a);
    if (x->mem)
        r = archive_read_open_memory(a, x->mem, x->mem_len);
    else
        r = archive_read_open_filename(a, x->path, 65536);
    if (r != ARCHIVE_OK) {
        dtp_status st = x->mem ? DTP_ERR_PARSE : DTP_ERR_IO;
        xerr(x, err, st, NULL, "cannot open zip: %s",
             archive_error_string(a) ? archive_error_string(a) : "unknown error");
        archive_read_free(a);
        return st;
    }
    *out = a;
    return DTP_OK;
}

/* One zip entry being read, with the caps applied as bytes come out. */
typedef struct zpart {
    dtp_xlsx *x;
    struct archive *a;
    char part[XLSX_MAX_NAME + 1];
    int64_t declared; /* -1 when the local header does not say */
    uint64_t produced;
    int64_t cbase; /* compressed bytes consumed before this entry's data */
    int prolog;    /* sniffing state for DOCTYPE before the root element, see prolog_check */
    dtp_status st; /* set when a cap or the zip stopped the read */
    char msg[400];
} zpart;

static int zpart_fail(zpart *z, dtp_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int zpart_fail(zpart *z, dtp_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(z->msg, sizeof z->msg, fmt, ap);
    va_end(ap);
    z->st = st;
    return -1;
}

enum { PRO_TEXT, PRO_LT, PRO_BANG, PRO_BANG_DASH, PRO_DONE };

/* Refuse `<!DOCTYPE`/`<!ENTITY` before the root element, before libxml2 sees any of it: the
 * declarations are where entity expansion attacks live, and an xlsx part never has them. Comments
 * and processing instructions pass. Works byte by byte, so chunk boundaries do not matter. */
static int prolog_check(zpart *z, const char *buf, size_t n)
{
    for (size_t i = 0; i < n && z->prolog != PRO_DONE; i++) {
        char ch = buf[i];
        switch (z->prolog) {
        case PRO_TEXT:
            if (ch == '<')
                z->prolog = PRO_LT;
            break;
        case PRO_LT:
            if (ch == '!')
                z->prolog = PRO_BANG;
            else if (ch == '?')
                z->prolog = PRO_TEXT;
            else
                z->prolog = PRO_DONE; /* the root element, or bytes libxml2 will reject */
            break;
        case PRO_BANG:
            if (ch != '-')
                return zpart_fail(z, DTP_ERR_PARSE,
                                  "%s: DOCTYPE or markup declaration refused (entity "
                                  "declarations are not allowed in an xlsx part)",
                                  z->part);
            z->prolog = PRO_BANG_DASH;
            break;
        case PRO_BANG_DASH:
            if (ch != '-')
                return zpart_fail(z, DTP_ERR_PARSE, "%s: malformed comment in prolog", z->part);
            z->prolog = PRO_TEXT;
            break;
        }
    }
    return 0;
}

static int zpart_read(void *ctx, char *buf, int len)
{
    zpart *z = ctx;
    const dtp_xlsx_limits *lim = &z->x->lim;
    if (z->st != DTP_OK)
        return -1;
    if (len <= 0)
        return 0;
    if (lim->read_chunk && (size_t)len > lim->read_chunk)
        len = (int)lim->read_chunk;
    la_ssize_t r = archive_read_data(z->a, buf, (size_t)len);
    if (r < 0)
        return zpart_fail(z, DTP_ERR_PARSE, "%s: zip: %s", z->part,
                          archive_error_string(z->a) ? archive_error_string(z->a) : "read error");
    z->produced += (uint64_t)r;
    if (z->produced > lim->max_entry_bytes)
        return zpart_fail(z, DTP_ERR_LIMIT, "%s: entry larger than %llu bytes uncompressed",
                          z->part, (unsigned long long)lim->max_entry_bytes);
    if (z->declared >= 0 && z->produced > (uint64_t)z->declared)
        return zpart_fail(z, DTP_ERR_PARSE, "%s: entry longer than its declared %lld bytes",
                          z->part, (long long)z->declared);
    int64_t consumed = archive_filter_bytes(z->a, -1) - z->cbase;
    if (consumed < 1)
        consumed = 1;
    if (z->produced > lim->ratio_grace && z->produced / (uint64_t)consumed > lim->max_ratio)
        return zpart_fail(z, DTP_ERR_LIMIT,
                          "%s: compression ratio above %llu (%llu bytes from %lld): zip bomb "
                          "refused",
                          z->part, (unsigned long long)lim->max_ratio,
                          (unsigned long long)z->produced, (long long)consumed);
    if (prolog_check(z, buf, (size_t)r) < 0)
        return -1;
    return (int)r;
}

/* Position a fresh archive on the entry named part (case-insensitive, as OPC part names are). */
static dtp_status zpart_open(dtp_xlsx *x, const char *part, zpart *z, dtp_error *err)
{
    struct archive_entry *e;
    dtp_status st;
    memset(z, 0, sizeof *z);
    z->x = x;
    snprintf(z->part, sizeof z->part, "%s", part);
    st = zip_open(x, &z->a, err);
    if (st != DTP_OK)
        return st;
    for (;;) {
        int r = archive_read_next_header(z->a, &e);
        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
            st = xerr(x, err, DTP_ERR_PARSE, part, "zip: %s",
                      archive_error_string(z->a) ? archive_error_string(z->a) : "bad header");
            goto fail;
        }
        const char *name = archive_entry_pathname(e);
        if (name && strcasecmp(name, part) == 0) {
            z->declared = archive_entry_size_is_set(e) ? archive_entry_size(e) : -1;
            z->cbase = archive_filter_bytes(z->a, -1);
            return DTP_OK;
        }
    }
    st = xerr(x, err, DTP_ERR_NOT_FOUND, part, "part %s not in the zip", part);
fail:
    archive_read_free(z->a);
    z->a = NULL;
    return st;
}

static void zpart_close(zpart *z)
{
    if (z->a)
        archive_read_free(z->a);
    z->a = NULL;
}

static int has_entry(const dtp_xlsx *x, const char *part)
{
    for (size_t i = 0; i < x->n_entries; i++)
        if (strcasecmp(x->entries[i], part) == 0)
            return 1;
    return 0;
}

/* Walk the whole zip once: validate names and count entries and bytes. Entries whose size the
 * local header does not state are drained through the same caps. */
static dtp_status zip_index(dtp_xlsx *x, dtp_error *err)
{
    struct archive *a = NULL;
    struct archive_entry *e;
    uint64_t total = 0;
    size_t cap = 0;
    dtp_status st = zip_open(x, &a, err);
    if (st != DTP_OK)
        return st;
    for (;;) {
        int r = archive_read_next_header(a, &e);
        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
            st = xerr(x, err, DTP_ERR_PARSE, NULL, "not a readable zip: %s",
                      archive_error_string(a) ? archive_error_string(a) : "bad header");
            goto out;
        }
        const char *name = archive_entry_pathname(e);
        if (x->n_entries >= x->lim.max_entries) {
            st = xerr(x, err, DTP_ERR_LIMIT, NULL, "more than %zu zip entries", x->lim.max_entries);
            goto out;
        }
        if (!entry_name_ok(name)) {
            st = xerr(x, err, DTP_ERR_PARSE, NULL,
                      "zip entry '%.200s' refused: absolute or '..' path", name ? name : "");
            goto out;
        }
        if (has_entry(x, name)) {
            st = xerr(x, err, DTP_ERR_PARSE, NULL, "zip entry '%.200s' appears twice", name);
            goto out;
        }
        if (x->n_entries == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            char **n = realloc(x->entries, ncap * sizeof *n);
            if (!n) {
                st = xerr(x, err, DTP_ERR_NOMEM, NULL, "out of memory");
                goto out;
            }
            x->entries = n;
            cap = ncap;
        }
        x->entries[x->n_entries] = strdup(name);
        if (!x->entries[x->n_entries]) {
            st = xerr(x, err, DTP_ERR_NOMEM, NULL, "out of memory");
            goto out;
        }
        x->n_entries++;
        if (archive_entry_size_is_set(e)) {
            int64_t sz = archive_entry_size(e);
            if (sz < 0 || (uint64_t)sz > x->lim.max_entry_bytes) {
                st = xerr(x, err, DTP_ERR_LIMIT, name,
                          "zip entry %.200s declares %lld bytes, more than %llu bytes "
                          "uncompressed",
                          name, (long long)sz, (unsigned long long)x->lim.max_entry_bytes);
                goto out;
            }
            /* skipping moves over the compressed bytes without inflating them, which measures
             * them: a declared size far above them is a bomb even if nobody reads the entry */
            int64_t before = archive_filter_bytes(a, -1);
            if (archive_read_data_skip(a) != ARCHIVE_OK) {
                st = xerr(x, err, DTP_ERR_PARSE, name, "zip entry %.200s: %s", name,
                          archive_error_string(a) ? archive_error_string(a) : "cannot skip");
                goto out;
            }
            int64_t packed = archive_filter_bytes(a, -1) - before;
            if (packed < 1)
                packed = 1;
            if ((uint64_t)sz > x->lim.ratio_grace &&
                (uint64_t)sz / (uint64_t)packed > x->lim.max_ratio) {
                st = xerr(x, err, DTP_ERR_LIMIT, name,
                          "%s: compression ratio above %llu (%lld bytes from %lld): zip bomb "
                          "refused",
                          name, (unsigned long long)x->lim.max_ratio, (long long)sz,
                          (long long)packed);
                goto out;
            }
            total += (uint64_t)sz;
        } else {
            /* Size unknown until the data is inflated: drain it under the caps. */
            zpart z;
            char buf[16384];
            int n;
            memset(&z, 0, sizeof z);
            z.x = x;
            z.a = a;
            z.declared = -1;
            z.prolog = PRO_DONE;
            z.cbase = archive_filter_bytes(a, -1);
            snprintf(z.part, sizeof z.part, "%s", name);
            while ((n = zpart_read(&z, buf, (int)sizeof buf)) > 0)
                ;
            if (n < 0) {
                st = xerr(x, err, z.st, name, "%s", z.msg);
                goto out;
            }
            total += z.produced;
        }
        if (total > x->lim.max_total_bytes) {
            st = xerr(x, err, DTP_ERR_LIMIT, NULL,
                      "zip entries hold more than %llu bytes uncompressed",
                      (unsigned long long)x->lim.max_total_bytes);
            goto out;
        }
    }
out:
    archive_read_free(a);
    return st;
}

/* ---- XML ---- */

typedef struct xdoc {
    xmlTextReaderPtr r;
    zpart z;
    char xmsg[300]; /* first libxml2 error */
    int xline;
} xdoc;

static void xdoc_on_error(void *arg, const char *msg, xmlParserSeverities sev,
                          xmlTextReaderLocatorPtr loc)
{
    xdoc *d = arg;
    if (d->xmsg[0] || sev == XML_PARSER_SEVERITY_WARNING ||
        sev == XML_PARSER_SEVERITY_VALIDITY_WARNING)
        return;
    snprintf(d->xmsg, sizeof d->xmsg, "%s", msg ? msg : "xml error");
    size_t n = strlen(d->xmsg);
    while (n > 0 && (d->xmsg[n - 1] == '\n' || d->xmsg[n - 1] == ' '))
        d->xmsg[--n] = '\0';
    d->xline = loc ? xmlTextReaderLocatorLineNumber(loc) : 0;
}

static dtp_status xdoc_open(dtp_xlsx *x, const char *part, xdoc *d, dtp_error *err)
{
    memset(d, 0, sizeof *d);
    dtp_status st = zpart_open(x, part, &d->z, err);
    if (st != DTP_OK)
        return st;
    /* No NOENT (no entity substitution), no DTDLOAD/DTDATTR (no external subsets), no network,
     * no HUGE (libxml2 keeps its own text-node and depth limits), nothing printed. */
    int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
    d->r = xmlReaderForIO(zpart_read, NULL, &d->z, part, NULL, opts);
    if (!d->r) {
        zpart_close(&d->z);
        return xerr(x, err, DTP_ERR_NOMEM, part, "cannot create xml reader");
    }
    xmlTextReaderSetErrorHandler(d->r, xdoc_on_error, d);
    return DTP_OK;
}

static void xdoc_close(xdoc *d)
{
    if (d->r)
        xmlFreeTextReader(d->r);
    d->r = NULL;
    zpart_close(&d->z);
}

/* Advance one node. *more = 0 at the end of the document. */
static dtp_status xdoc_next(dtp_xlsx *x, xdoc *d, int *more, dtp_error *err)
{
    int r = xmlTextReaderRead(d->r);
    *more = 0;
    if (r == 1) {
        int t = xmlTextReaderNodeType(d->r);
        if (t == XML_READER_TYPE_DOCUMENT_TYPE || t == XML_READER_TYPE_ENTITY ||
            t == XML_READER_TYPE_ENTITY_REFERENCE || t == XML_READER_TYPE_NOTATION)
            return xerr(x, err, DTP_ERR_PARSE, d->z.part,
                        "%s: DOCTYPE or entity refused (entity declarations are not allowed in "
                        "an xlsx part)",
                        d->z.part);
        *more = 1;
        return DTP_OK;
    }
    if (r == 0 && d->z.st == DTP_OK && !d->xmsg[0])
        return DTP_OK;
    if (d->z.st != DTP_OK)
        return xerr(x, err, d->z.st, d->z.part, "%s", d->z.msg);
    char loc[XLSX_MAX_NAME + 32];
    snprintf(loc, sizeof loc, "%s:%d", d->z.part, d->xline);
    return xerr(x, err, DTP_ERR_PARSE, loc, "%s:%d: malformed xml: %s", d->z.part, d->xline,
                d->xmsg[0] ? d->xmsg : "parse error");
}

static const char *lname(xdoc *d)
{
    const xmlChar *n = xmlTextReaderConstLocalName(d->r);
    return n ? (const char *)n : "";
}

/* Copy of an attribute value (NULL when absent), capped. Caller frees with free(). */
static char *attr_dup(xdoc *d, const char *name)
{
    xmlChar *v = xmlTextReaderGetAttribute(d->r, (const xmlChar *)name);
    if (!v)
        return NULL;
    char *s = strndup((const char *)v, XLSX_MAX_ATTR);
    xmlFree(v);
    return s;
}

static char *attr_rid(xdoc *d)
{
    for (size_t i = 0; i < sizeof rel_ns / sizeof rel_ns[0]; i++) {
        xmlChar *v =
            xmlTextReaderGetAttributeNs(d->r, (const xmlChar *)"id", (const xmlChar *)rel_ns[i]);
        if (v) {
            char *s = strndup((const char *)v, XLSX_MAX_ATTR);
            xmlFree(v);
            return s;
        }
    }
    return attr_dup(d, "r:id");
}

static int is_text_node(int t)
{
    return t == XML_READER_TYPE_TEXT || t == XML_READER_TYPE_CDATA ||
           t == XML_READER_TYPE_WHITESPACE || t == XML_READER_TYPE_SIGNIFICANT_WHITESPACE;
}

/* ---- workbook and relationships ---- */

static dtp_status read_workbook(dtp_xlsx *x, dtp_error *err)
{
    xdoc d;
    int more;
    size_t cap = 0;
    dtp_status st = xdoc_open(x, "xl/workbook.xml", &d, err);
    if (st != DTP_OK)
        return st;
    while ((st = xdoc_next(x, &d, &more, err)) == DTP_OK && more) {
        if (xmlTextReaderNodeType(d.r) != XML_READER_TYPE_ELEMENT || strcmp(lname(&d), "sheet"))
            continue;
        if (x->n_sheets >= x->lim.max_sheets) {
            st = xerr(x, err, DTP_ERR_LIMIT, "xl/workbook.xml", "more than %zu sheets",
                      x->lim.max_sheets);
            break;
        }
        if (x->n_sheets == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            xlsx_sheet *n = realloc(x->sheets, ncap * sizeof *n);
            if (!n) {
                st = xerr(x, err, DTP_ERR_NOMEM, NULL, "out of memory");
                break;
            }
            x->sheets = n;
            cap = ncap;
        }
        xlsx_sheet *s = &x->sheets[x->n_sheets++];
        s->name = attr_dup(&d, "name");
        s->rid = attr_rid(&d);
        s->part = NULL;
        if (!s->name)
            s->name = strdup("");
        if (!s->name) {
            st = xerr(x, err, DTP_ERR_NOMEM, NULL, "out of memory");
            break;
        }
    }
    xdoc_close(&d);
    return st;
}

/* Resolve a relationship target against xl/ and normalise `.` and `..`; NULL when it climbs out
 * of the package. Caller frees. */
static char *resolve_target(const char *target)
{
    char joined[2 * XLSX_MAX_NAME + 8];
    char out[2 * XLSX_MAX_NAME + 8];
    size_t o = 0;
    if (!target || strlen(target) > XLSX_MAX_NAME)
        return NULL;
    if (target[0] == '/')
        snprintf(joined, sizeof joined, "%s", target + 1);
    else
        snprintf(joined, sizeof joined, "xl/%s", target);
    const char *s = joined;
    for (;;) {
        const char *e = strchr(s, '/');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n == 0 || (n == 1 && s[0] == '.')) {
            /* skip */
        } else if (n == 2 && s[0] == '.' && s[1] == '.') {
            if (o == 0)
                return NULL;
            while (o > 0 && out[o - 1] != '/')
                o--;
            if (o > 0)
                o--; /* drop the slash too */
        } else {
            if (o > 0)
                out[o++] = '/';
            memcpy(out + o, s, n);
            o += n;
        }
        if (!e)
            break;
        s = e + 1;
    }
    out[o] = '\0';
    return o ? strdup(out) : NULL;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static dtp_status read_rels(dtp_xlsx *x, char **sst_part, dtp_error *err)
{
    xdoc d;
    int more;
    dtp_status st = xdoc_open(x, "xl/_rels/workbook.xml.rels", &d, err);
    *sst_part = NULL;
    if (st != DTP_OK)
        return st;
    while ((st = xdoc_next(x, &d, &more, err)) == DTP_OK && more) {
        if (xmlTextReaderNodeType(d.r) != XML_READER_TYPE_ELEMENT ||
            strcmp(lname(&d), "Relationship"))
            continue;
        char *id = attr_dup(&d, "Id");
        char *type = attr_dup(&d, "Type");
        char *target = attr_dup(&d, "Target");
        char *mode = attr_dup(&d, "TargetMode");
        if (id && type && target && !(mode && strcasecmp(mode, "External") == 0)) {
            if (ends_with(type, "/worksheet")) {
                for (size_t i = 0; i < x->n_sheets; i++) {
                    if (x->sheets[i].rid && !x->sheets[i].part && strcmp(x->sheets[i].rid, id) == 0)
                        x->sheets[i].part = resolve_target(target);
                }
            } else if (ends_with(type, "/sharedStrings") && !*sst_part) {
                *sst_part = resolve_target(target);
            }
        }
        free(id);
        free(type);
        free(target);
        free(mode);
    }
    xdoc_close(&d);
    return st;
}

/* ---- shared strings ---- */

static dtp_status sst_push(dtp_xlsx *x, const dtp_buf *text, dtp_error *err)
{
    if (x->sst_count >= x->lim.max_shared_strings)
        return xerr(x, err, DTP_ERR_LIMIT, "xl/sharedStrings.xml", "more than %zu shared strings",
                    x->lim.max_shared_strings);
    if (x->sst_count == x->sst_cap) {
        size_t ncap = x->sst_cap ? x->sst_cap * 2 : 256;
        size_t *n = realloc(x->sst_off, ncap * sizeof *n);
        if (!n)
            return xerr(x, err, DTP_ERR_NOMEM, NULL, "out of memory");
        x->sst_off = n;
        x->sst_cap = ncap;
    }
    size_t off = x->sst_pool.len;
    if (dtp_buf_append(&x->sst_pool, text->data ? text->data : "", text->len) != DTP_OK ||
        dtp_buf_append(&x->sst_pool, "", 1) != DTP_OK)
        return xerr(x, err, DTP_ERR_LIMIT, "xl/sharedStrings.xml",
                    "shared strings hold more than %zu bytes", x->lim.max_shared_bytes);
    x->sst_off[x->sst_count++] = off;
    return DTP_OK;
}

static dtp_status read_sst(dtp_xlsx *x, const char *part, dtp_error *err)
{
    xdoc d;
    int more;
    int in_si = 0, in_t = 0, rph = 0;
    dtp_buf text;
    dtp_buf_init(&text, x->lim.max_cell_bytes);
    dtp_status st = xdoc_open(x, part, &d, err);
    if (st != DTP_OK)
        return st;
    while ((st = xdoc_next(x, &d, &more, err)) == DTP_OK && more) {
        int t = xmlTextReaderNodeType(d.r);
        if (t == XML_READER_TYPE_ELEMENT) {
            const char *n = lname(&d);
            int empty = xmlTextReaderIsEmptyElement(d.r);
            if (strcmp(n, "si") == 0) {
                dtp_buf_reset(&text);
                in_si = 1;
                if (empty) {
                    in_si = 0;
                    if ((st = sst_push(x, &text, err)) != DTP_OK)
                        break;
                }
            } else if (strcmp(n, "rPh") == 0 && !empty) {
                rph = 1; /* phonetic reading: not part of the cell text */
            } else if (strcmp(n, "t") == 0 && !empty && in_si && !rph) {
                in_t = 1;
            }
        } else if (t == XML_READER_TYPE_END_ELEMENT) {
            const char *n = lname(&d);
            if (strcmp(n, "t") == 0)
                in_t = 0;
            else if (strcmp(n, "rPh") == 0)
                rph = 0;
            else if (strcmp(n, "si") == 0 && in_si) {
                in_si = 0;
                if ((st = sst_push(x, &text, err)) != DTP_OK)
                    break;
            }
        } else if (in_t && is_text_node(t)) {
            const xmlChar *v = xmlTextReaderConstValue(d.r);
            if (v && dtp_buf_puts(&text, (const char *)v) != DTP_OK) {
                char loc[64];
                snprintf(loc, sizeof loc, "%s:si[%zu]", part, x->sst_count);
                st = xerr(x, err, DTP_ERR_LIMIT, loc, "shared string %zu longer than %zu bytes",
                          x->sst_count, x->lim.max_cell_bytes);
                break;
            }
        }
    }
    xdoc_close(&d);
    dtp_buf_free(&text);
    return st;
}

/* ---- open ---- */

static dtp_xlsx *xlsx_new(const dtp_xlsx_limits *lim)
{
    dtp_xlsx *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    if (lim)
        x->lim = *lim;
    else
        dtp_xlsx_limits_default(&x->lim);
    dtp_buf_init(&x->sst_pool, x->lim.max_shared_bytes ? x->lim.max_shared_bytes : 1);
    return x;
}

static dtp_xlsx *xlsx_load(dtp_xlsx *x, dtp_error *err)
{
    char *sst_part = NULL;
    dtp_status st;
    xmlInitParser();
    if ((st = zip_index(x, err)) != DTP_OK)
        goto fail;
    if (!has_entry(x, "xl/workbook.xml")) {
        xerr(x, err, DTP_ERR_UNSUPPORTED, NULL, "no xl/workbook.xml: not an xlsx workbook");
        goto fail;
    }
    if ((st = read_workbook(x, err)) != DTP_OK)
        goto fail;
    if (has_entry(x, "xl/_rels/workbook.xml.rels")) {
        if ((st = read_rels(x, &sst_part, err)) != DTP_OK)
            goto fail;
    }
    /* Some writers omit the relationship for shared strings; the conventional name is used. */
    if (!sst_part && has_entry(x, "xl/sharedStrings.xml"))
        sst_part = strdup("xl/sharedStrings.xml");
    if (sst_part && has_entry(x, sst_part)) {
        if ((st = read_sst(x, sst_part, err)) != DTP_OK)
            goto fail;
    }
    x->ws = calloc(x->n_sheets ? x->n_sheets : 1, sizeof *x->ws);
    if (!x->ws) {
        xerr(x, err, DTP_ERR_NOMEM, NULL, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < x->n_sheets; i++)
        if (x->sheets[i].part && has_entry(x, x->sheets[i].part))
            x->ws[x->n_ws++] = i;
    free(sst_part);
    return x;
fail:
    free(sst_part);
    dtp_xlsx_free(x);
    return NULL;
}

dtp_xlsx *dtp_xlsx_open_memory(const void *bytes, size_t n, const char *name,
                               const dtp_xlsx_limits *lim, dtp_error *err)
{
    dtp_xlsx *x = xlsx_new(lim);
    if (!x) {
        dtp_error_set(err, DTP_ERR_NOMEM, "fetch", "xlsx: out of memory");
        return NULL;
    }
    x->mem = bytes;
    x->mem_len = n;
    x->name = strdup(name ? name : "workbook");
    if (!x->name || (!bytes && n)) {
        dtp_error_set(err, x->name ? DTP_ERR_USAGE : DTP_ERR_NOMEM, "fetch",
                      "xlsx: no bytes given");
        dtp_xlsx_free(x);
        return NULL;
    }
    if (!bytes || n == 0) {
        xerr(x, err, DTP_ERR_PARSE, NULL, "empty input: not an xlsx workbook");
        dtp_xlsx_free(x);
        return NULL;
    }
    return xlsx_load(x, err);
}

dtp_xlsx *dtp_xlsx_open_file(const char *path, const dtp_xlsx_limits *lim, dtp_error *err)
{
    dtp_xlsx *x = xlsx_new(lim);
    if (!x) {
        dtp_error_set(err, DTP_ERR_NOMEM, "fetch", "xlsx: out of memory");
        return NULL;
    }
    x->path = strdup(path ? path : "");
    x->name = strdup(path ? path : "");
    if (!x->path || !x->name) {
        dtp_error_set(err, DTP_ERR_NOMEM, "fetch", "xlsx: out of memory");
        dtp_xlsx_free(x);
        return NULL;
    }
    return xlsx_load(x, err);
}

void dtp_xlsx_free(dtp_xlsx *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->n_entries; i++)
        free(x->entries[i]);
    free(x->entries);
    for (size_t i = 0; i < x->n_sheets; i++) {
        free(x->sheets[i].name);
        free(x->sheets[i].rid);
        free(x->sheets[i].part);
    }
    free(x->sheets);
    free(x->ws);
    dtp_buf_free(&x->sst_pool);
    free(x->sst_off);
    free(x->path);
    free(x->name);
    free(x);
}

size_t dtp_xlsx_sheet_count(const dtp_xlsx *x)
{
    return x ? x->n_ws : 0;
}

const char *dtp_xlsx_sheet_name(const dtp_xlsx *x, size_t i)
{
    return x && i < x->n_ws ? x->sheets[x->ws[i]].name : NULL;
}

const char *dtp_xlsx_sheet_part(const dtp_xlsx *x, size_t i)
{
    return x && i < x->n_ws ? x->sheets[x->ws[i]].part : NULL;
}

const char *dtp_xlsx_name(const dtp_xlsx *x)
{
    return x ? x->name : NULL;
}

/* ---- sheets ---- */

enum { PASS_CELLS = 1, PASS_MERGES = 2 };

typedef struct sheet_state {
    dtp_xlsx *x;
    const char *sheet;
    const dtp_xlsx_handlers *h;
    void *ctx;
    int pass;
    uint32_t row, col; /* current row; last column seen in it */
    int in_row, in_c, in_v, in_is, in_t, rph;
    char ctype[16];
    int has_value;
    dtp_buf text;
    size_t merges;
} sheet_state;

static dtp_status cell_error(sheet_state *s, dtp_error *err, dtp_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static dtp_status cell_error(sheet_state *s, dtp_error *err, dtp_status st, const char *fmt, ...)
{
    char ref[16], loc[DTP_ERR_LOCATOR_MAX], msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    dtp_xlsx_format_ref(s->row, s->col, ref, sizeof ref);
    snprintf(loc, sizeof loc, "%.400s!%s", s->sheet, ref);
    return xerr(s->x, err, st, loc, "sheet '%.200s' cell %s: %s", s->sheet, ref, msg);
}

static dtp_status emit_cell(sheet_state *s, dtp_error *err)
{
    dtp_xlsx_cell c;
    char ref[16];
    const char *v = dtp_buf_str(&s->text);
    memset(&c, 0, sizeof c);
    c.sheet = s->sheet;
    c.row = s->row;
    c.col = s->col;
    c.ref = dtp_xlsx_format_ref(s->row, s->col, ref, sizeof ref);
    c.value = v;
    c.value_len = s->text.len;
    if (!s->has_value) {
        c.type = DTP_XLSX_BLANK;
        c.value = "";
        c.value_len = 0;
    } else if (strcmp(s->ctype, "s") == 0) {
        char *end;
        errno = 0;
        unsigned long long idx = strtoull(v, &end, 10);
        while (*end == ' ')
            end++;
        if (errno || end == v || *end || v[0] == '-' || idx >= s->x->sst_count)
            return cell_error(s, err, DTP_ERR_PARSE,
                              "shared string index '%.40s' out of range (%zu strings)", v,
                              s->x->sst_count);
        c.type = DTP_XLSX_STRING;
        c.value = s->x->sst_pool.data + s->x->sst_off[idx];
        c.value_len = strlen(c.value);
    } else if (strcmp(s->ctype, "str") == 0 || strcmp(s->ctype, "inlineStr") == 0) {
        c.type = DTP_XLSX_STRING;
    } else if (strcmp(s->ctype, "b") == 0) {
        if (strcmp(v, "0") && strcmp(v, "1"))
            return cell_error(s, err, DTP_ERR_PARSE, "boolean '%.40s' is not 0 or 1", v);
        c.type = DTP_XLSX_BOOL;
        c.number = v[0] == '1';
    } else if (strcmp(s->ctype, "e") == 0) {
        c.type = DTP_XLSX_ERROR;
    } else if (strcmp(s->ctype, "d") == 0) {
        c.type = DTP_XLSX_DATE;
    } else if (s->ctype[0] == '\0' || strcmp(s->ctype, "n") == 0) {
        char *end;
        errno = 0;
        double d = strtod(v, &end);
        if (end == v || *end || errno == ERANGE || !isfinite(d))
            return cell_error(s, err, DTP_ERR_PARSE, "number '%.40s' is not a finite number", v);
        c.type = DTP_XLSX_NUMBER;
        c.number = d;
    } else {
        return cell_error(s, err, DTP_ERR_PARSE, "unknown cell type '%s'", s->ctype);
    }
    if (s->h->cell)
        return s->h->cell(s->ctx, &c, err);
    return DTP_OK;
}

/* Attributes r and t of the current <c>, copied without allocating: this runs once per cell.
 * Values too long for the buffers are cut, which makes them invalid, which is reported. */
static void cell_attrs(xdoc *d, char *r, size_t rn, char *t, size_t tn, int *has_r)
{
    r[0] = t[0] = '\0';
    *has_r = 0;
    while (xmlTextReaderMoveToNextAttribute(d->r) == 1) {
        const char *n = (const char *)xmlTextReaderConstLocalName(d->r);
        const char *v = (const char *)xmlTextReaderConstValue(d->r);
        if (!n || !v || xmlTextReaderConstNamespaceUri(d->r))
            continue;
        if (strcmp(n, "r") == 0) {
            snprintf(r, rn, "%s", v);
            *has_r = 1;
        } else if (strcmp(n, "t") == 0) {
            snprintf(t, tn, "%s", v);
        }
    }
    xmlTextReaderMoveToElement(d->r);
}

static dtp_status start_cell(sheet_state *s, xdoc *d, dtp_error *err)
{
    char r[24];
    int has_r;
    cell_attrs(d, r, sizeof r, s->ctype, sizeof s->ctype, &has_r);
    if (has_r) {
        uint32_t row, col;
        if (dtp_xlsx_parse_ref(r, &row, &col) != DTP_OK || row != s->row) {
            s->col++;
            return cell_error(s, err, DTP_ERR_PARSE, "bad cell reference '%.20s' in row %u", r,
                              (unsigned)s->row);
        }
        s->col = col;
    } else {
        if (s->col >= XLSX_MAX_COL)
            return cell_error(s, err, DTP_ERR_PARSE, "more than %u columns", XLSX_MAX_COL);
        s->col++;
    }
    s->has_value = 0;
    dtp_buf_reset(&s->text);
    return DTP_OK;
}

static dtp_status start_row(sheet_state *s, xdoc *d, dtp_error *err)
{
    char *r = attr_dup(d, "r");
    dtp_status st = DTP_OK;
    if (r) {
        char *end;
        errno = 0;
        long v = strtol(r, &end, 10);
        if (errno || end == r || *end || v < 1 || v > (long)XLSX_MAX_ROW) {
            st = xerr(s->x, err, DTP_ERR_PARSE, s->sheet, "sheet '%.200s': bad row number '%.20s'",
                      s->sheet, r);
            goto out;
        }
        s->row = (uint32_t)v;
    } else {
        if (s->row >= XLSX_MAX_ROW) {
            st = xerr(s->x, err, DTP_ERR_PARSE, s->sheet, "sheet '%.200s': more than %u rows",
                      s->sheet, XLSX_MAX_ROW);
            goto out;
        }
        s->row++;
    }
    s->col = 0;
out:
    free(r);
    return st;
}

static dtp_status on_merge(sheet_state *s, xdoc *d, dtp_error *err)
{
    char *ref = attr_dup(d, "ref");
    dtp_status st = DTP_OK;
    dtp_xlsx_range rg;
    if (!ref)
        return DTP_OK;
    if (++s->merges > s->x->lim.max_merges) {
        st = xerr(s->x, err, DTP_ERR_LIMIT, s->sheet, "sheet '%.200s': more than %zu merge ranges",
                  s->sheet, s->x->lim.max_merges);
        goto out;
    }
    char *colon = strchr(ref, ':');
    if (colon)
        *colon = '\0';
    if (dtp_xlsx_parse_ref(ref, &rg.row1, &rg.col1) != DTP_OK ||
        dtp_xlsx_parse_ref(colon ? colon + 1 : ref, &rg.row2, &rg.col2) != DTP_OK) {
        if (colon)
            *colon = ':';
        st = xerr(s->x, err, DTP_ERR_PARSE, s->sheet, "sheet '%.200s': bad merge range '%.40s'",
                  s->sheet, ref);
        goto out;
    }
    if (colon)
        *colon = ':';
    if (rg.row2 < rg.row1) {
        uint32_t tmp = rg.row1;
        rg.row1 = rg.row2;
        rg.row2 = tmp;
    }
    if (rg.col2 < rg.col1) {
        uint32_t tmp = rg.col1;
        rg.col1 = rg.col2;
        rg.col2 = tmp;
    }
    rg.ref = ref;
    if (s->h->merge)
        st = s->h->merge(s->ctx, s->sheet, &rg, err);
out:
    free(ref);
    return st;
}

static dtp_status sheet_pass(dtp_xlsx *x, size_t i, const dtp_xlsx_handlers *h, void *ctx, int pass,
                             dtp_error *err)
{
    sheet_state s;
    xdoc d;
    int more;
    memset(&s, 0, sizeof s);
    s.x = x;
    s.sheet = x->sheets[x->ws[i]].name;
    s.h = h;
    s.ctx = ctx;
    s.pass = pass;
    dtp_buf_init(&s.text, x->lim.max_cell_bytes);
    dtp_status st = xdoc_open(x, x->sheets[x->ws[i]].part, &d, err);
    if (st != DTP_OK)
        return st;
    while ((st = xdoc_next(x, &d, &more, err)) == DTP_OK && more) {
        int t = xmlTextReaderNodeType(d.r);
        if (t == XML_READER_TYPE_ELEMENT) {
            const char *n = lname(&d);
            int empty = xmlTextReaderIsEmptyElement(d.r);
            if (strcmp(n, "sheetData") == 0 && !(pass & PASS_CELLS) && !empty) {
                /* merges-only pass: the cells are parsed (well-formedness) but not looked at */
                int r = xmlTextReaderNext(d.r);
                if (r == 1)
                    continue;
                if ((st = xdoc_next(x, &d, &more, err)) != DTP_OK || !more)
                    break;
            } else if (strcmp(n, "row") == 0 && (pass & PASS_CELLS)) {
                if ((st = start_row(&s, &d, err)) != DTP_OK)
                    break;
                s.in_row = !empty;
                if (empty && h->row_end && (st = h->row_end(ctx, s.sheet, s.row, err)) != DTP_OK)
                    break;
            } else if (strcmp(n, "c") == 0 && s.in_row) {
                if ((st = start_cell(&s, &d, err)) != DTP_OK)
                    break;
                s.in_c = !empty;
                if (empty && (st = emit_cell(&s, err)) != DTP_OK)
                    break;
            } else if (s.in_c && strcmp(n, "v") == 0) {
                s.has_value = 1;
                s.in_v = !empty;
            } else if (s.in_c && strcmp(n, "is") == 0) {
                s.has_value = 1;
                s.in_is = !empty;
            } else if (s.in_is && strcmp(n, "rPh") == 0 && !empty) {
                s.rph = 1;
            } else if (s.in_is && strcmp(n, "t") == 0 && !s.rph) {
                s.in_t = !empty;
            } else if (strcmp(n, "mergeCell") == 0 && (pass & PASS_MERGES)) {
                if ((st = on_merge(&s, &d, err)) != DTP_OK)
                    break;
            }
        } else if (t == XML_READER_TYPE_END_ELEMENT) {
            const char *n = lname(&d);
            if (strcmp(n, "c") == 0 && s.in_c) {
                s.in_c = s.in_v = s.in_is = s.in_t = s.rph = 0;
                if ((st = emit_cell(&s, err)) != DTP_OK)
                    break;
            } else if (strcmp(n, "row") == 0 && s.in_row) {
                s.in_row = 0;
                if (h->row_end && (st = h->row_end(ctx, s.sheet, s.row, err)) != DTP_OK)
                    break;
            } else if (strcmp(n, "v") == 0) {
                s.in_v = 0;
            } else if (strcmp(n, "is") == 0) {
                s.in_is = 0;
            } else if (strcmp(n, "t") == 0) {
                s.in_t = 0;
            } else if (strcmp(n, "rPh") == 0) {
                s.rph = 0;
            }
        } else if ((s.in_v || s.in_t) && is_text_node(t)) {
            const xmlChar *v = xmlTextReaderConstValue(d.r);
            if (v && dtp_buf_puts(&s.text, (const char *)v) != DTP_OK) {
                st = cell_error(&s, err, DTP_ERR_LIMIT, "text longer than %zu bytes",
                                x->lim.max_cell_bytes);
                break;
            }
        }
    }
    xdoc_close(&d);
    dtp_buf_free(&s.text);
    return st;
}

dtp_status dtp_xlsx_read_sheet(dtp_xlsx *x, size_t i, const dtp_xlsx_handlers *h, void *ctx,
                               dtp_error *err)
{
    if (!x || !h || i >= x->n_ws)
        return dtp_error_set(err, DTP_ERR_USAGE, "fetch", "xlsx: no sheet %zu", i);
    if (h->merges_first) {
        dtp_status st = sheet_pass(x, i, h, ctx, PASS_MERGES, err);
        if (st != DTP_OK)
            return st;
        return sheet_pass(x, i, h, ctx, PASS_CELLS, err);
    }
    return sheet_pass(x, i, h, ctx, PASS_CELLS | PASS_MERGES, err);
}
