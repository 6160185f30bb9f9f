/* See crosswalk.h. The tables are small (a few hundred rows each), so lookups scan arrays:
 * simple to read, and a full scan is what finds every conflicting match of a normalised key. */
#include "clean/crosswalk.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clean/csvtable.h"
#include "common/buf.h"
#include "common/sha256.h"

#define XW_NORM_MAX 512
#define XW_JSON_MAX (8u * 1024u * 1024u)

typedef struct xw_country {
    char iso3[4], iso2[3], num[4];
    char *name;     /* ISO short name (or the alias label of a user-assigned code) */
    unsigned flags; /* DTP_XW_FLAG_USER_ASSIGNED for codes outside ISO 3166-1 */
} xw_country;

typedef struct xw_aggregate {
    char *code, *system, *name, *note;
} xw_aggregate;

typedef enum xw_src { SRC_ALIAS, SRC_AGGREGATE, SRC_ISO } xw_src;

/* One label in the name index. */
typedef struct xw_name {
    char *label;
    char *norm;
    char *system; /* alias/aggregate system; NULL for ISO and M49 names */
    char *note;   /* alias note; borrowed from the aggregate for aggregates */
    xw_src src;
    dtp_xw_kind kind; /* COUNTRY or AGGREGATE */
    int idx;          /* into countries or aggregates */
} xw_name;

/* A code of a code system, wb_code or owid_code, from the alias table. */
typedef struct xw_codealias {
    char *code, *system, *note;
    int country;
} xw_codealias;

typedef struct xw_m49 {
    char code[4];
    int country;   /* -1 when the row has no ISO code (e.g. Sark) */
    int aggregate; /* region codes are aggregates */
} xw_m49;

typedef struct xw_ignore {
    char *label, *system, *reason;
} xw_ignore;

struct dtp_xw {
    xw_country *countries;
    size_t ncountries, capcountries;
    xw_aggregate *aggs;
    size_t naggs, capaggs;
    xw_name *names;
    size_t nnames, capnames;
    xw_codealias *codealiases;
    size_t ncodealiases, capcodealiases;
    xw_m49 *m49;
    size_t nm49, capm49;
    xw_ignore *ignores;
    size_t nignores, capignores;
    size_t iso_loaded; /* countries that come from the ISO table */
    char iso_version[64];
    char sha_iso[65], sha_m49[65], sha_aliases[65], sha_aggs[65], sha_ignore[65];
    char *version;
};

/* ---- small helpers ---------------------------------------------------------------------- */

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 1;
    size_t ncap = *cap ? *cap * 2 : 32;
    while (ncap < need)
        ncap *= 2;
    void *q = realloc(*p, ncap * elem);
    if (!q)
        return 0;
    *p = q;
    *cap = ncap;
    return 1;
}

static char *dupstr(const char *s)
{
    return strdup(s ? s : "");
}

static int is_upper3(const char *s)
{
    return strlen(s) == 3 && isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]) &&
           isupper((unsigned char)s[2]);
}

/* ISO 3166-1 reserves AAA-AAZ, QMA-QZZ, XAA-XZZ and ZZA-ZZZ for user assignment. */
static int user_assigned(const char *c)
{
    if (!is_upper3(c))
        return 0;
    if (c[0] == 'A' && c[1] == 'A')
        return 1;
    if (c[0] == 'Q' && c[1] >= 'M')
        return 1;
    if (c[0] == 'X')
        return 1;
    if (c[0] == 'Z' && c[1] == 'Z')
        return 1;
    return 0;
}

static const char *const name_systems[] = {"unctad_label", "wb_name", "isosurvey_name", "owid_name",
                                           "name"};
static const char *const code_systems[] = {"iso3", "iso2", "m49", "wb_code", "owid_code"};

static int in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return 1;
    return 0;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int is_name_system(const char *s)
{
    return in_list(s, name_systems, NELEM(name_systems));
}

static int is_code_system(const char *s)
{
    return in_list(s, code_systems, NELEM(code_systems));
}

static int find_iso3(const dtp_xw *xw, const char *code)
{
    for (size_t i = 0; i < xw->ncountries; i++)
        if (strcmp(xw->countries[i].iso3, code) == 0)
            return (int)i;
    return -1;
}

/* ---- normalisation ---------------------------------------------------------------------- */

/* Lower-case ASCII base letters of U+00C0..U+00FF; '*' marks two-letter folds handled below,
 * ' ' marks the multiplication and division signs. */
static const char latin1_fold[] =
    "aaaaaa*ceeeeiiiidnooooo ouuuuy**aaaaaa*ceeeeiiiidnooooo ouuuuy*y";
/* U+0100..U+017F (Latin Extended-A), 16 per line. */
static const char latin_ext_a_fold[] = "aaaaaaccccccccdd"
                                       "ddeeeeeeeeeegggg"
                                       "gggghhhhiiiiiiii"
                                       "iiiijjkkklllllll"
                                       "lllnnnnnnnnnoooo"
                                       "oooorrrrrrssssss"
                                       "sstttttttuuuuuuu"
                                       "uuuuwwyyyzzzzzzs";

/* Decode one UTF-8 sequence at s; returns its length (1 for invalid bytes) and the code point
 * (or -1 when invalid). */
static size_t utf8_next(const unsigned char *s, long *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xE0) == 0xC0 && (s[1] & 0xC0) == 0x80) {
        *cp = ((long)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if ((s[0] & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
        *cp = ((long)(s[0] & 0x0F) << 12) | ((long)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        return 3;
    }
    if ((s[0] & 0xF8) == 0xF0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 &&
        (s[3] & 0xC0) == 0x80) {
        *cp = ((long)(s[0] & 0x07) << 18) | ((long)(s[1] & 0x3F) << 12) |
              ((long)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
        return 4;
    }
    *cp = -1;
    return 1;
}

typedef struct normbuf {
    char *out;
    size_t sz, len;
    int space_pending;
} normbuf;

static void nb_put(normbuf *nb, const char *s, size_t n)
{
    if (nb->space_pending && nb->len > 0 && nb->len + 1 < nb->sz)
        nb->out[nb->len++] = ' ';
    nb->space_pending = 0;
    for (size_t i = 0; i < n && nb->len + 1 < nb->sz; i++)
        nb->out[nb->len++] = s[i];
}

char *dtp_xw_normalise(const char *label, char *out, size_t outsz)
{
    char tmp[XW_NORM_MAX * 2];
    normbuf nb = {tmp, sizeof tmp, 0, 0};
    const unsigned char *s = (const unsigned char *)(label ? label : "");
    if (outsz == 0)
        return out;
    while (*s) {
        long cp;
        size_t adv = utf8_next(s, &cp);
        if (cp >= 0 && cp < 0x80) {
            char c = (char)cp;
            if (isalnum((unsigned char)c)) {
                char lc = (char)tolower((unsigned char)c);
                nb_put(&nb, &lc, 1);
            } else if (c == '&') {
                nb.space_pending = 1;
                nb_put(&nb, "and", 3);
                nb.space_pending = 1;
            } else if (c == '\'') {
                /* "Cote d'Ivoire" and "Côte d’Ivoire" both become "cote d ivoire". */
                nb.space_pending = 1;
            } else {
                nb.space_pending = 1;
            }
        } else if (cp >= 0xC0 && cp <= 0xFF) {
            char f = latin1_fold[cp - 0xC0];
            if (f == '*') {
                const char *two = (cp == 0xC6 || cp == 0xE6) ? "ae" : (cp == 0xDF) ? "ss" : "th";
                nb_put(&nb, two, 2);
            } else if (f == ' ') {
                nb.space_pending = 1;
            } else {
                nb_put(&nb, &f, 1);
            }
        } else if (cp >= 0x100 && cp <= 0x17F) {
            if (cp == 0x152 || cp == 0x153)
                nb_put(&nb, "oe", 2);
            else
                nb_put(&nb, &latin_ext_a_fold[cp - 0x100], 1);
        } else if (cp == 0xA0 || (cp >= 0x2000 && cp <= 0x206F) || cp == 0x3000 ||
                   (cp >= 0x80 && cp < 0xC0)) {
            /* spaces, dashes, curly quotes, Latin-1 punctuation */
            nb.space_pending = 1;
        } else {
            nb_put(&nb, (const char *)s, adv);
        }
        s += adv;
    }
    tmp[nb.len] = '\0';
    /* Drop the word "the" and write out with single spaces. */
    size_t o = 0;
    char *w = tmp;
    while (*w) {
        char *e = strchr(w, ' ');
        size_t wl = e ? (size_t)(e - w) : strlen(w);
        if (!(wl == 3 && memcmp(w, "the", 3) == 0)) {
            if (o > 0 && o + 1 < outsz)
                out[o++] = ' ';
            for (size_t i = 0; i < wl && o + 1 < outsz; i++)
                out[o++] = w[i];
        }
        w += wl;
        if (*w == ' ')
            w++;
    }
    out[o] = '\0';
    return out;
}

/* Sovereignty qualifiers some sources append: "Cayman Islands (UK)", "Puerto Rico (US)".
 * Only these are removed; "(Dutch part)", "(French part)", "(country)" or "(UN)" carry meaning. */
static const char *const qualifiers[] = {"uk", "us", "usa", "nl", "fr", "france",
                                         "dk", "no", "au",  "nz", "cn", "china"};

/* When label ends with "(<qualifier>)", write the label without it into out and return 1. */
static int strip_qualifier(const char *label, char *out, size_t outsz)
{
    size_t len = strlen(label);
    while (len && isspace((unsigned char)label[len - 1]))
        len--;
    if (len < 3 || label[len - 1] != ')')
        return 0;
    size_t open = len - 1;
    while (open > 0 && label[open] != '(')
        open--;
    if (label[open] != '(' || open == 0)
        return 0;
    char inner[32];
    size_t il = len - 1 - (open + 1);
    if (il == 0 || il >= sizeof inner)
        return 0;
    memcpy(inner, label + open + 1, il);
    inner[il] = '\0';
    char ni[64];
    dtp_xw_normalise(inner, ni, sizeof ni);
    if (!in_list(ni, qualifiers, NELEM(qualifiers)))
        return 0;
    if (open >= outsz)
        return 0;
    memcpy(out, label, open);
    out[open] = '\0';
    return 1;
}

/* ---- construction ----------------------------------------------------------------------- */

dtp_xw *dtp_xw_new(void)
{
    dtp_xw *xw = calloc(1, sizeof *xw);
    if (xw)
        snprintf(xw->iso_version, sizeof xw->iso_version, "unknown");
    return xw;
}

void dtp_xw_free(dtp_xw *xw)
{
    if (!xw)
        return;
    for (size_t i = 0; i < xw->ncountries; i++)
        free(xw->countries[i].name);
    for (size_t i = 0; i < xw->naggs; i++) {
        free(xw->aggs[i].code);
        free(xw->aggs[i].system);
        free(xw->aggs[i].name);
        free(xw->aggs[i].note);
    }
    for (size_t i = 0; i < xw->nnames; i++) {
        free(xw->names[i].label);
        free(xw->names[i].norm);
        free(xw->names[i].system);
        if (xw->names[i].src == SRC_ALIAS)
            free(xw->names[i].note);
    }
    for (size_t i = 0; i < xw->ncodealiases; i++) {
        free(xw->codealiases[i].code);
        free(xw->codealiases[i].system);
        free(xw->codealiases[i].note);
    }
    for (size_t i = 0; i < xw->nignores; i++) {
        free(xw->ignores[i].label);
        free(xw->ignores[i].system);
        free(xw->ignores[i].reason);
    }
    free(xw->countries);
    free(xw->aggs);
    free(xw->names);
    free(xw->codealiases);
    free(xw->m49);
    free(xw->ignores);
    free(xw->version);
    free(xw);
}

static dtp_status nomem(dtp_error *err)
{
    return dtp_error_set(err, DTP_ERR_NOMEM, "clean", "crosswalk: out of memory");
}

/* Add a label to the name index. note is owned (SRC_ALIAS) or borrowed (aggregates). */
static dtp_status add_name(dtp_xw *xw, const char *label, const char *system, char *note,
                           xw_src src, dtp_xw_kind kind, int idx, dtp_error *err)
{
    char norm[XW_NORM_MAX];
    if (!label || !*label)
        return DTP_OK;
    if (!grow((void **)&xw->names, &xw->capnames, xw->nnames + 1, sizeof(xw_name)))
        return nomem(err);
    xw_name *n = &xw->names[xw->nnames];
    memset(n, 0, sizeof *n);
    n->label = dupstr(label);
    n->norm = dupstr(dtp_xw_normalise(label, norm, sizeof norm));
    n->system = system ? dupstr(system) : NULL;
    if (!n->label || !n->norm || (system && !n->system)) {
        free(n->label);
        free(n->norm);
        free(n->system);
        return nomem(err);
    }
    n->note = note;
    n->src = src;
    n->kind = kind;
    n->idx = idx;
    xw->nnames++;
    return DTP_OK;
}

static dtp_status update_version(dtp_xw *xw, dtp_error *err)
{
    dtp_buf b;
    dtp_buf_init(&b, 1024);
    dtp_status st = dtp_buf_printf(&b, "iso-codes %s sha256:%s", xw->iso_version,
                                   xw->sha_iso[0] ? xw->sha_iso : "-");
    if (st == DTP_OK && xw->sha_m49[0])
        st = dtp_buf_printf(&b, "; m49 sha256:%s", xw->sha_m49);
    if (st == DTP_OK && xw->sha_aliases[0])
        st = dtp_buf_printf(&b, "; aliases sha256:%s", xw->sha_aliases);
    if (st == DTP_OK && xw->sha_aggs[0])
        st = dtp_buf_printf(&b, "; aggregates sha256:%s", xw->sha_aggs);
    if (st == DTP_OK && xw->sha_ignore[0])
        st = dtp_buf_printf(&b, "; ignore sha256:%s", xw->sha_ignore);
    if (st != DTP_OK) {
        dtp_buf_free(&b);
        return nomem(err);
    }
    char *v = dtp_buf_take(&b);
    if (!v)
        return nomem(err);
    free(xw->version);
    xw->version = v;
    return DTP_OK;
}

static dtp_status hash_into(const char *data, size_t n, char out[65], dtp_error *err)
{
    if (dtp_sha256_hex(data, n, out) != DTP_OK)
        return dtp_error_set(err, DTP_ERR_NOMEM, "clean", "crosswalk: sha256 failed");
    return DTP_OK;
}

static dtp_status read_whole(const char *path, dtp_buf *b, dtp_error *err)
{
    char chunk[8192];
    FILE *f = fopen(path, "rb");
    dtp_status st = DTP_OK;
    if (!f) {
        dtp_error_where(err, NULL, NULL, path);
        return dtp_error_set(err, DTP_ERR_IO, "clean", "cannot open file");
    }
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (dtp_buf_append(b, chunk, got) != DTP_OK) {
            dtp_error_where(err, NULL, NULL, path);
            st = dtp_error_set(err, DTP_ERR_LIMIT, "clean", "file larger than %zu bytes", b->max);
            break;
        }
    }
    if (st == DTP_OK && ferror(f)) {
        dtp_error_where(err, NULL, NULL, path);
        st = dtp_error_set(err, DTP_ERR_IO, "clean", "read failed");
    }
    fclose(f);
    return st;
}

/* ---- ISO 3166-1 ------------------------------------------------------------------------- */

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

dtp_status dtp_xw_load_iso_mem(dtp_xw *xw, const char *data, size_t n, const char *name,
                               const char *iso_codes_version, dtp_error *err)
{
    dtp_status st = DTP_OK;
    json_error_t jerr;
    const char *nm = name ? name : "<iso 3166-1>";
    if (xw->ncountries > 0) {
        dtp_error_where(err, NULL, NULL, nm);
        return dtp_error_set(err, DTP_ERR_USAGE, "clean", "crosswalk: iso table already loaded");
    }
    if (n > XW_JSON_MAX) {
        dtp_error_where(err, NULL, NULL, nm);
        return dtp_error_set(err, DTP_ERR_LIMIT, "clean", "iso 3166-1 json over %u bytes",
                             XW_JSON_MAX);
    }
    json_t *root = json_loadb(data, n, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        dtp_error_locatef(err, "%s:%d:%d", nm, jerr.line, jerr.column);
        return dtp_error_set(err, DTP_ERR_PARSE, "clean", "iso 3166-1 json: %s", jerr.text);
    }
    json_t *arr = json_object_get(root, "3166-1");
    if (!json_is_array(arr) || json_array_size(arr) == 0) {
        dtp_error_locatef(err, "%s", nm);
        st = dtp_error_set(err, DTP_ERR_PARSE, "clean",
                           "iso 3166-1 json: no non-empty \"3166-1\" array");
        goto out;
    }
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        const char *a3 = jstr(e, "alpha_3"), *a2 = jstr(e, "alpha_2"), *num = jstr(e, "numeric"),
                   *nmv = jstr(e, "name");
        if (!a3 || !a2 || !num || !nmv || !is_upper3(a3) || strlen(a2) != 2 || strlen(num) != 3 ||
            !*nmv) {
            dtp_error_locatef(err, "%s:$[\"3166-1\"][%zu]", nm, i);
            st = dtp_error_set(err, DTP_ERR_PARSE, "clean",
                               "iso 3166-1 json: entry lacks alpha_2, alpha_3, numeric or name");
            goto out;
        }
        if (find_iso3(xw, a3) >= 0) {
            dtp_error_locatef(err, "%s:$[\"3166-1\"][%zu]", nm, i);
            st = dtp_error_set(err, DTP_ERR_PARSE, "clean", "iso 3166-1 json: duplicate %s", a3);
            goto out;
        }
        if (!grow((void **)&xw->countries, &xw->capcountries, xw->ncountries + 1,
                  sizeof(xw_country))) {
            st = nomem(err);
            goto out;
        }
        xw_country *c = &xw->countries[xw->ncountries];
        memset(c, 0, sizeof *c);
        memcpy(c->iso3, a3, 4);
        memcpy(c->iso2, a2, 3);
        memcpy(c->num, num, 4);
        if (!(c->name = dupstr(nmv))) {
            st = nomem(err);
            goto out;
        }
        int idx = (int)xw->ncountries++;
        static const char *const keys[] = {"name", "official_name", "common_name"};
        for (size_t k = 0; k < NELEM(keys); k++) {
            const char *v = jstr(e, keys[k]);
            if (v &&
                (st = add_name(xw, v, NULL, NULL, SRC_ISO, DTP_XW_COUNTRY, idx, err)) != DTP_OK)
                goto out;
        }
    }
    xw->iso_loaded = xw->ncountries;
    snprintf(xw->iso_version, sizeof xw->iso_version, "%s",
             iso_codes_version && *iso_codes_version ? iso_codes_version : "unknown");
    if ((st = hash_into(data, n, xw->sha_iso, err)) != DTP_OK)
        goto out;
    st = update_version(xw, err);
out:
    json_decref(root);
    return st;
}

/* The iso-codes version from its pkg-config file, when present. */
static void iso_codes_pc_version(char *out, size_t outsz)
{
    char line[256];
    snprintf(out, outsz, "unknown");
    FILE *f = fopen("/usr/share/pkgconfig/iso-codes.pc", "r");
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "Version:", 8) == 0) {
            (void)dtp_clean_trim_copy(line + 8, out, outsz);
            size_t l = strlen(out);
            if (l && out[l - 1] == '\n')
                out[l - 1] = '\0';
            break;
        }
    }
    fclose(f);
}

dtp_status dtp_xw_load_iso_file(dtp_xw *xw, const char *path, const char *iso_codes_version,
                                dtp_error *err)
{
    dtp_buf b;
    char ver[64];
    dtp_buf_init(&b, XW_JSON_MAX);
    dtp_status st = read_whole(path, &b, err);
    if (st == DTP_OK) {
        if (!iso_codes_version)
            iso_codes_pc_version(ver, sizeof ver);
        st = dtp_xw_load_iso_mem(xw, b.data ? b.data : "", b.len, path,
                                 iso_codes_version ? iso_codes_version : ver, err);
    }
    dtp_buf_free(&b);
    return st;
}

/* ---- aggregates ------------------------------------------------------------------------- */

static dtp_status add_aggregate(dtp_xw *xw, const char *code, const char *system, const char *name,
                                const char *note, int *idx, dtp_error *err)
{
    if (!grow((void **)&xw->aggs, &xw->capaggs, xw->naggs + 1, sizeof(xw_aggregate)))
        return nomem(err);
    xw_aggregate *a = &xw->aggs[xw->naggs];
    a->code = dupstr(code);
    a->system = dupstr(system);
    a->name = dupstr(name);
    a->note = dupstr(note);
    if (!a->code || !a->system || !a->name || !a->note) {
        free(a->code);
        free(a->system);
        free(a->name);
        free(a->note);
        return nomem(err);
    }
    *idx = (int)xw->naggs++;
    return add_name(xw, name, system, a->note, SRC_AGGREGATE, DTP_XW_AGGREGATE, *idx, err);
}

static dtp_status field_error(dtp_error *err, const dtp_clean_csv *t, size_t r, const char *field,
                              const char *msg)
{
    dtp_error_locatef(err, "%s:%zu:%s", dtp_clean_csv_name(t), dtp_clean_csv_line(t, r), field);
    return dtp_error_set(err, DTP_ERR_PARSE, "clean", "%s", msg);
}

/* Copy a trimmed cell; an absent cell reads as "". */
static void cell(const dtp_clean_csv *t, size_t r, long c, char *out, size_t outsz)
{
    const char *v = c >= 0 ? dtp_clean_csv_cell(t, r, (size_t)c) : NULL;
    (void)dtp_clean_trim_copy(v ? v : "", out, outsz);
}

dtp_status dtp_xw_load_aggregates_mem(dtp_xw *xw, const char *data, size_t n, const char *name,
                                      dtp_error *err)
{
    static const char *const cols[] = {"code", "system", "name", "source"};
    long idx[4];
    dtp_clean_csv *t = NULL;
    char code[64], system[64], nm[512], source[1024], note[1024];
    dtp_status st = dtp_clean_csv_read_mem(data, n, 0, name, &t, err);
    if (st != DTP_OK)
        return st;
    if ((st = dtp_clean_csv_require(t, cols, 4, idx, "clean", err)) != DTP_OK)
        goto out;
    long inote = dtp_clean_csv_col(t, "note");
    for (size_t r = 1; r < dtp_clean_csv_rows(t); r++) {
        cell(t, r, idx[0], code, sizeof code);
        cell(t, r, idx[1], system, sizeof system);
        cell(t, r, idx[2], nm, sizeof nm);
        cell(t, r, idx[3], source, sizeof source);
        cell(t, r, inote, note, sizeof note);
        if (!is_code_system(system) && !is_name_system(system)) {
            st = field_error(err, t, r, "system", "unknown system");
            goto out;
        }
        if (!*nm) {
            st = field_error(err, t, r, "name", "name is required");
            goto out;
        }
        if (!*source) {
            st = field_error(err, t, r, "source", "source is required");
            goto out;
        }
        if (!*code && is_code_system(system)) {
            st = field_error(err, t, r, "code", "code is required for a code system");
            goto out;
        }
        int ai;
        if ((st = add_aggregate(xw, code, system, nm, note, &ai, err)) != DTP_OK)
            goto out;
    }
    if ((st = hash_into(data, n, xw->sha_aggs, err)) != DTP_OK)
        goto out;
    st = update_version(xw, err);
out:
    dtp_clean_csv_free(t);
    return st;
}

/* ---- M49 -------------------------------------------------------------------------------- */

/* "76" and "076" are the same code; anything but 1-3 digits is not an M49 economy code. */
static int m49_pad(const char *in, char out[4])
{
    char t[8];
    (void)dtp_clean_trim_copy(in, t, sizeof t);
    size_t l = strlen(t);
    if (l == 0 || l > 3)
        return 0;
    for (size_t i = 0; i < l; i++)
        if (!isdigit((unsigned char)t[i]))
            return 0;
    snprintf(out, 4, "%03ld", strtol(t, NULL, 10));
    return 1;
}

static int find_m49(const dtp_xw *xw, const char *code3)
{
    for (size_t i = 0; i < xw->nm49; i++)
        if (strcmp(xw->m49[i].code, code3) == 0)
            return (int)i;
    return -1;
}

static dtp_status add_m49_region(dtp_xw *xw, const char *code, const char *name, dtp_error *err)
{
    char c3[4];
    if (!m49_pad(code, c3) || !*name || find_m49(xw, c3) >= 0)
        return DTP_OK;
    int ai;
    dtp_status st = add_aggregate(xw, c3, "m49", name, "UN M49 region or group", &ai, err);
    if (st != DTP_OK)
        return st;
    if (!grow((void **)&xw->m49, &xw->capm49, xw->nm49 + 1, sizeof(xw_m49)))
        return nomem(err);
    memcpy(xw->m49[xw->nm49].code, c3, 4);
    xw->m49[xw->nm49].country = -1;
    xw->m49[xw->nm49].aggregate = ai;
    xw->nm49++;
    return DTP_OK;
}

dtp_status dtp_xw_load_m49_mem(dtp_xw *xw, const char *data, size_t n, const char *name,
                               dtp_error *err)
{
    static const char *const cols[] = {"Country or Area", "M49 Code", "ISO-alpha3 Code"};
    static const char *const region_cols[][2] = {
        {"Global Code", "Global Name"},
        {"Region Code", "Region Name"},
        {"Sub-region Code", "Sub-region Name"},
        {"Intermediate Region Code", "Intermediate Region Name"}};
    long idx[3];
    dtp_clean_csv *t = NULL;
    char area[512], code[16], iso3[16], rc[16], rn[512];
    dtp_status st = dtp_clean_csv_read_mem(data, n, 0, name, &t, err);
    if (st != DTP_OK)
        return st;
    if (xw->iso_loaded == 0) {
        dtp_error_where(err, NULL, NULL, dtp_clean_csv_name(t));
        st = dtp_error_set(err, DTP_ERR_USAGE, "clean", "crosswalk: load iso 3166-1 before m49");
        goto out;
    }
    if ((st = dtp_clean_csv_require(t, cols, 3, idx, "clean", err)) != DTP_OK)
        goto out;
    for (size_t r = 1; r < dtp_clean_csv_rows(t); r++) {
        char c3[4];
        cell(t, r, idx[0], area, sizeof area);
        cell(t, r, idx[1], code, sizeof code);
        cell(t, r, idx[2], iso3, sizeof iso3);
        for (size_t k = 0; k < NELEM(region_cols); k++) {
            cell(t, r, dtp_clean_csv_col(t, region_cols[k][0]), rc, sizeof rc);
            cell(t, r, dtp_clean_csv_col(t, region_cols[k][1]), rn, sizeof rn);
            if (*rc && (st = add_m49_region(xw, rc, rn, err)) != DTP_OK)
                goto out;
        }
        if (!m49_pad(code, c3)) {
            st = field_error(err, t, r, "M49 Code", "not a 1-3 digit code");
            goto out;
        }
        int ci = -1;
        if (*iso3) {
            ci = find_iso3(xw, iso3);
            if (ci < 0 || (size_t)ci >= xw->iso_loaded) {
                st = field_error(err, t, r, "ISO-alpha3 Code", "code not in iso 3166-1");
                goto out;
            }
        }
        if (find_m49(xw, c3) >= 0)
            continue; /* a code listed twice keeps its first row */
        if (!grow((void **)&xw->m49, &xw->capm49, xw->nm49 + 1, sizeof(xw_m49))) {
            st = nomem(err);
            goto out;
        }
        memcpy(xw->m49[xw->nm49].code, c3, 4);
        xw->m49[xw->nm49].country = ci;
        xw->m49[xw->nm49].aggregate = -1;
        xw->nm49++;
        if (ci >= 0 &&
            (st = add_name(xw, area, NULL, NULL, SRC_ISO, DTP_XW_COUNTRY, ci, err)) != DTP_OK)
            goto out;
    }
    if ((st = hash_into(data, n, xw->sha_m49, err)) != DTP_OK)
        goto out;
    st = update_version(xw, err);
out:
    dtp_clean_csv_free(t);
    return st;
}

/* ---- aliases ---------------------------------------------------------------------------- */

/* The country index for an alias target: an ISO code, or a user-assigned code, which gets its
 * own flagged entry the first time it is seen. */
static dtp_status alias_target(dtp_xw *xw, const char *iso3, const char *label, int *out,
                               dtp_error *err)
{
    int ci = find_iso3(xw, iso3);
    if (ci >= 0) {
        *out = ci;
        return DTP_OK;
    }
    if (!user_assigned(iso3)) {
        *out = -1;
        return DTP_OK;
    }
    if (!grow((void **)&xw->countries, &xw->capcountries, xw->ncountries + 1, sizeof(xw_country)))
        return nomem(err);
    xw_country *c = &xw->countries[xw->ncountries];
    memset(c, 0, sizeof *c);
    memcpy(c->iso3, iso3, 4);
    c->flags = DTP_XW_FLAG_USER_ASSIGNED;
    if (!(c->name = dupstr(label)))
        return nomem(err);
    *out = (int)xw->ncountries++;
    return DTP_OK;
}

dtp_status dtp_xw_load_aliases_mem(dtp_xw *xw, const char *data, size_t n, const char *name,
                                   dtp_error *err)
{
    static const char *const cols[] = {"alias", "iso3", "system", "source"};
    long idx[4];
    dtp_clean_csv *t = NULL;
    char alias[512], iso3[16], system[64], source[1024], note[1024];
    dtp_status st = dtp_clean_csv_read_mem(data, n, 0, name, &t, err);
    if (st != DTP_OK)
        return st;
    if (xw->iso_loaded == 0) {
        dtp_error_where(err, NULL, NULL, dtp_clean_csv_name(t));
        st =
            dtp_error_set(err, DTP_ERR_USAGE, "clean", "crosswalk: load iso 3166-1 before aliases");
        goto out;
    }
    if ((st = dtp_clean_csv_require(t, cols, 4, idx, "clean", err)) != DTP_OK)
        goto out;
    long inote = dtp_clean_csv_col(t, "note");
    for (size_t r = 1; r < dtp_clean_csv_rows(t); r++) {
        cell(t, r, idx[0], alias, sizeof alias);
        cell(t, r, idx[1], iso3, sizeof iso3);
        cell(t, r, idx[2], system, sizeof system);
        cell(t, r, idx[3], source, sizeof source);
        cell(t, r, inote, note, sizeof note);
        if (!*alias) {
            st = field_error(err, t, r, "alias", "alias is required");
            goto out;
        }
        if (!*source) {
            st = field_error(err, t, r, "source", "source is required");
            goto out;
        }
        int is_code = strcmp(system, "wb_code") == 0 || strcmp(system, "owid_code") == 0;
        if (!is_code && !is_name_system(system)) {
            st = field_error(err, t, r, "system", "unknown system");
            goto out;
        }
        int ci = -1;
        if ((st = alias_target(xw, iso3, alias, &ci, err)) != DTP_OK)
            goto out;
        if (ci < 0) {
            st = field_error(err, t, r, "iso3",
                             "not an iso 3166-1 alpha-3 code nor a user-assigned code");
            goto out;
        }
        if (is_code) {
            for (size_t k = 0; k < xw->ncodealiases; k++) {
                xw_codealias *ca = &xw->codealiases[k];
                if (strcmp(ca->code, alias) == 0 && strcmp(ca->system, system) == 0 &&
                    ca->country != ci) {
                    st = field_error(err, t, r, "alias", "code already maps to another country");
                    goto out;
                }
            }
            if (!grow((void **)&xw->codealiases, &xw->capcodealiases, xw->ncodealiases + 1,
                      sizeof(xw_codealias))) {
                st = nomem(err);
                goto out;
            }
            xw_codealias *ca = &xw->codealiases[xw->ncodealiases];
            ca->code = dupstr(alias);
            ca->system = dupstr(system);
            ca->note = dupstr(note);
            ca->country = ci;
            xw->ncodealiases++;
            if (!ca->code || !ca->system || !ca->note) {
                st = nomem(err);
                goto out;
            }
            continue;
        }
        for (size_t k = 0; k < xw->nnames; k++) {
            xw_name *e = &xw->names[k];
            if (e->src == SRC_ALIAS && strcmp(e->label, alias) == 0 &&
                strcmp(e->system, system) == 0 && e->idx != ci) {
                st = field_error(err, t, r, "alias", "alias already maps to another country");
                goto out;
            }
        }
        char *nt = dupstr(note);
        if (!nt) {
            st = nomem(err);
            goto out;
        }
        if ((st = add_name(xw, alias, system, nt, SRC_ALIAS, DTP_XW_COUNTRY, ci, err)) != DTP_OK) {
            free(nt);
            goto out;
        }
    }
    if ((st = hash_into(data, n, xw->sha_aliases, err)) != DTP_OK)
        goto out;
    st = update_version(xw, err);
out:
    dtp_clean_csv_free(t);
    return st;
}

/* ---- ignore list ------------------------------------------------------------------------ */

static int is_iso_date(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return 0;
    long m = strtol(s + 5, NULL, 10), d = strtol(s + 8, NULL, 10);
    return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

dtp_status dtp_xw_load_ignore_mem(dtp_xw *xw, const char *data, size_t n, const char *name,
                                  dtp_error *err)
{
    static const char *const cols[] = {"label", "system", "reason", "reviewer", "date"};
    long idx[5];
    dtp_clean_csv *t = NULL;
    char label[512], system[64], reason[1024], reviewer[256], date[32];
    dtp_status st = dtp_clean_csv_read_mem(data, n, 0, name, &t, err);
    if (st != DTP_OK)
        return st;
    if ((st = dtp_clean_csv_require(t, cols, 5, idx, "clean", err)) != DTP_OK)
        goto out;
    for (size_t r = 1; r < dtp_clean_csv_rows(t); r++) {
        cell(t, r, idx[0], label, sizeof label);
        cell(t, r, idx[1], system, sizeof system);
        cell(t, r, idx[2], reason, sizeof reason);
        cell(t, r, idx[3], reviewer, sizeof reviewer);
        cell(t, r, idx[4], date, sizeof date);
        if (!*label) {
            st = field_error(err, t, r, "label", "label is required");
            goto out;
        }
        if (*system && !is_code_system(system) && !is_name_system(system)) {
            st = field_error(err, t, r, "system", "unknown system");
            goto out;
        }
        if (!*reason) {
            st = field_error(err, t, r, "reason", "reason is required");
            goto out;
        }
        if (!*reviewer) {
            st = field_error(err, t, r, "reviewer", "reviewer is required");
            goto out;
        }
        if (!is_iso_date(date)) {
            st = field_error(err, t, r, "date", "date must be YYYY-MM-DD");
            goto out;
        }
        if (!grow((void **)&xw->ignores, &xw->capignores, xw->nignores + 1, sizeof(xw_ignore))) {
            st = nomem(err);
            goto out;
        }
        xw_ignore *ig = &xw->ignores[xw->nignores++];
        ig->label = dupstr(label);
        ig->system = dupstr(system);
        ig->reason = dupstr(reason);
        if (!ig->label || !ig->system || !ig->reason) {
            st = nomem(err);
            goto out;
        }
    }
    if ((st = hash_into(data, n, xw->sha_ignore, err)) != DTP_OK)
        goto out;
    st = update_version(xw, err);
out:
    dtp_clean_csv_free(t);
    return st;
}

/* ---- file wrappers ---------------------------------------------------------------------- */

typedef dtp_status (*mem_loader)(dtp_xw *, const char *, size_t, const char *, dtp_error *);

static dtp_status load_file(dtp_xw *xw, const char *path, mem_loader fn, dtp_error *err)
{
    dtp_buf b;
    dtp_buf_init(&b, DTP_CLEAN_CSV_MAX_BYTES);
    dtp_status st = read_whole(path, &b, err);
    if (st == DTP_OK)
        st = fn(xw, b.data ? b.data : "", b.len, path, err);
    dtp_buf_free(&b);
    return st;
}

dtp_status dtp_xw_load_m49_file(dtp_xw *xw, const char *path, dtp_error *err)
{
    return load_file(xw, path, dtp_xw_load_m49_mem, err);
}

dtp_status dtp_xw_load_aliases_file(dtp_xw *xw, const char *path, dtp_error *err)
{
    return load_file(xw, path, dtp_xw_load_aliases_mem, err);
}

dtp_status dtp_xw_load_aggregates_file(dtp_xw *xw, const char *path, dtp_error *err)
{
    return load_file(xw, path, dtp_xw_load_aggregates_mem, err);
}

dtp_status dtp_xw_load_ignore_file(dtp_xw *xw, const char *path, dtp_error *err)
{
    return load_file(xw, path, dtp_xw_load_ignore_mem, err);
}

dtp_status dtp_xw_open(const dtp_xw_paths *p, dtp_xw **out, dtp_error *err)
{
    dtp_status st;
    *out = NULL;
    dtp_xw *xw = dtp_xw_new();
    if (!xw)
        return nomem(err);
    if (!p->iso3166_json) {
        dtp_xw_free(xw);
        return dtp_error_set(err, DTP_ERR_USAGE, "clean", "crosswalk: no iso 3166-1 table given");
    }
    if ((st = dtp_xw_load_iso_file(xw, p->iso3166_json, p->iso_codes_version, err)) != DTP_OK)
        goto fail;
    /* Aggregates before M49 so that a curated aggregate code (530) wins over nothing. */
    if (p->aggregates_csv && (st = dtp_xw_load_aggregates_file(xw, p->aggregates_csv, err)))
        goto fail;
    if (p->m49_csv && (st = dtp_xw_load_m49_file(xw, p->m49_csv, err)) != DTP_OK)
        goto fail;
    if (p->aliases_csv && (st = dtp_xw_load_aliases_file(xw, p->aliases_csv, err)) != DTP_OK)
        goto fail;
    if (p->ignore_csv && (st = dtp_xw_load_ignore_file(xw, p->ignore_csv, err)) != DTP_OK)
        goto fail;
    *out = xw;
    return DTP_OK;
fail:
    dtp_xw_free(xw);
    return st;
}

/* ---- lookups ---------------------------------------------------------------------------- */

static dtp_xw_result empty_result(dtp_xw *xw)
{
    dtp_xw_result r;
    memset(&r, 0, sizeof r);
    r.name = "";
    r.note = "";
    r.version = xw && xw->version ? xw->version : "";
    return r;
}

static dtp_xw_result country_result(dtp_xw *xw, int ci, dtp_xw_rule rule, const char *note)
{
    dtp_xw_result r = empty_result(xw);
    const xw_country *c = &xw->countries[ci];
    r.kind = DTP_XW_COUNTRY;
    r.rule = rule;
    r.flags = c->flags;
    memcpy(r.iso3, c->iso3, 4);
    memcpy(r.iso2, c->iso2, 3);
    memcpy(r.numeric, c->num, 4);
    r.name = c->name;
    r.note = note ? note : "";
    return r;
}

static dtp_xw_result aggregate_result(dtp_xw *xw, int ai, dtp_xw_rule rule)
{
    dtp_xw_result r = empty_result(xw);
    const xw_aggregate *a = &xw->aggs[ai];
    r.kind = DTP_XW_AGGREGATE;
    r.rule = rule;
    snprintf(r.iso3, sizeof r.iso3, "%s", strlen(a->code) <= 3 ? a->code : "");
    r.name = a->name;
    r.note = a->note;
    return r;
}

static int ignored(dtp_xw *xw, const char *label, const char *system, dtp_xw_result *r)
{
    for (size_t i = 0; i < xw->nignores; i++) {
        xw_ignore *ig = &xw->ignores[i];
        if (strcmp(ig->label, label) != 0)
            continue;
        if (*ig->system && system && strcmp(ig->system, system) != 0)
            continue;
        *r = empty_result(xw);
        r->kind = DTP_XW_IGNORED;
        r->rule = DTP_XW_RULE_IGNORE_LIST;
        r->note = ig->reason;
        return 1;
    }
    return 0;
}

dtp_xw_result dtp_xw_code(dtp_xw *xw, dtp_xw_system sys, const char *code_in)
{
    dtp_xw_result r = empty_result(xw);
    char code[32];
    if (!xw || !code_in || (unsigned)sys >= NELEM(code_systems))
        return r;
    (void)dtp_clean_trim_copy(code_in, code, sizeof code);
    const char *sysname = code_systems[sys];
    if (ignored(xw, code, sysname, &r))
        return r;
    if (sys == DTP_XW_M49) {
        /* UNCTADstat codes groups with four digits ("0000" World): never a country. */
        if (strlen(code) == 4 && strspn(code, "0123456789") == 4) {
            r.kind = DTP_XW_AGGREGATE;
            r.rule = DTP_XW_RULE_CODE;
            r.note = "UNCTADstat 4-digit group code";
            return r;
        }
        char c3[4];
        if (!m49_pad(code, c3))
            return r;
        for (size_t i = 0; i < xw->naggs; i++)
            if (strcmp(xw->aggs[i].system, "m49") == 0 && strcmp(xw->aggs[i].code, c3) == 0)
                return aggregate_result(xw, (int)i, DTP_XW_RULE_CODE);
        int mi = find_m49(xw, c3);
        if (mi >= 0 && xw->m49[mi].country >= 0)
            return country_result(xw, xw->m49[mi].country, DTP_XW_RULE_CODE, NULL);
        if (mi >= 0)
            return r; /* listed in M49 without an ISO code (Sark): not a panel entity */
        for (size_t i = 0; i < xw->iso_loaded; i++) {
            if (strcmp(xw->countries[i].num, c3) == 0) {
                r = country_result(xw, (int)i, DTP_XW_RULE_CODE, NULL);
                r.flags |= DTP_XW_FLAG_ISO_NUMERIC;
                return r;
            }
        }
        return r;
    }
    if (sys == DTP_XW_ISO2) {
        for (size_t i = 0; i < xw->iso_loaded; i++)
            if (strcmp(xw->countries[i].iso2, code) == 0)
                return country_result(xw, (int)i, DTP_XW_RULE_CODE, NULL);
        return r;
    }
    if (sys == DTP_XW_WB_CODE || sys == DTP_XW_OWID_CODE) {
        for (size_t i = 0; i < xw->ncodealiases; i++)
            if (strcmp(xw->codealiases[i].system, sysname) == 0 &&
                strcmp(xw->codealiases[i].code, code) == 0)
                return country_result(xw, xw->codealiases[i].country, DTP_XW_RULE_ALIAS,
                                      xw->codealiases[i].note);
        for (size_t i = 0; i < xw->naggs; i++)
            if (strcmp(xw->aggs[i].system, sysname) == 0 && strcmp(xw->aggs[i].code, code) == 0)
                return aggregate_result(xw, (int)i, DTP_XW_RULE_CODE);
    }
    /* ISO3, and the ISO3 codes World Bank and OWID use for countries. */
    for (size_t i = 0; i < xw->iso_loaded; i++)
        if (strcmp(xw->countries[i].iso3, code) == 0)
            return country_result(xw, (int)i, DTP_XW_RULE_CODE, NULL);
    return r;
}

static int system_matches(const char *entry_system, const char *want)
{
    if (!want || !entry_system)
        return 1;
    return strcmp(entry_system, want) == 0 || strcmp(entry_system, "name") == 0;
}

static dtp_xw_result name_result(dtp_xw *xw, const xw_name *e, dtp_xw_rule rule)
{
    if (e->kind == DTP_XW_AGGREGATE)
        return aggregate_result(xw, e->idx, rule);
    return country_result(xw, e->idx, rule, e->src == SRC_ALIAS ? e->note : NULL);
}

/* Every normalised entry equal to key; AMBIGUOUS when they disagree. */
static dtp_xw_result by_norm(dtp_xw *xw, const char *key)
{
    dtp_xw_result r = empty_result(xw);
    const xw_name *first = NULL;
    if (!*key)
        return r;
    for (size_t i = 0; i < xw->nnames; i++) {
        const xw_name *e = &xw->names[i];
        if (strcmp(e->norm, key) != 0)
            continue;
        if (!first) {
            first = e;
            continue;
        }
        int same = e->kind == first->kind &&
                   (e->kind == DTP_XW_AGGREGATE ||
                    strcmp(xw->countries[e->idx].iso3, xw->countries[first->idx].iso3) == 0);
        if (!same) {
            r.kind = DTP_XW_AMBIGUOUS;
            r.rule = DTP_XW_RULE_NORMALISED_NAME;
            r.note = "normalised label names different entities";
            return r;
        }
    }
    return first ? name_result(xw, first, DTP_XW_RULE_NORMALISED_NAME) : r;
}

dtp_xw_result dtp_xw_name(dtp_xw *xw, const char *label_in, const char *system)
{
    dtp_xw_result r = empty_result(xw);
    char label[XW_NORM_MAX], key[XW_NORM_MAX], stripped[XW_NORM_MAX];
    if (!xw || !label_in)
        return r;
    (void)dtp_clean_trim_copy(label_in, label, sizeof label);
    if (!*label)
        return r;
    if (ignored(xw, label, system, &r))
        return r;
    /* Exact matches, in order: alias, aggregate name, ISO/M49 name. */
    static const xw_src order[] = {SRC_ALIAS, SRC_AGGREGATE, SRC_ISO};
    for (size_t o = 0; o < NELEM(order); o++) {
        for (size_t i = 0; i < xw->nnames; i++) {
            const xw_name *e = &xw->names[i];
            if (e->src != order[o] || strcmp(e->label, label) != 0)
                continue;
            if (e->src == SRC_ALIAS && !system_matches(e->system, system))
                continue;
            return name_result(xw, e, e->src == SRC_ALIAS ? DTP_XW_RULE_ALIAS : DTP_XW_RULE_NAME);
        }
    }
    r = by_norm(xw, dtp_xw_normalise(label, key, sizeof key));
    if (r.kind != DTP_XW_UNMAPPED)
        return r;
    if (strip_qualifier(label, stripped, sizeof stripped)) {
        r = by_norm(xw, dtp_xw_normalise(stripped, key, sizeof key));
        if (r.kind != DTP_XW_UNMAPPED)
            r.flags |= DTP_XW_FLAG_QUALIFIER_STRIPPED;
    }
    return r;
}

const char *dtp_xw_version(dtp_xw *xw)
{
    return xw && xw->version ? xw->version : "";
}

size_t dtp_xw_ambiguous_keys(const dtp_xw *xw)
{
    size_t n = 0;
    for (size_t i = 0; i < xw->nnames; i++) {
        const xw_name *a = &xw->names[i];
        int conflict = 0, counted_before = 0;
        for (size_t j = 0; j < xw->nnames && !counted_before; j++) {
            const xw_name *b = &xw->names[j];
            if (j == i || strcmp(a->norm, b->norm) != 0)
                continue;
            int same = a->kind == b->kind &&
                       (a->kind == DTP_XW_AGGREGATE ||
                        strcmp(xw->countries[a->idx].iso3, xw->countries[b->idx].iso3) == 0);
            if (!same) {
                if (j < i)
                    counted_before = 1; /* count each key once, at its first entry */
                conflict = 1;
            }
        }
        if (conflict && !counted_before)
            n++;
    }
    return n;
}

const char *dtp_xw_kind_name(dtp_xw_kind k)
{
    switch (k) {
    case DTP_XW_COUNTRY:
        return "country";
    case DTP_XW_AGGREGATE:
        return "aggregate";
    case DTP_XW_IGNORED:
        return "ignored";
    case DTP_XW_AMBIGUOUS:
        return "ambiguous";
    case DTP_XW_UNMAPPED:
        break;
    }
    return "unmapped";
}

const char *dtp_xw_rule_name(dtp_xw_rule r)
{
    switch (r) {
    case DTP_XW_RULE_CODE:
        return "code";
    case DTP_XW_RULE_ALIAS:
        return "alias";
    case DTP_XW_RULE_NAME:
        return "name";
    case DTP_XW_RULE_NORMALISED_NAME:
        return "normalised_name";
    case DTP_XW_RULE_IGNORE_LIST:
        return "ignore_list";
    case DTP_XW_RULE_NONE:
        break;
    }
    return "none";
}
