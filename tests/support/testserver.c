/* See testserver.h. Routes live in a fixed table behind a mutex; each connection thread looks its
 * route up, counts the request and applies the route's faults in order: require_header, fail,
 * stall, redirect, conditional (304), truncate, body. */
#include "tests/support/testserver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <curl/curl.h>
#include <microhttpd.h>

#define TS_MAX_ROUTES 64
#define TS_FILE_MAX (64u << 20)

typedef struct route {
    int used;
    char *path;
    int status;
    char *body;
    size_t body_len;
    char *content_type, *etag, *last_modified, *location, *retry_after;
    char *require_header, *require_value;
    int chunked;
    int ignore_conditions;
    int fail_count, fail_status, stall_count, stall_ms, truncate_count;
    dtp_ts_counts counts;
    char last_ua[256];
} route;

struct dtp_ts {
    struct MHD_Daemon *d;
    unsigned port;
    pthread_mutex_t mu;
    volatile int stopping;
    int tls;
    char *cert, *key;
    unsigned inflight, max_inflight;
    char inflight_prefix[128];
    route routes[TS_MAX_ROUTES];
};

typedef struct stream {
    const char *data; /* borrowed from a copy owned by the stream */
    char *own;
    size_t len;
    size_t cut; /* bytes to send before failing (truncate), or len */
    int fail_at_cut;
} stream;

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void route_free(route *r)
{
    free(r->path);
    free(r->body);
    free(r->content_type);
    free(r->etag);
    free(r->last_modified);
    free(r->location);
    free(r->retry_after);
    free(r->require_header);
    free(r->require_value);
    memset(r, 0, sizeof *r);
}

static int read_file(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    while (b) {
        if (n == cap) {
            if (cap >= TS_FILE_MAX) {
                free(b);
                b = NULL;
                break;
            }
            char *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
        size_t k = fread(b + n, 1, cap - n, f);
        n += k;
        if (k == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (!b || bad) {
        free(b);
        return -1;
    }
    *out = b;
    *len = n;
    return 0;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static ssize_t stream_cb(void *cls, uint64_t pos, char *buf, size_t max)
{
    stream *s = cls;
    if (pos >= s->cut)
        return s->fail_at_cut ? MHD_CONTENT_READER_END_WITH_ERROR
                              : MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = s->cut - (size_t)pos;
    if (n > max)
        n = max;
    memcpy(buf, s->data + pos, n);
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    stream *s = cls;
    free(s->own);
    free(s);
}

static enum MHD_Result send_simple(struct MHD_Connection *c, unsigned status, const char *ctype,
                                   const char *text, const char *h1, const char *v1)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        strlen(text), (void *)(uintptr_t)text, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    if (ctype)
        MHD_add_response_header(resp, "Content-Type", ctype);
    if (h1 && v1)
        MHD_add_response_header(resp, h1, v1);
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static int not_older(const char *ims, const char *lm)
{
    time_t a = curl_getdate(ims, NULL), b = curl_getdate(lm, NULL);
    return a != (time_t)-1 && b != (time_t)-1 && a >= b;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **con_cls)
{
    (void)version;
    (void)upload_data;
    (void)upload_data_size;
    (void)con_cls;
    dtp_ts *ts = cls;
    int is_head = strcmp(method, "HEAD") == 0;

    /* Take a snapshot of the route and this request's place in its sequence. */
    pthread_mutex_lock(&ts->mu);
    route *r = NULL;
    /* Paged APIs differ only in ?page=N: a route registered as "/path?page=N" serves that page,
     * a plain "/path" every other request. */
    const char *page = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "page");
    char paged[1024] = "";
    if (page)
        snprintf(paged, sizeof paged, "%s?page=%s", url, page);
    for (int i = 0; i < TS_MAX_ROUTES; i++)
        if (ts->routes[i].used && paged[0] && strcmp(ts->routes[i].path, paged) == 0)
            r = &ts->routes[i];
    for (int i = 0; !r && i < TS_MAX_ROUTES; i++)
        if (ts->routes[i].used && strcmp(ts->routes[i].path, url) == 0)
            r = &ts->routes[i];
    if (!r) {
        pthread_mutex_unlock(&ts->mu);
        return send_simple(c, 404, "text/plain", "not found\n", NULL, NULL);
    }
    unsigned nth = r->counts.requests++; /* 0-based */
    if (is_head)
        r->counts.heads++;
    const char *ua = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "User-Agent");
    snprintf(r->last_ua, sizeof r->last_ua, "%s", ua ? ua : "");
    route snap = *r; /* pointers stay valid: routes are only replaced before requests */
    pthread_mutex_unlock(&ts->mu);

    if (snap.require_header) {
        const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, snap.require_header);
        if (!v || strcmp(v, snap.require_value ? snap.require_value : "") != 0)
            return send_simple(c, 401, "text/plain", "unauthorized\n", NULL, NULL);
    }
    if ((int)nth < snap.fail_count)
        return send_simple(c, (unsigned)snap.fail_status, "text/html",
                           "<html><body>server error</body></html>\n",
                           snap.retry_after ? "Retry-After" : NULL, snap.retry_after);
    if ((int)nth < snap.stall_count) {
        for (long waited = 0; waited < snap.stall_ms && !ts->stopping; waited += 10)
            sleep_ms(10);
    }
    if (snap.location)
        return send_simple(c, snap.status ? (unsigned)snap.status : 302, "text/plain", "moved\n",
                           "Location", snap.location);

    const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
    const char *ims = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-Modified-Since");
    int unchanged = 0;
    if (snap.ignore_conditions)
        unchanged = 0;
    else if (snap.etag && inm)
        unchanged = strcmp(inm, snap.etag) == 0;
    else if (snap.last_modified && ims)
        unchanged = not_older(ims, snap.last_modified);
    if (unchanged) {
        pthread_mutex_lock(&ts->mu);
        r->counts.not_modified++;
        pthread_mutex_unlock(&ts->mu);
        struct MHD_Response *resp =
            MHD_create_response_from_buffer(0, (void *)(uintptr_t) "", MHD_RESPMEM_PERSISTENT);
        if (!resp)
            return MHD_NO;
        if (snap.etag)
            MHD_add_response_header(resp, "ETag", snap.etag);
        if (snap.last_modified)
            MHD_add_response_header(resp, "Last-Modified", snap.last_modified);
        enum MHD_Result ret = MHD_queue_response(c, 304, resp);
        MHD_destroy_response(resp);
        return ret;
    }

    stream *s = calloc(1, sizeof *s);
    if (!s)
        return MHD_NO;
    /* The route may be replaced later; the stream keeps its own copy of the body. */
    s->own = malloc(snap.body_len ? snap.body_len : 1);
    if (!s->own) {
        free(s);
        return MHD_NO;
    }
    if (snap.body_len)
        memcpy(s->own, snap.body, snap.body_len);
    s->data = s->own;
    s->len = s->cut = snap.body_len;
    int truncate = (int)nth < snap.truncate_count;
    if (truncate) {
        s->cut = snap.body_len / 2;
        s->fail_at_cut = 1;
    }
    uint64_t size = (snap.chunked && !truncate) ? MHD_SIZE_UNKNOWN : (uint64_t)snap.body_len;
    struct MHD_Response *resp =
        MHD_create_response_from_callback(size, 16384, stream_cb, s, stream_free);
    if (!resp) {
        stream_free(s);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type",
                            snap.content_type ? snap.content_type : "application/octet-stream");
    if (snap.etag)
        MHD_add_response_header(resp, "ETag", snap.etag);
    if (snap.last_modified)
        MHD_add_response_header(resp, "Last-Modified", snap.last_modified);
    unsigned status = snap.status ? (unsigned)snap.status : 200;
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    if (ret == MHD_YES && !is_head && !truncate && status == 200) {
        pthread_mutex_lock(&ts->mu);
        r->counts.bodies++;
        pthread_mutex_unlock(&ts->mu);
    }
    return ret;
}

/* Counts requests in flight around the real handler (the stall happens inside it). */
static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload_data,
                               size_t *upload_data_size, void **con_cls)
{
    dtp_ts *ts = cls;
    pthread_mutex_lock(&ts->mu);
    int counted = ts->inflight_prefix[0] &&
                  strncmp(url, ts->inflight_prefix, strlen(ts->inflight_prefix)) == 0;
    if (counted && ++ts->inflight > ts->max_inflight)
        ts->max_inflight = ts->inflight;
    pthread_mutex_unlock(&ts->mu);
    enum MHD_Result ret =
        handle(cls, c, url, method, version, upload_data, upload_data_size, con_cls);
    if (counted) {
        pthread_mutex_lock(&ts->mu);
        ts->inflight--;
        pthread_mutex_unlock(&ts->mu);
    }
    return ret;
}

static dtp_ts *start(const char *cert_pem, const char *key_pem)
{
    dtp_ts *ts = calloc(1, sizeof *ts);
    if (!ts)
        return NULL;
    pthread_mutex_init(&ts->mu, NULL);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = 0;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
    if (cert_pem && key_pem) {
        ts->tls = 1;
        ts->cert = strdup(cert_pem);
        ts->key = strdup(key_pem);
        if (!ts->cert || !ts->key) {
            dtp_ts_stop(ts);
            return NULL;
        }
        ts->d = MHD_start_daemon(
            flags | MHD_USE_TLS, 0, NULL, NULL, handler, ts, MHD_OPTION_SOCK_ADDR,
            (struct sockaddr *)&sa, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10,
            MHD_OPTION_HTTPS_MEM_CERT, ts->cert, MHD_OPTION_HTTPS_MEM_KEY, ts->key, MHD_OPTION_END);
    } else {
        ts->d = MHD_start_daemon(flags, 0, NULL, NULL, handler, ts, MHD_OPTION_SOCK_ADDR,
                                 (struct sockaddr *)&sa, MHD_OPTION_CONNECTION_TIMEOUT,
                                 (unsigned int)10, MHD_OPTION_END);
    }
    if (!ts->d) {
        dtp_ts_stop(ts);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(ts->d, MHD_DAEMON_INFO_BIND_PORT);
    ts->port = info ? info->port : 0;
    if (ts->port == 0) {
        dtp_ts_stop(ts);
        return NULL;
    }
    return ts;
}

dtp_ts *dtp_ts_start(void)
{
    return start(NULL, NULL);
}

dtp_ts *dtp_ts_start_tls(const char *cert_pem, const char *key_pem)
{
    if (!cert_pem || !key_pem)
        return NULL;
    return start(cert_pem, key_pem);
}

void dtp_ts_stop(dtp_ts *ts)
{
    if (!ts)
        return;
    ts->stopping = 1;
    if (ts->d)
        MHD_stop_daemon(ts->d);
    for (int i = 0; i < TS_MAX_ROUTES; i++)
        route_free(&ts->routes[i]);
    pthread_mutex_destroy(&ts->mu);
    free(ts->cert);
    free(ts->key);
    free(ts);
}

unsigned dtp_ts_port(const dtp_ts *ts)
{
    return ts->port;
}

int dtp_ts_add(dtp_ts *ts, const dtp_ts_route *in)
{
    if (!ts || !in || !in->path)
        return -1;
    route r;
    memset(&r, 0, sizeof r);
    r.used = 1;
    r.path = strdup(in->path);
    if (in->body_file) {
        if (read_file(in->body_file, &r.body, &r.body_len) != 0) {
            route_free(&r);
            return -1;
        }
    } else if (in->body) {
        r.body = malloc(in->body_len ? in->body_len : 1);
        if (r.body && in->body_len)
            memcpy(r.body, in->body, in->body_len);
        r.body_len = in->body_len;
    } else {
        r.body = malloc(in->gen_bytes ? in->gen_bytes : 1);
        for (size_t i = 0; r.body && i < in->gen_bytes; i++)
            r.body[i] = (char)('0' + i % 10);
        r.body_len = in->gen_bytes;
    }
    r.status = in->status;
    r.content_type = dup_or_null(in->content_type);
    r.etag = dup_or_null(in->etag);
    r.last_modified = dup_or_null(in->last_modified);
    r.location = dup_or_null(in->location);
    r.retry_after = dup_or_null(in->retry_after);
    r.require_header = dup_or_null(in->require_header);
    r.require_value = dup_or_null(in->require_value);
    r.chunked = in->chunked;
    r.ignore_conditions = in->ignore_conditions;
    r.fail_count = in->fail_count;
    r.fail_status = in->fail_status ? in->fail_status : 500;
    r.stall_count = in->stall_count;
    r.stall_ms = in->stall_ms;
    r.truncate_count = in->truncate_count;
    if (!r.path || !r.body) {
        route_free(&r);
        return -1;
    }
    pthread_mutex_lock(&ts->mu);
    int slot = -1;
    for (int i = 0; i < TS_MAX_ROUTES; i++) {
        if (ts->routes[i].used && strcmp(ts->routes[i].path, in->path) == 0) {
            route_free(&ts->routes[i]);
            slot = i;
            break;
        }
        if (!ts->routes[i].used && slot < 0)
            slot = i;
    }
    if (slot >= 0)
        ts->routes[slot] = r;
    pthread_mutex_unlock(&ts->mu);
    if (slot < 0) {
        route_free(&r);
        return -1;
    }
    return 0;
}

char *dtp_ts_url(const dtp_ts *ts, const char *path, char *out, size_t outsz)
{
    snprintf(out, outsz, "%s://127.0.0.1:%u%s", ts->tls ? "https" : "http", ts->port, path);
    return out;
}

dtp_ts_counts dtp_ts_count(dtp_ts *ts, const char *path)
{
    dtp_ts_counts k;
    memset(&k, 0, sizeof k);
    pthread_mutex_lock(&ts->mu);
    for (int i = 0; i < TS_MAX_ROUTES; i++)
        if (ts->routes[i].used && strcmp(ts->routes[i].path, path) == 0)
            k = ts->routes[i].counts;
    pthread_mutex_unlock(&ts->mu);
    return k;
}

char *dtp_ts_last_user_agent(dtp_ts *ts, const char *path, char *out, size_t outsz)
{
    out[0] = '\0';
    pthread_mutex_lock(&ts->mu);
    for (int i = 0; i < TS_MAX_ROUTES; i++)
        if (ts->routes[i].used && strcmp(ts->routes[i].path, path) == 0)
            snprintf(out, outsz, "%s", ts->routes[i].last_ua);
    pthread_mutex_unlock(&ts->mu);
    return out;
}

unsigned dtp_ts_max_inflight(dtp_ts *ts)
{
    pthread_mutex_lock(&ts->mu);
    unsigned m = ts->max_inflight;
    pthread_mutex_unlock(&ts->mu);
    return m;
}

void dtp_ts_count_inflight(dtp_ts *ts, const char *prefix)
{
    pthread_mutex_lock(&ts->mu);
    snprintf(ts->inflight_prefix, sizeof ts->inflight_prefix, "%s", prefix ? prefix : "");
    ts->inflight = 0;
    ts->max_inflight = 0;
    pthread_mutex_unlock(&ts->mu);
}
