/* The fetch stage driver: requests → raw archive → fetch rows → source_artifacts → parse. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/staging.h"
#include "fetch/adapter.h"
#include "fetch/fetch.h"
#include "fetch/http.h"
#include "fetch/worldbank.h"

#define MAX_REQ 256
#define URL_MAX 2048

typedef struct req {
    char role[128];
    char url[URL_MAX];
    int year;
    /* outcome */
    char sha256[65];
    int stored, not_modified;
    dtp_http_response resp;
} req;

typedef struct archive_sink {
    dtp_archive *ar;
    dtp_archive_writer *w;
    uint64_t max;
    char sha256[65];
} archive_sink;

static dtp_status sink_begin(void *ctx, dtp_error *err)
{
    archive_sink *s = ctx;
    if (s->w)
        dtp_archive_writer_abort(s->w);
    s->w = NULL;
    s->sha256[0] = '\0';
    return dtp_archive_writer_new(s->ar, s->max, &s->w, err);
}

static dtp_status sink_write(void *ctx, const void *p, size_t n, dtp_error *err)
{
    archive_sink *s = ctx;
    return dtp_archive_writer_write(s->w, p, n, err);
}

static void sink_abort(void *ctx)
{
    archive_sink *s = ctx;
    dtp_archive_writer_abort(s->w);
    s->w = NULL;
}

static dtp_status sink_commit(void *ctx, dtp_error *err)
{
    archive_sink *s = ctx;
    dtp_archive_writer *w = s->w;
    s->w = NULL;
    return dtp_archive_writer_commit(w, s->sha256, err);
}

/* file://<dir>/<name> with dir made absolute (against the working directory when relative). */
static void file_url(const char *dir, const char *name, char *out, size_t outsz)
{
    char cwd[2048];
    if (dir[0] == '/')
        snprintf(out, outsz, "file://%s/%s", dir, name);
    else if (getcwd(cwd, sizeof cwd))
        snprintf(out, outsz, "file://%s/%s/%s", cwd, dir, name);
    else
        snprintf(out, outsz, "file://./%s/%s", dir, name);
}

/* file://relative/path → file:///<config_dir>/relative/path, so a config can name files beside
 * itself; everything else unchanged. */
static void resolve_url(const char *config_dir, const char *url, char *out, size_t outsz)
{
    if (strncmp(url, "file://", 7) == 0 && url[7] != '/' && config_dir && *config_dir)
        file_url(config_dir, url + 7, out, outsz);
    else
        snprintf(out, outsz, "%s", url);
}

static void replace_year(const char *url, int year, char *out, size_t outsz)
{
    const char *p = strstr(url, "{year}");
    if (!p) {
        snprintf(out, outsz, "%s", url);
        return;
    }
    snprintf(out, outsz, "%.*s%d%s", (int)(p - url), url, year, p + 6);
}

static const char *col(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? (const char *)t : NULL;
}

/* Validators of the last successful fetch of (source, role) from the same URL whose artifact is
 * still current. Validators from another URL would be compared against the wrong resource (a
 * file:// source moved to a new file written in the same second would look "not modified"). */
static void previous_validators(sqlite3 *db, const char *source, const char *role, const char *url,
                                char *etag, char *lastmod, size_t n)
{
    etag[0] = lastmod[0] = '\0';
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT f.etag, f.last_modified FROM fetches f JOIN source_artifacts sa"
                           " ON sa.source = f.source AND sa.role = f.role AND sa.artifact_sha256 ="
                           " f.artifact_sha256 WHERE f.source = ? AND f.role = ? AND"
                           " COALESCE(f.request_params, f.url) = ? AND"
                           " f.outcome = 'stored' ORDER BY f.id DESC LIMIT 1",
                           -1, &s, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, role, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, url, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) {
        snprintf(etag, n, "%s", col(s, 0) ? col(s, 0) : "");
        snprintf(lastmod, n, "%s", col(s, 1) ? col(s, 1) : "");
    }
    sqlite3_finalize(s);
}

static int current_artifact(sqlite3 *db, const char *source, const char *role, char sha[65])
{
    sqlite3_stmt *s = NULL;
    int found = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT artifact_sha256 FROM source_artifacts WHERE source = ? AND role"
                           " = ?",
                           -1, &s, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, role, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) {
        snprintf(sha, 65, "%s", col(s, 0));
        found = 1;
    }
    sqlite3_finalize(s);
    return found;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The requests a source needs: one url, one per edition, or one per inbox file. */
static dtp_status plan_requests(const dtp_fetch_opts *o, const dtp_adapter *ad, const char *section,
                                const char *name, req *reqs, int *nreq, dtp_error *err)
{
    *nreq = 0;
    const char *url = dtp_config_get(o->cfg, section, "url");
    if (ad->inbox) {
        char dir[2048];
        const char *inbox = dtp_config_get(o->cfg, section, "inbox");
        if (!inbox || !*inbox) {
            dtp_error_where(err, name, NULL, section);
            return dtp_error_set(err, DTP_ERR_CONFIG, "fetch", "no inbox directory configured");
        }
        if (inbox[0] == '/' || !o->config_dir || !*o->config_dir)
            snprintf(dir, sizeof dir, "%s", inbox);
        else
            snprintf(dir, sizeof dir, "%s/%s", o->config_dir, inbox);
        DIR *d = opendir(dir);
        if (!d) {
            dtp_error_where(err, name, NULL, dir);
            return dtp_error_set(err, DTP_ERR_IO, "fetch", "cannot open inbox: %s",
                                 strerror(errno));
        }
        char *names[MAX_REQ];
        int n = 0;
        struct dirent *e;
        dtp_status st = DTP_OK;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            size_t len = strlen(e->d_name);
            /* sidecars describe a capture; they are stored with it, not as captures */
            if (len > 12 && strcmp(e->d_name + len - 12, ".sidecar.json") == 0)
                continue;
            if (n == MAX_REQ) {
                st = dtp_error_set(err, DTP_ERR_LIMIT, "fetch", "inbox holds more than %d captures",
                                   MAX_REQ);
                break;
            }
            names[n] = strdup(e->d_name);
            if (!names[n]) {
                st = dtp_error_set(err, DTP_ERR_NOMEM, "fetch", "out of memory");
                break;
            }
            n++;
        }
        closedir(d);
        if (st == DTP_OK)
            qsort(names, (size_t)n, sizeof *names, cmp_names);
        for (int i = 0; i < n; i++) {
            if (st == DTP_OK) {
                req *r = &reqs[(*nreq)++];
                memset(r, 0, sizeof *r);
                snprintf(r->role, sizeof r->role, "capture/%s", names[i]);
                file_url(dir, names[i], r->url, sizeof r->url);
            }
            free(names[i]);
        }
        if (st != DTP_OK)
            dtp_error_where(err, name, NULL, dir);
        return st;
    }
    if (!url || !*url) {
        dtp_error_where(err, name, NULL, section);
        return dtp_error_set(err, DTP_ERR_CONFIG, "fetch",
                             "no url configured (set [%s] url, or enabled = no)", section);
    }
    if (ad->per_edition) {
        int y0, y1;
        if (dtp_config_years(o->cfg, section, "editions", &y0, &y1) != 0 || y1 - y0 >= MAX_REQ)
            return dtp_error_set(err, DTP_ERR_CONFIG, "fetch", "[%s] editions: bad range", section);
        for (int y = y0; y <= y1; y++) {
            req *r = &reqs[(*nreq)++];
            memset(r, 0, sizeof *r);
            char u[URL_MAX];
            replace_year(url, y, u, sizeof u);
            resolve_url(o->config_dir, u, r->url, sizeof r->url);
            snprintf(r->role, sizeof r->role, "edition/%d", y);
            r->year = y;
        }
        return DTP_OK;
    }
    req *r = &reqs[(*nreq)++];
    memset(r, 0, sizeof *r);
    resolve_url(o->config_dir, url, r->url, sizeof r->url);
    snprintf(r->role, sizeof r->role, "data");
    return DTP_OK;
}

static void http_opts_from_config(const dtp_fetch_opts *o, dtp_http_opts *h)
{
    dtp_http_opts_default(h);
    h->connect_timeout_ms = dtp_config_int(o->cfg, "http", "connect_timeout") * 1000;
    h->timeout_ms = dtp_config_int(o->cfg, "http", "timeout") * 1000;
    h->low_speed_limit = dtp_config_int(o->cfg, "http", "low_speed_limit");
    h->low_speed_time_s = dtp_config_int(o->cfg, "http", "low_speed_time");
    h->max_body_bytes = (size_t)dtp_config_int(o->cfg, "http", "max_body_mb") << 20;
    h->max_retries = (int)dtp_config_int(o->cfg, "http", "retries");
    h->backoff_base_ms = dtp_config_int(o->cfg, "http", "backoff_base_ms");
    h->backoff_max_ms = dtp_config_int(o->cfg, "http", "backoff_max_ms");
    h->retry_after_max_ms = dtp_config_int(o->cfg, "http", "max_retry_after") * 1000;
    h->interrupt = o->interrupt;
    const char *contact = dtp_config_get(o->cfg, "dtpanel", "contact");
    h->contact = contact && *contact ? contact : NULL;
}

static dtp_status record_fetch(const dtp_fetch_opts *o, const char *source, const req *r,
                               const char *outcome, const char *sha, const char *message,
                               dtp_error *err)
{
    dtp_fetch_row row = {
        .run_id = o->run_id,
        .source = source,
        .role = r->role,
        .url = r->resp.final_url[0] ? r->resp.final_url : r->url,
        .request_params = r->url, /* the URL as requested (before redirects) */
        .http_status = r->resp.status,
        .etag = r->resp.etag[0] ? r->resp.etag : NULL,
        .last_modified = r->resp.last_modified[0] ? r->resp.last_modified : NULL,
        .content_type = r->resp.content_type[0] ? r->resp.content_type : NULL,
        .attempts = r->resp.attempts,
        .outcome = outcome,
        .artifact_sha256 = sha && *sha ? sha : NULL,
        .message = message,
    };
    return dtp_staging_add_fetch(o->db, &row, NULL, err);
}

static const char *base_name(const char *url)
{
    const char *q = strchr(url, '?');
    const char *end = q ? q : url + strlen(url);
    const char *p = end;
    while (p > url && p[-1] != '/')
        p--;
    return p;
}

/* One request into the raw archive, recorded as a fetch row; r->sha256 is the artifact that now
 * stands for r->role (the stored one, or the current one when upstream said not modified). */
static dtp_status do_request(const dtp_fetch_opts *o, dtp_http_client *client,
                             const dtp_adapter *ad, const char *name, req *r, int index, int total,
                             int generated, size_t max_body, dtp_fetch_source_result *res,
                             dtp_error *err)
{
    char etag[DTP_HTTP_ETAG_MAX], lastmod[DTP_HTTP_DATE_MAX], have[65];
    previous_validators(o->db, name, r->role, r->url, etag, lastmod, sizeof etag);
    int have_current = current_artifact(o->db, name, r->role, have);
    char what[192];
    if (total > 0)
        snprintf(what, sizeof what, "%s (%d of %d)", r->role, index + 1, total);
    else
        snprintf(what, sizeof what, "%s", r->role);
    dtp_http_request hr = {.url = r->url,
                           .source = name,
                           .what = what,
                           .if_none_match = have_current ? etag : NULL,
                           .if_modified_since = have_current ? lastmod : NULL,
                           .accept_types = ad->accept_types};
    dtp_status st;
    if (o->plan_only) {
        st = dtp_http_probe(client, &hr, &r->resp, err);
        if (st == DTP_OK)
            res->requests++;
        if (st == DTP_OK && r->resp.change == DTP_HTTP_UNCHANGED) {
            res->not_modified++;
            r->not_modified = 1;
            snprintf(r->sha256, sizeof r->sha256, "%s", have);
        }
        return st;
    }
    archive_sink as = {.ar = o->archive, .max = max_body};
    dtp_http_sink sink = {sink_begin, sink_write, sink_abort, sink_commit, &as};
    st = dtp_http_get(client, &hr, &sink, &r->resp, err);
    res->requests++;
    if (as.w)
        dtp_archive_writer_abort(as.w);
    if (st != DTP_OK) {
        char msg[DTP_ERR_MESSAGE_MAX + 64];
        dtp_error_format(err, msg, sizeof msg);
        dtp_error e2;
        dtp_error_clear(&e2);
        record_fetch(o, name, r, "failed", NULL, msg, &e2);
        return st;
    }
    if (r->resp.not_modified) {
        r->not_modified = 1;
        snprintf(r->sha256, sizeof r->sha256, "%s", have);
        res->not_modified++;
        return record_fetch(o, name, r, "not_modified", have, NULL, err);
    }
    snprintf(r->sha256, sizeof r->sha256, "%s", as.sha256);
    r->stored = 1;
    if ((st = dtp_staging_add_artifact(o->db, r->sha256, r->resp.bytes,
                                       r->resp.content_type[0] ? r->resp.content_type : NULL,
                                       base_name(r->url), name, generated, err)) != DTP_OK)
        return st;
    return record_fetch(o, name, r, "stored", r->sha256, NULL, err);
}

/* World Bank API: every indicator (trying its '|' fallbacks on error 120/175), every page until
 * the pager says the sequence is complete and adds up to `total`. */
static dtp_status gather_wb_api(const dtp_fetch_opts *o, dtp_http_client *client,
                                const dtp_adapter *ad, const char *name, const char *section,
                                req *reqs, int *nreq, int generated, size_t max_body,
                                dtp_fetch_source_result *res, dtp_error *err)
{
    const char *url = dtp_config_get(o->cfg, section, "url");
    const char *inds = dtp_config_get(o->cfg, section, "indicators");
    long per_page = dtp_config_int(o->cfg, section, "per_page");
    int y0, y1;
    if (!url || !*url || !inds || !*inds) {
        dtp_error_where(err, name, NULL, section);
        return dtp_error_set(err, DTP_ERR_CONFIG, "fetch", "[%s] needs url and indicators",
                             section);
    }
    dtp_config_years(o->cfg, "panel", "years", &y0, &y1);
    char base[URL_MAX];
    resolve_url(o->config_dir, url, base, sizeof base);
    char list[1024];
    snprintf(list, sizeof list, "%s", inds);
    dtp_status st = DTP_OK;
    char *save_group = NULL;
    for (char *group = strtok_r(list, ",", &save_group); group && st == DTP_OK;
         group = strtok_r(NULL, ",", &save_group)) {
        char codes[256];
        snprintf(codes, sizeof codes, "%s", group);
        char *save_code = NULL;
        int done = 0;
        char tried[512] = "";
        for (char *code = strtok_r(codes, "|", &save_code); code && !done && st == DTP_OK;
             code = strtok_r(NULL, "|", &save_code)) {
            while (*code == ' ')
                code++;
            dtp_wb_pager pager;
            dtp_wb_pager_init(&pager);
            int first_index = *nreq;
            long page = 1;
            int try_next = 0;
            while (page > 0 && st == DTP_OK) {
                if (*nreq == MAX_REQ) {
                    st = dtp_error_set(err, DTP_ERR_LIMIT, "fetch",
                                       "more than %d pages: raise per_page", MAX_REQ);
                    break;
                }
                req *r = &reqs[(*nreq)++];
                memset(r, 0, sizeof *r);
                char u[URL_MAX];
                const char *ph = strstr(base, "{indicator}");
                if (ph)
                    snprintf(u, sizeof u, "%.*s%s%s", (int)(ph - base), base, code, ph + 11);
                else
                    snprintf(u, sizeof u, "%s%s", base, code);
                snprintf(r->url, sizeof r->url, "%s%sformat=json&date=%d:%d&per_page=%ld&page=%ld",
                         u, strchr(u, '?') ? "&" : "?", y0, y1, per_page, page);
                snprintf(r->role, sizeof r->role, "indicator/%s/page/%ld", code, page);
                if ((st = do_request(o, client, ad, name, r, 0, 0, generated, max_body, res,
                                     err)) != DTP_OK)
                    break;
                if (o->plan_only) {
                    page = 0; /* a plan asks about page 1 of each indicator only */
                    done = 1;
                    break;
                }
                dtp_buf b;
                dtp_buf_init(&b, (size_t)64 << 20);
                st = dtp_archive_read(o->archive, r->sha256, &b, err);
                dtp_wb_meta meta;
                memset(&meta, 0, sizeof meta);
                if (st == DTP_OK) {
                    dtp_parse_ctx pc = {.source = name, .file = r->url, .artifact = r->sha256};
                    dtp_wb_opts wo = {0};
                    st = dtp_wb_parse_page(&pc, b.data ? b.data : "", b.len, &wo, &meta, NULL, err);
                }
                dtp_buf_free(&b);
                if (st == DTP_ERR_NOT_FOUND && dtp_wb_error_try_next(meta.api_error_id)) {
                    /* the code is invalid or archived: the next fallback gets its turn; the
                     * error answer stays in the archive and the fetch log as evidence */
                    char t[300];
                    snprintf(t, sizeof t, "%s%s (error %d)", tried[0] ? ", " : "", code,
                             meta.api_error_id);
                    strncat(tried, t, sizeof tried - strlen(tried) - 1);
                    *nreq = first_index;
                    st = DTP_OK;
                    try_next = 1;
                    break;
                }
                if (st != DTP_OK) {
                    dtp_error_prefix(err, "%s page %ld", code, page);
                    break;
                }
                if ((st = dtp_wb_pager_add(&pager, &meta, err)) != DTP_OK) {
                    dtp_error_where(err, name, r->sha256, r->url);
                    break;
                }
                page = dtp_wb_pager_next(&pager);
            }
            if (st == DTP_OK && !try_next && !o->plan_only) {
                if ((st = dtp_wb_pager_finish(&pager, err)) != DTP_OK)
                    dtp_error_where(err, name, NULL, code);
                else
                    done = 1;
            }
        }
        if (st == DTP_OK && !done) {
            dtp_error_where(err, name, NULL, group);
            st = dtp_error_set(err, DTP_ERR_UPSTREAM, "fetch",
                               "no code of '%s' is served: tried %s", group, tried);
        }
    }
    return st;
}

/* Requests of one source; on success the source's current artifact set is replaced as a whole. */
static dtp_status fetch_source(const dtp_fetch_opts *o, const dtp_adapter *ad, const char *name,
                               const char *section, dtp_fetch_source_result *res, dtp_error *err)
{
    static req reqs[MAX_REQ];
    int nreq = 0;
    dtp_status st = DTP_OK;
    if (!ad->paged_api && (st = plan_requests(o, ad, section, name, reqs, &nreq, err)) != DTP_OK)
        return st;
    const char *countries = ad->countries ? dtp_config_get(o->cfg, section, "countries_url") : NULL;
    if (countries && *countries && nreq < MAX_REQ) {
        req *r = &reqs[nreq++];
        memset(r, 0, sizeof *r);
        resolve_url(o->config_dir, countries, r->url, sizeof r->url);
        snprintf(r->role, sizeof r->role, "countries");
    }
    if (nreq == 0 && !ad->paged_api) {
        dtp_error_where(err, name, NULL, NULL);
        return dtp_error_set(err, DTP_ERR_UPSTREAM, "fetch", "nothing to fetch (empty inbox)");
    }
    dtp_http_opts ho;
    http_opts_from_config(o, &ho);
    dtp_http_client *client = NULL;
    if ((st = dtp_http_new(&ho, &client, err)) != DTP_OK)
        return st;
    int generated = dtp_config_bool(o->cfg, section, "generated");
    int planned = nreq;
    for (int i = 0; i < planned && st == DTP_OK; i++)
        st = do_request(o, client, ad, name, &reqs[i], i, planned, generated, ho.max_body_bytes,
                        res, err);
    if (st == DTP_OK && ad->paged_api)
        st = gather_wb_api(o, client, ad, name, section, reqs, &nreq, generated, ho.max_body_bytes,
                           res, err);
    dtp_http_free(client);
    if (st != DTP_OK || o->plan_only)
        return st;
    /* All requests succeeded: the new set replaces the old one in one transaction. */
    if ((st = dtp_db_begin(o->db, err)) != DTP_OK)
        return st;
    sqlite3_stmt *del = NULL, *ins = NULL;
    if (sqlite3_prepare_v2(o->db, "DELETE FROM source_artifacts WHERE source = ?", -1, &del,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(o->db,
                           "INSERT INTO source_artifacts(source, role, artifact_sha256) VALUES(?,"
                           "?,?)",
                           -1, &ins, NULL) != SQLITE_OK) {
        st = dtp_db_error(o->db, "prepare source artifacts", err);
        goto out;
    }
    sqlite3_bind_text(del, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(del) != SQLITE_DONE) {
        st = dtp_db_error(o->db, "replace source artifacts", err);
        goto out;
    }
    for (int i = 0; i < nreq; i++) {
        sqlite3_reset(ins);
        sqlite3_bind_text(ins, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, reqs[i].role, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 3, reqs[i].sha256, -1, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            st = dtp_db_error(o->db, "insert source artifact", err);
            goto out;
        }
        res->stored += reqs[i].stored;
    }
    st = dtp_db_commit(o->db, err);
out:
    sqlite3_finalize(del);
    sqlite3_finalize(ins);
    if (st != DTP_OK)
        dtp_db_rollback(o->db);
    return st;
}

static int already_parsed(sqlite3 *db, const char *sha, const char *source, const char *parser)
{
    sqlite3_stmt *s = NULL;
    int yes = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT 1 FROM parses WHERE artifact_sha256 = ? AND source = ? AND"
                           " parser = ? AND status = 'ok'",
                           -1, &s, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(s, 1, sha, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, parser, -1, SQLITE_STATIC);
    yes = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    return yes;
}

static dtp_status record_parse(sqlite3 *db, const char *sha, const char *source, const char *parser,
                               int64_t run_id, const char *status, int64_t nobs,
                               const char *message, dtp_error *err)
{
    sqlite3_stmt *s = NULL;
    char now[32];
    dtp_now_iso(now);
    if (sqlite3_prepare_v2(db,
                           "INSERT OR REPLACE INTO parses(artifact_sha256, source, parser,"
                           " parser_version, run_id, status, observations, message, parsed_at)"
                           " VALUES(?,?,?,?,?,?,?,?,?)",
                           -1, &s, NULL) != SQLITE_OK)
        return dtp_db_error(db, "prepare parse record", err);
    sqlite3_bind_text(s, 1, sha, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, parser, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, parser, -1, SQLITE_STATIC);
    if (run_id > 0)
        sqlite3_bind_int64(s, 5, run_id);
    sqlite3_bind_text(s, 6, status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 7, nobs);
    if (message)
        sqlite3_bind_text(s, 8, message, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 9, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? DTP_OK : dtp_db_error(db, "record parse", err);
}

/* Entity metadata beside the data (World Bank country list) into wb_countries. */
static dtp_status store_entity(void *ctx, const char *code, const char *iso2, const char *name,
                               const char *region, const char *income, int aggregate,
                               dtp_error *err)
{
    sqlite3 *db = ctx;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db,
                           "INSERT OR REPLACE INTO wb_countries(code, iso2, name, region,"
                           " income_group, is_aggregate) VALUES(?,?,?,?,?,?)",
                           -1, &s, NULL) != SQLITE_OK)
        return dtp_db_error(db, "prepare country insert", err);
    sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, iso2, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, region, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, income, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 6, aggregate);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? DTP_OK : dtp_db_error(db, "insert country", err);
}

/* Parse one artifact into observations inside one transaction: all of it or nothing. */
static dtp_status parse_artifact(const dtp_fetch_opts *o, const dtp_adapter *ad, const char *name,
                                 const char *section, const char *role, const char *sha,
                                 const char *file, int64_t *nobs, dtp_error *err)
{
    dtp_status st = dtp_archive_verify(o->archive, sha, err);
    if (st != DTP_OK) {
        dtp_error_where(err, name, sha, NULL);
        return st;
    }
    char path[4096];
    dtp_archive_path(o->archive, sha, path, sizeof path);
    FILE *f = fopen(path, "rb");
    if (!f) {
        dtp_error_where(err, name, sha, path);
        return dtp_error_set(err, DTP_ERR_IO, "fetch", "cannot open artifact: %s", strerror(errno));
    }
    dtp_obs_writer *w = NULL;
    if ((st = dtp_db_begin(o->db, err)) != DTP_OK)
        goto out;
    /* observations of an earlier failed or superseded parse of this artifact go first */
    sqlite3_stmt *del = NULL;
    if (sqlite3_prepare_v2(o->db,
                           "DELETE FROM observations WHERE artifact_sha256 = ? AND source = ? AND"
                           " id NOT IN (SELECT observation_id FROM lineage WHERE observation_id"
                           " IS NOT NULL)",
                           -1, &del, NULL) == SQLITE_OK) {
        sqlite3_bind_text(del, 1, sha, -1, SQLITE_STATIC);
        sqlite3_bind_text(del, 2, name, -1, SQLITE_STATIC);
        sqlite3_step(del);
    }
    sqlite3_finalize(del);
    if ((st = dtp_obs_writer_new(o->db, sha, &w, err)) != DTP_OK)
        goto out;
    int year = 0;
    if (strncmp(role, "edition/", 8) == 0)
        year = (int)strtol(role + 8, NULL, 10);
    char edition[16];
    snprintf(edition, sizeof edition, "%d", year);
    dtp_parse_ctx pc = {.source = name,
                        .file = file,
                        .artifact = sha,
                        .edition = year ? edition : NULL,
                        .on_obs = dtp_obs_writer_add,
                        .obs_ctx = w};
    dtp_adapter_src src = {o->cfg, section, name, role, year, store_entity, o->db};
    dtp_parse_stats stats;
    memset(&stats, 0, sizeof stats);
    dtp_reader r = dtp_reader_file(f);
    if ((st = ad->parse(&pc, &src, &r, &stats, err)) != DTP_OK) {
        if (!err->source[0] || !err->artifact[0])
            dtp_error_where(err, err->source[0] ? NULL : name, err->artifact[0] ? NULL : sha, NULL);
        goto out;
    }
    *nobs = dtp_obs_writer_count(w);
    if ((st = record_parse(o->db, sha, name, ad->parser_version, o->run_id, "ok", *nobs, NULL,
                           err)) != DTP_OK)
        goto out;
    dtp_obs_writer_free(w);
    w = NULL;
    st = dtp_db_commit(o->db, err);
out:
    dtp_obs_writer_free(w);
    if (st != DTP_OK) {
        dtp_db_rollback(o->db);
        char msg[DTP_ERR_MESSAGE_MAX + 64];
        dtp_error_format(err, msg, sizeof msg);
        dtp_error e2;
        dtp_error_clear(&e2);
        record_parse(o->db, sha, name, ad->parser_version, o->run_id, "failed", 0, msg, &e2);
    }
    fclose(f);
    return st;
}

static dtp_status parse_source(const dtp_fetch_opts *o, const dtp_adapter *ad, const char *name,
                               const char *section, dtp_fetch_source_result *res, dtp_error *err)
{
    sqlite3_stmt *s = NULL;
    dtp_status st = DTP_OK;
    if (sqlite3_prepare_v2(o->db,
                           "SELECT sa.role, sa.artifact_sha256, a.original_name FROM"
                           " source_artifacts sa JOIN artifacts a ON a.sha256 ="
                           " sa.artifact_sha256 WHERE sa.source = ? ORDER BY sa.role",
                           -1, &s, NULL) != SQLITE_OK)
        return dtp_db_error(o->db, "list source artifacts", err);
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    /* collect first: parsing writes to the same database */
    struct item {
        char role[128], sha[65], file[256];
    } *items = NULL;
    size_t n = 0, cap = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            struct item *p = realloc(items, cap * sizeof *items);
            if (!p) {
                st = dtp_error_set(err, DTP_ERR_NOMEM, "fetch", "out of memory");
                break;
            }
            items = p;
        }
        snprintf(items[n].role, sizeof items[n].role, "%s", col(s, 0));
        snprintf(items[n].sha, sizeof items[n].sha, "%s", col(s, 1));
        snprintf(items[n].file, sizeof items[n].file, "%s", col(s, 2) ? col(s, 2) : col(s, 1));
        n++;
    }
    sqlite3_finalize(s);
    res->artifacts = (int)n;
    if (st == DTP_OK && n == 0) {
        dtp_error_where(err, name, NULL, NULL);
        st = dtp_error_set(err, DTP_ERR_NOT_FOUND, "fetch",
                           o->offline ? "nothing in the raw archive to replay: fetch it once "
                                        "online first"
                                      : "no artifacts");
    }
    for (size_t i = 0; st == DTP_OK && i < n; i++) {
        if (!ad->parse || already_parsed(o->db, items[i].sha, name, ad->parser_version))
            continue;
        int64_t nobs = 0;
        st = parse_artifact(o, ad, name, section, items[i].role, items[i].sha, items[i].file, &nobs,
                            err);
        res->observations += nobs;
    }
    free(items);
    return st;
}

/* What a citation needs, from the source's config section. */
static dtp_status record_source(const dtp_fetch_opts *o, const char *name, const char *section,
                                dtp_error *err)
{
    sqlite3_stmt *s = NULL;
    char now[32];
    dtp_now_iso(now);
    if (sqlite3_prepare_v2(o->db,
                           "INSERT INTO sources(name, kind, url, title, publisher, licence,"
                           " generated, updated_at) VALUES(?,?,?,?,?,?,?,?) ON CONFLICT(name) DO"
                           " UPDATE SET kind = excluded.kind, url = excluded.url, title ="
                           " excluded.title, publisher = excluded.publisher, licence ="
                           " excluded.licence, generated = excluded.generated, updated_at ="
                           " excluded.updated_at",
                           -1, &s, NULL) != SQLITE_OK)
        return dtp_db_error(o->db, "prepare source record", err);
    static const char *const keys[] = {"kind", "url", "title", "publisher", "licence"};
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    for (int i = 0; i < 5; i++) {
        const char *v = dtp_config_get(o->cfg, section, keys[i]);
        if (i == 1 && (!v || !*v))
            v = dtp_config_get(o->cfg, section, "inbox");
        if (v && *v)
            sqlite3_bind_text(s, 2 + i, v, -1, SQLITE_STATIC);
    }
    sqlite3_bind_int(s, 7, dtp_config_bool(o->cfg, section, "generated"));
    sqlite3_bind_text(s, 8, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? DTP_OK : dtp_db_error(o->db, "record source", err);
}

/* The source's current artifact set is kept aside before a fetch replaces it, and put back when
 * the new set fails to parse: a hostile or broken download is kept as evidence (artifact and
 * fetch row) but never becomes the source's current data, so the observations of the previous
 * set stay the current ones (the contract in fetch.h). */
static dtp_status keep_artifact_set(sqlite3 *db, const char *name, dtp_error *err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_exec(db,
                     "CREATE TEMP TABLE IF NOT EXISTS prev_source_artifacts(source TEXT, role TEXT,"
                     " artifact_sha256 TEXT, fetch_id INTEGER)",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "DELETE FROM temp.prev_source_artifacts WHERE source = ?", -1, &s,
                           NULL) != SQLITE_OK)
        return dtp_db_error(db, "keep source artifacts", err);
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO temp.prev_source_artifacts SELECT source, role,"
                           " artifact_sha256, fetch_id FROM source_artifacts WHERE source = ?",
                           -1, &s, NULL) != SQLITE_OK)
        return dtp_db_error(db, "keep source artifacts", err);
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? DTP_OK : dtp_db_error(db, "keep source artifacts", err);
}

static dtp_status restore_artifact_set(sqlite3 *db, const char *name, dtp_error *err)
{
    static const char *const sql[] = {
        "DELETE FROM source_artifacts WHERE source = ?1",
        "INSERT INTO source_artifacts(source, role, artifact_sha256, fetch_id) SELECT source, role,"
        " artifact_sha256, fetch_id FROM temp.prev_source_artifacts WHERE source = ?1"};
    dtp_status st = dtp_db_begin(db, err);
    for (size_t i = 0; st == DTP_OK && i < sizeof sql / sizeof sql[0]; i++) {
        sqlite3_stmt *s = NULL;
        if (sqlite3_prepare_v2(db, sql[i], -1, &s, NULL) != SQLITE_OK) {
            st = dtp_db_error(db, "restore source artifacts", err);
            break;
        }
        sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(s) != SQLITE_DONE)
            st = dtp_db_error(db, "restore source artifacts", err);
        sqlite3_finalize(s);
    }
    if (st == DTP_OK)
        return dtp_db_commit(db, err);
    dtp_db_rollback(db);
    return st;
}

dtp_status dtp_fetch_run(const dtp_fetch_opts *o, dtp_fetch_result *result, dtp_error *err)
{
    memset(result, 0, sizeof *result);
    size_t n;
    const char *const *names = dtp_config_sources(o->cfg, &n);
    dtp_status first = DTP_OK;
    int matched = 0;
    for (size_t i = 0; i < n && result->n < DTP_FETCH_MAX_SOURCES; i++) {
        char section[64];
        snprintf(section, sizeof section, "source.%s", names[i]);
        if (o->only_source && strcmp(o->only_source, names[i]) != 0)
            continue;
        matched = 1;
        if (!o->only_source && !dtp_config_bool(o->cfg, section, "enabled"))
            continue;
        dtp_fetch_source_result *res = &result->sources[result->n++];
        snprintf(res->name, sizeof res->name, "%s", names[i]);
        const char *kind = dtp_config_get(o->cfg, section, "kind");
        snprintf(res->kind, sizeof res->kind, "%s", kind ? kind : "");
        dtp_error_clear(&res->err);
        const dtp_adapter *ad = kind ? dtp_adapter_find(kind) : NULL;
        dtp_status st;
        if (!ad) {
            dtp_error_where(&res->err, names[i], NULL, section);
            st = dtp_error_set(&res->err, DTP_ERR_CONFIG, "fetch",
                               "kind '%s' is not one this build reads (%s)", kind ? kind : "",
                               dtp_fetch_kinds());
        } else {
            st = record_source(o, names[i], section, &res->err);
            int refreshed = 0;
            if (st == DTP_OK && !o->offline && !o->plan_only &&
                (st = keep_artifact_set(o->db, names[i], &res->err)) == DTP_OK) {
                st = fetch_source(o, ad, names[i], section, res, &res->err);
                refreshed = st == DTP_OK;
            } else if (st == DTP_OK && !o->offline) {
                st = fetch_source(o, ad, names[i], section, res, &res->err);
            }
            if (st == DTP_OK && !o->plan_only)
                st = parse_source(o, ad, names[i], section, res, &res->err);
            if (st != DTP_OK && refreshed) {
                dtp_error e2;
                dtp_error_clear(&e2);
                restore_artifact_set(o->db, names[i], &e2);
            }
        }
        if (o->interrupt && *o->interrupt && st == DTP_OK) {
            st = dtp_error_set(&res->err, DTP_ERR_INTERRUPTED, "fetch", "stopped by a signal");
        }
        res->status = st;
        if (st != DTP_OK) {
            if (!res->err.source[0])
                dtp_error_where(&res->err, names[i], NULL, NULL);
            result->failed++;
            if (first == DTP_OK) {
                first = st;
                if (err)
                    *err = res->err;
            }
            if (st == DTP_ERR_INTERRUPTED)
                break;
        }
    }
    if (o->only_source && !matched) {
        return dtp_error_set(err, DTP_ERR_USAGE, "fetch", "no source named '%s' in the config",
                             o->only_source);
    }
    return first;
}
