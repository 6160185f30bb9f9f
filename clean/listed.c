/* See listed.h. */
#include "clean/listed.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clean/csvtable.h"
#include "common/uscc.h"

#define bad_field(err, t, r, field, what, arg)                                                     \
    (dtp_error_locatef((err), "%s:%zu:%s", dtp_clean_csv_name(t), dtp_clean_csv_line((t), (r)),    \
                       (field)),                                                                   \
     dtp_error_set((err), DTP_ERR_PARSE, "clean", what, (arg)))

static void put(char *out, size_t outsz, size_t *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n && *o + 1 < outsz; i++)
        out[(*o)++] = s[i];
}

char *dtp_listed_normalise(const char *name, char *out, size_t outsz)
{
    size_t o = 0;
    const unsigned char *s = (const unsigned char *)(name ? name : "");
    if (!outsz)
        return out;
    while (*s) {
        unsigned long cp;
        size_t len;
        if (s[0] < 0x80) {
            cp = s[0];
            len = 1;
        } else if ((s[0] & 0xE0) == 0xC0 && (s[1] & 0xC0) == 0x80) {
            cp = ((unsigned long)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
            len = 2;
        } else if ((s[0] & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
            cp = ((unsigned long)(s[0] & 0x0F) << 12) | ((unsigned long)(s[1] & 0x3F) << 6) |
                 (s[2] & 0x3F);
            len = 3;
        } else {
            /* other sequences (4-byte, or invalid bytes) are copied as they are */
            size_t n = 1;
            while (s[n] && (s[n] & 0xC0) == 0x80 && n < 4)
                n++;
            put(out, outsz, &o, (const char *)s, n);
            s += n;
            continue;
        }
        if (cp >= 0xFF01 && cp <= 0xFF5E)
            cp -= 0xFEE0; /* full-width ASCII */
        switch (cp) {
        case 0x3000: /* ideographic space */
        case 0x00A0:
            cp = ' ';
            break;
        case 0x3010: /* 【 */
        case 0x3014: /* 〔 */
        case 0x3016: /* 〖 */
            cp = '(';
            break;
        case 0x3011:
        case 0x3015:
        case 0x3017:
            cp = ')';
            break;
        default:
            break;
        }
        if (cp == '[' || cp == '{')
            cp = '(';
        else if (cp == ']' || cp == '}')
            cp = ')';
        if (cp < 0x80) {
            if (isspace((int)cp)) {
                s += len;
                continue;
            }
            char c = (char)toupper((int)cp);
            put(out, outsz, &o, &c, 1);
        } else {
            put(out, outsz, &o, (const char *)s, len);
        }
        s += len;
    }
    out[o] = '\0';
    return out;
}

dtp_status dtp_listed_read_mem(const char *data, size_t n, const char *name, dtp_listed *out,
                               dtp_error *err)
{
    static const char *const cols[] = {"code", "name", "uscc", "exchange"};
    long idx[4];
    dtp_clean_csv *t = NULL;
    memset(out, 0, sizeof *out);
    dtp_status st = dtp_clean_csv_read_mem(data, n, ',', name, &t, err);
    if (st != DTP_OK)
        return st;
    if ((st = dtp_clean_csv_require(t, cols, 4, idx, "clean", err)) != DTP_OK)
        goto out;
    size_t rows = dtp_clean_csv_rows(t) - 1;
    if (rows > DTP_LISTED_MAX_ROWS) {
        dtp_error_where(err, NULL, NULL, dtp_clean_csv_name(t));
        st = dtp_error_set(err, DTP_ERR_LIMIT, "clean", "more than %u listed companies",
                           DTP_LISTED_MAX_ROWS);
        goto out;
    }
    out->rows = calloc(rows ? rows : 1, sizeof *out->rows);
    if (!out->rows) {
        st = dtp_error_set(err, DTP_ERR_NOMEM, "clean", "out of memory");
        goto out;
    }
    for (size_t r = 1; r <= rows; r++) {
        dtp_listed_company *c = &out->rows[out->n];
        if (!dtp_clean_csv_take(t, r, idx[0], c->code, sizeof c->code) || !c->code[0]) {
            st = bad_field(err, t, r, "code", "%s", "code is required (at most 15 bytes)");
            goto out;
        }
        if (!dtp_clean_csv_take(t, r, idx[1], c->name, sizeof c->name) || !c->name[0]) {
            st = bad_field(err, t, r, "name", "%s", "name is required (at most 255 bytes)");
            goto out;
        }
        if (!dtp_clean_csv_take(t, r, idx[2], c->uscc, sizeof c->uscc)) {
            st = bad_field(err, t, r, "uscc", "%s", "uscc longer than 18 characters");
            goto out;
        }
        for (char *p = c->uscc; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        if (c->uscc[0] && dtp_uscc_check(c->uscc) != DTP_USCC_OK) {
            st = bad_field(err, t, r, "uscc", "'%s' fails the GB 32100 check", c->uscc);
            goto out;
        }
        if (!dtp_clean_csv_take(t, r, idx[3], c->exchange, sizeof c->exchange) || !c->exchange[0]) {
            st = bad_field(err, t, r, "exchange", "%s", "exchange is required (at most 15 bytes)");
            goto out;
        }
        dtp_listed_normalise(c->name, c->norm, sizeof c->norm);
        c->line = dtp_clean_csv_line(t, r);
        for (size_t k = 0; c->uscc[0] && k < out->n; k++) {
            if (strcmp(out->rows[k].uscc, c->uscc) == 0) {
                char msg[32];
                snprintf(msg, sizeof msg, "%zu", out->rows[k].line);
                st = bad_field(err, t, r, "uscc", "uscc already given on line %s", msg);
                goto out;
            }
        }
        out->n++;
    }
out:
    dtp_clean_csv_free(t);
    if (st != DTP_OK)
        dtp_listed_free(out);
    return st;
}

static dtp_status listed_reader(const char *d, size_t n, const char *nm, void *o, dtp_error *e)
{
    return dtp_listed_read_mem(d, n, nm, o, e);
}

dtp_status dtp_listed_read_file(const char *path, dtp_listed *out, dtp_error *err)
{
    memset(out, 0, sizeof *out);
    return dtp_clean_read_capped(path, "listed-company file", listed_reader, out, err);
}

void dtp_listed_free(dtp_listed *t)
{
    free(t->rows);
    t->rows = NULL;
    t->n = 0;
}

dtp_listed_match dtp_listed_match_holder(const dtp_listed *t, const char *uscc, const char *name)
{
    dtp_listed_match m = {DTP_LISTED_NONE, NULL};
    char u[DTP_USCC_LEN + 1], norm[256];
    if (uscc && strlen(uscc) == DTP_USCC_LEN) {
        for (size_t i = 0; i < DTP_USCC_LEN; i++)
            u[i] = (char)toupper((unsigned char)uscc[i]);
        u[DTP_USCC_LEN] = '\0';
        for (size_t i = 0; i < t->n; i++) {
            if (t->rows[i].uscc[0] && strcmp(t->rows[i].uscc, u) == 0) {
                m.how = DTP_LISTED_USCC;
                m.company = &t->rows[i];
                return m;
            }
        }
    }
    if (!name || !*name)
        return m;
    dtp_listed_normalise(name, norm, sizeof norm);
    if (!norm[0])
        return m;
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(t->rows[i].norm, norm) != 0)
            continue;
        if (m.company && strcmp(m.company->code, t->rows[i].code) != 0) {
            m.how = DTP_LISTED_AMBIGUOUS;
            m.company = NULL;
            return m;
        }
        m.how = DTP_LISTED_NAME;
        m.company = &t->rows[i];
    }
    return m;
}

const char *dtp_listed_how_name(dtp_listed_how h)
{
    switch (h) {
    case DTP_LISTED_USCC:
        return "uscc";
    case DTP_LISTED_NAME:
        return "normalised_name";
    case DTP_LISTED_AMBIGUOUS:
        return "ambiguous_name";
    case DTP_LISTED_NONE:
        break;
    }
    return "none";
}
