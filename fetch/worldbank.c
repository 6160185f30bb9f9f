#include "fetch/worldbank.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fetch/number.h"

#define STAGE "fetch"

const char *dtp_wb_variable(const char *indicator)
{
    static const struct {
        const char *code, *var;
    } MAP[] = {
        {"GOV_WGI_PV_EST", "pv"},
        {"GOV_WGI_PV.EST", "pv"},
        {"PV.EST", "pv"},
        {"BX.KLT.DINV.WD.GD.ZS", "fdi"},
    };
    for (size_t i = 0; i < sizeof MAP / sizeof MAP[0]; i++)
        if (strcmp(indicator, MAP[i].code) == 0)
            return MAP[i].var;
    return NULL;
}

int dtp_wb_error_try_next(int api_error_id)
{
    return api_error_id == 120 || api_error_id == 175;
}

static dtp_status fail(const dtp_parse_ctx *pc, dtp_error *err, dtp_status st, const char *loc,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static dtp_status fail(const dtp_parse_ctx *pc, dtp_error *err, dtp_status st, const char *loc,
                       const char *fmt, ...)
{
    if (!err)
        return st;
    char msg[DTP_ERR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    dtp_error_where(err, pc->source, pc->artifact, NULL);
    dtp_error_locatef(err, "%s%s%s", pc->file ? pc->file : "", pc->file && loc ? ":" : "",
                      loc ? loc : "");
    return dtp_error_set(err, st, STAGE, "%s", msg);
}

/* Nesting depth of JSON text, ignoring brackets inside strings. jansson has its own limit
 * (2048); ours is far lower because the API never nests beyond 4. */
static int too_deep(const unsigned char *p, size_t n, int max)
{
    int depth = 0, in_str = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '[' || c == '{') {
            if (++depth > max)
                return 1;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return 0;
}

static size_t skip_bom_ws(const unsigned char *p, size_t n)
{
    size_t i = 0;
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
        i = 3;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    return i;
}

/* An HTML error page (bad source= gives HTTP 400 with one): say so, with its <title>. */
static dtp_status html_error(const dtp_parse_ctx *pc, const unsigned char *p, size_t n,
                             dtp_error *err)
{
    char title[128] = "";
    const char *t = NULL;
    size_t lim = n < 8192 ? n : 8192;
    for (size_t i = 0; i + 7 <= lim; i++)
        if (memcmp(p + i, "<title>", 7) == 0) {
            t = (const char *)p + i + 7;
            break;
        }
    if (t) {
        size_t k = 0;
        while (k + 1 < sizeof title && t + k < (const char *)p + lim && t[k] != '<' &&
               (unsigned char)t[k] >= 0x20)
            k++;
        memcpy(title, t, k);
        title[k] = '\0';
    }
    return fail(pc, err, DTP_ERR_UPSTREAM, "$", "html page instead of json%s%s%s",
                title[0] ? " (title \"" : "", title, title[0] ? "\")" : "");
}

static dtp_status load(const dtp_parse_ctx *pc, const void *buf, size_t len,
                       const dtp_wb_opts *opts, json_t **out, dtp_error *err)
{
    size_t max_bytes = opts && opts->max_bytes ? opts->max_bytes : (size_t)64 << 20;
    int max_depth = opts && opts->max_depth ? opts->max_depth : 32;
    const unsigned char *p = buf;
    *out = NULL;
    if (len > max_bytes)
        return fail(pc, err, DTP_ERR_LIMIT, NULL, "response of %zu bytes exceeds the cap of %zu",
                    len, max_bytes);
    size_t at = skip_bom_ws(p, len);
    if (at == len)
        return fail(pc, err, DTP_ERR_UPSTREAM, "$", "empty response body");
    if (p[at] == '<')
        return html_error(pc, p, len, err);
    if (too_deep(p, len, max_depth))
        return fail(pc, err, DTP_ERR_LIMIT, "$", "json nested deeper than %d", max_depth);
    json_error_t je;
    json_t *root = json_loadb((const char *)p + at, len - at, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return fail(pc, err, DTP_ERR_PARSE, NULL, "not valid json at line %d column %d: %s",
                    je.line, je.column, je.text);
    *out = root;
    return DTP_OK;
}

/* [{"message":[{"id":"120","key":"Invalid value","value":"..."}]}] */
static dtp_status api_error(const dtp_parse_ctx *pc, json_t *root, dtp_wb_meta *meta,
                            dtp_error *err)
{
    json_t *msgs = json_object_get(json_array_get(root, 0), "message");
    json_t *m0 = json_array_get(msgs, 0);
    const char *id = json_string_value(json_object_get(m0, "id"));
    const char *key = json_string_value(json_object_get(m0, "key"));
    const char *value = json_string_value(json_object_get(m0, "value"));
    long idn = 0;
    if (!id || dtp_fetch_parse_long(id, strlen(id), &idn) != DTP_OK || idn <= 0 || idn > 99999)
        return fail(pc, err, DTP_ERR_PARSE, "$[0].message[0].id",
                    "error document without a numeric message id");
    meta->api_error_id = (int)idn;
    snprintf(meta->api_error_key, sizeof meta->api_error_key, "%s", key ? key : "");
    return fail(pc, err, dtp_wb_error_try_next((int)idn) ? DTP_ERR_NOT_FOUND : DTP_ERR_UPSTREAM,
                "$[0].message", "api error %ld (%s): %s%s", idn, key ? key : "?",
                value ? value : "", idn == 175 ? " (indicator archived or deleted)" : "");
}

/* meta numbers come as integers or as strings ("per_page":"50") */
static dtp_status meta_long(const dtp_parse_ctx *pc, json_t *meta, const char *key, long *out,
                            dtp_error *err)
{
    json_t *v = json_object_get(meta, key);
    *out = -1;
    if (!v)
        return DTP_OK;
    if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= 1000000000) {
        *out = (long)json_integer_value(v);
        return DTP_OK;
    }
    const char *s = json_string_value(v);
    if (s && dtp_fetch_parse_long(s, strlen(s), out) == DTP_OK && *out <= 1000000000)
        return DTP_OK;
    char loc[64];
    snprintf(loc, sizeof loc, "$[0].%s", key);
    return fail(pc, err, DTP_ERR_PARSE, loc, "meta %s is not a non-negative integer", key);
}

static void meta_string(json_t *meta, const char *key, char *out, size_t outsz)
{
    json_t *v = json_object_get(meta, key);
    if (json_is_string(v))
        snprintf(out, outsz, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(out, outsz, "%lld", (long long)json_integer_value(v));
    else
        out[0] = '\0';
}

/* Classify the top level; on DTP_OK *rows is the record array or NULL for an empty answer. */
static dtp_status envelope(const dtp_parse_ctx *pc, json_t *root, dtp_wb_meta *meta, json_t **rows,
                           dtp_error *err)
{
    memset(meta, 0, sizeof *meta);
    meta->page = meta->pages = meta->per_page = meta->total = -1;
    *rows = NULL;
    if (!json_is_array(root))
        return fail(pc, err, DTP_ERR_PARSE, "$", "top level is not an array");
    json_t *first = json_array_get(root, 0);
    if (json_array_size(root) == 1 && json_is_array(json_object_get(first, "message")))
        return api_error(pc, root, meta, err);
    if (json_array_size(root) != 2 || !json_is_object(first))
        return fail(pc, err, DTP_ERR_PARSE, "$",
                    "expected [meta, rows] or an error document, got an array of %zu",
                    json_array_size(root));
    dtp_status st;
    if ((st = meta_long(pc, first, "page", &meta->page, err)) != DTP_OK ||
        (st = meta_long(pc, first, "pages", &meta->pages, err)) != DTP_OK ||
        (st = meta_long(pc, first, "per_page", &meta->per_page, err)) != DTP_OK ||
        (st = meta_long(pc, first, "total", &meta->total, err)) != DTP_OK)
        return st;
    if (meta->total < 0)
        return fail(pc, err, DTP_ERR_PARSE, "$[0]", "meta has no total");
    meta_string(first, "sourceid", meta->sourceid, sizeof meta->sourceid);
    meta_string(first, "lastupdated", meta->lastupdated, sizeof meta->lastupdated);
    json_t *second = json_array_get(root, 1);
    if (json_is_null(second) || (json_is_array(second) && json_array_size(second) == 0)) {
        meta->empty = 1;
        return DTP_OK;
    }
    if (!json_is_array(second))
        return fail(pc, err, DTP_ERR_PARSE, "$[1]", "rows are neither an array nor null");
    *rows = second;
    meta->rows = json_array_size(second);
    return DTP_OK;
}

/* A string member; "" when absent. Error when present with another type. */
static dtp_status str_at(const dtp_parse_ctx *pc, json_t *obj, const char *key, size_t i,
                         const char *path, const char **out, dtp_error *err)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        *out = "";
        return DTP_OK;
    }
    if (!json_is_string(v)) {
        char loc[128];
        snprintf(loc, sizeof loc, "$[1][%zu]%s.%s", i, path, key);
        return fail(pc, err, DTP_ERR_PARSE, loc, "%s is not a string", key);
    }
    *out = json_string_value(v);
    return DTP_OK;
}

static dtp_status one_row(const dtp_parse_ctx *pc, json_t *row, size_t i, dtp_wb_meta *meta,
                          dtp_parse_stats *stats, dtp_error *err)
{
    char loc[128];
    if (!json_is_object(row)) {
        snprintf(loc, sizeof loc, "$[1][%zu]", i);
        return fail(pc, err, DTP_ERR_PARSE, loc, "record is not an object");
    }
    json_t *ind = json_object_get(row, "indicator"), *cty = json_object_get(row, "country");
    if (!json_is_object(ind) || !json_is_object(cty)) {
        snprintf(loc, sizeof loc, "$[1][%zu]", i);
        return fail(pc, err, DTP_ERR_PARSE, loc, "record lacks indicator or country objects");
    }
    const char *ind_id, *cty_id, *cty_name, *iso3, *date, *unit, *status, *foot;
    dtp_status st;
    if ((st = str_at(pc, ind, "id", i, ".indicator", &ind_id, err)) != DTP_OK ||
        (st = str_at(pc, cty, "id", i, ".country", &cty_id, err)) != DTP_OK ||
        (st = str_at(pc, cty, "value", i, ".country", &cty_name, err)) != DTP_OK ||
        (st = str_at(pc, row, "countryiso3code", i, "", &iso3, err)) != DTP_OK ||
        (st = str_at(pc, row, "date", i, "", &date, err)) != DTP_OK ||
        (st = str_at(pc, row, "unit", i, "", &unit, err)) != DTP_OK ||
        (st = str_at(pc, row, "obs_status", i, "", &status, err)) != DTP_OK ||
        (st = str_at(pc, row, "footnote", i, "", &foot, err)) != DTP_OK)
        return st;
    if (!ind_id[0] || (!iso3[0] && !cty_id[0])) {
        snprintf(loc, sizeof loc, "$[1][%zu]", i);
        return fail(pc, err, DTP_ERR_PARSE, loc, "record without indicator or country code");
    }
    int year;
    if (dtp_fetch_parse_year(date, strlen(date), &year) != DTP_OK) {
        snprintf(loc, sizeof loc, "$[1][%zu].date", i);
        return fail(pc, err, DTP_ERR_UNSUPPORTED, loc, "date \"%s\" is not an annual period", date);
    }
    json_t *v = json_object_get(row, "value");
    char raw[64] = "";
    int has = 0;
    double value = 0;
    snprintf(loc, sizeof loc, "$[1][%zu].value", i);
    if (json_is_integer(v)) {
        has = 1;
        value = (double)json_integer_value(v);
        snprintf(raw, sizeof raw, "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        has = 1;
        value = json_real_value(v);
        dtp_fetch_format_double(value, raw, sizeof raw);
    } else if (v && !json_is_null(v)) {
        return fail(pc, err, DTP_ERR_PARSE, loc, "value is neither a number nor null");
    } else if (!v) {
        return fail(pc, err, DTP_ERR_PARSE, loc, "record has no value member");
    }
    char flags[4096] = "";
    if (status[0] || foot[0]) {
        int w =
            snprintf(flags, sizeof flags, "%s%s%s", status, status[0] && foot[0] ? "; " : "", foot);
        if (w < 0 || (size_t)w >= sizeof flags)
            return fail(pc, err, DTP_ERR_LIMIT, loc, "obs_status and footnote longer than %zu",
                        sizeof flags - 1);
    }
    if (value == 0.0)
        value = 0.0;
    dtp_obs o = {
        .source = pc->source,
        .indicator = ind_id,
        .variable = dtp_wb_variable(ind_id),
        .entity_raw = cty_name,
        .entity_code = iso3[0] ? iso3 : cty_id,
        .entity_system = iso3[0] ? "iso3" : "wb",
        .is_aggregate = 0,
        .year = year,
        .value_raw = raw,
        .has_value = has,
        .value = value,
        .unit = unit,
        .scale = 0,
        .flags = flags[0] ? flags : NULL,
        .edition = pc->edition ? pc->edition : (meta->lastupdated[0] ? meta->lastupdated : NULL),
        .locator = loc,
    };
    if (stats)
        stats->rows++;
    return dtp_parse_emit(pc, stats, &o, err);
}

dtp_status dtp_wb_parse_page(const dtp_parse_ctx *pc, const void *buf, size_t len,
                             const dtp_wb_opts *opts, dtp_wb_meta *meta, dtp_parse_stats *stats,
                             dtp_error *err)
{
    json_t *root = NULL, *rows = NULL;
    dtp_status st = load(pc, buf, len, opts, &root, err);
    if (st == DTP_OK)
        st = envelope(pc, root, meta, &rows, err);
    for (size_t i = 0; st == DTP_OK && rows && i < json_array_size(rows); i++)
        st = one_row(pc, json_array_get(rows, i), i, meta, stats, err);
    json_decref(root);
    return st;
}

dtp_status dtp_wb_parse_countries(const dtp_parse_ctx *pc, const void *buf, size_t len,
                                  const dtp_wb_opts *opts, dtp_wb_meta *meta, dtp_wb_entity_fn fn,
                                  void *ctx, dtp_error *err)
{
    json_t *root = NULL, *rows = NULL;
    dtp_status st = load(pc, buf, len, opts, &root, err);
    if (st == DTP_OK)
        st = envelope(pc, root, meta, &rows, err);
    for (size_t i = 0; st == DTP_OK && rows && i < json_array_size(rows); i++) {
        json_t *r = json_array_get(rows, i);
        char loc[64];
        snprintf(loc, sizeof loc, "$[1][%zu]", i);
        json_t *reg = json_object_get(r, "region"), *inc = json_object_get(r, "incomeLevel");
        if (!json_is_object(r) || !json_is_object(reg) || !json_is_object(inc)) {
            st = fail(pc, err, DTP_ERR_PARSE, loc, "country record lacks region or incomeLevel");
            break;
        }
        dtp_wb_entity e = {.locator = loc};
        if ((st = str_at(pc, r, "id", i, "", &e.id, err)) != DTP_OK ||
            (st = str_at(pc, r, "iso2Code", i, "", &e.iso2, err)) != DTP_OK ||
            (st = str_at(pc, r, "name", i, "", &e.name, err)) != DTP_OK ||
            (st = str_at(pc, reg, "id", i, ".region", &e.region_id, err)) != DTP_OK ||
            (st = str_at(pc, reg, "value", i, ".region", &e.region, err)) != DTP_OK ||
            (st = str_at(pc, inc, "id", i, ".incomeLevel", &e.income_id, err)) != DTP_OK ||
            (st = str_at(pc, inc, "value", i, ".incomeLevel", &e.income, err)) != DTP_OK)
            break;
        if (!e.id[0]) {
            st = fail(pc, err, DTP_ERR_PARSE, loc, "country record without id");
            break;
        }
        e.aggregate = strcmp(e.region_id, "NA") == 0;
        if (fn && (st = fn(ctx, &e, err)) != DTP_OK) {
            if (err && err->status == DTP_OK)
                dtp_error_set(err, st, STAGE, "entity callback failed");
            break;
        }
    }
    json_decref(root);
    return st;
}

void dtp_wb_pager_init(dtp_wb_pager *p)
{
    memset(p, 0, sizeof *p);
    p->next_page = 1;
}

long dtp_wb_pager_next(const dtp_wb_pager *p)
{
    return p->done ? 0 : p->next_page;
}

static dtp_status pager_fail(dtp_error *err, long page, long pages, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static dtp_status pager_fail(dtp_error *err, long page, long pages, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return dtp_error_set(err, DTP_ERR_UPSTREAM, STAGE, "page %ld of %ld: %s", page, pages, msg);
}

dtp_status dtp_wb_pager_add(dtp_wb_pager *p, const dtp_wb_meta *m, dtp_error *err)
{
    if (p->done)
        return pager_fail(err, m->page, m->pages, "page after the sequence was complete");
    if (m->empty) {
        /* an explicit empty answer is only consistent as the whole answer */
        if (p->started || m->total != 0)
            return pager_fail(err, m->page, m->pages, "empty page but total is %ld", m->total);
        p->started = 1;
        p->done = 1;
        return DTP_OK;
    }
    if (m->page < 1 || m->pages < 1 || m->per_page < 1)
        return pager_fail(err, m->page, m->pages, "meta lacks page, pages or per_page");
    if (!p->started) {
        p->started = 1;
        p->total = m->total;
        p->pages = m->pages;
        p->per_page = m->per_page;
    } else {
        if (m->total != p->total)
            return pager_fail(err, m->page, m->pages, "total changed from %ld to %ld", p->total,
                              m->total);
        if (m->pages != p->pages || m->per_page != p->per_page)
            return pager_fail(err, m->page, m->pages, "pages or per_page changed (was %ld x %ld)",
                              p->pages, p->per_page);
    }
    if (m->page != p->next_page)
        return pager_fail(err, m->page, m->pages, "expected page %ld", p->next_page);
    if (m->page > m->pages)
        return pager_fail(err, m->page, m->pages, "page beyond the last");
    if (m->page < m->pages && (long)m->rows != m->per_page)
        return pager_fail(err, m->page, m->pages, "short page (%zu of %ld rows)", m->rows,
                          m->per_page);
    p->rows_seen += m->rows;
    if ((long)p->rows_seen > p->total)
        return pager_fail(err, m->page, m->pages, "%zu rows so far exceed total %ld", p->rows_seen,
                          p->total);
    if (m->page == m->pages) {
        p->done = 1;
        if ((long)p->rows_seen != p->total)
            return pager_fail(err, m->page, m->pages, "short page (%zu rows in all, total %ld)",
                              p->rows_seen, p->total);
    }
    p->next_page = m->page + 1;
    return DTP_OK;
}

dtp_status dtp_wb_pager_finish(const dtp_wb_pager *p, dtp_error *err)
{
    if (!p->started)
        return dtp_error_set(err, DTP_ERR_UPSTREAM, STAGE, "no page was read");
    if (!p->done)
        return pager_fail(err, p->next_page - 1, p->pages, "sequence stopped before the last page");
    if ((long)p->rows_seen != p->total)
        return dtp_error_set(err, DTP_ERR_UPSTREAM, STAGE, "%zu rows read, total is %ld",
                             p->rows_seen, p->total);
    return DTP_OK;
}
