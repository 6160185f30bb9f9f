/* The HTTP client (see http.h). One engine runs every request, single or many, on a curl multi
 * handle: a transfer is PENDING, RUNNING, WAITING (for its next attempt) or DONE, so retries of one
 * request never hold up the others. */
#include "fetch/http.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "common/version.h"

#define STAGE "fetch"
#define REDACTED "[redacted]"
/* How often waiting transfers and the interrupt flag are looked at when nothing else wakes us. */
#define POLL_SLICE_MS 100

struct dtp_http_client {
    dtp_http_opts o;
    char ua[256];
    uint64_t rng;
    CURLM *multi;
};

typedef enum phase { T_PENDING, T_RUNNING, T_WAITING, T_DONE } phase;

typedef struct transfer {
    dtp_http_client *c;
    size_t index;
    const dtp_http_request *req;
    dtp_http_sink sink;
    int have_sink;
    int probe; /* HEAD: no body is ever delivered */
    dtp_http_response *resp;
    dtp_error err;
    phase ph;
    int64_t next_at_ms;
    int max_attempts;
    int has_secret;
    int is_file;
    CURL *easy;
    struct curl_slist *hdrs;
    char errbuf[CURL_ERROR_SIZE];
    /* Per attempt. */
    long cur_status; /* from the latest status line: each answer of a redirect chain resets it */
    long attempt_retry_after;
    int begun;
    int limit_hit;
    int type_bad;
    int sink_failed;
    dtp_error sink_err;
    uint64_t bytes;
    uint64_t last_progress;
} transfer;

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int interrupted(const dtp_http_client *c)
{
    return c->o.interrupt && *c->o.interrupt;
}

void dtp_http_opts_default(dtp_http_opts *o)
{
    memset(o, 0, sizeof *o);
    o->connect_timeout_ms = 30000;
    o->timeout_ms = 600000;
    o->low_speed_limit = 1;
    o->low_speed_time_s = 60;
    o->max_body_bytes = (size_t)2 << 30;
    o->max_retries = 4;
    o->backoff_base_ms = 1000;
    o->backoff_max_ms = 60000;
    o->retry_after_max_ms = 120000;
    o->max_redirects = 5;
}

static uint64_t rng_next(uint64_t *s)
{
    /* xorshift64*: small, seedable, good enough for jitter (not for secrets). */
    uint64_t x = *s ? *s : 0x9E3779B97F4A7C15ULL;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

long dtp_http_backoff_ms(uint64_t *rng, long base_ms, long max_ms, int retry)
{
    if (base_ms <= 0 || max_ms <= 0)
        return 0;
    long ceiling = base_ms;
    for (int i = 0; i < retry && ceiling < max_ms; i++)
        ceiling = ceiling > max_ms / 2 ? max_ms : ceiling * 2;
    if (ceiling > max_ms)
        ceiling = max_ms;
    return (long)(rng_next(rng) % ((uint64_t)ceiling + 1));
}

dtp_status dtp_http_new(const dtp_http_opts *o, dtp_http_client **out, dtp_error *err)
{
    *out = NULL;
    if (!o || o->connect_timeout_ms < 0 || o->timeout_ms < 0 || o->low_speed_limit < 0 ||
        o->low_speed_time_s < 0 || o->max_body_bytes == 0 || o->max_retries < 0 ||
        o->backoff_base_ms < 0 || o->backoff_max_ms < 0 || o->retry_after_max_ms < 0 ||
        o->max_redirects < 0)
        return dtp_error_set(err, DTP_ERR_CONFIG, STAGE, "http: invalid client options");
    pthread_once(&global_once, global_init);
    if (global_rc != CURLE_OK)
        return dtp_error_set(err, DTP_ERR_NETWORK, STAGE, "http: curl_global_init failed: %s",
                             curl_easy_strerror(global_rc));
    dtp_http_client *c = calloc(1, sizeof *c);
    if (!c)
        return dtp_error_set(err, DTP_ERR_NOMEM, STAGE, "http: out of memory");
    c->o = *o;
    if (c->o.max_retries > DTP_HTTP_MAX_ATTEMPTS - 1)
        c->o.max_retries = DTP_HTTP_MAX_ATTEMPTS - 1;
    if (o->user_agent)
        snprintf(c->ua, sizeof c->ua, "%s", o->user_agent);
    else if (o->contact && *o->contact)
        snprintf(c->ua, sizeof c->ua, "dtpanel/%s (+%s)", DTP_VERSION, o->contact);
    else
        snprintf(c->ua, sizeof c->ua, "dtpanel/%s", DTP_VERSION);
    c->rng = o->rng_seed;
    if (c->rng == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        c->rng = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^ (uint64_t)(uintptr_t)c;
    }
    c->multi = curl_multi_init();
    if (!c->multi) {
        free(c);
        return dtp_error_set(err, DTP_ERR_NOMEM, STAGE, "http: curl_multi_init failed");
    }
    *out = c;
    return DTP_OK;
}

void dtp_http_free(dtp_http_client *c)
{
    if (!c)
        return;
    curl_multi_cleanup(c->multi);
    free(c);
}

/* ---- redaction ---------------------------------------------------------------------------- */

/* Replace every occurrence of every secret header value in s (capacity cap) by "[redacted]". */
static void redact(char *s, size_t cap, const dtp_http_request *req)
{
    for (size_t h = 0; h < req->n_headers; h++) {
        const dtp_http_header *hd = &req->headers[h];
        if (!hd->secret || !hd->value || !*hd->value)
            continue;
        size_t vlen = strlen(hd->value);
        char tmp[DTP_HTTP_URL_MAX + DTP_ERR_MESSAGE_MAX];
        size_t o = 0;
        const char *p = s;
        int changed = 0;
        while (*p && o + 1 < sizeof tmp) {
            if (strncmp(p, hd->value, vlen) == 0) {
                size_t rl = sizeof REDACTED - 1;
                if (o + rl >= sizeof tmp)
                    break;
                memcpy(tmp + o, REDACTED, rl);
                o += rl;
                p += vlen;
                changed = 1;
            } else {
                tmp[o++] = *p++;
            }
        }
        tmp[o] = '\0';
        if (changed) {
            size_t k = o < cap ? o : cap - 1;
            memcpy(s, tmp, k);
            s[k] = '\0';
        }
    }
}

static const char *src_label(const dtp_http_request *req)
{
    return req->source && *req->source ? req->source : "http";
}

/* Fill t->err: status, "<what>: <message>", source and the redacted URL as locator. */
static dtp_status fail(transfer *t, dtp_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static dtp_status fail(transfer *t, dtp_status st, const char *fmt, ...)
{
    char msg[DTP_ERR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const dtp_http_request *req = t->req;
    if (req->what && *req->what)
        dtp_error_set(&t->err, st, STAGE, "%s: %s", req->what, msg);
    else
        dtp_error_set(&t->err, st, STAGE, "%s", msg);
    redact(t->err.message, sizeof t->err.message, req);
    char loc[DTP_ERR_LOCATOR_MAX];
    snprintf(loc, sizeof loc, "%s", req->url ? req->url : "");
    redact(loc, sizeof loc, req);
    dtp_error_where(&t->err, src_label(req), NULL, loc);
    return st;
}

/* ---- curl callbacks ----------------------------------------------------------------------- */

static int is_2xx(long s)
{
    return s >= 200 && s < 300;
}

static long body_status(const transfer *t)
{
    return t->is_file ? 200 : t->cur_status;
}

static void copy_trimmed(char *dst, size_t dstsz, const char *v, size_t n, int drop_if_long)
{
    if (n >= dstsz) {
        if (drop_if_long) {
            dst[0] = '\0';
            return;
        }
        n = dstsz - 1;
    }
    memcpy(dst, v, n);
    dst[n] = '\0';
}

static void reset_answer_fields(transfer *t)
{
    dtp_http_response *r = t->resp;
    r->etag[0] = '\0';
    r->last_modified[0] = '\0';
    r->content_type[0] = '\0';
    r->content_length = -1;
}

static size_t header_cb(char *buf, size_t size, size_t nitems, void *ud)
{
    transfer *t = ud;
    size_t n = size * nitems;
    if (n >= 5 && memcmp(buf, "HTTP/", 5) == 0) {
        const char *sp = memchr(buf, ' ', n);
        t->cur_status = 0;
        if (sp && (size_t)(sp - buf) + 4 <= n) {
            long code = 0;
            for (int i = 1; i <= 3; i++)
                code = code * 10 + (isdigit((unsigned char)sp[i]) ? sp[i] - '0' : 0);
            t->cur_status = code;
        }
        reset_answer_fields(t);
        return n;
    }
    const char *colon = memchr(buf, ':', n);
    if (!colon)
        return n;
    size_t nlen = (size_t)(colon - buf);
    const char *v = colon + 1;
    const char *end = buf + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    size_t vlen = (size_t)(end - v);
    dtp_http_response *r = t->resp;
#define IS(name) (nlen == sizeof(name) - 1 && strncasecmp(buf, name, nlen) == 0)
    if (IS("etag")) {
        /* A truncated ETag would make later conditional requests lie; drop it instead. */
        copy_trimmed(r->etag, sizeof r->etag, v, vlen, 1);
    } else if (IS("last-modified")) {
        copy_trimmed(r->last_modified, sizeof r->last_modified, v, vlen, 1);
    } else if (IS("content-type")) {
        copy_trimmed(r->content_type, sizeof r->content_type, v, vlen, 0);
    } else if (IS("content-length")) {
        char tmp[32];
        if (vlen < sizeof tmp) {
            memcpy(tmp, v, vlen);
            tmp[vlen] = '\0';
            char *e = NULL;
            errno = 0;
            long long cl = strtoll(tmp, &e, 10);
            if (errno == 0 && e && *e == '\0' && e != tmp && cl >= 0) {
                r->content_length = cl;
                /* Refuse an announced oversize body before a byte of it arrives. */
                if (!t->probe && is_2xx(body_status(t)) &&
                    (unsigned long long)cl > (unsigned long long)t->c->o.max_body_bytes) {
                    t->limit_hit = 1;
                    return 0;
                }
            }
        }
    } else if (IS("retry-after")) {
        char tmp[DTP_HTTP_DATE_MAX];
        copy_trimmed(tmp, sizeof tmp, v, vlen, 1);
        long secs;
        if (tmp[0] && dtp_http_parse_retry_after(tmp, time(NULL), &secs) == DTP_OK) {
            r->retry_after_s = secs;
            t->attempt_retry_after = secs;
        }
    }
#undef IS
    return n;
}

/* Does the answer's media type match one of req->accept_types? A missing type is accepted: only
 * an explicit other type (an HTML error page) can be judged wrong. */
static int type_ok(const transfer *t)
{
    const char *want = t->req->accept_types;
    const char *ct = t->resp->content_type;
    if (!want || !*want || t->is_file || !ct[0])
        return 1;
    size_t ctlen = strcspn(ct, ";");
    while (ctlen > 0 && (ct[ctlen - 1] == ' ' || ct[ctlen - 1] == '\t'))
        ctlen--;
    const char *p = want;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t wl = strcspn(p, ",");
        size_t tl = wl;
        while (tl > 0 && p[tl - 1] == ' ')
            tl--;
        if (tl > 0 && tl == ctlen && strncasecmp(p, ct, ctlen) == 0)
            return 1;
        p += wl;
    }
    return 0;
}

static int sink_begin(transfer *t)
{
    if (!type_ok(t)) {
        t->type_bad = 1;
        return 0;
    }
    t->begun = 1;
    if (t->sink.begin) {
        dtp_error_clear(&t->sink_err);
        if (t->sink.begin(t->sink.ctx, &t->sink_err) != DTP_OK) {
            t->sink_failed = 1;
            return 0;
        }
    }
    return 1;
}

static size_t write_cb(char *p, size_t size, size_t nmemb, void *ud)
{
    transfer *t = ud;
    size_t n = size * nmemb;
    /* Error pages and redirect bodies never reach the sink. */
    if (t->probe || !is_2xx(body_status(t)))
        return n;
    if (!t->begun && !sink_begin(t))
        return 0;
    if (t->bytes + n > t->c->o.max_body_bytes || t->bytes + n < t->bytes) {
        t->limit_hit = 1;
        return 0;
    }
    if (n > 0) {
        dtp_error_clear(&t->sink_err);
        if (t->sink.write(t->sink.ctx, p, n, &t->sink_err) != DTP_OK) {
            t->sink_failed = 1;
            return 0;
        }
    }
    t->bytes += n;
    return n;
}

static int xferinfo_cb(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)ultotal;
    (void)ulnow;
    transfer *t = ud;
    if (interrupted(t->c))
        return 1;
    if (t->c->o.progress && dlnow >= 0 && (uint64_t)dlnow != t->last_progress) {
        t->last_progress = (uint64_t)dlnow;
        t->c->o.progress(t->c->o.progress_ctx, t->index, (uint64_t)dlnow,
                         dltotal > 0 ? (uint64_t)dltotal : 0);
    }
    return 0;
}

/* ---- one attempt -------------------------------------------------------------------------- */

static int has_crlf(const char *s)
{
    return s && strpbrk(s, "\r\n") != NULL;
}

static dtp_status add_header(transfer *t, const char *name, const char *value)
{
    char line[4096];
    int w = snprintf(line, sizeof line, "%s: %s", name, value);
    if (w < 0 || (size_t)w >= sizeof line)
        return fail(t, DTP_ERR_USAGE, "request header %s too long", name);
    struct curl_slist *nl = curl_slist_append(t->hdrs, line);
    if (!nl)
        return fail(t, DTP_ERR_NOMEM, "out of memory");
    t->hdrs = nl;
    return DTP_OK;
}

/* Validate the request and build what stays the same across attempts. */
static dtp_status prepare(transfer *t)
{
    const dtp_http_request *req = t->req;
    if (!req->url || !*req->url)
        return fail(t, DTP_ERR_USAGE, "no url");
    if (strlen(req->url) >= DTP_HTTP_URL_MAX)
        return fail(t, DTP_ERR_USAGE, "url longer than %d bytes", DTP_HTTP_URL_MAX - 1);
    t->is_file = strncasecmp(req->url, "file:", 5) == 0;
    if (has_crlf(req->if_none_match) || has_crlf(req->if_modified_since))
        return fail(t, DTP_ERR_USAGE, "line break in a conditional request value");
    for (size_t i = 0; i < req->n_headers; i++) {
        const dtp_http_header *h = &req->headers[i];
        if (!h->name || !*h->name || !h->value || has_crlf(h->name) || has_crlf(h->value) ||
            strchr(h->name, ':'))
            return fail(t, DTP_ERR_USAGE, "malformed request header #%zu", i + 1);
        if (h->secret)
            t->has_secret = 1;
        dtp_status st = add_header(t, h->name, h->value);
        if (st != DTP_OK)
            return st;
    }
    if (req->if_none_match && *req->if_none_match) {
        dtp_status st = add_header(t, "If-None-Match", req->if_none_match);
        if (st == DTP_OK && req->if_modified_since && *req->if_modified_since && !t->is_file)
            st = add_header(t, "If-Modified-Since", req->if_modified_since);
        if (st != DTP_OK)
            return st;
    }
    t->easy = curl_easy_init();
    if (!t->easy)
        return fail(t, DTP_ERR_NOMEM, "curl_easy_init failed");
    t->max_attempts = t->c->o.max_retries + 1;
    return DTP_OK;
}

static dtp_status start_attempt(transfer *t)
{
    dtp_http_client *c = t->c;
    const dtp_http_request *req = t->req;
    CURL *e = t->easy;
    curl_easy_reset(e);
    t->cur_status = 0;
    t->attempt_retry_after = -1;
    t->begun = t->limit_hit = t->type_bad = t->sink_failed = 0;
    t->bytes = 0;
    t->last_progress = 0;
    t->errbuf[0] = '\0';
    reset_answer_fields(t);
    t->resp->attempts++;

    CURLcode rc = CURLE_OK;
#define SET(opt, val)                                                                              \
    do {                                                                                           \
        if (rc == CURLE_OK)                                                                        \
            rc = curl_easy_setopt(e, opt, val);                                                    \
    } while (0)
    SET(CURLOPT_URL, req->url);
    SET(CURLOPT_PROTOCOLS_STR, "http,https,file");
    SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    /* curl resends custom headers to a redirect's host: never follow with secrets on board. */
    SET(CURLOPT_FOLLOWLOCATION, t->has_secret ? 0L : 1L);
    SET(CURLOPT_MAXREDIRS, (long)c->o.max_redirects);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    if (c->o.ca_file)
        SET(CURLOPT_CAINFO, c->o.ca_file);
    SET(CURLOPT_USERAGENT, c->ua);
    SET(CURLOPT_CONNECTTIMEOUT_MS, c->o.connect_timeout_ms);
    SET(CURLOPT_TIMEOUT_MS, c->o.timeout_ms);
    SET(CURLOPT_LOW_SPEED_LIMIT, c->o.low_speed_limit);
    SET(CURLOPT_LOW_SPEED_TIME, c->o.low_speed_time_s);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_HEADERFUNCTION, header_cb);
    SET(CURLOPT_HEADERDATA, t);
    SET(CURLOPT_WRITEFUNCTION, write_cb);
    SET(CURLOPT_WRITEDATA, t);
    SET(CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
    SET(CURLOPT_XFERINFODATA, t);
    SET(CURLOPT_NOPROGRESS, 0L);
    SET(CURLOPT_ERRORBUFFER, t->errbuf);
    SET(CURLOPT_FILETIME, 1L);
    SET(CURLOPT_PRIVATE, t);
    if (t->hdrs)
        SET(CURLOPT_HTTPHEADER, t->hdrs);
    if (t->probe)
        SET(CURLOPT_NOBODY, 1L);
    time_t ims;
    /* With an ETag, If-None-Match decides (RFC 9110 13.2.2) and If-Modified-Since goes as a plain
     * header (added in prepare), so curl does not second-guess a 200 by its date. */
    if (!(req->if_none_match && *req->if_none_match) && req->if_modified_since &&
        *req->if_modified_since && dtp_http_parse_date(req->if_modified_since, &ims) == DTP_OK) {
        /* A time condition (not a raw header) so that file:// and servers that ignore
         * If-Modified-Since but send Last-Modified are judged by curl too. */
        SET(CURLOPT_TIMECONDITION, (long)CURL_TIMECOND_IFMODSINCE);
        SET(CURLOPT_TIMEVALUE_LARGE, (curl_off_t)ims);
    }
#undef SET
    if (rc != CURLE_OK)
        return fail(t, DTP_ERR_CONFIG, "curl option refused: %s", curl_easy_strerror(rc));
    CURLMcode mc = curl_multi_add_handle(c->multi, e);
    if (mc != CURLM_OK)
        return fail(t, DTP_ERR_NETWORK, "curl_multi_add_handle: %s", curl_multi_strerror(mc));
    t->ph = T_RUNNING;
    return DTP_OK;
}

static void abort_sink(transfer *t)
{
    if (t->begun && t->sink.abort)
        t->sink.abort(t->sink.ctx);
    t->begun = 0;
}

/* The transient transport failures, named for messages; NULL when rc is not worth a retry. */
static const char *retryable_curl(CURLcode rc)
{
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return "timeout";
    case CURLE_COULDNT_CONNECT:
        return "connection failed";
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return "host not resolved";
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
        return "connection reset";
    case CURLE_PARTIAL_FILE:
        return "truncated body";
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return "http/2 stream error";
    case CURLE_SSL_CONNECT_ERROR:
        return "tls handshake failed";
    default:
        return NULL;
    }
}

static void note(dtp_http_attempt *a, const transfer *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note(dtp_http_attempt *a, const transfer *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->note, sizeof a->note, fmt, ap);
    va_end(ap);
    redact(a->note, sizeof a->note, t->req);
}

/* curl's own words for the failure, lower-cased at the start for house style. */
static const char *curl_detail(transfer *t, CURLcode rc)
{
    if (!t->errbuf[0])
        snprintf(t->errbuf, sizeof t->errbuf, "%s", curl_easy_strerror(rc));
    size_t n = strlen(t->errbuf);
    while (n > 0 && (t->errbuf[n - 1] == '\n' || t->errbuf[n - 1] == '.'))
        t->errbuf[--n] = '\0';
    t->errbuf[0] = (char)tolower((unsigned char)t->errbuf[0]);
    return t->errbuf;
}

static const char *plural(int n)
{
    return n == 1 ? "" : "s";
}

/* Judge a finished attempt: DONE (success or final error) or WAITING for the next one. */
static void finish_attempt(transfer *t, CURLcode rc)
{
    dtp_http_client *c = t->c;
    dtp_http_response *r = t->resp;
    dtp_http_attempt *a = &r->attempt[r->attempts - 1];
    long http = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &http);
    long unmet = 0;
    curl_easy_getinfo(t->easy, CURLINFO_CONDITION_UNMET, &unmet);
    char *eff = NULL;
    if (curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK && eff) {
        snprintf(r->final_url, sizeof r->final_url, "%s", eff);
        redact(r->final_url, sizeof r->final_url, t->req);
    }
    if (!r->last_modified[0]) {
        curl_off_t ft = -1;
        if (curl_easy_getinfo(t->easy, CURLINFO_FILETIME_T, &ft) == CURLE_OK && ft >= 0)
            dtp_http_format_date((time_t)ft, r->last_modified, sizeof r->last_modified);
    }
    if (r->content_length < 0) {
        curl_off_t cl = -1;
        if (curl_easy_getinfo(t->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) == CURLE_OK &&
            cl >= 0)
            r->content_length = cl;
    }
    a->http_status = http;
    a->curl_code = (int)rc;
    r->status = http;
    if (t->is_file && rc == CURLE_OK)
        r->status = unmet ? 304 : 200;

    dtp_status st = DTP_OK;
    int retry = 0;
    if (rc == CURLE_OK) {
        if (unmet || r->status == 304) {
            abort_sink(t);
            r->not_modified = 1;
            r->status = 304;
            note(a, t, "not modified");
        } else if (is_2xx(r->status)) {
            if (!t->probe && !t->begun && !sink_begin(t)) {
                /* Empty body whose type or begin() was refused: judged below. */
            }
            if (t->type_bad) {
                abort_sink(t);
                st = fail(t, DTP_ERR_UPSTREAM, "expected %s, got %s (an error page?)",
                          t->req->accept_types, r->content_type);
                note(a, t, "unexpected content type %s", r->content_type);
            } else if (t->sink_failed) {
                abort_sink(t);
                st = t->sink_err.status ? t->sink_err.status : DTP_ERR_IO;
                fail(t, st, "%s", t->sink_err.message[0] ? t->sink_err.message : "sink failed");
                note(a, t, "sink failed");
            } else if (t->begun && t->sink.commit) {
                dtp_error_clear(&t->sink_err);
                st = t->sink.commit(t->sink.ctx, &t->sink_err);
                t->begun = 0;
                if (st != DTP_OK) {
                    if (t->sink.abort)
                        t->sink.abort(t->sink.ctx);
                    fail(t, st, "%s",
                         t->sink_err.message[0] ? t->sink_err.message : "sink commit failed");
                    note(a, t, "sink commit failed");
                }
            }
            if (st == DTP_OK) {
                r->bytes = t->bytes;
                note(a, t, "ok: %s %ld, %" PRIu64 " byte%s", t->probe ? "head" : "get", r->status,
                     t->bytes, t->bytes == 1 ? "" : "s");
            }
        } else if (r->status == 429 || r->status >= 500) {
            retry = 1;
            note(a, t, "http %ld", r->status);
        } else if (r->status >= 300 && r->status < 400) {
            st = fail(t, DTP_ERR_HTTP, "http %ld redirect not followed%s", r->status,
                      t->has_secret ? " (request carries credentials)" : "");
            note(a, t, "http %ld", r->status);
        } else {
            st = fail(t, DTP_ERR_HTTP, "http %ld", r->status);
            note(a, t, "http %ld", r->status);
        }
    } else {
        abort_sink(t);
        if (rc == CURLE_ABORTED_BY_CALLBACK && interrupted(c)) {
            st = fail(t, DTP_ERR_INTERRUPTED, "interrupted during attempt %d", r->attempts);
            note(a, t, "interrupted");
        } else if (t->limit_hit) {
            st = fail(t, DTP_ERR_LIMIT, "body exceeds the cap of %zu bytes", c->o.max_body_bytes);
            note(a, t, "body over cap");
        } else if (t->type_bad) {
            st = fail(t, DTP_ERR_UPSTREAM, "expected %s, got %s (an error page?)",
                      t->req->accept_types, r->content_type);
            note(a, t, "unexpected content type %s", r->content_type);
        } else if (t->sink_failed) {
            st = t->sink_err.status ? t->sink_err.status : DTP_ERR_IO;
            fail(t, st, "%s", t->sink_err.message[0] ? t->sink_err.message : "sink failed");
            note(a, t, "sink failed");
        } else if (retryable_curl(rc)) {
            retry = 1;
            note(a, t, "%s: %s", retryable_curl(rc), curl_detail(t, rc));
        } else if (rc == CURLE_TOO_MANY_REDIRECTS) {
            st = fail(t, DTP_ERR_HTTP, "redirect loop or more than %d redirects",
                      c->o.max_redirects);
            note(a, t, "too many redirects");
        } else if (rc == CURLE_FILE_COULDNT_READ_FILE) {
            st = fail(t, DTP_ERR_NOT_FOUND, "cannot read file (missing or unreadable)");
            note(a, t, "%s", curl_detail(t, rc));
        } else if (rc == CURLE_UNSUPPORTED_PROTOCOL) {
            st = fail(t, DTP_ERR_USAGE, "protocol not allowed (http, https, file only): %s",
                      curl_detail(t, rc));
            note(a, t, "%s", curl_detail(t, rc));
        } else if (rc == CURLE_URL_MALFORMAT) {
            st = fail(t, DTP_ERR_USAGE, "malformed url: %s", curl_detail(t, rc));
            note(a, t, "%s", curl_detail(t, rc));
        } else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
                   rc == CURLE_SSL_CERTPROBLEM) {
            st = fail(t, DTP_ERR_NETWORK, "tls verification failed: %s", curl_detail(t, rc));
            note(a, t, "%s", curl_detail(t, rc));
        } else {
            st = fail(t, DTP_ERR_NETWORK, "%s", curl_detail(t, rc));
            note(a, t, "%s", curl_detail(t, rc));
        }
    }
    a->status = retry ? (rc == CURLE_OK ? DTP_ERR_HTTP : DTP_ERR_NETWORK) : st;
    a->retryable = retry;
    if (retry) {
        if (r->attempts < t->max_attempts && !interrupted(c)) {
            long wait;
            if (t->attempt_retry_after >= 0) {
                long cap = c->o.retry_after_max_ms;
                wait = t->attempt_retry_after > cap / 1000 ? cap : t->attempt_retry_after * 1000;
            } else {
                wait = dtp_http_backoff_ms(&c->rng, c->o.backoff_base_ms, c->o.backoff_max_ms,
                                           r->attempts - 1);
            }
            a->wait_ms = wait;
            t->next_at_ms = now_ms() + wait;
            t->ph = T_WAITING;
            return;
        }
        if (interrupted(c))
            st = fail(t, DTP_ERR_INTERRUPTED, "interrupted after attempt %d (%s)", r->attempts,
                      a->note);
        else if (rc == CURLE_OK)
            st = fail(t, DTP_ERR_HTTP, "http %ld after %d attempt%s", r->status, r->attempts,
                      plural(r->attempts));
        else
            st = fail(t, DTP_ERR_NETWORK, "%s after %d attempt%s (last: %s)", retryable_curl(rc),
                      r->attempts, plural(r->attempts), curl_detail(t, rc));
    }
    r->outcome = st;
    t->ph = T_DONE;
}

/* ---- the engine --------------------------------------------------------------------------- */

static void finish_early(transfer *t, dtp_status st)
{
    t->resp->outcome = st;
    t->ph = T_DONE;
}

static void init_transfer(transfer *t, dtp_http_client *c, size_t index,
                          const dtp_http_request *req, dtp_http_response *resp)
{
    memset(t, 0, sizeof *t);
    t->c = c;
    t->index = index;
    t->req = req;
    t->resp = resp;
    memset(resp, 0, sizeof *resp);
    resp->content_length = -1;
    resp->retry_after_s = -1;
    dtp_error_clear(&t->err);
    t->ph = T_PENDING;
}

static void cleanup_transfer(transfer *t)
{
    if (t->easy)
        curl_easy_cleanup(t->easy);
    t->easy = NULL;
    curl_slist_free_all(t->hdrs);
    t->hdrs = NULL;
}

static dtp_status run(dtp_http_client *c, transfer *ts, size_t n, size_t max_parallel,
                      dtp_http_sink_factory factory, void *factory_ctx)
{
    size_t done = 0, running = 0;
    for (size_t i = 0; i < n; i++) {
        if (prepare(&ts[i]) != DTP_OK) {
            finish_early(&ts[i], ts[i].err.status);
            done++;
        }
    }
    while (done < n) {
        int64_t now = now_ms();
        int intr = interrupted(c);
        for (size_t i = 0; i < n; i++) {
            transfer *t = &ts[i];
            if (t->ph != T_PENDING && t->ph != T_WAITING)
                continue;
            if (intr) {
                fail(t, DTP_ERR_INTERRUPTED, "interrupted before attempt %d",
                     t->resp->attempts + 1);
                finish_early(t, DTP_ERR_INTERRUPTED);
                done++;
                continue;
            }
            if (running >= max_parallel || (t->ph == T_WAITING && t->next_at_ms > now))
                continue;
            if (!t->have_sink && !t->probe) {
                dtp_error ferr;
                dtp_error_clear(&ferr);
                dtp_status st = factory(factory_ctx, t->index, t->req, &t->sink, &ferr);
                if (st == DTP_OK && !t->sink.write)
                    st = dtp_error_set(&ferr, DTP_ERR_USAGE, STAGE, "sink without write");
                if (st != DTP_OK) {
                    fail(t, st, "%s", ferr.message[0] ? ferr.message : "sink factory failed");
                    finish_early(t, st);
                    done++;
                    continue;
                }
                t->have_sink = 1;
            }
            if (start_attempt(t) != DTP_OK) {
                finish_early(t, t->err.status);
                done++;
                continue;
            }
            running++;
        }
        if (done >= n)
            break;
        int still = 0;
        CURLMcode mc = curl_multi_perform(c->multi, &still);
        if (mc != CURLM_OK) {
            /* The multi handle itself broke: fail whatever is left and stop. */
            for (size_t i = 0; i < n; i++) {
                transfer *t = &ts[i];
                if (t->ph == T_DONE)
                    continue;
                if (t->ph == T_RUNNING) {
                    curl_multi_remove_handle(c->multi, t->easy);
                    abort_sink(t);
                }
                fail(t, DTP_ERR_NETWORK, "curl_multi_perform: %s", curl_multi_strerror(mc));
                finish_early(t, DTP_ERR_NETWORK);
            }
            return DTP_ERR_NETWORK;
        }
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(c->multi, &left)) != NULL) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            transfer *t = NULL;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
            CURLcode rc = msg->data.result;
            curl_multi_remove_handle(c->multi, msg->easy_handle);
            running--;
            if (!t)
                continue;
            finish_attempt(t, rc);
            if (t->ph == T_DONE)
                done++;
        }
        if (done >= n)
            break;
        long timeout = POLL_SLICE_MS;
        now = now_ms();
        for (size_t i = 0; i < n; i++) {
            if (ts[i].ph == T_WAITING) {
                int64_t d = ts[i].next_at_ms - now;
                if (d < 0)
                    d = 0;
                if (d < timeout)
                    timeout = (long)d;
            }
        }
        if (timeout > 0)
            curl_multi_poll(c->multi, NULL, 0, (int)timeout, NULL);
    }
    return DTP_OK;
}

dtp_status dtp_http_get(dtp_http_client *c, const dtp_http_request *req, const dtp_http_sink *sink,
                        dtp_http_response *resp, dtp_error *err)
{
    dtp_http_response local;
    if (!resp)
        resp = &local;
    if (!c || !req || !sink || !sink->write)
        return dtp_error_set(err, DTP_ERR_USAGE, STAGE, "http: missing client, request or sink");
    transfer t;
    init_transfer(&t, c, 0, req, resp);
    t.sink = *sink;
    t.have_sink = 1;
    run(c, &t, 1, 1, NULL, NULL);
    cleanup_transfer(&t);
    if (resp->outcome != DTP_OK && err)
        *err = t.err;
    return resp->outcome;
}

static int etag_equal(const char *a, const char *b)
{
    /* Weak comparison (RFC 9110 8.8.3.2): servers flip W/ when they compress. */
    if (strncmp(a, "W/", 2) == 0)
        a += 2;
    if (strncmp(b, "W/", 2) == 0)
        b += 2;
    return strcmp(a, b) == 0;
}

dtp_status dtp_http_probe(dtp_http_client *c, const dtp_http_request *req, dtp_http_response *resp,
                          dtp_error *err)
{
    if (!c || !req || !resp)
        return dtp_error_set(err, DTP_ERR_USAGE, STAGE,
                             "http: missing client, request or response");
    transfer t;
    init_transfer(&t, c, 0, req, resp);
    t.probe = 1;
    run(c, &t, 1, 1, NULL, NULL);
    cleanup_transfer(&t);
    if (resp->outcome != DTP_OK) {
        if (err)
            *err = t.err;
        return resp->outcome;
    }
    resp->change = DTP_HTTP_CHANGE_UNKNOWN;
    time_t a, b;
    if (resp->not_modified) {
        resp->change = DTP_HTTP_UNCHANGED;
    } else if (req->if_none_match && *req->if_none_match && resp->etag[0]) {
        resp->change =
            etag_equal(req->if_none_match, resp->etag) ? DTP_HTTP_UNCHANGED : DTP_HTTP_CHANGED;
    } else if (req->if_modified_since && *req->if_modified_since && resp->last_modified[0]) {
        if (dtp_http_parse_date(req->if_modified_since, &a) == DTP_OK &&
            dtp_http_parse_date(resp->last_modified, &b) == DTP_OK)
            resp->change = a == b ? DTP_HTTP_UNCHANGED : DTP_HTTP_CHANGED;
        else
            resp->change = strcmp(req->if_modified_since, resp->last_modified) == 0
                               ? DTP_HTTP_UNCHANGED
                               : DTP_HTTP_CHANGED;
    }
    return DTP_OK;
}

dtp_status dtp_http_get_many(dtp_http_client *c, const dtp_http_request *reqs, size_t n,
                             size_t max_parallel, dtp_http_sink_factory factory, void *factory_ctx,
                             dtp_http_response *resps, dtp_error *errs, dtp_error *err)
{
    if (!c || (n > 0 && (!reqs || !resps)) || !factory)
        return dtp_error_set(err, DTP_ERR_USAGE, STAGE,
                             "http: get_many without requests, "
                             "responses or sink factory");
    if (n == 0)
        return DTP_OK;
    if (max_parallel == 0)
        max_parallel = 4;
    transfer *ts = calloc(n, sizeof *ts);
    if (!ts)
        return dtp_error_set(err, DTP_ERR_NOMEM, STAGE, "http: out of memory");
    for (size_t i = 0; i < n; i++)
        init_transfer(&ts[i], c, i, &reqs[i], &resps[i]);
    run(c, ts, n, max_parallel, factory, factory_ctx);
    dtp_status first = DTP_OK;
    for (size_t i = 0; i < n; i++) {
        cleanup_transfer(&ts[i]);
        if (errs)
            errs[i] = ts[i].err;
        if (first == DTP_OK && resps[i].outcome != DTP_OK) {
            first = resps[i].outcome;
            if (err)
                *err = ts[i].err;
        }
    }
    free(ts);
    return first;
}

/* ---- memory sink -------------------------------------------------------------------------- */

static dtp_status mem_begin(void *ctx, dtp_error *err)
{
    (void)err;
    dtp_buf_reset(ctx);
    return DTP_OK;
}

static dtp_status mem_write(void *ctx, const void *p, size_t n, dtp_error *err)
{
    dtp_buf *b = ctx;
    dtp_status st = dtp_buf_append(b, p, n);
    if (st == DTP_ERR_LIMIT)
        return dtp_error_set(err, st, STAGE, "body exceeds the memory sink cap of %zu bytes",
                             b->max);
    if (st != DTP_OK)
        return dtp_error_set(err, st, STAGE, "memory sink: %s", dtp_strerror(st));
    return DTP_OK;
}

static void mem_abort(void *ctx)
{
    dtp_buf_reset(ctx);
}

void dtp_http_mem_sink(dtp_http_sink *s, dtp_buf *b)
{
    memset(s, 0, sizeof *s);
    s->begin = mem_begin;
    s->write = mem_write;
    s->abort = mem_abort;
    s->commit = NULL;
    s->ctx = b;
}
