#include "ocr/validate.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/uscc.h"

unsigned dtp_ocr_utf8_decode(const char *s, size_t n, size_t *adv)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned cp, min;
    size_t len;
    *adv = 1;
    if (u[0] < 0x80)
        return u[0];
    if ((u[0] & 0xE0) == 0xC0) {
        len = 2, cp = u[0] & 0x1Fu, min = 0x80;
    } else if ((u[0] & 0xF0) == 0xE0) {
        len = 3, cp = u[0] & 0x0Fu, min = 0x800;
    } else if ((u[0] & 0xF8) == 0xF0) {
        len = 4, cp = u[0] & 0x07u, min = 0x10000;
    } else {
        return 0xFFFD;
    }
    if (n < len)
        return 0xFFFD;
    for (size_t i = 1; i < len; i++) {
        if ((u[i] & 0xC0) != 0x80)
            return 0xFFFD;
        cp = (cp << 6) | (u[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0xFFFD;
    *adv = len;
    return cp;
}

size_t dtp_ocr_utf8_cps(const char *s, unsigned *cp, size_t max)
{
    size_t n = 0, len = strlen(s);
    for (size_t b = 0; b < len && (!cp || n < max); n++) {
        size_t adv;
        unsigned c = dtp_ocr_utf8_decode(s + b, len - b, &adv);
        if (cp)
            cp[n] = c;
        b += adv;
    }
    return n;
}

size_t dtp_ocr_utf8_encode(unsigned cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static unsigned halfwidth_cp(unsigned cp)
{
    if (cp >= 0xFF01 && cp <= 0xFF5E)
        return cp - 0xFEE0;
    switch (cp) {
    case 0x3000:
    case 0x00A0:
        return ' ';
    case 0x3010: /* 【 */
    case 0x3014: /* 〔 */
        return '[';
    case 0x3011:
    case 0x3015:
        return ']';
    default:
        return cp;
    }
}

char *dtp_ocr_halfwidth(const char *s, size_t n)
{
    if (n > DTP_OCR_TEXT_MAX)
        return NULL;
    dtp_buf b;
    dtp_buf_init(&b, n + 1);
    char enc[4];
    for (size_t i = 0; i < n;) {
        size_t adv;
        unsigned cp = dtp_ocr_utf8_decode(s + i, n - i, &adv);
        unsigned h = cp == 0xFFFD ? cp : halfwidth_cp(cp);
        /* A mapped character never gets longer than its source, and an invalid byte becomes
         * '?', so the output fits the cap of n + 1 bytes. */
        if (cp == 0xFFFD && adv == 1) {
            if (dtp_buf_append(&b, "?", 1) != DTP_OK)
                goto fail;
        } else if (dtp_buf_append(&b, enc, dtp_ocr_utf8_encode(h, enc)) != DTP_OK) {
            goto fail;
        }
        i += adv;
    }
    if (!b.data && dtp_buf_append(&b, "", 0) != DTP_OK)
        goto fail;
    char *out = dtp_buf_take(&b);
    return out;
fail:
    dtp_buf_free(&b);
    return NULL;
}

static int is_space_cp(unsigned cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f';
}

/* CJK ideographs and punctuation, where a space between characters is not part of a name. */
static int is_cjk_cp(unsigned cp)
{
    return cp >= 0x2E80 || cp == '(' || cp == ')' || cp == '[' || cp == ']';
}

char *dtp_ocr_normalise_name(const char *s, size_t n)
{
    char *h = dtp_ocr_halfwidth(s, n);
    if (!h)
        return NULL;
    size_t hn = strlen(h);
    char *out = malloc(hn + 1);
    if (!out) {
        free(h);
        return NULL;
    }
    size_t o = 0;
    int pending = 0;
    unsigned prev = 0;
    for (size_t i = 0; i < hn;) {
        size_t adv;
        unsigned cp = dtp_ocr_utf8_decode(h + i, hn - i, &adv);
        if (is_space_cp(cp)) {
            pending = 1;
        } else {
            if (pending && o > 0 && !is_cjk_cp(prev) && !is_cjk_cp(cp))
                out[o++] = ' ';
            pending = 0;
            memcpy(out + o, h + i, adv);
            o += adv;
            prev = cp;
        }
        i += adv;
    }
    out[o] = '\0';
    free(h);
    return out;
}

/* ---- dates ---- */

static int days_in_month(int y, int m)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

static int ymd_ok(int y, int m, int d)
{
    return y >= 1990 && y <= 2100 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

/* Caller has range-checked y (4 digits), m and d (2 digits). */
static void write_iso(char iso[11], int y, int m, int d)
{
    iso[0] = (char)('0' + y / 1000);
    iso[1] = (char)('0' + y / 100 % 10);
    iso[2] = (char)('0' + y / 10 % 10);
    iso[3] = (char)('0' + y % 10);
    iso[4] = '-';
    iso[5] = (char)('0' + m / 10);
    iso[6] = (char)('0' + m % 10);
    iso[7] = '-';
    iso[8] = (char)('0' + d / 10);
    iso[9] = (char)('0' + d % 10);
    iso[10] = '\0';
}

/* Read 1..maxd ASCII digits at *p; returns the count read (0 when none). */
static int read_digits(const char **p, int maxd, int *val)
{
    int n = 0, v = 0;
    while (n < maxd && isdigit((unsigned char)(*p)[0])) {
        v = v * 10 + ((*p)[0] - '0');
        (*p)++;
        n++;
    }
    *val = v;
    return n;
}

static void skip_spaces(const char **p)
{
    while (**p == ' ' || **p == '\t')
        (*p)++;
}

static int skip_word(const char **p, const char *w)
{
    size_t n = strlen(w);
    if (strncmp(*p, w, n) != 0)
        return 0;
    *p += n;
    return 1;
}

/* Accept the end of a date: nothing, or a time part (T..., or space then hh:mm). */
static int date_tail_ok(const char *p)
{
    if (*p == '\0')
        return 1;
    if (*p == 'T')
        return isdigit((unsigned char)p[1]);
    skip_spaces(&p);
    if (*p == '\0')
        return 1;
    return isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) && p[2] == ':';
}

int dtp_ocr_parse_date(const char *s, char iso[11])
{
    if (!s)
        return 0;
    char *h = dtp_ocr_halfwidth(s, strlen(s));
    if (!h)
        return 0;
    int ok = 0, y = 0, m = 0, d = 0;
    const char *p = h;
    skip_spaces(&p);
    if (read_digits(&p, 4, &y) != 4)
        goto out;
    skip_spaces(&p);
    if (isdigit((unsigned char)*p)) {
        /* YYYYMMDD: exactly eight digits in a row */
        if (read_digits(&p, 2, &m) != 2 || read_digits(&p, 2, &d) != 2 ||
            isdigit((unsigned char)*p))
            goto out;
    } else if (*p == '-' || *p == '/' || *p == '.') {
        char sep = *p++;
        if (read_digits(&p, 2, &m) < 1 || *p++ != sep || read_digits(&p, 2, &d) < 1 ||
            isdigit((unsigned char)*p))
            goto out;
    } else if (skip_word(&p, "年")) {
        skip_spaces(&p);
        if (read_digits(&p, 2, &m) < 1)
            goto out;
        skip_spaces(&p);
        if (!skip_word(&p, "月"))
            goto out;
        skip_spaces(&p);
        if (read_digits(&p, 2, &d) < 1)
            goto out;
        skip_spaces(&p);
        if (!skip_word(&p, "日") && *p != '\0')
            goto out;
    } else {
        goto out;
    }
    while (*p == ' ' && p[1] == '\0')
        p++;
    if (!date_tail_ok(p) || !ymd_ok(y, m, d))
        goto out;
    write_iso(iso, y, m, d);
    ok = 1;
out:
    free(h);
    return ok;
}

int dtp_ocr_date_from_epoch_ms(long long ms, char iso[11])
{
    /* Bound before arithmetic so nothing overflows; 1990..2100 is well inside. */
    if (ms < 0 || ms > 5000000000000LL)
        return 0;
    long long days = (ms / 1000 + 8 * 3600) / 86400;
    /* civil-from-days (H. Hinnant), days since 1970-01-01, non-negative here */
    long long z = days + 719468;
    long long era = z / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long y = yoe + era * 400;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    long long d = doy - (153 * mp + 2) / 5 + 1;
    long long m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2)
        y++;
    if (!ymd_ok((int)y, (int)m, (int)d))
        return 0;
    write_iso(iso, (int)y, (int)m, (int)d);
    return 1;
}

/* ---- status and events ---- */

/* Half-width copy without any whitespace; NULL on failure. */
static char *squeeze(const char *s)
{
    char *h = dtp_ocr_halfwidth(s, strlen(s));
    if (!h)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; h[i]; i++)
        if (!isspace((unsigned char)h[i]))
            h[o++] = h[i];
    h[o] = '\0';
    return h;
}

dtp_ocr_cert_status dtp_ocr_parse_status(const char *s)
{
    static const struct {
        const char *word;
        dtp_ocr_cert_status st;
    } words[] = {
        {"有效", DTP_OCR_STATUS_VALID},      {"暂停", DTP_OCR_STATUS_SUSPENDED},
        {"撤销", DTP_OCR_STATUS_REVOKED},    {"撤消", DTP_OCR_STATUS_REVOKED},
        {"注销", DTP_OCR_STATUS_CANCELLED},  {"过期失效", DTP_OCR_STATUS_EXPIRED},
        {"01", DTP_OCR_STATUS_VALID},        {"02", DTP_OCR_STATUS_SUSPENDED},
        {"03", DTP_OCR_STATUS_REVOKED},      {"04", DTP_OCR_STATUS_CANCELLED},
        {"05", DTP_OCR_STATUS_EXPIRED},      {"1", DTP_OCR_STATUS_VALID},
        {"2", DTP_OCR_STATUS_SUSPENDED},     {"3", DTP_OCR_STATUS_REVOKED},
        {"4", DTP_OCR_STATUS_CANCELLED},     {"5", DTP_OCR_STATUS_EXPIRED},
        {"valid", DTP_OCR_STATUS_VALID},     {"suspended", DTP_OCR_STATUS_SUSPENDED},
        {"revoked", DTP_OCR_STATUS_REVOKED}, {"cancelled", DTP_OCR_STATUS_CANCELLED},
        {"expired", DTP_OCR_STATUS_EXPIRED},
    };
    if (!s)
        return DTP_OCR_STATUS_UNKNOWN;
    char *q = squeeze(s);
    dtp_ocr_cert_status st = DTP_OCR_STATUS_UNKNOWN;
    if (!q)
        return st;
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (strcmp(q, words[i].word) == 0) {
            st = words[i].st;
            break;
        }
    free(q);
    return st;
}

dtp_ocr_event_kind dtp_ocr_parse_event_kind(const char *s)
{
    static const struct {
        const char *word;
        dtp_ocr_event_kind k;
    } words[] = {
        {"初次认证", DTP_OCR_EVENT_INITIAL},  {"初次获证", DTP_OCR_EVENT_INITIAL},
        {"首次认证", DTP_OCR_EVENT_INITIAL},  {"监督审核", DTP_OCR_EVENT_SURVEILLANCE},
        {"监督", DTP_OCR_EVENT_SURVEILLANCE}, {"再认证", DTP_OCR_EVENT_RECERT},
        {"变更", DTP_OCR_EVENT_CHANGE},       {"暂停", DTP_OCR_EVENT_SUSPENSION},
        {"恢复", DTP_OCR_EVENT_RESTORATION},  {"撤销", DTP_OCR_EVENT_REVOCATION},
        {"撤消", DTP_OCR_EVENT_REVOCATION},   {"注销", DTP_OCR_EVENT_CANCELLATION},
        {"过期失效", DTP_OCR_EVENT_EXPIRY},
    };
    if (!s)
        return DTP_OCR_EVENT_UNKNOWN;
    char *q = squeeze(s);
    if (!q)
        return DTP_OCR_EVENT_UNKNOWN;
    dtp_ocr_event_kind best = DTP_OCR_EVENT_UNKNOWN;
    size_t best_len = 0;
    const char *best_at = NULL;
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        const char *at = strstr(q, words[i].word);
        size_t len = strlen(words[i].word);
        /* longest word wins; on a tie the later one (暂停后恢复 is a restoration) */
        if (at && (len > best_len || (len == best_len && at > best_at))) {
            best = words[i].k;
            best_len = len;
            best_at = at;
        }
    }
    free(q);
    return best;
}

/* ---- ISO/IEC 27001 ---- */

static char *squeeze_upper(const char *s)
{
    char *q = squeeze(s);
    if (q)
        for (char *p = q; *p; p++)
            *p = (char)toupper((unsigned char)*p);
    return q;
}

/* 1 when text before `at` (start of the number) ends with one of the prefixes, allowing one
 * separator (/ - .) between prefix and number. */
static int preceded_by(const char *start, const char *at, const char *const *prefixes)
{
    const char *end = at;
    if (end > start && (end[-1] == '/' || end[-1] == '-' || end[-1] == '.'))
        end--;
    for (size_t i = 0; prefixes[i]; i++) {
        size_t n = strlen(prefixes[i]);
        if ((size_t)(end - start) >= n && memcmp(end - n, prefixes[i], n) == 0)
            return 1;
    }
    return 0;
}

static int find_number(const char *q, const char *num, const char *const *prefixes, int *edition)
{
    size_t n = strlen(num);
    for (const char *at = strstr(q, num); at; at = strstr(at + 1, num)) {
        if ((at > q && isdigit((unsigned char)at[-1])) || isdigit((unsigned char)at[n]))
            continue;
        if (!preceded_by(q, at, prefixes))
            continue;
        const char *p = at + n;
        int year = 0;
        if (*p == ':' || *p == '-') {
            p++;
            if (read_digits(&p, 4, &year) != 4 || isdigit((unsigned char)*p))
                year = 0;
        }
        if (edition)
            *edition = year;
        return 1;
    }
    return 0;
}

int dtp_ocr_standard_is_27001(const char *s, int *edition)
{
    static const char *const iso_prefixes[] = {"ISO/IEC", "ISO", "IEC", NULL};
    static const char *const gb_prefixes[] = {"GB/T", "GBT", "GB", NULL};
    if (edition)
        *edition = 0;
    if (!s)
        return 0;
    char *q = squeeze_upper(s);
    if (!q)
        return 0;
    int hit = find_number(q, "27001", iso_prefixes, edition) ||
              find_number(q, "22080", gb_prefixes, edition);
    free(q);
    return hit;
}

/* ---- certificate numbers ---- */

static int digits_at(const char *p, int min, int max)
{
    int n = 0;
    while (n < max && isdigit((unsigned char)p[n]))
        n++;
    if (isdigit((unsigned char)p[n]) || n < min)
        return -1;
    return n;
}

/* Suffixes after the size code: up to two of /digits{1,6} or -digits{1,3}, then the end. */
static int cnca_suffix_ok(const char *p)
{
    for (int k = 0; k < 2 && *p; k++) {
        int n;
        if (*p == '/')
            n = digits_at(p + 1, 1, 6);
        else if (*p == '-')
            n = digits_at(p + 1, 1, 3);
        else
            return 0;
        if (n < 0)
            return 0;
        p += 1 + n;
    }
    return *p == '\0';
}

static int cnca_tail_ok(const char *p)
{
    int n = digits_at(p, 3, 7);
    if (n < 0 || p[n] != 'R')
        return 0;
    p += n + 1;
    n = digits_at(p, 1, 2);
    if (n < 0)
        return 0;
    p += n;
    if (*p == 'S' || *p == 'M' || *p == 'L' || *p == 'W')
        p++;
    return cnca_suffix_ok(p);
}

static int cnca_shape(const char *s)
{
    static const char *const systems[] = {"ISMS", "ITSM", "IS", "IT", "EN", "Q", "E",
                                          "S",    "F",    "H",  "I",  "C",  "G"};
    if (digits_at(s, 5, 5) < 0)
        return 0;
    const char *p = s + 5;
    for (size_t i = 0; i < sizeof systems / sizeof *systems; i++) {
        size_t n = strlen(systems[i]);
        if (strncmp(p, systems[i], n) == 0 && cnca_tail_ok(p + n))
            return 1;
    }
    return 0;
}

static const char *const confusable_groups[] = {"0OQD", "1IL", "2Z", "5S", "8B"};

/* At most this many characters of a certificate number are changed by a repair. */
#define DTP_OCR_CERT_NO_MAX_REPAIRS 3

/* The confusable group of c (its first member is the digit), or NULL. */
static const char *confusable_group(char c)
{
    for (size_t g = 0; g < sizeof confusable_groups / sizeof *confusable_groups; g++)
        if (strchr(confusable_groups[g], c))
            return confusable_groups[g];
    return NULL;
}

/* Readings of a certificate number under the CNCA shape, where each character may also stand
 * for a member of its confusable group. The matcher walks the shape (5 digits, system code,
 * 3-7 digits, R, 1-2 digits, optional S/M/L/W, suffixes) and keeps the distinct strings that
 * fit with the fewest changed characters (a character read as itself is kept where the shape
 * allows it). */
typedef struct cn_match {
    const char *in;
    char cur[64];
    char first[64];
    int found; /* distinct readings with the fewest changes, capped at 2 */
    int subs;  /* changes of the best reading */
} cn_match;

/* c read as a digit: itself, or the digit of its confusable group; 0 when none. Q is never
 * read as 0 (a printed Q is a system code, and a 0 it would stand for could shift the whole
 * number by a position); a 0 may still be read as the system code Q. */
static char as_digit(char c)
{
    if (isdigit((unsigned char)c))
        return c;
    const char *g = c == 'Q' ? NULL : confusable_group(c);
    return g ? g[0] : 0;
}

/* c read as the letter want: itself or a confusable of it; 0 when not. */
static char as_letter(char c, char want)
{
    if (c == want)
        return c;
    const char *g = confusable_group(c);
    return g && strchr(g, want) ? want : 0;
}

/* A full reading: kept when it changes fewer characters than the best so far; a different
 * reading with as few changes makes the number ambiguous. */
static void cn_found(cn_match *m, size_t n)
{
    m->cur[n] = '\0';
    int subs = 0;
    for (size_t i = 0; i < n; i++)
        subs += m->cur[i] != m->in[i];
    if (m->found == 0 || subs < m->subs) {
        memcpy(m->first, m->cur, n + 1);
        m->found = 1;
        m->subs = subs;
    } else if (subs == m->subs && strcmp(m->first, m->cur) != 0) {
        m->found = 2;
    }
}

/* digits [min,max] at i, then continue with step k */
static void cn_step(cn_match *m, size_t i, int k);

static void cn_digits(cn_match *m, size_t i, int min, int max, int k)
{
    for (int n = 0; n <= max; n++) {
        if (n >= min)
            cn_step(m, i + (size_t)n, k);
        char d = m->in[i + (size_t)n] ? as_digit(m->in[i + (size_t)n]) : 0;
        if (!d)
            return;
        m->cur[i + (size_t)n] = d;
    }
}

/* Steps: 0 first five digits, 1 system code, 2 serial digits, 3 R, 4 year-of-cycle digits,
 * 5 optional scope letter, 6.. suffixes, then the end. Digit runs are greedy in the rule
 * (digits_at): a run may not be followed by another digit, checked when the next step needs a
 * non-digit. */
static void cn_step(cn_match *m, size_t i, int k)
{
    static const char *const systems[] = {"ISMS", "ITSM", "IS", "IT", "EN", "Q", "E",
                                          "S",    "F",    "H",  "I",  "C",  "G"};
    const char *in = m->in;
    if (i >= 63)
        return;
    switch (k) {
    case 0:
        cn_digits(m, i, 5, 5, 1);
        return;
    case 1:
        for (size_t s = 0; s < sizeof systems / sizeof *systems; s++) {
            size_t n = strlen(systems[s]), j = 0;
            for (; j < n && in[i + j]; j++) {
                char c = as_letter(in[i + j], systems[s][j]);
                if (!c)
                    break;
                m->cur[i + j] = c;
            }
            if (j == n)
                cn_step(m, i + n, 2);
        }
        return;
    case 2:
        cn_digits(m, i, 3, 7, 3);
        return;
    case 3: {
        char c = in[i] ? as_letter(in[i], 'R') : 0;
        if (c) {
            m->cur[i] = c;
            cn_step(m, i + 1, 4);
        }
        return;
    }
    case 4:
        cn_digits(m, i, 1, 2, 5);
        return;
    case 5:
        cn_step(m, i, 6); /* no scope letter */
        for (const char *l = "SMLW"; *l; l++) {
            char c = in[i] ? as_letter(in[i], *l) : 0;
            if (c) {
                m->cur[i] = c;
                cn_step(m, i + 1, 6);
            }
        }
        return;
    default: /* 6, 7: up to two suffixes, literal / or - then digits; 8: the end */
        if (!in[i]) {
            cn_found(m, i);
            return;
        }
        if (k >= 8 || (in[i] != '/' && in[i] != '-'))
            return;
        m->cur[i] = in[i];
        cn_digits(m, i + 1, 1, in[i] == '/' ? 6 : 3, k + 1);
        return;
    }
}

static void normalise_code(const char *s, char *out, size_t outsz)
{
    char *h = dtp_ocr_halfwidth(s, strlen(s));
    size_t o = 0;
    if (h) {
        for (size_t i = 0; h[i] && o + 1 < outsz; i++) {
            unsigned char c = (unsigned char)h[i];
            if (isspace(c))
                continue;
            out[o++] = (char)toupper(c);
        }
    }
    out[o] = '\0';
    free(h);
}

dtp_ocr_check dtp_ocr_check_cert_no(const char *s, char out[64], int *repair_pos)
{
    out[0] = '\0';
    if (!s)
        return DTP_OCR_CHECK_EMPTY;
    normalise_code(s, out, 64);
    if (!out[0])
        return DTP_OCR_CHECK_EMPTY;
    if (cnca_shape(out))
        return DTP_OCR_CHECK_OK;
    if (!repair_pos)
        return DTP_OCR_CHECK_BAD_SHAPE;
    /* Repair only when the shape admits exactly one reading with the fewest changed
     * confusables: a code position (one of the five digits, the system letters, R) leaves no
     * choice there, so 001251S6625ROM can only be 00125IS6625R0M; where two readings fit
     * equally (R1I: R11 or R1L) the number is not repaired. */
    cn_match m;
    memset(&m, 0, sizeof m);
    m.in = out;
    cn_step(&m, 0, 0);
    if (m.found != 1 || m.subs > DTP_OCR_CERT_NO_MAX_REPAIRS || !cnca_shape(m.first))
        return DTP_OCR_CHECK_BAD_SHAPE;
    *repair_pos = -1;
    for (size_t i = 0; out[i]; i++)
        if (out[i] != m.first[i]) {
            *repair_pos = (int)i;
            break;
        }
    memcpy(out, m.first, strlen(m.first) + 1);
    return DTP_OCR_CHECK_REPAIRED;
}

int dtp_ocr_cert_no_plausible(const char *s)
{
    size_t n = strlen(s);
    int digits = 0;
    if (n < 6 || n > 40)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isdigit(c))
            digits++;
        else if (!(c >= 'A' && c <= 'Z') && !strchr("-/.()", c))
            return 0;
    }
    return digits >= 3;
}

/* ---- codes ---- */

dtp_ocr_check dtp_ocr_check_org_code(const char *s, char out[10])
{
    static const int w[8] = {3, 7, 9, 10, 5, 8, 4, 2};
    char buf[64];
    out[0] = '\0';
    if (!s)
        return DTP_OCR_CHECK_EMPTY;
    normalise_code(s, buf, sizeof buf);
    size_t o = 0;
    for (size_t i = 0; buf[i]; i++) {
        if (buf[i] == '-')
            continue;
        if (o >= 9)
            return DTP_OCR_CHECK_BAD_SHAPE;
        out[o++] = buf[i];
    }
    out[o] = '\0';
    if (o == 0)
        return DTP_OCR_CHECK_EMPTY;
    if (o != 9)
        return DTP_OCR_CHECK_BAD_SHAPE;
    int sum = 0;
    for (int i = 0; i < 8; i++) {
        char c = out[i];
        int v;
        if (c >= '0' && c <= '9')
            v = c - '0';
        else if (c >= 'A' && c <= 'Z')
            v = c - 'A' + 10;
        else
            return DTP_OCR_CHECK_BAD_SHAPE;
        sum += v * w[i];
    }
    int c9 = 11 - sum % 11;
    char want = c9 == 10 ? 'X' : c9 == 11 ? '0' : (char)('0' + c9);
    if (!(isdigit((unsigned char)out[8]) || out[8] == 'X'))
        return DTP_OCR_CHECK_BAD_SHAPE;
    return out[8] == want ? DTP_OCR_CHECK_OK : DTP_OCR_CHECK_BAD_CHECK;
}

dtp_ocr_check dtp_ocr_check_uscc(const char *s, char out[19], int *repair_pos)
{
    char buf[64];
    out[0] = '\0';
    if (!s)
        return DTP_OCR_CHECK_EMPTY;
    normalise_code(s, buf, sizeof buf);
    size_t o = 0;
    for (size_t i = 0; buf[i]; i++) {
        if (buf[i] == '-')
            continue;
        if (o >= 18)
            return DTP_OCR_CHECK_BAD_SHAPE;
        out[o++] = buf[i];
    }
    out[o] = '\0';
    if (o == 0)
        return DTP_OCR_CHECK_EMPTY;
    if (o != 18)
        return DTP_OCR_CHECK_BAD_SHAPE;
    dtp_uscc_result r = dtp_uscc_check(out);
    if (r == DTP_USCC_OK)
        return DTP_OCR_CHECK_OK;
    char fixed[DTP_USCC_LEN + 1];
    int pos = -1;
    if (repair_pos && dtp_uscc_repair(out, fixed, &pos)) {
        memcpy(out, fixed, sizeof fixed);
        *repair_pos = pos;
        return DTP_OCR_CHECK_REPAIRED;
    }
    return r == DTP_USCC_BAD_CHECK ? DTP_OCR_CHECK_BAD_CHECK : DTP_OCR_CHECK_BAD_SHAPE;
}

int dtp_ocr_parse_count(const char *s)
{
    if (!s)
        return -1;
    char *q = squeeze(s);
    if (!q)
        return -1;
    const char *p = q;
    int v = 0, n = read_digits(&p, 2, &v);
    int ok = n > 0 && (*p == '\0' || strcmp(p, "次") == 0);
    free(q);
    return ok ? v : -1;
}

static int ends_with(const char *s, size_t n, const char *tail)
{
    size_t k = strlen(tail);
    return n >= k && strcmp(s + n - k, tail) == 0;
}

int dtp_ocr_name_form_repair(const char *name, char *out, size_t outsz, int *pos)
{
    static const char *const legal[] = {"有限公司", "有限责任公司", "股份公司", "分公司",
                                        "(有限合伙)"};
    static const char *const forms[] = {"有限责任公司", "股份有限公司"};
    enum { FORM_CPS = 6, MAX_CPS = 256 };
    if (!name)
        return 0;
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof legal / sizeof *legal; i++)
        if (ends_with(name, n, legal[i]))
            return 0;
    /* the byte offset of each character */
    size_t at[MAX_CPS + 1], ncp = 0, b = 0;
    while (b < n && ncp < MAX_CPS) {
        size_t adv = 0;
        dtp_ocr_utf8_decode(name + b, n - b, &adv);
        at[ncp++] = b;
        b += adv ? adv : 1;
    }
    if (b < n || ncp < FORM_CPS)
        return 0;
    at[ncp] = n;
    const char *tail = name + at[ncp - FORM_CPS];
    int found = -1, diff_at = -1;
    for (size_t f = 0; f < sizeof forms / sizeof *forms; f++) {
        const char *p = forms[f], *q = tail;
        int diffs = 0, where = -1;
        for (int c = 0; c < FORM_CPS; c++) {
            size_t ap = 0, aq = 0;
            unsigned cp = dtp_ocr_utf8_decode(p, strlen(p), &ap);
            unsigned cq = dtp_ocr_utf8_decode(q, strlen(q), &aq);
            if (cp != cq) {
                diffs++;
                where = c;
            }
            p += ap ? ap : 1;
            q += aq ? aq : 1;
        }
        if (diffs == 1) {
            if (found >= 0)
                return 0; /* two forms fit: no repair */
            found = (int)f;
            diff_at = where;
        }
    }
    size_t head = at[ncp - FORM_CPS], flen = strlen(forms[found < 0 ? 0 : found]);
    if (found < 0 || head + flen + 1 > outsz)
        return 0;
    memcpy(out, name, head);
    memcpy(out + head, forms[found], flen + 1);
    if (pos)
        *pos = (int)(ncp - FORM_CPS) + diff_at;
    return 1;
}

int dtp_ocr_name_form_ok(const char *name)
{
    /* a branch (…有限公司北京分公司) and a limited partnership (…(有限合伙)) are legal too */
    static const char *const forms[] = {"有限公司", "有限责任公司", "分公司", "(有限合伙)"};
    if (!name || !strstr(name, "有限"))
        return 1;
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
        size_t k = strlen(forms[i]);
        if (n >= k && strcmp(name + n - k, forms[i]) == 0)
            return 1;
    }
    return 0;
}
