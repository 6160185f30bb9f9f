/* Throughput of the OCR text side against the library parse it is built on:
 *   JSON capture (dtp_ocr_parse_json_capture) vs jansson's json_loadb alone,
 *   HTML result list (dtp_ocr_parse_html_capture) vs libxml2's htmlReadMemory alone,
 *   layout parser (dtp_ocr_parse_page) on a generated 40-line detail page.
 * Inputs are generated in memory (invented values). Prints figures; asserts nothing.
 * Usage: bench_ocr_text [rows] (default 20000). */
#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/uscc.h"
#include "ocr/capture.h"
#include "ocr/layout.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static dtp_status count_cb(void *ctx, dtp_ocr_record *rec, dtp_error *err)
{
    (void)err;
    size_t *n = ctx;
    *n += rec->fields[DTP_OCR_F_CERT_NO].accepted;
    return DTP_OK;
}

static void uscc_for(long i, char out[19])
{
    char body[18];
    snprintf(body, sizeof body, "913101%011ld", i);
    memcpy(out, body, 17);
    out[17] = dtp_uscc_check_char(body);
    out[18] = '\0';
}

static int make_json(dtp_buf *b, long rows)
{
    char u[19];
    if (dtp_buf_puts(b, "{\"code\":200,\"data\":{\"total\":0,\"rows\":[") != DTP_OK)
        return -1;
    for (long i = 0; i < rows; i++) {
        uscc_for(i, u);
        if (dtp_buf_printf(
                b,
                "%s{\"certNumber\":\"01121I%05ldR0M\",\"orgName\":\"示例数据科技有限公司%ld\","
                "\"orgCreditCode\":\"%s\",\"rzjgName\":\"中国示例认证中心\","
                "\"authProjName\":\"信息安全管理体系认证\",\"certiStandard\":"
                "\"GB/T 22080-2016/ISO/IEC 27001:2013\",\"certiStatusName\":\"有效\","
                "\"certiSDate\":1615737600000,\"certiEDate\":\"2024-03-14\"}",
                i ? "," : "", i % 100000, i, u) != DTP_OK)
            return -1;
    }
    return dtp_buf_puts(b, "]}}") == DTP_OK ? 0 : -1;
}

static int make_html(dtp_buf *b, long rows)
{
    if (dtp_buf_puts(b, "<html><head><meta charset=\"utf-8\"></head><body><table><tr><th>序号</th>"
                        "<th>证书编号</th><th>获证组织名称</th><th>认证项目</th><th>证书状态</th>"
                        "<th>证书到期日期</th><th>认证机构</th></tr>") != DTP_OK)
        return -1;
    for (long i = 0; i < rows; i++)
        if (dtp_buf_printf(b,
                           "<tr><td>%ld</td><td>01121I%05ldR0M</td><td>示例数据科技有限公司%ld</td>"
                           "<td>信息安全管理体系认证</td><td>有效</td><td>2024-03-14</td>"
                           "<td>中国示例认证中心</td></tr>",
                           i + 1, i % 100000, i) != DTP_OK)
            return -1;
    return dtp_buf_puts(b, "</table></body></html>") == DTP_OK ? 0 : -1;
}

static void add_line(dtp_ocr_page *pg, int y, const char *a, const char *b)
{
    dtp_ocr_line *l = &pg->lines[pg->nlines++];
    l->nwords = 2;
    l->words = calloc(2, sizeof *l->words);
    const char *t[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        l->words[i].text = malloc(strlen(t[i]) + 1);
        memcpy(l->words[i].text, t[i], strlen(t[i]) + 1);
        l->words[i].box = (dtp_ocr_box){100 + i * 300, y, 200, 20};
        l->words[i].confidence = 90;
    }
    l->box = (dtp_ocr_box){100, y, 500, 20};
}

int main(int argc, char **argv)
{
    long rows = argc > 1 ? strtol(argv[1], NULL, 10) : 20000;
    if (rows <= 0 || rows > 1000000)
        rows = 20000;
    dtp_buf js, ht;
    dtp_buf_init(&js, 512u << 20);
    dtp_buf_init(&ht, 512u << 20);
    if (make_json(&js, rows) || make_html(&ht, rows)) {
        fprintf(stderr, "bench: cannot build inputs\n");
        return 1;
    }
    dtp_error err;
    size_t n = 0;
    double t0 = now();
    json_t *j = json_loadb(js.data, js.len, 0, NULL);
    double t1 = now();
    json_decref(j);
    double t2 = now();
    dtp_status st = dtp_ocr_parse_json_capture(js.data, js.len, "b", count_cb, &n, &err);
    double t3 = now();
    printf("json  %ld rows, %.1f MB: jansson load %.3f s; capture reader %.3f s (%.0f rows/s, %zu "
           "accepted, %s)\n",
           rows, (double)js.len / 1e6, t1 - t0, t3 - t2, (double)rows / (t3 - t2), n,
           dtp_strerror(st));

    n = 0;
    t0 = now();
    htmlDocPtr d = htmlReadMemory(ht.data, (int)ht.len, NULL, "UTF-8",
                                  HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
    t1 = now();
    xmlFreeDoc(d);
    t2 = now();
    st = dtp_ocr_parse_html_capture(ht.data, ht.len, "b", count_cb, &n, &err);
    t3 = now();
    printf("html  %ld rows, %.1f MB: libxml2 parse %.3f s; capture reader %.3f s (%.0f rows/s, "
           "%zu accepted, %s)\n",
           rows, (double)ht.len / 1e6, t1 - t0, t3 - t2, (double)rows / (t3 - t2), n,
           dtp_strerror(st));

    dtp_ocr_page pg = {.width = 1400, .height = 2000};
    pg.lines = calloc(40, sizeof *pg.lines);
    static const char *const lab[] = {"证书编号：", "证书状态", "组织名称", "统一社会信用代码",
                                      "认证项目",   "认证依据", "颁证日期", "证书到期日期"};
    static const char *const val[] = {"01121I10123R0M",
                                      "有效",
                                      "北京示例数据科技有限公司",
                                      "91110108MA01ABCD1E",
                                      "信息安全管理体系认证",
                                      "ISO/IEC 27001:2013",
                                      "2021-03-15",
                                      "2024-03-14"};
    for (int i = 0; i < 40; i++)
        add_line(&pg, 40 + 30 * i, lab[i % 8], val[i % 8]);
    long pages = 2000;
    n = 0;
    t0 = now();
    for (long i = 0; i < pages; i++)
        dtp_ocr_parse_page(&pg, NULL, count_cb, &n, &err);
    t1 = now();
    printf("layout %ld pages of 40 lines: %.3f s (%.0f pages/s)\n", pages, t1 - t0,
           (double)pages / (t1 - t0));
    for (size_t i = 0; i < pg.nlines; i++) {
        for (size_t w = 0; w < pg.lines[i].nwords; w++)
            free(pg.lines[i].words[w].text);
        free(pg.lines[i].words);
    }
    free(pg.lines);
    dtp_buf_free(&js);
    dtp_buf_free(&ht);
    return 0;
}
