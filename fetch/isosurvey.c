/* ISO Survey workbooks → ISO/IEC 27001 observations. Layouts are told apart by their text; see
 * isosurvey.h for the rules. Rows are buffered one at a time (the reader's row_end callback). */
#include "fetch/isosurvey.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"

#define ISO_ROW_CELLS 256  /* columns looked at; the widest known layout has ~45 */
#define ISO_HEADER_ROWS 30 /* rows searched for the header */
#define ISO_MERGES 4096    /* merge ranges kept (only those near the top matter) */
#define ISO_MERGE_ROWS 64  /* merges starting below this row are ignored */
#define ISO_NORM 256       /* normalised text compared */
#define ISO_SEEN 6         /* rows quoted in the "no header" message */

static const char ISO_SOURCE[] = "isosurvey";
static const char ISO_INDICATOR[] = "ISO/IEC 27001";
static const char ISO_VARIABLE[] = "iso27001";
static const char ISO_HEADERS_LOOKED_FOR[] =
    "a country column (Country, Countries, Land/Sector, Country/Sector) with a count column "
    "(certificates, Total, a header naming 27001, or the edition year); per-country sheets: a "
    "column naming 27001 with Year";

typedef struct rcell {
    uint32_t col;
    dtp_xlsx_type type;
    size_t off; /* text in the row pool */
    double number;
    int present;
} rcell;

typedef struct merge {
    uint32_t r1, c1, r2, c2;
    char text[ISO_NORM];
} merge;

enum { SEEK, DATA, DONE };

typedef struct iso {
    dtp_xlsx *x;
    const char *wb;
    int edition;
    char edition_s[16];
    dtp_obs_fn cb;
    void *cbctx;
    dtp_isosurvey_info *info;
    int wb_mentions; /* single-sheet workbook whose name mentions 27001 */

    /* the sheet being read */
    const char *sheet;
    int named; /* picked by its name */
    int state;
    int stopped; /* we stopped the reader on purpose */
    dtp_isosurvey_layout layout;
    int title_mentions;
    unsigned rows_before;
    uint32_t header_row, key_col, value_col;
    int data_seen;
    size_t sheet_obs;
    char seen[ISO_SEEN][80];
    int n_seen;

    rcell cells[ISO_ROW_CELLS + 1]; /* by column, 1-based */
    uint32_t maxcol;
    dtp_buf pool;

    merge *merges;
    size_t n_merges;

    dtp_buf pre_notes; /* note text above the header: goes into flags */
    dtp_buf flags;
    dtp_buf notes; /* all note text: goes into info */
} iso;

/* ---- text helpers ---- */

/* Lower-case letters and digits only: "Land/Sector" → "landsector", "ISO_IEC 27001" →
 * "isoiec27001". Non-ASCII bytes are dropped. */
static void norm(const char *s, char *out, size_t outsz)
{
    size_t o = 0;
    for (; s && *s && o + 1 < outsz; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 128 && isalnum(c))
            out[o++] = (char)tolower(c);
    }
    out[o] = '\0';
}

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int dtp_isosurvey_sheet_is_27001(const char *name)
{
    char n[ISO_NORM];
    const char *rest;
    norm(name, n, sizeof n);
    if (starts(n, "isoiec27001"))
        rest = n + 11;
    else if (starts(n, "iso27001"))
        rest = n + 8;
    else
        return 0;
    if (*rest == '\0')
        return 1;
    /* a version year: "ISO 27001 2013", "ISO/IEC 27001:2022" */
    return strlen(rest) == 4 && (starts(rest, "19") || starts(rest, "20")) &&
           isdigit((unsigned char)rest[2]) && isdigit((unsigned char)rest[3]);
}

/* First 4-digit year 1990..2100 standing alone (not part of a longer digit run), or 0. */
static int find_year(const char *s)
{
    for (size_t i = 0; s && s[i]; i++) {
        if (!isdigit((unsigned char)s[i]) || (i > 0 && isdigit((unsigned char)s[i - 1])))
            continue;
        size_t j = i;
        while (isdigit((unsigned char)s[j]))
            j++;
        /* "27001:2013" is the standard's version, not the edition */
        if (j - i == 4 && !(i > 0 && s[i - 1] == ':')) {
            int y = (s[i] - '0') * 1000 + (s[i + 1] - '0') * 100 + (s[i + 2] - '0') * 10 +
                    (s[i + 3] - '0');
            if (y >= 1990 && y <= 2100)
                return y;
        }
        i = j - 1;
    }
    return 0;
}

static int is_country_header(const char *n)
{
    static const char *const names[] = {
        "country",     "countries",       "landsector",       "countrysector",
        "land",        "countryeconomy",  "countryterritory", "countryorterritory",
        "countryname", "countriessector", "countryregion"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(n, names[i]) == 0)
            return 1;
    return 0;
}

/* Rank of a header as the count column (higher is better), 0 when it is not one. */
static int value_rank(const char *n, int edition)
{
    if (strstr(n, "certificate") && !strstr(n, "site"))
        return 4;
    if (strcmp(n, "total") == 0 || strcmp(n, "totals") == 0 || strcmp(n, "totalcertificates") == 0)
        return 3;
    if (strstr(n, "27001"))
        return 2;
    if (edition > 0 && strlen(n) == 4 && find_year(n) == edition)
        return 1;
    return 0;
}

static int is_total(const char *n)
{
    return strcmp(n, "total") == 0 || strcmp(n, "totals") == 0 || strcmp(n, "grandtotal") == 0 ||
           strcmp(n, "worldtotal") == 0 || strcmp(n, "totalworld") == 0;
}

static int is_sector_row(const char *n)
{
    return starts(n, "sectornumber") || strcmp(n, "sector") == 0 || strcmp(n, "sectors") == 0 ||
           strcmp(n, "sectorname") == 0 || strcmp(n, "sectornr") == 0;
}

/* A note row as the survey writes them: "Note: ...", "Disclaimer", "* ...", "Source: ...". */
static int is_note(const char *text)
{
    char n[ISO_NORM];
    const char *p = text;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '*' || *p == '(')
        return 1;
    norm(p, n, sizeof n);
    return starts(n, "note") || starts(n, "disclaimer") || starts(n, "source") ||
           starts(n, "caution") || starts(n, "pleasenote") || starts(n, "important") ||
           strstr(n, "disclaimer") != NULL || strlen(p) > 100;
}

/* Trimmed copy of s into out. */
static void trim_copy(const char *s, char *out, size_t outsz)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    if (n >= outsz)
        n = outsz - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

/* ---- the row buffer ---- */

static const char *cell_text(iso *s, uint32_t col)
{
    if (col == 0 || col > ISO_ROW_CELLS || !s->cells[col].present)
        return "";
    return s->pool.data ? s->pool.data + s->cells[col].off : "";
}

static const rcell *cell_at(iso *s, uint32_t col)
{
    if (col == 0 || col > ISO_ROW_CELLS || !s->cells[col].present)
        return NULL;
    return &s->cells[col];
}

/* The text that shows at (row, col): the cell's own, or that of the merge range covering it. */
static const char *shown_text(iso *s, uint32_t row, uint32_t col)
{
    const char *t = cell_text(s, col);
    if (*t)
        return t;
    for (size_t i = 0; i < s->n_merges; i++) {
        const merge *m = &s->merges[i];
        if (row >= m->r1 && row <= m->r2 && col >= m->c1 && col <= m->c2)
            return m->text;
    }
    return "";
}

static void row_reset(iso *s)
{
    for (uint32_t c = 1; c <= s->maxcol && c <= ISO_ROW_CELLS; c++)
        s->cells[c].present = 0;
    s->maxcol = 0;
    dtp_buf_reset(&s->pool);
}

static void note_add(dtp_buf *b, const char *text)
{
    char t[1024];
    trim_copy(text, t, sizeof t);
    if (!*t)
        return;
    if (b->len && dtp_buf_puts(b, " | ") != DTP_OK)
        return;
    if (dtp_buf_puts(b, t) != DTP_OK) {
        /* keep as much as fits: the cap only guards memory */
        size_t room = b->max > b->len ? b->max - b->len : 0;
        if (room)
            dtp_buf_append(b, t, strlen(t) < room ? strlen(t) : room);
    }
}

/* ---- callbacks from the reader ---- */

static dtp_status on_merge(void *ctx, const char *sheet, const dtp_xlsx_range *r, dtp_error *err)
{
    iso *s = ctx;
    if (r->row1 > ISO_MERGE_ROWS || s->n_merges >= ISO_MERGES)
        return DTP_OK;
    merge *m = &s->merges[s->n_merges++];
    m->r1 = r->row1;
    m->c1 = r->col1;
    m->r2 = r->row2;
    m->c2 = r->col2;
    m->text[0] = '\0';
    return DTP_OK;
}

static dtp_status on_cell(void *ctx, const dtp_xlsx_cell *c, dtp_error *err)
{
    iso *s = ctx;
    if (c->col > ISO_ROW_CELLS || s->state == DONE)
        return DTP_OK;
    /* the anchor of a merge range lends its text to the whole range */
    for (size_t i = 0; c->row <= ISO_MERGE_ROWS && i < s->n_merges; i++)
        if (s->merges[i].r1 == c->row && s->merges[i].c1 == c->col)
            snprintf(s->merges[i].text, sizeof s->merges[i].text, "%s", c->value);
    rcell *rc = &s->cells[c->col];
    rc->off = s->pool.len;
    if (dtp_buf_append(&s->pool, c->value, c->value_len) != DTP_OK ||
        dtp_buf_append(&s->pool, "", 1) != DTP_OK)
        return DTP_OK; /* a row with more text than the pool holds is a note, not a country */
    rc->col = c->col;
    rc->type = c->type;
    rc->number = c->number;
    rc->present = 1;
    if (c->col > s->maxcol)
        s->maxcol = c->col;
    return DTP_OK;
}

/* ---- observations ---- */

static dtp_status push(iso *s, uint32_t row, const char *entity, int year, int aggregate,
                       dtp_error *err)
{
    dtp_obs o;
    const rcell *v = cell_at(s, s->value_col);
    char ref[16], loc[600], raw[64];
    const char *flag = NULL;
    memset(&o, 0, sizeof o);
    o.source = ISO_SOURCE;
    o.indicator = ISO_INDICATOR;
    o.variable = ISO_VARIABLE;
    o.entity_raw = entity;
    o.entity_system = "name";
    o.is_aggregate = aggregate;
    o.year = year;
    o.unit = "certificates";
    o.edition = s->edition_s;
    dtp_xlsx_format_ref(row, s->value_col, ref, sizeof ref);
    snprintf(loc, sizeof loc, "%s!%s", s->sheet, ref);
    o.locator = loc;

    const char *text = v ? cell_text(s, s->value_col) : "";
    char t[64];
    trim_copy(text, t, sizeof t);
    int blank = !v || v->type == DTP_XLSX_BLANK || !*t || strcmp(t, "-") == 0 ||
                strcmp(t, "\xe2\x80\x93") == 0 || strcmp(t, "\xe2\x80\x94") == 0;
    if (blank) {
        o.value_raw = "";
        if (s->layout == DTP_ISOSURVEY_PER_STANDARD) {
            o.has_value = 1; /* the per-standard list leaves 0 blank */
            o.value = 0;
            flag = "blank=0";
        } else {
            o.has_value = 0;
            flag = "blank";
        }
        if (s->info)
            s->info->n_blank++;
    } else if (v->type == DTP_XLSX_NUMBER) {
        o.value_raw = text;
        o.has_value = 1;
        o.value = v->number;
    } else {
        /* text such as "1 234" or "1,234": digits with group separators */
        size_t o2 = 0;
        for (const char *p = t; *p && o2 + 1 < sizeof raw; p++)
            if (*p != ' ' && *p != ',')
                raw[o2++] = *p;
        raw[o2] = '\0';
        char *end;
        errno = 0;
        double d = strtod(raw, &end);
        o.value_raw = text;
        if (o2 && !*end && !errno && isfinite(d) && v->type == DTP_XLSX_STRING) {
            o.has_value = 1;
            o.value = d;
            flag = "text";
        } else {
            o.has_value = 0;
            flag = "not a number";
        }
    }
    dtp_buf_reset(&s->flags);
    if (flag)
        dtp_buf_puts(&s->flags, flag);
    if (s->pre_notes.len) {
        if (s->flags.len)
            dtp_buf_puts(&s->flags, "; ");
        dtp_buf_puts(&s->flags, "disclaimer=");
        dtp_buf_puts(&s->flags, dtp_buf_str(&s->pre_notes));
    }
    o.flags = s->flags.len ? dtp_buf_str(&s->flags) : NULL;
    s->sheet_obs++;
    if (s->info) {
        s->info->n_obs++;
        if (aggregate)
            s->info->n_aggregate++;
    }
    return s->cb(s->cbctx, &o, err);
}

/* ---- header ---- */

static dtp_status stop(iso *s)
{
    s->state = DONE;
    s->stopped = 1;
    return DTP_ERR_INTERRUPTED;
}

static void remember_row(iso *s, uint32_t row)
{
    if (s->n_seen >= ISO_SEEN)
        return;
    for (uint32_t c = 1; c <= s->maxcol; c++) {
        const char *t = shown_text(s, row, c);
        if (*t) {
            snprintf(s->seen[s->n_seen++], sizeof s->seen[0], "%s", t);
            return;
        }
    }
}

/* Is this row the header? Sets layout, key_col, value_col. */
static int header_here(iso *s, uint32_t row)
{
    char n[ISO_NORM];
    uint32_t country = 0, value = 0, c27001 = 0, year = 0, first = 0, other_std = 0;
    int best = 0;
    uint32_t last = s->maxcol;
    for (size_t i = 0; i < s->n_merges; i++)
        if (row >= s->merges[i].r1 && row <= s->merges[i].r2 && s->merges[i].c2 > last)
            last = s->merges[i].c2 > ISO_ROW_CELLS ? ISO_ROW_CELLS : s->merges[i].c2;
    for (uint32_t c = 1; c <= last; c++) {
        norm(shown_text(s, row, c), n, sizeof n);
        if (!*n)
            continue;
        if (!first)
            first = c;
        if (!country && is_country_header(n)) {
            country = c;
            continue;
        }
        int r = value_rank(n, s->edition);
        if (r > best) {
            best = r;
            value = c;
        }
        if (!c27001 && strstr(n, "27001"))
            c27001 = c;
        else if (starts(n, "iso") && !strstr(n, "27001"))
            other_std = c;
        if (!year && (strcmp(n, "year") == 0 || strcmp(n, "years") == 0))
            year = c;
    }
    if (country && value && (s->named || s->title_mentions || s->wb_mentions)) {
        s->layout = DTP_ISOSURVEY_PER_STANDARD;
        s->key_col = country;
        s->value_col = value;
        return 1;
    }
    /* countries as rows, standards as columns: the 27001 column names itself */
    if (country && c27001) {
        s->layout = DTP_ISOSURVEY_PER_STANDARD;
        s->key_col = country;
        s->value_col = c27001;
        return 1;
    }
    /* a sheet per country: years as rows, standards as columns (a lone title naming 27001,
     * merged across the row, is not such a header) */
    if (!s->named && c27001 && !country && (year || other_std)) {
        s->layout = DTP_ISOSURVEY_PER_COUNTRY;
        s->key_col = year ? year : (first && first != c27001 ? first : 1);
        s->value_col = c27001;
        return 1;
    }
    return 0;
}

static dtp_status seek_header(iso *s, uint32_t row, dtp_error *err)
{
    if (header_here(s, row)) {
        s->header_row = row;
        s->state = DATA;
        if (s->edition <= 0) {
            return dtp_error_set(err, DTP_ERR_PARSE, "fetch",
                                 "isosurvey: %s: sheet '%s': edition year unknown (give it, or "
                                 "name it in the workbook name or a title row)",
                                 s->wb, s->sheet);
        }
        snprintf(s->edition_s, sizeof s->edition_s, "%d", s->edition);
        if (s->info && s->info->layout == DTP_ISOSURVEY_UNKNOWN) {
            s->info->layout = s->layout;
            s->info->edition = s->edition;
            snprintf(s->info->sheet, sizeof s->info->sheet, "%s", s->sheet);
            s->info->header_row = row;
            snprintf(s->info->country_header, sizeof s->info->country_header, "%s",
                     shown_text(s, row, s->key_col));
            snprintf(s->info->value_header, sizeof s->info->value_header, "%s",
                     shown_text(s, row, s->value_col));
        }
        return DTP_OK;
    }
    /* a title, note or blank row above the header */
    int any = 0;
    for (uint32_t c = 1; c <= s->maxcol; c++) {
        const char *t = cell_text(s, c);
        if (!*t)
            continue;
        char n[ISO_NORM];
        norm(t, n, sizeof n);
        if (strstr(n, "27001"))
            s->title_mentions = 1;
        if (s->edition <= 0)
            s->edition = find_year(t);
        if (!any && is_note(t)) {
            note_add(&s->pre_notes, t);
            note_add(&s->notes, t);
            if (s->info)
                s->info->n_notes++;
        }
        any = 1;
    }
    if (any) {
        remember_row(s, row);
        s->rows_before++;
    }
    if (s->rows_before >= ISO_HEADER_ROWS || row >= 2 * ISO_HEADER_ROWS) {
        if (s->named) {
            dtp_buf m;
            dtp_buf_init(&m, 700);
            for (int i = 0; i < s->n_seen; i++)
                dtp_buf_printf(&m, "%s'%.60s'", i ? ", " : "", s->seen[i]);
            dtp_error_set(err, DTP_ERR_PARSE, "fetch",
                          "isosurvey: %s: sheet '%s': no header row in the first %d rows; looked "
                          "for %s; rows seen begin: %s",
                          s->wb, s->sheet, ISO_HEADER_ROWS, ISO_HEADERS_LOOKED_FOR,
                          m.len ? dtp_buf_str(&m) : "(none)");
            dtp_error_locatef(err, "%s!A1", s->sheet);
            dtp_buf_free(&m);
            return DTP_ERR_PARSE;
        }
        return stop(s);
    }
    return DTP_OK;
}

/* ---- data rows ---- */

static int row_year(const rcell *c, const char *text)
{
    if (!c)
        return 0;
    if (c->type == DTP_XLSX_NUMBER) {
        double y = c->number;
        if (y >= 1990 && y <= 2100 && y == floor(y))
            return (int)y;
        return 0;
    }
    char t[32];
    trim_copy(text, t, sizeof t);
    return strlen(t) == 4 ? find_year(t) : 0;
}

static dtp_status data_row(iso *s, uint32_t row, dtp_error *err)
{
    const rcell *key = cell_at(s, s->key_col);
    const rcell *val = cell_at(s, s->value_col);
    char text[512], n[ISO_NORM];
    trim_copy(cell_text(s, s->key_col), text, sizeof text);
    norm(text, n, sizeof n);
    if (!key || !*text) {
        if (val && val->type != DTP_XLSX_BLANK && s->info)
            s->info->n_skipped++;
        /* a row whose only text sits in another column can still be a note */
        for (uint32_t c = 1; c <= s->maxcol; c++)
            if (*cell_text(s, c) && is_note(cell_text(s, c))) {
                note_add(&s->notes, cell_text(s, c));
                if (s->info)
                    s->info->n_notes++;
                break;
            }
        return DTP_OK;
    }
    if (s->layout == DTP_ISOSURVEY_PER_COUNTRY) {
        int y = row_year(key, text);
        if (y) {
            s->data_seen = 1;
            return push(s, row, s->sheet, y, 0, err);
        }
        if (is_note(text)) {
            note_add(&s->notes, text);
            if (s->info)
                s->info->n_notes++;
        } else if (s->info) {
            s->info->n_skipped++;
        }
        return DTP_OK;
    }
    if (key->type == DTP_XLSX_NUMBER || is_sector_row(n)) {
        if (s->info)
            s->info->n_skipped++;
        /* after the countries, "Sector number" starts the table of sectors */
        if (is_sector_row(n) && s->data_seen)
            return stop(s);
        return DTP_OK;
    }
    if (is_note(text)) {
        note_add(&s->notes, text);
        if (s->info)
            s->info->n_notes++;
        return DTP_OK;
    }
    s->data_seen = 1;
    return push(s, row, text, s->edition, is_total(n), err);
}

static dtp_status on_row_end(void *ctx, const char *sheet, uint32_t row, dtp_error *err)
{
    iso *s = ctx;
    dtp_status st = DTP_OK;
    if (s->state == SEEK)
        st = seek_header(s, row, err);
    else if (s->state == DATA)
        st = data_row(s, row, err);
    row_reset(s);
    return st;
}

/* ---- driver ---- */

static dtp_status read_one(iso *s, size_t i, int named, dtp_error *err)
{
    dtp_xlsx_handlers h = {on_cell, on_row_end, on_merge, 1};
    s->sheet = dtp_xlsx_sheet_name(s->x, i);
    s->named = named;
    s->state = SEEK;
    s->stopped = 0;
    s->layout = DTP_ISOSURVEY_UNKNOWN;
    s->title_mentions = 0;
    s->rows_before = 0;
    s->header_row = s->key_col = s->value_col = 0;
    s->data_seen = 0;
    s->sheet_obs = 0;
    s->n_seen = 0;
    s->n_merges = 0;
    row_reset(s);
    dtp_buf_reset(&s->pre_notes);
    dtp_status st = dtp_xlsx_read_sheet(s->x, i, &h, s, err);
    if (st == DTP_ERR_INTERRUPTED && s->stopped) {
        dtp_error_clear(err);
        st = DTP_OK;
    }
    if (st == DTP_OK && s->state == SEEK && named) {
        /* the sheet ended before 30 rows: same message as a long sheet without a header */
        s->rows_before = ISO_HEADER_ROWS;
        st = seek_header(s, s->header_row, err);
    }
    if (st == DTP_OK && s->sheet_obs && s->info)
        s->info->sheets_used++;
    return st;
}

static dtp_status unplaced(iso *s, dtp_error *err)
{
    dtp_buf m;
    dtp_buf_init(&m, 600);
    size_t n = dtp_xlsx_sheet_count(s->x);
    for (size_t i = 0; i < n; i++)
        if (dtp_buf_printf(&m, "%s'%s'", i ? ", " : "", dtp_xlsx_sheet_name(s->x, i)) != DTP_OK) {
            dtp_buf_puts(&m, ", ...");
            break;
        }
    dtp_error_set(err, DTP_ERR_UNSUPPORTED, "fetch",
                  "isosurvey: %s: no ISO/IEC 27001 sheet or column; sheets seen: %s; looked for "
                  "a sheet named ISO/IEC 27001 (ISO IEC 27001, ISO 27001, ISO_IEC_27001) or %s",
                  s->wb, n ? dtp_buf_str(&m) : "(none)", ISO_HEADERS_LOOKED_FOR);
    dtp_buf_free(&m);
    return DTP_ERR_UNSUPPORTED;
}

dtp_status dtp_isosurvey_parse_xlsx(dtp_xlsx *x, int edition_year, dtp_obs_fn cb, void *ctx,
                                    dtp_isosurvey_info *info, dtp_error *err)
{
    iso s;
    dtp_status st = DTP_OK;
    memset(&s, 0, sizeof s);
    if (info)
        memset(info, 0, sizeof *info);
    s.x = x;
    s.wb = dtp_xlsx_name(x) ? dtp_xlsx_name(x) : "workbook";
    s.cb = cb;
    s.cbctx = ctx;
    s.info = info;
    s.edition = edition_year > 0 ? edition_year : find_year(s.wb);
    dtp_buf_init(&s.pool, 1 << 20);
    dtp_buf_init(&s.pre_notes, 2048);
    dtp_buf_init(&s.flags, 4096);
    dtp_buf_init(&s.notes, info ? sizeof info->disclaimer - 1 : 1);
    s.merges = calloc(ISO_MERGES, sizeof *s.merges);
    if (!s.merges) {
        st = dtp_error_set(err, DTP_ERR_NOMEM, "fetch", "isosurvey: out of memory");
        goto out;
    }
    size_t n = dtp_xlsx_sheet_count(x);
    char wn[ISO_NORM];
    norm(s.wb, wn, sizeof wn);
    s.wb_mentions = n == 1 && strstr(wn, "27001") != NULL;

    for (size_t i = 0; i < n; i++) {
        if (dtp_isosurvey_sheet_is_27001(dtp_xlsx_sheet_name(x, i))) {
            st = read_one(&s, i, 1, err);
            goto out;
        }
    }
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        st = read_one(&s, i, 0, err);
        if (st != DTP_OK)
            goto out;
        if (s.state != SEEK && s.layout != DTP_ISOSURVEY_UNKNOWN)
            used++;
        /* one per-standard table per workbook; per-country sheets keep coming */
        if (s.layout == DTP_ISOSURVEY_PER_STANDARD && s.state != SEEK)
            break;
    }
    if (!used)
        st = unplaced(&s, err);
out:
    if (info && s.notes.len)
        snprintf(info->disclaimer, sizeof info->disclaimer, "%s", dtp_buf_str(&s.notes));
    if (st != DTP_OK && err && err->source[0] == '\0')
        dtp_error_where(err, ISO_SOURCE, NULL, NULL);
    dtp_buf_free(&s.pool);
    dtp_buf_free(&s.pre_notes);
    dtp_buf_free(&s.flags);
    dtp_buf_free(&s.notes);
    free(s.merges);
    return st;
}

dtp_status dtp_isosurvey_parse_ex(const void *bytes, size_t n, const char *workbook_name,
                                  int edition_year, const dtp_xlsx_limits *lim, dtp_obs_fn cb,
                                  void *ctx, dtp_isosurvey_info *info, dtp_error *err)
{
    dtp_xlsx *x = dtp_xlsx_open_memory(bytes, n, workbook_name, lim, err);
    if (!x) {
        if (err && err->source[0] == '\0')
            dtp_error_where(err, ISO_SOURCE, NULL, NULL);
        return err ? err->status : DTP_ERR_PARSE;
    }
    dtp_status st = dtp_isosurvey_parse_xlsx(x, edition_year, cb, ctx, info, err);
    dtp_xlsx_free(x);
    return st;
}

dtp_status dtp_isosurvey_parse(const void *bytes, size_t n, const char *workbook_name,
                               int edition_year, const dtp_xlsx_limits *lim, dtp_obs_fn cb,
                               void *ctx, dtp_error *err)
{
    return dtp_isosurvey_parse_ex(bytes, n, workbook_name, edition_year, lim, cb, ctx, NULL, err);
}
