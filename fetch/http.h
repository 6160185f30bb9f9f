/* The HTTP client of the fetch stage (libcurl): bounded, retrying, conditional downloads that
 * stream into a caller's sink, one at a time or several at once.
 *
 * What it guarantees:
 * - TLS peer and host verification are always on; there is no switch to turn them off.
 * - Only http, https and file URLs are fetched; redirects may only go to http or https, and are
 *   not followed at all for a request that carries secret headers (curl would resend custom
 *   headers to whatever host the redirect names).
 * - Retries 429, 5xx, timeouts, connection failures and resets, and truncated bodies, with full
 *   jitter exponential backoff or the server's Retry-After (capped); never other 4xx.
 * - The sink only ever sees the body of a 2xx (or file://) answer. Each attempt that reaches
 *   the sink starts with begin(); an attempt that fails after that ends with abort() and the next
 *   attempt begins afresh; only a complete, accepted body ends with commit().
 * - Errors name the source label, the URL (locator) and the request's `what`, e.g.
 *   `fetch: worldbank: https://api.worldbank.org/...&page=3: http 500 after 4 attempts`.
 *   Values of secret headers are replaced by "[redacted]" in every error and attempt note.
 * - The library never prints; progress goes through a callback, and a volatile flag set by a
 *   signal handler stops transfers (DTP_ERR_INTERRUPTED). */
#ifndef DTP_FETCH_HTTP_H
#define DTP_FETCH_HTTP_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/buf.h"
#include "common/error.h"

/* Attempts per request (first try + retries); the attempt log has this many slots. */
#define DTP_HTTP_MAX_ATTEMPTS 16
#define DTP_HTTP_URL_MAX 2048
#define DTP_HTTP_ETAG_MAX 256
#define DTP_HTTP_DATE_MAX 64
#define DTP_HTTP_CTYPE_MAX 128
#define DTP_HTTP_NOTE_MAX 192

/* Progress of the transfer of `index` (0 for dtp_http_get): bytes so far, total (0 when unknown).
 * Called from inside libcurl; must not call back into the client. */
typedef void (*dtp_http_progress_fn)(void *ctx, size_t index, uint64_t now, uint64_t total);

typedef struct dtp_http_opts {
    const char *user_agent;  /* full User-Agent; NULL → "dtpanel/<version> (+<contact>)" */
    const char *contact;     /* URL or e-mail put in the default User-Agent; NULL → none */
    long connect_timeout_ms; /* per attempt */
    long timeout_ms;         /* whole attempt, headers and body */
    long low_speed_limit;    /* bytes per second below which ... */
    long low_speed_time_s;   /* ... for this many seconds an attempt is a timeout; 0 disables */
    size_t max_body_bytes;   /* cap on a body; more → DTP_ERR_LIMIT, partial body aborted */
    int max_retries;         /* retries after the first attempt (clamped to MAX_ATTEMPTS - 1) */
    long backoff_base_ms;    /* full jitter: wait uniform in [0, min(max, base * 2^retry)] */
    long backoff_max_ms;
    long retry_after_max_ms;          /* a server's Retry-After is honoured up to this wait */
    int max_redirects;                /* more (or a loop) → an error naming the limit */
    uint64_t rng_seed;                /* backoff jitter seed; 0 → seeded from the clock */
    const char *ca_file;              /* trusted CA PEM file (borrowed, must outlive the
                                         client); NULL → the system store. Verification stays on. */
    volatile sig_atomic_t *interrupt; /* non-NULL: a nonzero value stops every transfer */
    dtp_http_progress_fn progress;    /* NULL → no progress reports */
    void *progress_ctx;
} dtp_http_opts;

/* A request header. Secret values (API keys, client secrets) are sent but never written into an
 * error message, a locator or the attempt log. */
typedef struct dtp_http_header {
    const char *name;
    const char *value;
    int secret;
} dtp_http_header;

typedef struct dtp_http_request {
    const char *url;               /* http://, https:// or file:// */
    const char *source;            /* label for errors, e.g. "worldbank"; NULL → "http" */
    const char *what;              /* what this request is, e.g. "page 3 of 7"; may be NULL */
    const char *if_none_match;     /* previous ETag → If-None-Match; NULL or "" → none */
    const char *if_modified_since; /* previous Last-Modified (HTTP-date) → If-Modified-Since */
    const char *accept_types;      /* comma-separated media types the body must have (e.g.
                                      "application/json,text/json"); NULL → any. Checked on 2xx
                                      http(s) answers only; a mismatch (an HTML error page) is
                                      DTP_ERR_UPSTREAM without retry. */
    const dtp_http_header *headers;
    size_t n_headers;
} dtp_http_request;

/* Where a body goes. begin(): an attempt's 2xx body starts (also for an empty body); write():
 * more bytes; abort(): drop everything since begin (failure, retry, cap, interrupt); commit(): the
 * body is complete. Any hook may be NULL except write. A non-OK status from a hook stops the
 * request with that status and the hook's err (no retry). */
typedef struct dtp_http_sink {
    dtp_status (*begin)(void *ctx, dtp_error *err);
    dtp_status (*write)(void *ctx, const void *p, size_t n, dtp_error *err);
    void (*abort)(void *ctx);
    dtp_status (*commit)(void *ctx, dtp_error *err);
    void *ctx;
} dtp_http_sink;

/* What happened on one attempt, for logs. */
typedef struct dtp_http_attempt {
    long http_status;             /* 0 when no HTTP answer (or file://) */
    int curl_code;                /* CURLcode */
    dtp_status status;            /* DTP_OK for the successful attempt */
    int retryable;                /* 1 when another attempt followed or would have */
    long wait_ms;                 /* wait before the next attempt (0 for the last) */
    char note[DTP_HTTP_NOTE_MAX]; /* "http 500", "timeout: ...", "ok" (secrets redacted) */
} dtp_http_attempt;

typedef enum dtp_http_change {
    DTP_HTTP_CHANGE_UNKNOWN = 0, /* no validator to compare (no ETag, no Last-Modified) */
    DTP_HTTP_CHANGED,            /* validators differ from the ones passed in */
    DTP_HTTP_UNCHANGED           /* 304, or the same ETag / Last-Modified */
} dtp_http_change;

/* The outcome of a request. Header fields are those of the final answer; "" when absent. */
typedef struct dtp_http_response {
    dtp_status outcome;               /* same as the request's return status */
    char final_url[DTP_HTTP_URL_MAX]; /* after redirects */
    long status;                      /* HTTP status; 200 for a file:// read, 304 not modified */
    int not_modified;                 /* 1: 304 (or file:// older than If-Modified-Since) */
    dtp_http_change change;           /* set by dtp_http_probe only */
    char etag[DTP_HTTP_ETAG_MAX];     /* "" when absent or longer than the field */
    char last_modified[DTP_HTTP_DATE_MAX];
    char content_type[DTP_HTTP_CTYPE_MAX];
    int64_t content_length; /* -1 when unknown */
    long retry_after_s;     /* -1 when absent; from the last answer carrying one */
    int attempts;           /* attempts made */
    uint64_t bytes;         /* body bytes of the final, delivered attempt */
    dtp_http_attempt attempt[DTP_HTTP_MAX_ATTEMPTS];
} dtp_http_response;

/* A client holds the options, the jitter RNG and a curl multi handle (its connection cache). Use
 * one client from one thread at a time; make one per thread for parallel stages. */
typedef struct dtp_http_client dtp_http_client;

/* Fill o with the defaults: 30 s connect, 10 min total, 1 B/s for 60 s, 2 GiB cap, 4 retries,
 * backoff 1 s..60 s, Retry-After up to 120 s, 5 redirects, clock seed, no interrupt/progress. */
void dtp_http_opts_default(dtp_http_opts *o);

/* Make a client (curl global init happens once, thread-unsafely, on the first call). Copies o. */
dtp_status dtp_http_new(const dtp_http_opts *o, dtp_http_client **out, dtp_error *err);

void dtp_http_free(dtp_http_client *c);

/* GET req->url into sink with retries. DTP_OK with resp->not_modified set on a 304 (nothing
 * written). On failure err names source, URL and what, and the sink holds nothing (abort was
 * called for any attempt that began). resp may be NULL. */
dtp_status dtp_http_get(dtp_http_client *c, const dtp_http_request *req, const dtp_http_sink *sink,
                        dtp_http_response *resp, dtp_error *err);

/* Ask whether req->url changed since the validators in req (if_none_match / if_modified_since)
 * without downloading its body: a conditional HEAD (file://: the file's size and time). Sets
 * resp->change (never CHANGED without a differing validator; UNKNOWN when nothing to compare). */
dtp_status dtp_http_probe(dtp_http_client *c, const dtp_http_request *req, dtp_http_response *resp,
                          dtp_error *err);

/* Gives the sink for request `index`; called once per request, before its first attempt. */
typedef dtp_status (*dtp_http_sink_factory)(void *ctx, size_t index, const dtp_http_request *req,
                                            dtp_http_sink *out, dtp_error *err);

/* GET n requests with at most max_parallel transfers at once (0 → 4), each with the same retry
 * rules as dtp_http_get. resps (n entries) is required; errs (n entries) may be NULL. Every
 * request runs to its own end even when another fails. Returns DTP_OK when all succeeded, else the
 * status of the lowest-index failure, whose error is copied to err. */
dtp_status dtp_http_get_many(dtp_http_client *c, const dtp_http_request *reqs, size_t n,
                             size_t max_parallel, dtp_http_sink_factory factory, void *factory_ctx,
                             dtp_http_response *resps, dtp_error *errs, dtp_error *err);

/* A sink into b: begin and abort empty it, write appends within b's own cap (over the cap →
 * DTP_ERR_LIMIT). b stays owned by the caller. */
void dtp_http_mem_sink(dtp_http_sink *s, dtp_buf *b);

/* Full-jitter backoff before retry number `retry` (0 = first retry): uniform in
 * [0, min(max_ms, base_ms * 2^retry)], drawn from *rng (xorshift64*, never 0). */
long dtp_http_backoff_ms(uint64_t *rng, long base_ms, long max_ms, int retry);

/* Parse a Retry-After value (delay-seconds or HTTP-date) into seconds from `now` (a date in the
 * past → 0). DTP_ERR_PARSE when neither. */
dtp_status dtp_http_parse_retry_after(const char *value, time_t now, long *secs);

/* Parse an HTTP-date (RFC 9110 and the obsolete forms) with curl_getdate. DTP_ERR_PARSE if not. */
dtp_status dtp_http_parse_date(const char *value, time_t *out);

/* Format t as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") into out (>= 30 bytes). */
void dtp_http_format_date(time_t t, char *out, size_t outsz);

#endif
