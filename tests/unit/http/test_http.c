/* fetch/http against the loopback test server: every fault of the menu ends in the documented
 * retry or a clear error naming source, URL and page, with nothing left in the sink. Assertions
 * are on attempt counts and request counters, never on elapsed time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "common/version.h"
#include "fetch/http.h"
#include "tests/support/testserver.h"

static dtp_ts *ts;
static char url[512];

static const char *U(const char *path)
{
    return dtp_ts_url(ts, path, url, sizeof url);
}

/* Small timeouts and near-zero backoff: faults cost milliseconds, not seconds. */
static dtp_http_opts test_opts(void)
{
    dtp_http_opts o;
    dtp_http_opts_default(&o);
    o.contact = "mailto:test@example.org";
    o.connect_timeout_ms = 2000;
    o.timeout_ms = 3000;
    o.low_speed_time_s = 0;
    o.max_body_bytes = 8u << 20;
    o.max_retries = 3;
    o.backoff_base_ms = 1;
    o.backoff_max_ms = 5;
    o.retry_after_max_ms = 2000;
    o.rng_seed = 42;
    return o;
}

static dtp_http_client *client(const dtp_http_opts *o)
{
    dtp_http_client *c = NULL;
    dtp_error err;
    assert_int_equal(dtp_http_new(o, &c, &err), DTP_OK);
    return c;
}

/* A sink that records every hook call around a memory buffer. */
typedef struct rec {
    dtp_buf buf;
    int begins, aborts, commits;
} rec;

static dtp_status rec_begin(void *ctx, dtp_error *err)
{
    (void)err;
    rec *r = ctx;
    r->begins++;
    dtp_buf_reset(&r->buf);
    return DTP_OK;
}

static dtp_status rec_write(void *ctx, const void *p, size_t n, dtp_error *err)
{
    rec *r = ctx;
    dtp_status st = dtp_buf_append(&r->buf, p, n);
    return st == DTP_OK ? DTP_OK : dtp_error_set(err, st, "fetch", "rec sink full");
}

static void rec_abort(void *ctx)
{
    rec *r = ctx;
    r->aborts++;
    dtp_buf_reset(&r->buf);
}

static dtp_status rec_commit(void *ctx, dtp_error *err)
{
    (void)err;
    rec *r = ctx;
    r->commits++;
    return DTP_OK;
}

static dtp_http_sink rec_sink(rec *r)
{
    memset(r, 0, sizeof *r);
    dtp_buf_init(&r->buf, 64u << 20);
    dtp_http_sink s = {rec_begin, rec_write, rec_abort, rec_commit, r};
    return s;
}

static char *fixture_path(const char *rel, char *out, size_t n)
{
    const char *fx = getenv("DTP_FIXTURES");
    snprintf(out, n, "%s/%s", fx ? fx : "tests/fixtures", rel);
    return out;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static char *fmt(const dtp_error *e)
{
    static char line[2048];
    return dtp_error_format(e, line, sizeof line);
}

#define WB_FIXTURE "real/worldbank/wbstats-vcr-2025/wb_brazil_2006__0.json"
#define LM "Tue, 10 Oct 2023 08:00:00 GMT"

/* ---- plain success ------------------------------------------------------------------------ */

static void test_get_real_body(void **state)
{
    (void)state;
    char path[1024];
    fixture_path(WB_FIXTURE, path, sizeof path);
    dtp_ts_route r = {.path = "/v2/country/BRA",
                      .body_file = path,
                      .content_type = "application/json;charset=utf-8",
                      .etag = "\"wb-1\"",
                      .last_modified = LM};
    assert_int_equal(dtp_ts_add(ts, &r), 0);
    dtp_http_opts o = test_opts();
    dtp_http_client *c = client(&o);
    dtp_buf b;
    dtp_buf_init(&b, 8u << 20);
    dtp_http_sink s;
    dtp_http_mem_sink(&s, &b);
    dtp_http_request req = {
        .url = U("/v2/country/BRA"), .source = "worldbank", .accept_types = "application/json"};
    dtp_http_response resp;
    dtp_error err;
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_OK);
    size_t n;
    char *want = slurp(path, &n);
    assert_int_equal(b.len, n);
    assert_memory_equal(b.data, want, n);
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.attempts, 1);
    assert_int_equal(resp.bytes, n);
    assert_int_equal(resp.content_length, (int64_t)n);
    assert_string_equal(resp.etag, "\"wb-1\"");
    assert_string_equal(resp.last_modified, LM);
    assert_string_equal(resp.content_type, "application/json;charset=utf-8");
    assert_string_equal(resp.final_url, U("/v2/country/BRA"));
    assert_int_equal(resp.not_modified, 0);
    assert_int_equal(resp.retry_after_s, -1);
    char ua[256];
    dtp_ts_last_user_agent(ts, "/v2/country/BRA", ua, sizeof ua);
    assert_string_equal(ua, "dtpanel/" DTP_VERSION " (+mailto:test@example.org)");
    free(want);
    dtp_buf_free(&b);
    dtp_http_free(c);
}

/* ---- retries ------------------------------------------------------------------------------ */

static void test_500_then_success(void **state)
{
    (void)state;
    dtp_ts_route r = {.path = "/flaky", .gen_bytes = 5000, .fail_count = 2, .fail_status = 500};
    assert_int_equal(dtp_ts_add(ts, &r), 0);
    dtp_http_opts o = test_opts();
    dtp_http_client *c = client(&o);
    rec k;
    dtp_http_sink s = rec_sink(&k);
    dtp_http_request req = {.url = U("/flaky"), .source = "itu"};
    dtp_http_response resp;
    dtp_error err;
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_OK);
    assert_int_equal(resp.attempts, 3);
    assert_int_equal(resp.attempt[0].http_status, 500);
    assert_int_equal(resp.attempt[0].retryable, 1);
    assert_string_equal(resp.attempt[0].note, "http 500");
    assert_int_equal(resp.attempt[2].status, DTP_OK);
    /* The error pages never reached the sink. */
    assert_int_equal(k.begins, 1);
    assert_int_equal(k.aborts, 0);
    assert_int_equal(k.commits, 1);
    assert_int_equal(k.buf.len, 5000);
    assert_int_equal(dtp_ts_count(ts, "/flaky").requests, 3);
    dtp_buf_free(&k.buf);
    dtp_http_free(c);
}

static void test_500_exhausted_names_source_url_page(void **state)
{
    (void)state;
    dtp_ts_route r = {
        .path = "/v2/indicator", .gen_bytes = 10, .fail_count = 1000, .fail_status = 500};
    assert_int_equal(dtp_ts_add(ts, &r), 0);
    dtp_http_opts o = test_opts();
    dtp_http_client *c = client(&o);
    rec k;
    dtp_http_sink s = rec_sink(&k);
    char u[600];
    snprintf(u, sizeof u, "%s?format=json&page=3", U("/v2/indicator"));
    dtp_http_request req = {.url = u, .source = "worldbank", .what = "page 3 of 7"};
    dtp_http_response resp;
    dtp_error err;
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_ERR_HTTP);
    assert_int_equal(resp.attempts, 4);
    assert_int_equal(resp.outcome, DTP_ERR_HTTP);
    assert_int_equal(resp.status, 500);
    char want[1024];
    snprintf(want, sizeof want, "fetch: worldbank: %s: page 3 of 7: http 500 after 4 attempts", u);
    assert_string_equal(fmt(&err), want);
    assert_int_equal(k.begins, 0);
    assert_int_equal(k.commits, 0);
    assert_int_equal(k.buf.len, 0);
    for (int i = 0; i < 3; i++)
        assert_true(resp.attempt[i].wait_ms >= 0 && resp.attempt[i].wait_ms <= 5);
    dtp_buf_free(&k.buf);
    dtp_http_free(c);
}

static void test_404_not_retried(void **state)
{
    (void)state;
    dtp_ts_route r = {.path = "/gone", .status = 404, .gen_bytes = 10};
    assert_int_equal(dtp_ts_add(ts, &r), 0);
    dtp_http_opts o = test_opts();
    dtp_http_client *c = client(&o);
    rec k;
    dtp_http_sink s = rec_sink(&k);
    dtp_http_request req = {.url = U("/gone"), .source = "unctad"};
    dtp_http_response resp;
    dtp_error err;
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_ERR_HTTP);
    assert_int_equal(resp.attempts, 1);
    assert_int_equal(dtp_ts_count(ts, "/gone").requests, 1);
    assert_string_equal(err.source, "unctad");
    assert_string_equal(err.message, "http 404");
    assert_int_equal(k.begins, 0);
    dtp_buf_free(&k.buf);
    dtp_http_free(c);
}

static void test_429_retry_after_honoured(void **state)
{
    (void)state;
    dtp_ts_route r = {
        .path = "/busy", .gen_bytes = 100, .fail_count = 1, .fail_status = 429, .retry_after = "1"};
    assert_int_equal(dtp_ts_add(ts, &r), 0);
    dtp_http_opts o = test_opts();
    dtp_http_client *c = client(&o);
    dtp_buf b;
    dtp_buf_init(&b, 1 << 20);
    dtp_http_sink s;
    dtp_http_mem_sink(&s, &b);
    dtp_http_request req = {.url = U("/busy"), .source = "worldbank"};
    dtp_http_response resp;
    dtp_error err;
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_OK);
    assert_int_equal(resp.attempts, 2);
    assert_int_equal(resp.attempt[0].http_status, 429);
    /* The server's 1 s, not the 1..5 ms backoff. */
    assert_int_equal(resp.attempt[0].wait_ms, 1000);
    assert_int_equal(resp.retry_after_s, 1);
    assert_int_equal(b.len, 100);
    dtp_buf_free(&b);
    dtp_http_free(c);
}

static void test_retry_after_capped(void **state)
{
    (void)state;
    dtp_ts_route r = {.path = "/busy-long",
                      .gen_bytes = 10,
                      .fail_count = 1000,
                      .fail_status = 503,
                      .retry_after = "soon"};
    /* An unparseable date is ignored (backoff instead); then a huge one is capped. */
    assert_int_equal(dtp_ts_add(ts, &r), 0);
    dtp_http_opts o = test_opts();
    o.max_retries = 1;
    o.retry_after_max_ms = 20;
    dtp_http_client *c = client(&o);
    rec k;
    dtp_http_sink s = rec_sink(&k);
    dtp_http_request req = {.url = U("/busy-long"), .source = "worldbank"};
    dtp_http_response resp;
    dtp_error err;
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_ERR_HTTP);
    assert_int_equal(resp.attempts, 2);
    assert_true(resp.attempt[0].wait_ms <= 5);
    assert_int_equal(resp.retry_after_s, -1);

    r.retry_after = "Fri, 31 Dec 2100 23:59:59 GMT";
    assert_int_equal(dtp_ts_add(ts, &r), 0);
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_ERR_HTTP);
    assert_int_equal(resp.attempts, 2);
    assert_int_equal(resp.attempt[0].wait_ms, 20);
    assert_true(resp.retry_after_s > 365L * 24 * 3600);
    assert_string_equal(err.message, "http 503 after 2 attempts");
    assert_int_equal(k.begins, 0);
    dtp_buf_free(&k.buf);
    dtp_http_free(c);
}

static void test_stall_timeout_then_success(void **state)
{
    (void)state;
    dtp_ts_route r = {.path = "/slow", .gen_bytes = 100, .stall_count = 1, .stall_ms = 1500};
    assert_int_equal(dtp_ts_add(ts, &r), 0);
    dtp_http_opts o = test_opts();
    o.timeout_ms = 300;
    dtp_http_client *c = client(&o);
    rec k;
    dtp_http_sink s = rec_sink(&k);
    dtp_http_request req = {.url = U("/slow"), .source = "itu"};
    dtp_http_response resp;
    dtp_error err;
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_OK);
    assert_int_equal(resp.attempts, 2);
    assert_int_equal(resp.attempt[0].curl_code, CURLE_OPERATION_TIMEDOUT);
    assert_int_equal(resp.attempt[0].retryable, 1);
    assert_int_equal(k.commits, 1);
    assert_int_equal(k.buf.len, 100);
    dtp_buf_free(&k.buf);
    dtp_http_free(c);
}

static void test_stall_exhausted(void **state)
{
    (void)state;
    dtp_ts_route r = {.path = "/stuck", .gen_bytes = 100, .stall_count = 1000, .stall_ms = 1000};
    assert_int_equal(dtp_ts_add(ts, &r), 0);
    dtp_http_opts o = test_opts();
    o.timeout_ms = 200;
    o.max_retries = 1;
    dtp_http_client *c = client(&o);
    rec k;
    dtp_http_sink s = rec_sink(&k);
    dtp_http_request req = {.url = U("/stuck"), .source = "itu", .what = "bulk file"};
    dtp_http_response resp;
    dtp_error err;
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_ERR_NETWORK);
    assert_int_equal(resp.attempts, 2);
    assert_memory_equal(err.message,
                        "bulk file: timeout after 2 attempts (last: operation timed out",
                        strlen("bulk file: timeout after 2 attempts (last: operation timed out"));
    assert_memory_equal(resp.attempt[0].note, "timeout: operation timed out",
                        strlen("timeout: operation timed out"));
    assert_string_equal(err.locator, U("/stuck"));
    assert_int_equal(k.commits, 0);
    assert_int_equal(k.buf.len, 0);
    dtp_buf_free(&k.buf);
    dtp_http_free(c);
}

static void test_truncated_body_retried(void **state)
{
    (void)state;
    dtp_ts_route r = {.path = "/cut", .gen_bytes = 200000, .truncate_count = 1};
    assert_int_equal(dtp_ts_add(ts, &r), 0);
    dtp_http_opts o = test_opts();
    dtp_http_client *c = client(&o);
    rec k;
    dtp_http_sink s = rec_sink(&k);
    dtp_http_request req = {.url = U("/cut"), .source = "unctad"};
    dtp_http_response resp;
    dtp_error err;
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_OK);
    assert_int_equal(resp.attempts, 2);
    assert_int_equal(resp.attempt[0].curl_code, CURLE_PARTIAL_FILE);
    /* The half body of attempt 1 was begun and aborted; attempt 2 began afresh. */
    assert_int_equal(k.begins, 2);
    assert_int_equal(k.aborts, 1);
    assert_int_equal(k.commits, 1);
    assert_int_equal(k.buf.len, 200000);
    assert_int_equal(resp.bytes, 200000);

    r.truncate_count = 1000;
    assert_int_equal(dtp_ts_add(ts, &r), 0);
    k.begins = k.aborts = k.commits = 0;
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_ERR_NETWORK);
    assert_int_equal(resp.attempts, 4);
    assert_int_equal(k.begins, 4);
    assert_int_equal(k.aborts, 4);
    assert_int_equal(k.commits, 0);
    assert_int_equal(k.buf.len, 0);
    assert_non_null(strstr(err.message, "after 4 attempts"));
    dtp_buf_free(&k.buf);
    dtp_http_free(c);
}

/* ---- clear errors ------------------------------------------------------------------------- */

static void test_html_error_page(void **state)
{
    (void)state;
    const char *html = "<html><body>Service temporarily unavailable</body></html>";
    dtp_ts_route r = {.path = "/bulk.7z",
                      .body = html,
                      .body_len = strlen(html),
                      .content_type = "text/html; charset=utf-8"};
    assert_int_equal(dtp_ts_add(ts, &r), 0);
    dtp_http_opts o = test_opts();
    dtp_http_client *c = client(&o);
    rec k;
    dtp_http_sink s = rec_sink(&k);
    dtp_http_request req = {.url = U("/bulk.7z"),
                            .source = "unctad",
                            .accept_types =
                                "application/x-7z-compressed, application/octet-stream"};
    dtp_http_response resp;
    dtp_error err;
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_ERR_UPSTREAM);
    assert_int_equal(resp.attempts, 1);
    assert_non_null(strstr(err.message, "got text/html"));
    assert_int_equal(k.begins, 0);
    assert_int_equal(k.buf.len, 0);
    dtp_buf_free(&k.buf);
    dtp_http_free(c);
}

static void test_body_cap(void **state)
{
    (void)state;
    dtp_ts_route r = {.path = "/big", .gen_bytes = 100000};
    assert_int_equal(dtp_ts_add(ts, &r), 0);
    dtp_ts_route rc = {.path = "/big-chunked", .gen_bytes = 100000, .chunked = 1};
    assert_int_equal(dtp_ts_add(ts, &rc), 0);
    dtp_http_opts o = test_opts();
    o.max_body_bytes = 1000;
    dtp_http_client *c = client(&o);
    rec k;
    dtp_http_sink s = rec_sink(&k);
    dtp_http_request req = {.url = U("/big"), .source = "itu"};
    dtp_http_response resp;
    dtp_error err;
    /* Announced by Content-Length: refused before any byte reaches the sink. */
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_ERR_LIMIT);
    assert_int_equal(resp.attempts, 1);
    assert_string_equal(err.message, "body exceeds the cap of 1000 bytes");
    assert_int_equal(k.begins, 0);
    assert_int_equal(k.buf.len, 0);
    /* Chunked: found while streaming; the partial body is aborted. */
    req.url = U("/big-chunked");
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_ERR_LIMIT);
    assert_int_equal(resp.attempts, 1);
    assert_int_equal(k.begins, 1);
    assert_int_equal(k.aborts, 1);
    assert_int_equal(k.commits, 0);
    assert_int_equal(k.buf.len, 0);
    /* The memory sink's own cap is a limit too, and leaves the buffer empty. */
    dtp_http_opts o2 = test_opts();
    dtp_http_client *c2 = client(&o2);
    dtp_buf b;
    dtp_buf_init(&b, 5000);
    dtp_http_sink ms;
    dtp_http_mem_sink(&ms, &b);
    assert_int_equal(dtp_http_get(c2, &req, &ms, &resp, &err), DTP_ERR_LIMIT);
    assert_int_equal(b.len, 0);
    assert_non_null(strstr(err.message, "memory sink cap"));
    assert_int_equal(resp.attempts, 1);
    dtp_buf_free(&b);
    dtp_buf_free(&k.buf);
    dtp_http_free(c2);
    dtp_http_free(c);
}

static void test_redirects(void **state)
{
    (void)state;
    dtp_ts_route loop = {.path = "/loop", .location = "/loop"};
    assert_int_equal(dtp_ts_add(ts, &loop), 0);
    dtp_ts_route old = {.path = "/old", .location = "/new", .status = 301};
    assert_int_equal(dtp_ts_add(ts, &old), 0);
    dtp_ts_route nw = {.path = "/new", .gen_bytes = 42};
    assert_int_equal(dtp_ts_add(ts, &nw), 0);
    dtp_http_opts o = test_opts();
    dtp_http_client *c = client(&o);
    rec k;
    dtp_http_sink s = rec_sink(&k);
    dtp_http_request req = {.url = U("/loop"), .source = "isosurvey"};
    dtp_http_response resp;
    dtp_error err;
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_ERR_HTTP);
    assert_int_equal(resp.attempts, 1);
    assert_string_equal(err.message, "redirect loop or more than 5 redirects");
    assert_int_equal(k.begins, 0);
    assert_int_equal(dtp_ts_count(ts, "/loop").requests, 6);

    /* A redirect may not leave http(s): file:// is refused, not followed. */
    dtp_ts_route tofile = {.path = "/to-file", .location = "file:///etc/passwd"};
    assert_int_equal(dtp_ts_add(ts, &tofile), 0);
    req.url = U("/to-file");
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_ERR_USAGE);
    assert_non_null(strstr(err.message, "protocol not allowed"));
    assert_int_equal(k.begins, 0);

    req.url = U("/old");
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_OK);
    assert_string_equal(resp.final_url, U("/new"));
    assert_int_equal(resp.status, 200);
    assert_int_equal(k.buf.len, 42);
    /* The redirect's own body ("moved") never reached the sink. */
    assert_int_equal(k.begins, 1);
    dtp_buf_free(&k.buf);
    dtp_http_free(c);
}

static void test_protocol_refused(void **state)
{
    (void)state;
    dtp_http_opts o = test_opts();
    dtp_http_client *c = client(&o);
    rec k;
    dtp_http_sink s = rec_sink(&k);
    dtp_http_request req = {.url = "ftp://127.0.0.1/x", .source = "itu"};
    dtp_http_response resp;
    dtp_error err;
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_ERR_USAGE);
    assert_int_equal(resp.attempts, 1);
    assert_non_null(strstr(err.message, "protocol not allowed"));
    /* Header injection is refused before any request. */
    dtp_http_header bad = {"X-A", "1\r\nX-B: 2", 0};
    dtp_http_request req2 = {.url = U("/new"), .headers = &bad, .n_headers = 1};
    assert_int_equal(dtp_http_get(c, &req2, &s, &resp, &err), DTP_ERR_USAGE);
    assert_int_equal(resp.attempts, 0);
    assert_string_equal(err.source, "http");
    dtp_buf_free(&k.buf);
    dtp_http_free(c);
}

/* ---- conditional requests ----------------------------------------------------------------- */

static void test_304_not_modified(void **state)
{
    (void)state;
    dtp_ts_route r = {.path = "/etagged", .gen_bytes = 1000, .etag = "\"v7\""};
    assert_int_equal(dtp_ts_add(ts, &r), 0);
    dtp_http_opts o = test_opts();
    dtp_http_client *c = client(&o);
    rec k;
    dtp_http_sink s = rec_sink(&k);
    dtp_http_request req = {.url = U("/etagged"), .source = "worldbank", .if_none_match = "\"v7\""};
    dtp_http_response resp;
    dtp_error err;
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_OK);
    assert_int_equal(resp.not_modified, 1);
    assert_int_equal(resp.status, 304);
    assert_int_equal(resp.bytes, 0);
    assert_string_equal(resp.etag, "\"v7\"");
    assert_int_equal(k.begins, 0);
    assert_int_equal(k.commits, 0);
    dtp_ts_counts n = dtp_ts_count(ts, "/etagged");
    assert_int_equal(n.bodies, 0);
    assert_int_equal(n.not_modified, 1);
    dtp_buf_free(&k.buf);
    dtp_http_free(c);
}

/* A refresh of an unchanged upstream: the second pass downloads no body at all. */
static void test_conditional_refresh(void **state)
{
    (void)state;
    dtp_ts_route a = {.path = "/r/a", .gen_bytes = 300, .etag = "\"a1\""};
    dtp_ts_route b = {.path = "/r/b", .gen_bytes = 400, .last_modified = LM};
    dtp_ts_route d = {.path = "/r/c", .gen_bytes = 500, .etag = "\"c1\"", .last_modified = LM};
    assert_int_equal(dtp_ts_add(ts, &a), 0);
    assert_int_equal(dtp_ts_add(ts, &b), 0);
    assert_int_equal(dtp_ts_add(ts, &d), 0);
    const char *paths[] = {"/r/a", "/r/b", "/r/c"};
    dtp_http_opts o = test_opts();
    dtp_http_client *c = client(&o);
    char etag[3][DTP_HTTP_ETAG_MAX], lm[3][DTP_HTTP_DATE_MAX];
    for (int i = 0; i < 3; i++) {
        rec k;
        dtp_http_sink s = rec_sink(&k);
        dtp_http_request req = {.url = U(paths[i]), .source = "itu"};
        dtp_http_response resp;
        dtp_error err;
        assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_OK);
        assert_int_equal(resp.not_modified, 0);
        snprintf(etag[i], sizeof etag[i], "%s", resp.etag);
        snprintf(lm[i], sizeof lm[i], "%s", resp.last_modified);
        dtp_buf_free(&k.buf);
    }
    for (int i = 0; i < 3; i++) {
        rec k;
        dtp_http_sink s = rec_sink(&k);
        dtp_http_request req = {.url = U(paths[i]),
                                .source = "itu",
                                .if_none_match = etag[i],
                                .if_modified_since = lm[i]};
        dtp_http_response resp;
        dtp_error err;
        assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_OK);
        assert_int_equal(resp.not_modified, 1);
        assert_int_equal(k.begins, 0);
        dtp_buf_free(&k.buf);
    }
    for (int i = 0; i < 3; i++) {
        dtp_ts_counts n = dtp_ts_count(ts, paths[i]);
        assert_int_equal(n.requests, 2);
        assert_int_equal(n.bodies, 1);
        assert_int_equal(n.not_modified, 1);
    }
    dtp_http_free(c);
}

static void test_probe(void **state)
{
    (void)state;
    dtp_ts_route r = {.path = "/p", .gen_bytes = 100000, .etag = "\"p1\"", .last_modified = LM};
    dtp_ts_route deaf = {.path = "/p-deaf",
                         .gen_bytes = 100000,
                         .etag = "\"d1\"",
                         .last_modified = LM,
                         .ignore_conditions = 1};
    dtp_ts_route bare = {.path = "/p-bare", .gen_bytes = 100000};
    assert_int_equal(dtp_ts_add(ts, &r), 0);
    assert_int_equal(dtp_ts_add(ts, &deaf), 0);
    assert_int_equal(dtp_ts_add(ts, &bare), 0);
    dtp_http_opts o = test_opts();
    dtp_http_client *c = client(&o);
    dtp_http_response resp;
    dtp_error err;

    dtp_http_request same = {.url = U("/p"), .source = "unctad", .if_none_match = "\"p1\""};
    assert_int_equal(dtp_http_probe(c, &same, &resp, &err), DTP_OK);
    assert_int_equal(resp.change, DTP_HTTP_UNCHANGED);
    assert_int_equal(resp.status, 304);

    dtp_http_request other = {.url = U("/p"), .source = "unctad", .if_none_match = "\"p0\""};
    assert_int_equal(dtp_http_probe(c, &other, &resp, &err), DTP_OK);
    assert_int_equal(resp.change, DTP_HTTP_CHANGED);
    assert_int_equal(resp.status, 200);
    assert_string_equal(resp.etag, "\"p1\"");
    assert_int_equal(resp.content_length, 100000);
    assert_int_equal(resp.bytes, 0);

    /* A server that ignores conditions: judged by comparing validators, still no body. */
    dtp_http_request d1 = {.url = U("/p-deaf"), .source = "unctad", .if_none_match = "W/\"d1\""};
    assert_int_equal(dtp_http_probe(c, &d1, &resp, &err), DTP_OK);
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.change, DTP_HTTP_UNCHANGED);
    dtp_http_request d2 = {.url = U("/p-deaf"),
                           .source = "unctad",
                           .if_modified_since = "Mon, 09 Oct 2023 08:00:00 GMT"};
    assert_int_equal(dtp_http_probe(c, &d2, &resp, &err), DTP_OK);
    assert_int_equal(resp.change, DTP_HTTP_CHANGED);

    dtp_http_request nb = {.url = U("/p-bare"), .source = "unctad", .if_none_match = "\"x\""};
    assert_int_equal(dtp_http_probe(c, &nb, &resp, &err), DTP_OK);
    assert_int_equal(resp.change, DTP_HTTP_CHANGE_UNKNOWN);

    assert_int_equal(dtp_ts_count(ts, "/p").bodies, 0);
    assert_int_equal(dtp_ts_count(ts, "/p-deaf").bodies, 0);
    assert_int_equal(dtp_ts_count(ts, "/p-deaf").heads, 2);
    assert_int_equal(dtp_ts_count(ts, "/p-bare").bodies, 0);
    dtp_http_free(c);
}

/* ---- file:// ------------------------------------------------------------------------------ */

static void test_file_url(void **state)
{
    (void)state;
    char dir[] = "/tmp/dtp_http_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], u[300];
    snprintf(path, sizeof path, "%s/mirror.csv", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("a,b\n1,2\n", f);
    fclose(f);
    dtp_http_opts o = test_opts();
    dtp_http_client *c = client(&o);
    rec k;
    dtp_http_sink s = rec_sink(&k);
    snprintf(u, sizeof u, "file://%s", path);
    dtp_http_request req = {
        .url = u, .source = "unctad_data360", .accept_types = "application/json"};
    dtp_http_response resp;
    dtp_error err;
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_OK);
    assert_int_equal(resp.status, 200);
    assert_int_equal(k.buf.len, 8);
    assert_string_equal(k.buf.data, "a,b\n1,2\n");
    assert_int_equal(k.commits, 1);
    assert_true(resp.last_modified[0] != '\0');

    /* plan on a file: same time → unchanged. */
    char lm[DTP_HTTP_DATE_MAX];
    snprintf(lm, sizeof lm, "%s", resp.last_modified);
    dtp_http_request preq = {.url = u, .source = "unctad_data360", .if_modified_since = lm};
    assert_int_equal(dtp_http_probe(c, &preq, &resp, &err), DTP_OK);
    assert_int_equal(resp.change, DTP_HTTP_UNCHANGED);
    assert_int_equal(resp.bytes, 0);

    snprintf(u, sizeof u, "file://%s/missing.csv", dir);
    req.url = u;
    k.begins = k.commits = 0;
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_ERR_NOT_FOUND);
    assert_int_equal(resp.attempts, 1);
    char want[600];
    snprintf(want, sizeof want,
             "fetch: unctad_data360: %s: cannot read file (missing or unreadable)", u);
    assert_string_equal(fmt(&err), want);
    assert_int_equal(k.begins, 0);
    unlink(path);
    rmdir(dir);
    dtp_buf_free(&k.buf);
    dtp_http_free(c);
}

/* ---- secrets ------------------------------------------------------------------------------ */

#define SECRET "s3cr3t-0123456789abcdef"

static void test_secret_redacted(void **state)
{
    (void)state;
    dtp_ts_route ok = {.path = "/keyed",
                       .gen_bytes = 10,
                       .require_header = "ClientSecret",
                       .require_value = SECRET};
    dtp_ts_route bad = {.path = "/keyed-500",
                        .gen_bytes = 10,
                        .require_header = "ClientSecret",
                        .require_value = SECRET,
                        .fail_count = 1000,
                        .fail_status = 500};
    dtp_ts_route mv = {.path = "/keyed-moved", .location = "/keyed"};
    assert_int_equal(dtp_ts_add(ts, &ok), 0);
    assert_int_equal(dtp_ts_add(ts, &bad), 0);
    assert_int_equal(dtp_ts_add(ts, &mv), 0);
    dtp_http_opts o = test_opts();
    o.max_retries = 1;
    dtp_http_client *c = client(&o);
    dtp_http_header h[] = {{"ClientId", "dtpanel", 0}, {"ClientSecret", SECRET, 1}};
    rec k;
    dtp_http_sink s = rec_sink(&k);
    dtp_http_response resp;
    dtp_error err;

    /* The header is really sent (else 401). */
    dtp_http_request req = {.url = U("/keyed"), .source = "unctad", .headers = h, .n_headers = 2};
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_OK);
    assert_int_equal(k.buf.len, 10);

    /* The secret also sits in the URL here, so redaction has something to do. */
    char u[700];
    snprintf(u, sizeof u, "%s?key=%s", U("/keyed-500"), SECRET);
    req.url = u;
    req.what = "facts";
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_ERR_HTTP);
    assert_int_equal(resp.attempts, 2);
    char *line = fmt(&err);
    assert_null(strstr(line, "s3cr3t"));
    assert_non_null(strstr(line, "?key=[redacted]: facts: http 500 after 2 attempts"));
    assert_null(strstr(resp.final_url, "s3cr3t"));
    for (int i = 0; i < resp.attempts; i++)
        assert_null(strstr(resp.attempt[i].note, "s3cr3t"));

    /* With credentials on board a redirect is not followed. */
    req.url = U("/keyed-moved");
    req.what = NULL;
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_ERR_HTTP);
    assert_string_equal(err.message,
                        "http 302 redirect not followed (request carries credentials)");
    assert_int_equal(dtp_ts_count(ts, "/keyed").requests, 1);
    dtp_buf_free(&k.buf);
    dtp_http_free(c);
}

/* ---- interrupt and progress --------------------------------------------------------------- */

static volatile sig_atomic_t stop_flag;
static int progress_calls;

static void stop_on_progress(void *ctx, size_t index, uint64_t now, uint64_t total)
{
    (void)ctx;
    (void)index;
    (void)total;
    progress_calls++;
    if (now > 0)
        stop_flag = 1;
}

static void test_interrupt(void **state)
{
    (void)state;
    dtp_ts_route r = {.path = "/huge", .gen_bytes = 6u << 20, .chunked = 1};
    assert_int_equal(dtp_ts_add(ts, &r), 0);
    dtp_http_opts o = test_opts();
    o.interrupt = &stop_flag;
    o.progress = stop_on_progress;
    dtp_http_client *c = client(&o);
    rec k;
    dtp_http_sink s = rec_sink(&k);
    dtp_http_request req = {.url = U("/huge"), .source = "unctad"};
    dtp_http_response resp;
    dtp_error err;
    stop_flag = 0;
    progress_calls = 0;
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_ERR_INTERRUPTED);
    assert_true(progress_calls >= 1);
    assert_int_equal(resp.attempts, 1);
    assert_int_equal(k.commits, 0);
    assert_int_equal(k.aborts, k.begins);
    assert_int_equal(k.buf.len, 0);

    /* Already set: nothing is attempted. */
    stop_flag = 1;
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_ERR_INTERRUPTED);
    assert_int_equal(resp.attempts, 0);
    assert_string_equal(err.message, "interrupted before attempt 1");
    stop_flag = 0;
    dtp_buf_free(&k.buf);
    dtp_http_free(c);
}

/* ---- many at once ------------------------------------------------------------------------- */

typedef struct many_ctx {
    rec sinks[8];
    int made;
} many_ctx;

static dtp_status many_factory(void *ctx, size_t index, const dtp_http_request *req,
                               dtp_http_sink *out, dtp_error *err)
{
    (void)req;
    (void)err;
    many_ctx *m = ctx;
    *out = rec_sink(&m->sinks[index]);
    m->made++;
    return DTP_OK;
}

static void test_get_many(void **state)
{
    (void)state;
    char paths[6][32];
    dtp_http_request reqs[6];
    char urls[6][128];
    char what[6][32];
    for (int i = 0; i < 6; i++) {
        snprintf(paths[i], sizeof paths[i], "/wb/page%d", i + 1);
        dtp_ts_route r = {.path = paths[i], .gen_bytes = (size_t)(1000 * (i + 1))};
        if (i == 1) {
            r.fail_count = 2;
            r.fail_status = 502;
        }
        if (i == 2) {
            r.status = 400;
        }
        if (i == 4) {
            r.stall_count = 1;
            r.stall_ms = 200;
        }
        assert_int_equal(dtp_ts_add(ts, &r), 0);
        dtp_ts_url(ts, paths[i], urls[i], sizeof urls[i]);
        snprintf(what[i], sizeof what[i], "page %d of 6", i + 1);
        reqs[i] = (dtp_http_request){.url = urls[i], .source = "worldbank", .what = what[i]};
    }
    dtp_http_opts o = test_opts();
    dtp_http_client *c = client(&o);
    many_ctx m;
    memset(&m, 0, sizeof m);
    dtp_http_response resps[6];
    dtp_error errs[6];
    dtp_error err;
    assert_int_equal(dtp_http_get_many(c, reqs, 6, 3, many_factory, &m, resps, errs, &err),
                     DTP_ERR_HTTP);
    assert_int_equal(m.made, 6);
    char want[512];
    snprintf(want, sizeof want, "fetch: worldbank: %s: page 3 of 6: http 400", urls[2]);
    assert_string_equal(fmt(&err), want);
    for (int i = 0; i < 6; i++) {
        if (i == 2) {
            assert_int_equal(resps[i].outcome, DTP_ERR_HTTP);
            assert_int_equal(resps[i].attempts, 1);
            assert_int_equal(m.sinks[i].begins, 0);
            assert_int_equal(m.sinks[i].buf.len, 0);
            continue;
        }
        assert_int_equal(resps[i].outcome, DTP_OK);
        assert_int_equal(errs[i].status, DTP_OK);
        assert_int_equal(m.sinks[i].buf.len, 1000 * (i + 1));
        assert_int_equal(m.sinks[i].commits, 1);
        assert_int_equal(resps[i].attempts, i == 1 ? 3 : 1);
    }
    for (int i = 0; i < 6; i++)
        dtp_buf_free(&m.sinks[i].buf);
    dtp_http_free(c);
}

/* ---- more faults -------------------------------------------------------------------------- */

static dtp_status failing_write(void *ctx, const void *p, size_t n, dtp_error *err)
{
    (void)p;
    (void)n;
    rec *r = ctx;
    (void)r;
    return dtp_error_set(err, DTP_ERR_IO, "fetch", "disk full writing the temp file");
}

static void test_sink_failure_not_retried(void **state)
{
    (void)state;
    dtp_ts_route r = {.path = "/to-disk", .gen_bytes = 5000};
    assert_int_equal(dtp_ts_add(ts, &r), 0);
    dtp_http_opts o = test_opts();
    dtp_http_client *c = client(&o);
    rec k;
    dtp_http_sink s = rec_sink(&k);
    s.write = failing_write;
    dtp_http_request req = {.url = U("/to-disk"), .source = "unctad", .what = "bulk file"};
    dtp_http_response resp;
    dtp_error err;
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_ERR_IO);
    assert_int_equal(resp.attempts, 1);
    assert_int_equal(k.begins, 1);
    assert_int_equal(k.aborts, 1);
    assert_int_equal(k.commits, 0);
    char want[512];
    snprintf(want, sizeof want, "fetch: unctad: %s: bulk file: disk full writing the temp file",
             U("/to-disk"));
    assert_string_equal(fmt(&err), want);
    dtp_buf_free(&k.buf);
    dtp_http_free(c);
}

/* A server that ignores If-Modified-Since but dates its answer: a conditional GET keeps no body. */
static void test_conditional_get_deaf_server(void **state)
{
    (void)state;
    dtp_ts_route r = {
        .path = "/deaf-get", .gen_bytes = 3000, .last_modified = LM, .ignore_conditions = 1};
    assert_int_equal(dtp_ts_add(ts, &r), 0);
    dtp_http_opts o = test_opts();
    dtp_http_client *c = client(&o);
    rec k;
    dtp_http_sink s = rec_sink(&k);
    dtp_http_request req = {.url = U("/deaf-get"), .source = "itu", .if_modified_since = LM};
    dtp_http_response resp;
    dtp_error err;
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_OK);
    assert_int_equal(resp.not_modified, 1);
    assert_int_equal(k.begins, 0);
    assert_int_equal(k.buf.len, 0);
    /* Newer upstream: the body comes. */
    req.if_modified_since = "Mon, 09 Oct 2023 08:00:00 GMT";
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_OK);
    assert_int_equal(resp.not_modified, 0);
    assert_int_equal(k.buf.len, 3000);
    dtp_buf_free(&k.buf);
    dtp_http_free(c);
}

static void *raise_soon(void *arg)
{
    (void)arg;
    struct timespec t = {0, 100 * 1000000L};
    nanosleep(&t, NULL);
    stop_flag = 1;
    return NULL;
}

/* SIGTERM while waiting out a Retry-After ends the wait, not after it. */
static void test_interrupt_during_wait(void **state)
{
    (void)state;
    dtp_ts_route r = {.path = "/busy-wait",
                      .gen_bytes = 10,
                      .fail_count = 1000,
                      .fail_status = 429,
                      .retry_after = "30"};
    assert_int_equal(dtp_ts_add(ts, &r), 0);
    dtp_http_opts o = test_opts();
    o.retry_after_max_ms = 30000;
    o.interrupt = &stop_flag;
    dtp_http_client *c = client(&o);
    rec k;
    dtp_http_sink s = rec_sink(&k);
    dtp_http_request req = {.url = U("/busy-wait"), .source = "worldbank"};
    dtp_http_response resp;
    dtp_error err;
    stop_flag = 0;
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, raise_soon, NULL), 0);
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_ERR_INTERRUPTED);
    pthread_join(th, NULL);
    stop_flag = 0;
    assert_int_equal(resp.attempts, 1);
    assert_int_equal(dtp_ts_count(ts, "/busy-wait").requests, 1);
    assert_int_equal(k.commits, 0);
    dtp_buf_free(&k.buf);
    dtp_http_free(c);
}

/* max_parallel is respected, and transfers really overlap when allowed. */
static void test_get_many_parallelism(void **state)
{
    (void)state;
    dtp_http_request reqs[4];
    char urls[4][128];
    char paths[4][32];
    for (int i = 0; i < 4; i++) {
        snprintf(paths[i], sizeof paths[i], "/par/%d", i);
        dtp_ts_route r = {.path = paths[i], .gen_bytes = 100, .stall_count = 1000, .stall_ms = 150};
        assert_int_equal(dtp_ts_add(ts, &r), 0);
        dtp_ts_url(ts, paths[i], urls[i], sizeof urls[i]);
        reqs[i] = (dtp_http_request){.url = urls[i], .source = "worldbank"};
    }
    dtp_http_opts o = test_opts();
    dtp_http_client *c = client(&o);
    many_ctx m;
    dtp_http_response resps[4];
    dtp_error err;

    memset(&m, 0, sizeof m);
    dtp_ts_count_inflight(ts, "/par/");
    assert_int_equal(dtp_http_get_many(c, reqs, 4, 1, many_factory, &m, resps, NULL, &err), DTP_OK);
    assert_int_equal(dtp_ts_max_inflight(ts), 1);
    for (int i = 0; i < 4; i++)
        dtp_buf_free(&m.sinks[i].buf);

    memset(&m, 0, sizeof m);
    dtp_ts_count_inflight(ts, "/par/");
    assert_int_equal(dtp_http_get_many(c, reqs, 4, 4, many_factory, &m, resps, NULL, &err), DTP_OK);
    assert_true(dtp_ts_max_inflight(ts) >= 2);
    assert_true(dtp_ts_max_inflight(ts) <= 4);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(m.sinks[i].buf.len, 100);
        dtp_buf_free(&m.sinks[i].buf);
    }
    dtp_http_free(c);
}

static void test_connection_refused_retried(void **state)
{
    (void)state;
    /* A port that was just listening and no longer is. */
    dtp_ts *gone = dtp_ts_start();
    assert_non_null(gone);
    char u[256];
    dtp_ts_url(gone, "/x", u, sizeof u);
    dtp_ts_stop(gone);
    dtp_http_opts o = test_opts();
    o.max_retries = 2;
    dtp_http_client *c = client(&o);
    rec k;
    dtp_http_sink s = rec_sink(&k);
    dtp_http_request req = {.url = u, .source = "itu"};
    dtp_http_response resp;
    dtp_error err;
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_ERR_NETWORK);
    assert_int_equal(resp.attempts, 3);
    assert_int_equal(resp.attempt[0].curl_code, CURLE_COULDNT_CONNECT);
    assert_memory_equal(err.message, "connection failed after 3 attempts (last: ",
                        strlen("connection failed after 3 attempts (last: "));
    assert_int_equal(k.begins, 0);
    dtp_buf_free(&k.buf);
    dtp_http_free(c);
}

/* ---- TLS ---------------------------------------------------------------------------------- */

static void test_tls_verification(void **state)
{
    (void)state;
    char crt[1024], key[1024];
    fixture_path("generated/tls/selfsigned.crt", crt, sizeof crt);
    fixture_path("generated/tls/selfsigned.key", key, sizeof key);
    size_t n;
    char *crt_pem = slurp(crt, &n);
    crt_pem[n] = '\0';
    char *key_pem = slurp(key, &n);
    key_pem[n] = '\0';
    dtp_ts *tls = dtp_ts_start_tls(crt_pem, key_pem);
    assert_non_null(tls);
    dtp_ts_route r = {.path = "/secure", .gen_bytes = 64};
    assert_int_equal(dtp_ts_add(tls, &r), 0);
    char u[256];
    dtp_ts_url(tls, "/secure", u, sizeof u);
    assert_memory_equal(u, "https://", 8);

    /* Self-signed and not trusted: refused, not retried, and no body delivered. */
    dtp_http_opts o = test_opts();
    dtp_http_client *c = client(&o);
    rec k;
    dtp_http_sink s = rec_sink(&k);
    dtp_http_request req = {.url = u, .source = "unctad"};
    dtp_http_response resp;
    dtp_error err;
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_ERR_NETWORK);
    assert_int_equal(resp.attempts, 1);
    assert_non_null(strstr(err.message, "tls verification failed"));
    assert_int_equal(k.begins, 0);
    assert_int_equal(dtp_ts_count(tls, "/secure").requests, 0);
    dtp_http_free(c);

    /* Trusted through ca_file: verified and fetched. */
    o.ca_file = crt;
    c = client(&o);
    assert_int_equal(dtp_http_get(c, &req, &s, &resp, &err), DTP_OK);
    assert_int_equal(k.buf.len, 64);
    dtp_http_free(c);
    dtp_buf_free(&k.buf);
    dtp_ts_stop(tls);
    free(crt_pem);
    free(key_pem);
}

/* ---- pure helpers ------------------------------------------------------------------------- */

static void test_backoff_and_dates(void **state)
{
    (void)state;
    uint64_t a = 7, b = 7;
    for (int retry = 0; retry < 20; retry++) {
        long x = dtp_http_backoff_ms(&a, 100, 5000, retry);
        long y = dtp_http_backoff_ms(&b, 100, 5000, retry);
        assert_int_equal(x, y); /* same seed, same jitter */
        long ceiling = retry >= 6 ? 5000 : 100L << retry;
        assert_true(x >= 0 && x <= ceiling);
    }
    assert_int_equal(dtp_http_backoff_ms(&a, 0, 5000, 3), 0);

    time_t t;
    assert_int_equal(dtp_http_parse_date("Sun, 06 Nov 1994 08:49:37 GMT", &t), DTP_OK);
    assert_int_equal((long long)t, 784111777LL);
    assert_int_equal(dtp_http_parse_date("Sunday, 06-Nov-94 08:49:37 GMT", &t), DTP_OK);
    assert_int_equal((long long)t, 784111777LL);
    assert_int_equal(dtp_http_parse_date("Sun Nov  6 08:49:37 1994", &t), DTP_OK);
    assert_int_equal((long long)t, 784111777LL);
    assert_int_equal(dtp_http_parse_date("yesterday-ish", &t), DTP_ERR_PARSE);
    char out[64];
    dtp_http_format_date((time_t)784111777, out, sizeof out);
    assert_string_equal(out, "Sun, 06 Nov 1994 08:49:37 GMT");

    long s;
    assert_int_equal(dtp_http_parse_retry_after("120", 0, &s), DTP_OK);
    assert_int_equal(s, 120);
    assert_int_equal(
        dtp_http_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", (time_t)784111777 - 30, &s),
        DTP_OK);
    assert_int_equal(s, 30);
    assert_int_equal(
        dtp_http_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", (time_t)784111777 + 30, &s),
        DTP_OK);
    assert_int_equal(s, 0);
    assert_int_equal(dtp_http_parse_retry_after("12x", 0, &s), DTP_ERR_PARSE);
    assert_int_equal(dtp_http_parse_retry_after("-5", 0, &s), DTP_ERR_PARSE);
    assert_int_equal(dtp_http_parse_retry_after("", 0, &s), DTP_ERR_PARSE);
}

static void test_bad_options(void **state)
{
    (void)state;
    dtp_http_opts o = test_opts();
    o.max_body_bytes = 0;
    dtp_http_client *c = NULL;
    dtp_error err;
    assert_int_equal(dtp_http_new(&o, &c, &err), DTP_ERR_CONFIG);
    assert_null(c);
    o = test_opts();
    o.max_retries = 1000; /* clamped, not refused */
    assert_int_equal(dtp_http_new(&o, &c, &err), DTP_OK);
    dtp_http_free(c);
}

static int setup(void **state)
{
    (void)state;
    ts = dtp_ts_start();
    return ts ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    dtp_ts_stop(ts);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_real_body),
        cmocka_unit_test(test_500_then_success),
        cmocka_unit_test(test_500_exhausted_names_source_url_page),
        cmocka_unit_test(test_404_not_retried),
        cmocka_unit_test(test_429_retry_after_honoured),
        cmocka_unit_test(test_retry_after_capped),
        cmocka_unit_test(test_stall_timeout_then_success),
        cmocka_unit_test(test_stall_exhausted),
        cmocka_unit_test(test_truncated_body_retried),
        cmocka_unit_test(test_html_error_page),
        cmocka_unit_test(test_body_cap),
        cmocka_unit_test(test_redirects),
        cmocka_unit_test(test_protocol_refused),
        cmocka_unit_test(test_304_not_modified),
        cmocka_unit_test(test_conditional_refresh),
        cmocka_unit_test(test_probe),
        cmocka_unit_test(test_file_url),
        cmocka_unit_test(test_secret_redacted),
        cmocka_unit_test(test_interrupt),
        cmocka_unit_test(test_get_many),
        cmocka_unit_test(test_sink_failure_not_retried),
        cmocka_unit_test(test_conditional_get_deaf_server),
        cmocka_unit_test(test_interrupt_during_wait),
        cmocka_unit_test(test_get_many_parallelism),
        cmocka_unit_test(test_connection_refused_retried),
        cmocka_unit_test(test_tls_verification),
        cmocka_unit_test(test_backoff_and_dates),
        cmocka_unit_test(test_bad_options),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
