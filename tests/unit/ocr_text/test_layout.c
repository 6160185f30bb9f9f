/* The label-driven layout parser on hand-built recognised pages (no Tesseract). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ocr/layout.h"
#include "pagebuild.h"
#include "testutil.h"

/* A detail page as OCR reads one: a label sharing a word with its value, a label split by a
 * space, two labels on one line, a value below its label, labels with a misread character, a
 * low-confidence date, a USCC with O for 0, and the history table. */
static void build_detail(dtp_ocr_page *pg)
{
    pb_init(pg, "0123abcd");
    pb_words(pg, 40, 100, 93, "证书编号：01121I10123R0M");
    pb_words(pg, 70, 100, 95, "证书|状态|有效");
    pb_word(pg, "证书到期日期", 600, 96);
    pb_word(pg, "2024-03-14", 720, 88);
    pb_words(pg, 100, 100, 97, "组织名称");
    pb_word(pg, "北京示例数据", 200, 91);
    pb_word(pg, "科技有限公司", 300, 85);
    pb_words(pg, 130, 100, 80, "统一社会信用代码|9111O108MA01ABCD1E");
    pb_words(pg, 160, 100, 92, "认证项目|信息安全管理体系认证");
    pb_words(pg, 190, 100, 90, "认证依据|GB/T|22080-2016|/|ISO/IEC|27001:2013");
    pb_words(pg, 220, 100, 30, "颁证日明|2021-03-15"); /* 期 read as 明, low confidence */
    pb_words(pg, 250, 100, 94, "认证机构");
    pb_words(pg, 280, 100, 94, "中国示例认证中心");
    pb_words(pg, 310, 100, 94, "初次获证日期:|2018年3月15日");
    pb_words(pg, 340, 100, 94, "组织地止|北京市海淀区示例路1号"); /* 址 read as 止 */
    pb_words(pg, 370, 100, 94, "证书变化历史轨迹");
    pb_line(pg, 400);
    pb_word(pg, "活动", 100, 95);
    pb_word(pg, "描述", 300, 95);
    pb_word(pg, "日期", 600, 95);
    pb_line(pg, 430);
    pb_word(pg, "初次认证", 100, 95);
    pb_word(pg, "初次获证", 300, 95);
    pb_word(pg, "2018-03-15", 600, 95);
    pb_line(pg, 460);
    pb_word(pg, "监督审核", 100, 95);
    pb_word(pg, "第1次监督", 300, 95);
    pb_word(pg, "2019-03-0l", 600, 95); /* l for 1: not a date */
    pb_line(pg, 490);
    pb_word(pg, "变更", 100, 95);
    pb_word(pg, "证书编号变更", 300, 95);
    pb_word(pg, "2020-05-06", 600, 95);
    pb_words(pg, 520, 100, 94, "证书覆盖的业务范围|软件开发");
}

static void test_detail_page(void **state)
{
    (void)state;
    dtp_ocr_page pg;
    build_detail(&pg);
    collector c = {0};
    dtp_error err;
    dtp_ocr_layout_opts o;
    dtp_ocr_layout_opts_default(&o);
    assert_int_equal(dtp_ocr_parse_page(&pg, &o, collect_cb, &c, &err), DTP_OK);
    assert_int_equal(c.n, 1);
    dtp_ocr_record *r = c.recs[0];
    assert_int_equal(r->kind, DTP_OCR_RECORD_DETAIL);
    assert_false(r->text_capture);
    assert_string_equal(r->artifact_sha256, "0123abcd");

    /* label and value in one word: the value gets its share of the word's box */
    dtp_ocr_field *f = &r->fields[DTP_OCR_F_CERT_NO];
    assert_string_equal(f->raw, "01121I10123R0M");
    assert_string_equal(f->value, "01121I10123R0M");
    assert_true(f->accepted);
    assert_true(f->has_box);
    const dtp_ocr_word *w = &pg.lines[0].words[0];
    assert_int_equal(f->box.x, w->box.x + w->box.w * 5 / 19);
    assert_int_equal(f->box.x + f->box.w, w->box.x + w->box.w);
    assert_int_equal(f->box.y, 40);
    assert_float_equal(f->confidence, 93.0f, 0.001f);
    assert_null(f->locator);

    assert_int_equal(r->status, DTP_OCR_STATUS_VALID);
    assert_string_equal(r->fields[DTP_OCR_F_STATUS].raw, "有效");
    assert_string_equal(fv(r, DTP_OCR_F_EXPIRY_DATE), "2024-03-14");
    assert_float_equal(r->fields[DTP_OCR_F_EXPIRY_DATE].confidence, 88.0f, 0.001f);

    /* two words: box is their union, confidence their minimum */
    f = &r->fields[DTP_OCR_F_ORG_NAME];
    assert_string_equal(f->value, "北京示例数据科技有限公司");
    assert_int_equal(f->box.x, 200);
    assert_int_equal(f->box.x + f->box.w, 300 + 6 * PB_CJK_W);
    assert_float_equal(f->confidence, 85.0f, 0.001f);
    assert_true(f->accepted);

    f = &r->fields[DTP_OCR_F_USCC];
    assert_string_equal(f->raw, "9111O108MA01ABCD1E");
    assert_string_equal(f->value, "91110108MA01ABCD1E");
    assert_true(dtp_ocr_field_has_flag(f, "uscc_repaired:pos=4"));
    assert_true(f->accepted);

    assert_string_equal(fv(r, DTP_OCR_F_PROJECT), "信息安全管理体系认证");
    assert_string_equal(r->fields[DTP_OCR_F_STANDARD].raw, "GB/T 22080-2016 / ISO/IEC 27001:2013");
    assert_true(r->iso27001);

    /* label with a misread character still found; the value fails on confidence */
    f = &r->fields[DTP_OCR_F_ISSUE_DATE];
    assert_string_equal(f->value, "2021-03-15");
    assert_false(f->accepted);
    assert_string_equal(f->reason, "confidence 30 below 60");

    /* nothing right of the label: the value below */
    f = &r->fields[DTP_OCR_F_CERT_BODY];
    assert_string_equal(f->value, "中国示例认证中心");
    assert_int_equal(f->box.y, 280);

    assert_string_equal(fv(r, DTP_OCR_F_FIRST_ISSUE_DATE), "2018-03-15");
    assert_string_equal(fv(r, DTP_OCR_F_ADDRESS), "北京市海淀区示例路1号");
    assert_string_equal(fv(r, DTP_OCR_F_SCOPE), "软件开发");

    assert_int_equal(r->nevents, 3);
    assert_int_equal(r->events[0].kind, DTP_OCR_EVENT_INITIAL);
    assert_string_equal(r->events[0].date.value, "2018-03-15");
    assert_string_equal(r->events[0].description.value, "初次获证");
    assert_int_equal(r->events[1].kind, DTP_OCR_EVENT_SURVEILLANCE);
    assert_false(r->events[1].date.accepted);
    assert_int_equal(r->events[1].date.check, DTP_OCR_CHECK_BAD_DATE);
    assert_int_equal(r->events[2].kind, DTP_OCR_EVENT_CHANGE);
    assert_string_equal(r->events[2].description.value, "证书编号变更");
    assert_true(r->events[2].activity.has_box);
    assert_int_equal(r->events[2].activity.box.y, 490);

    assert_true(r->review_needed);
    collector_free(&c);

    /* a stricter threshold rejects more; a looser one accepts the date */
    o.min_confidence = 20;
    assert_int_equal(dtp_ocr_parse_page(&pg, &o, collect_cb, &c, &err), DTP_OK);
    assert_true(c.recs[0]->fields[DTP_OCR_F_ISSUE_DATE].accepted);
    collector_free(&c);
    o.min_confidence = 90;
    assert_int_equal(dtp_ocr_parse_page(&pg, &o, collect_cb, &c, &err), DTP_OK);
    assert_false(c.recs[0]->fields[DTP_OCR_F_ORG_NAME].accepted);
    assert_true(c.recs[0]->fields[DTP_OCR_F_STATUS].accepted);
    collector_free(&c);
    /* labels must match exactly when no mismatch is allowed */
    o.min_confidence = 60;
    o.max_label_mismatch = 0;
    assert_int_equal(dtp_ocr_parse_page(&pg, &o, collect_cb, &c, &err), DTP_OK);
    assert_null(c.recs[0]->fields[DTP_OCR_F_ISSUE_DATE].raw);
    assert_null(c.recs[0]->fields[DTP_OCR_F_ADDRESS].raw);
    collector_free(&c);
    pb_free(&pg);
}

static void build_list(dtp_ocr_page *pg)
{
    pb_init(pg, "beef");
    pb_line(pg, 40);
    pb_word(pg, "序号", 40, 96);
    pb_word(pg, "证书编号", 120, 96);
    pb_word(pg, "获证组织名称", 330, 96);
    pb_word(pg, "证书状态", 640, 96);
    pb_word(pg, "证书到期日期", 760, 96);
    pb_line(pg, 70);
    pb_word(pg, "1", 40, 95);
    pb_word(pg, "01121I10123R0M", 120, 91);
    pb_word(pg, "北京示例数据科技", 330, 93);
    pb_word(pg, "有效", 640, 96);
    pb_word(pg, "2024-03-14", 760, 92);
    pb_line(pg, 92); /* the organisation name wraps */
    pb_word(pg, "有限公司", 330, 90);
    pb_line(pg, 120);
    pb_word(pg, "2", 40, 95);
    pb_word(pg, "00122IS0456R1L", 120, 89);
    pb_word(pg, "上海示例信息技术股份有限公司", 330, 94);
    pb_word(pg, "暂停", 640, 96);
    pb_word(pg, "2026-05-31", 760, 92);
    pb_line(pg, 150);
    pb_word(pg, "3", 40, 95);
    pb_word(pg, "0O323Q20001R0S", 120, 77);
    pb_word(pg, "深圳示例电子有限公司", 330, 94);
    pb_word(pg, "过期失效", 640, 96);
    pb_word(pg, "2026-01-O9", 760, 92);
    pb_line(pg, 260);
    pb_word(pg, "共3条", 40, 95);
}

static void test_list_page(void **state)
{
    (void)state;
    dtp_ocr_page pg;
    build_list(&pg);
    collector c = {0};
    dtp_error err;
    assert_int_equal(dtp_ocr_parse_page(&pg, NULL, collect_cb, &c, &err), DTP_OK);
    assert_int_equal(c.n, 3);
    dtp_ocr_record *r = c.recs[0];
    assert_int_equal(r->kind, DTP_OCR_RECORD_LIST_ROW);
    assert_int_equal(r->row_index, 0);
    assert_string_equal(fv(r, DTP_OCR_F_CERT_NO), "01121I10123R0M");
    assert_string_equal(fv(r, DTP_OCR_F_ORG_NAME), "北京示例数据科技有限公司");
    /* the wrapped name's box spans both lines */
    assert_int_equal(r->fields[DTP_OCR_F_ORG_NAME].box.y, 70);
    assert_int_equal(r->fields[DTP_OCR_F_ORG_NAME].box.h, 92 + PB_LINE_H - 70);
    assert_float_equal(r->fields[DTP_OCR_F_ORG_NAME].confidence, 90.0f, 0.001f);
    assert_int_equal(r->status, DTP_OCR_STATUS_VALID);
    assert_string_equal(fv(r, DTP_OCR_F_EXPIRY_DATE), "2024-03-14");
    assert_false(r->review_needed);

    assert_int_equal(c.recs[1]->row_index, 1);
    assert_int_equal(c.recs[1]->status, DTP_OCR_STATUS_SUSPENDED);
    assert_string_equal(fv(c.recs[1], DTP_OCR_F_ORG_NAME), "上海示例信息技术股份有限公司");

    r = c.recs[2];
    assert_string_equal(fv(r, DTP_OCR_F_CERT_NO), "00323Q20001R0S");
    assert_true(dtp_ocr_field_has_flag(&r->fields[DTP_OCR_F_CERT_NO], "cert_no_repaired:pos=1"));
    assert_int_equal(r->status, DTP_OCR_STATUS_EXPIRED);
    /* a date is never repaired */
    assert_false(r->fields[DTP_OCR_F_EXPIRY_DATE].accepted);
    assert_true(r->review_needed);
    char key[64];
    assert_string_equal(dtp_ocr_record_key(r, key, sizeof key), "00323Q20001R0S");
    collector_free(&c);
    pb_free(&pg);
}

/* A card list: two cards side by side per visual row, each "label：value" lines; a third card
 * alone below. Breadcrumb text left of the cards (认证项目：... 共3条记录) belongs to no card. */
static void test_card_list(void **state)
{
    (void)state;
    dtp_ocr_page pg;
    pb_init(&pg, "cafe");
    pb_words(&pg, 10, 20, 95, "认证项目：信息安全管理体系认证|共3条记录");
    const char *left[] = {"证书编号：00123ISMS1675R1S", "组织名称：上海华信云计算股份有限公司",
                          "证书状态：过期失效", "证书到期日期：2026-04-28",
                          "认证机构：中国质量认证中心有限公司"};
    const char *right[] = {"证书编号：01225ISMS5944R2S", "组织名称：北京禹钰网络科技有限公司",
                           "证书状态：暂停", "证书到期日期：2028-07-29",
                           "认证机构：兴原认证中心有限公司"};
    for (int i = 0; i < 5; i++) {
        pb_line(&pg, 50 + 30 * i);
        pb_word(&pg, left[i], 60, 94);
        pb_word(&pg, right[i], 700, 94);
    }
    pb_words(&pg, 220, 60, 94, "证书编号：001251S6625ROM"); /* I and 0 read as 1 and O */
    pb_words(&pg, 250, 60, 94, "组织名称：深圳安达数字科技有限责任公司");
    pb_words(&pg, 280, 60, 94, "证书状态：有效");
    collector c = {0};
    dtp_error err;
    assert_int_equal(dtp_ocr_parse_page(&pg, NULL, collect_cb, &c, &err), DTP_OK);
    assert_int_equal(c.n, 3);
    /* top to bottom, left to right */
    assert_int_equal(c.recs[0]->kind, DTP_OCR_RECORD_LIST_ROW);
    assert_int_equal(c.recs[0]->row_index, 0);
    assert_string_equal(fv(c.recs[0], DTP_OCR_F_CERT_NO), "00123ISMS1675R1S");
    assert_string_equal(fv(c.recs[0], DTP_OCR_F_ORG_NAME), "上海华信云计算股份有限公司");
    assert_int_equal(c.recs[0]->status, DTP_OCR_STATUS_EXPIRED);
    assert_string_equal(fv(c.recs[0], DTP_OCR_F_CERT_BODY), "中国质量认证中心有限公司");
    /* the breadcrumb's 认证项目 is in no card */
    assert_null(c.recs[0]->fields[DTP_OCR_F_PROJECT].raw);
    assert_string_equal(fv(c.recs[1], DTP_OCR_F_CERT_NO), "01225ISMS5944R2S");
    assert_string_equal(fv(c.recs[1], DTP_OCR_F_ORG_NAME), "北京禹钰网络科技有限公司");
    assert_string_equal(fv(c.recs[1], DTP_OCR_F_EXPIRY_DATE), "2028-07-29");
    assert_int_equal(c.recs[1]->status, DTP_OCR_STATUS_SUSPENDED);
    assert_int_equal(c.recs[2]->row_index, 2);
    assert_string_equal(fv(c.recs[2], DTP_OCR_F_CERT_NO), "00125IS6625R0M");
    assert_true(
        dtp_ocr_field_has_flag(&c.recs[2]->fields[DTP_OCR_F_CERT_NO], "cert_no_repaired:pos=5"));
    assert_null(c.recs[2]->fields[DTP_OCR_F_CERT_BODY].raw);
    collector_free(&c);
    pb_free(&pg);
}

typedef struct unread {
    int calls;
    char text[64];
    dtp_ocr_box box;
    int history;
    int named[DTP_OCR_LABEL_TARGETS];
} unread;

static dtp_status on_unread(void *ctx, const dtp_ocr_word *const *words, size_t n, dtp_ocr_box box,
                            int history, const int *named)
{
    unread *u = ctx;
    u->calls++;
    u->history = history;
    u->text[0] = '\0';
    for (size_t i = 0; i < n; i++)
        strncat(u->text, words[i]->text, sizeof u->text - strlen(u->text) - 1);
    u->box = box;
    memcpy(u->named, named, sizeof u->named);
    return DTP_OK;
}

/* A table list whose header lost a label to OCR (组织名称 read as BRR) and whose project values
 * are wider than their header, split by OCR into two words: the unread column keeps its values
 * out of its neighbours, and the project column's bound falls in the cell gap, not between the
 * value's words. */
static const char *const table_no[] = {"03719ISMS2488R0", "00119ISMS5316R0", "00224I11513R0M"};

/* A three-row table list whose header has second (may be NULL: nothing) where 组织名称 stands;
 * the project values are wider than their label and split by OCR into two words. */
static void table_list(dtp_ocr_page *pg, const char *second)
{
    pb_init(pg, "beef");
    pb_line(pg, 20);
    pb_word(pg, "证书编号", 20, 92);
    if (second)
        pb_word(pg, second, 200, 38);
    pb_word(pg, "认证项目", 460, 93);
    pb_word(pg, "证书状态", 690, 93);
    pb_word(pg, "证书到期日期", 800, 93);
    static const char *const st[] = {"过期失效", "有效", "撤销"};
    for (int i = 0; i < 3; i++) {
        pb_line(pg, 60 + 40 * i);
        pb_word(pg, table_no[i], 20, 90);
        pb_word(pg, "南京华信智能科技股份有限公司", 200, 93);
        pb_word(pg, "信息安全", 460, 96);
        pb_word(pg, "管理体系认证", 460 + 4 * PB_CJK_W + 3, 96);
        pb_word(pg, st[i], 690, 96);
        pb_word(pg, "2022-04-17", 800, 90);
    }
}

/* Once the missing label stands in the header: each row's name and project in their own
 * columns, and nothing left for the walk over unread header text. */
static void assert_table_list_stored(const dtp_ocr_page *pg)
{
    collector c = {0};
    dtp_error err;
    assert_int_equal(dtp_ocr_parse_page(pg, NULL, collect_cb, &c, &err), DTP_OK);
    assert_int_equal(c.n, 3);
    for (int i = 0; i < 3; i++) {
        assert_string_equal(c.recs[i]->fields[DTP_OCR_F_CERT_NO].raw, table_no[i]);
        assert_string_equal(c.recs[i]->fields[DTP_OCR_F_ORG_NAME].raw,
                            "南京华信智能科技股份有限公司");
        assert_string_equal(c.recs[i]->fields[DTP_OCR_F_PROJECT].raw, "信息安全管理体系认证");
    }
    collector_free(&c);
    unread u = {0};
    assert_int_equal(dtp_ocr_layout_unread_header(pg, NULL, on_unread, &u, &err), DTP_OK);
    assert_int_equal(u.calls, 0);
}

static void test_list_garbled_header(void **state)
{
    (void)state;
    dtp_ocr_page pg;
    table_list(&pg, "BRR");
    const char *const *no = table_no;
    const char *st[] = {"过期失效", "有效", "撤销"};
    collector c = {0};
    dtp_error err;
    assert_int_equal(dtp_ocr_parse_page(&pg, NULL, collect_cb, &c, &err), DTP_OK);
    assert_int_equal(c.n, 3);
    for (int i = 0; i < 3; i++) {
        assert_string_equal(fv(c.recs[i], DTP_OCR_F_CERT_NO), no[i]);
        assert_null(c.recs[i]->fields[DTP_OCR_F_ORG_NAME].raw); /* no header: not stored */
        assert_string_equal(c.recs[i]->fields[DTP_OCR_F_PROJECT].raw, "信息安全管理体系认证");
        assert_string_equal(c.recs[i]->fields[DTP_OCR_F_STATUS].raw, st[i]);
    }
    collector_free(&c);

    /* the unread column is reported once, with its word and the fields the header names */
    unread u = {0};
    assert_int_equal(dtp_ocr_layout_unread_header(&pg, NULL, on_unread, &u, &err), DTP_OK);
    assert_int_equal(u.calls, 1);
    assert_int_equal(u.history, 0);
    assert_string_equal(u.text, "BRR");
    assert_int_equal(u.box.x, 200);
    assert_int_equal(u.box.w, 3 * PB_ASCII_W);
    assert_true(u.named[DTP_OCR_F_CERT_NO] && u.named[DTP_OCR_F_PROJECT] &&
                u.named[DTP_OCR_F_STATUS] && u.named[DTP_OCR_F_EXPIRY_DATE]);
    assert_false(u.named[DTP_OCR_F_ORG_NAME]);
    /* the reader puts a reread label in its place (readpage.c): the column is stored */
    free(pg.lines[0].words[1].text);
    pg.lines[0].words[1].text = strdup("组织名称");
    assert_table_list_stored(&pg);
    pb_free(&pg);
}

/* A bordered table whose header lost a label without a trace (组织名称 not read at all): the
 * names fall into a neighbour's column (here the project's). The walk reports the empty stretch of
 * the header over the names (and not the stretches over values that only run on from the column to
 * their left); with the label added there as a line of its own (readpage.c), the column is
 * stored. */
static void test_unread_header_empty_stretch(void **state)
{
    (void)state;
    dtp_ocr_page pg;
    table_list(&pg, NULL);
    collector c = {0};
    dtp_error err;
    assert_int_equal(dtp_ocr_parse_page(&pg, NULL, collect_cb, &c, &err), DTP_OK);
    assert_int_equal(c.n, 3);
    assert_null(c.recs[0]->fields[DTP_OCR_F_ORG_NAME].raw);
    assert_string_equal(c.recs[0]->fields[DTP_OCR_F_PROJECT].raw,
                        "南京华信智能科技股份有限公司信息安全管理体系认证");
    collector_free(&c);

    unread u = {0};
    assert_int_equal(dtp_ocr_layout_unread_header(&pg, NULL, on_unread, &u, &err), DTP_OK);
    assert_int_equal(u.calls, 1);
    assert_int_equal(u.history, 0);
    assert_string_equal(u.text, ""); /* no words */
    /* from half a glyph after 证书编号 to half a glyph before 认证项目, the header row high */
    assert_int_equal(u.box.x, 20 + 4 * PB_CJK_W + PB_LINE_H / 2);
    assert_int_equal(u.box.x + u.box.w, 460 - PB_LINE_H / 2);
    assert_int_equal(u.box.y, 20);
    assert_int_equal(u.box.h, PB_LINE_H);
    assert_true(u.named[DTP_OCR_F_CERT_NO] && u.named[DTP_OCR_F_PROJECT]);
    assert_false(u.named[DTP_OCR_F_ORG_NAME]);

    /* the reader adds the label read there as a line of one word */
    pb_line(&pg, 20);
    pb_word(&pg, "组织名称", 200, 0);
    assert_table_list_stored(&pg);
    pb_free(&pg);
}

/* The history table's header with 日期 read as 日其: the table is not found, and the walk
 * reports the unread column as a history header's; with the label put back (as readpage.c
 * does after a reread), the events are read. */
static void test_unread_history_header(void **state)
{
    (void)state;
    dtp_ocr_page pg;
    build_detail(&pg);
    dtp_ocr_word *date = NULL;
    for (size_t i = 0; i < pg.nlines; i++)
        for (size_t w = 0; w < pg.lines[i].nwords; w++)
            if (strcmp(pg.lines[i].words[w].text, "日期") == 0)
                date = &pg.lines[i].words[w];
    assert_non_null(date);
    memcpy(date->text, "日其", strlen("日其") + 1); /* both 6 bytes */
    date->box.h = 2 * PB_LINE_H;                    /* its box reaches below the row */
    collector c = {0};
    dtp_error err;
    assert_int_equal(dtp_ocr_parse_page(&pg, NULL, collect_cb, &c, &err), DTP_OK);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.recs[0]->nevents, 0);
    collector_free(&c);
    unread u = {0};
    assert_int_equal(dtp_ocr_layout_unread_header(&pg, NULL, on_unread, &u, &err), DTP_OK);
    assert_int_equal(u.calls, 1);
    assert_int_equal(u.history, 1);
    assert_string_equal(u.text, "日其");
    assert_int_equal(u.box.x, 600);
    assert_int_equal(u.box.y, 400); /* the header row's height, not the word's */
    assert_int_equal(u.box.h, PB_LINE_H);
    assert_true(u.named[DTP_OCR_LABEL_EV_ACTIVITY] && u.named[DTP_OCR_LABEL_EV_DESCRIPTION]);
    assert_false(u.named[DTP_OCR_LABEL_EV_DATE]);
    /* two garbled labels side by side, right under 证书变化历史轨迹: one unread stretch for
     * the parser, reported as two columns (split at the gap between them) */
    dtp_ocr_word *desc = date - 1;
    assert_string_equal(desc->text, "描述");
    memcpy(desc->text, "措述", strlen("措述") + 1);
    memset(&u, 0, sizeof u);
    assert_int_equal(dtp_ocr_layout_unread_header(&pg, NULL, on_unread, &u, &err), DTP_OK);
    assert_int_equal(u.calls, 2);
    assert_string_equal(u.text, "日其"); /* the last call */
    assert_int_equal(u.box.x, 600);
    assert_true(u.named[DTP_OCR_LABEL_EV_ACTIVITY]);
    assert_false(u.named[DTP_OCR_LABEL_EV_DESCRIPTION]);
    memcpy(desc->text, "描述", strlen("描述") + 1);
    memcpy(date->text, "日期", strlen("日期") + 1);
    memset(&c, 0, sizeof c);
    assert_int_equal(dtp_ocr_parse_page(&pg, NULL, collect_cb, &c, &err), DTP_OK);
    assert_int_equal(c.recs[0]->nevents, 3);
    collector_free(&c);
    memset(&u, 0, sizeof u);
    assert_int_equal(dtp_ocr_layout_unread_header(&pg, NULL, on_unread, &u, &err), DTP_OK);
    assert_int_equal(u.calls, 0);
    pb_free(&pg);
}

/* A garbled label touching the next one (证书状态 read as "SRS" just before 证书到期日期): the
 * parser keeps it with its neighbour, and the walk reports it, so it can be read again; once
 * it reads 证书状态 the status column is stored. */
static void test_unread_header_touching(void **state)
{
    (void)state;
    dtp_ocr_page pg;
    pb_init(&pg, "cafe");
    pb_line(&pg, 20);
    pb_word(&pg, "证书编号", 20, 92);
    pb_word(&pg, "组织名称", 200, 93);
    pb_word(&pg, "SRS", 460, 40);
    pb_word(&pg, "证书到期日期", 460 + 3 * PB_ASCII_W + 4, 93); /* 4 px after SRS */
    pb_line(&pg, 60);
    pb_word(&pg, "01225ISMS2855R0", 20, 90);
    pb_word(&pg, "南京华信智能科技股份有限公司", 200, 93);
    pb_word(&pg, "有效", 460, 96);
    pb_word(&pg, "2027-04-17", 560, 90);
    unread u = {0};
    dtp_error err;
    assert_int_equal(dtp_ocr_layout_unread_header(&pg, NULL, on_unread, &u, &err), DTP_OK);
    assert_int_equal(u.calls, 1);
    assert_int_equal(u.history, 0);
    assert_string_equal(u.text, "SRS");
    assert_int_equal(u.box.x, 460);
    assert_false(u.named[DTP_OCR_F_STATUS]);
    free(pg.lines[0].words[2].text);
    pg.lines[0].words[2].text = strdup("证书状态");
    collector c = {0};
    assert_int_equal(dtp_ocr_parse_page(&pg, NULL, collect_cb, &c, &err), DTP_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.recs[0]->fields[DTP_OCR_F_STATUS].raw, "有效");
    assert_string_equal(c.recs[0]->fields[DTP_OCR_F_EXPIRY_DATE].raw, "2027-04-17");
    collector_free(&c);
    pb_free(&pg);
}

/* A page without a list header has no unread header column. */
static void test_unread_header_detail(void **state)
{
    (void)state;
    dtp_ocr_page pg;
    pb_init(&pg, "f00e");
    pb_words(&pg, 60, 100, 94, "证书编号|00123ISMS1675R1S");
    pb_words(&pg, 90, 100, 94, "BRR|兴原认证中心有限公司");
    unread u = {0};
    dtp_error err;
    assert_int_equal(dtp_ocr_layout_unread_header(&pg, NULL, on_unread, &u, &err), DTP_OK);
    assert_int_equal(u.calls, 0);
    pb_free(&pg);
}

/* A navigation bar above the page repeats the label word 认证机构: the body's label wins. */
static void test_detail_nav_bar(void **state)
{
    (void)state;
    dtp_ocr_page pg;
    pb_init(&pg, "f00d");
    pb_words(&pg, 10, 20, 95, "首页|认证结果|认证机构|认可结果|政策法规");
    pb_words(&pg, 60, 100, 94, "证书编号|00123ISMS1675R1S");
    pb_words(&pg, 90, 100, 94, "认证机构|兴原认证中心有限公司");
    collector c = {0};
    dtp_error err;
    assert_int_equal(dtp_ocr_parse_page(&pg, NULL, collect_cb, &c, &err), DTP_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(fv(c.recs[0], DTP_OCR_F_CERT_BODY), "兴原认证中心有限公司");
    collector_free(&c);
    pb_free(&pg);
}

/* Noise seen in real Tesseract output (tests/fixtures/cnca/ocr_tsv), one case at a time. */
static void test_ocr_noise(void **state)
{
    (void)state;
    dtp_ocr_page pg;
    collector c = {0};
    dtp_error err;
    pb_init(&pg, "n1");
    /* a label character lost (围), the value's first word right after it */
    pb_words(&pg, 10, 10, 90, "证书覆盖的业务范|计算|机软件");
    /* table rules read as |, a trailing full-width comma */
    pb_words(&pg, 40, 10, 90, "认证项目|||信息安全管理体系认证，|");
    /* label and value as separate lines at the same height (separate table cells), the value's
     * line listed first and one pixel lower */
    pb_line(&pg, 71);
    pb_word(&pg, "01121I10123R0M", 200, 90);
    pb_line(&pg, 70);
    pb_word(&pg, "证书编号", 10, 90);
    assert_int_equal(dtp_ocr_parse_page(&pg, NULL, collect_cb, &c, &err), DTP_OK);
    assert_int_equal(c.n, 1);
    dtp_ocr_record *r = c.recs[0];
    assert_string_equal(fv(r, DTP_OCR_F_SCOPE), "计算机软件");
    assert_string_equal(r->fields[DTP_OCR_F_PROJECT].raw, "信息安全管理体系认证");
    assert_string_equal(fv(r, DTP_OCR_F_CERT_NO), "01121I10123R0M");
    assert_int_equal(r->fields[DTP_OCR_F_CERT_NO].box.x, 200);
    collector_free(&c);
    pb_free(&pg);

    /* a list with centred headers over left-aligned values, a cell joined to its neighbour in
     * one OCR word, and a footer that reaches into a second column */
    pb_init(&pg, "n2");
    pb_line(&pg, 10);
    pb_word(&pg, "证书编号", 40, 95);      /* values start at 10 */
    pb_word(&pg, "组织名称", 240, 95);     /* values start at 200 */
    pb_word(&pg, "证书到期日期", 420, 95); /* values start at 400 */
    pb_line(&pg, 40);
    pb_word(&pg, "00216Q10097R1S", 10, 90);
    pb_word(&pg, "山东泓达生物科技有限公司", 200, 90); /* 12 chars: ends at 392 */
    pb_word(&pg, "2018-09-15", 400, 90);
    pb_line(&pg, 70);
    pb_word(&pg, "10416Q20770R1S", 10, 90);
    pb_word(&pg, "示例公司", 200, 90);
    pb_word(&pg, "2018-09-16", 400, 90);
    pb_line(&pg, 140);
    pb_word(&pg, "共", 10, 90);
    pb_word(&pg, "3", 30, 90);
    pb_word(&pg, "条记录", 160, 90);
    assert_int_equal(dtp_ocr_parse_page(&pg, NULL, collect_cb, &c, &err), DTP_OK);
    assert_int_equal(c.n, 2);
    assert_string_equal(fv(c.recs[0], DTP_OCR_F_ORG_NAME), "山东泓达生物科技有限公司");
    assert_string_equal(fv(c.recs[0], DTP_OCR_F_EXPIRY_DATE), "2018-09-15");
    assert_string_equal(fv(c.recs[1], DTP_OCR_F_CERT_NO), "10416Q20770R1S");
    assert_string_equal(fv(c.recs[1], DTP_OCR_F_ORG_NAME), "示例公司");
    collector_free(&c);
    pb_free(&pg);
}

static void test_bad_pages(void **state)
{
    (void)state;
    dtp_ocr_page pg;
    collector c = {0};
    dtp_error err;
    pb_init(&pg, "ff");
    assert_int_equal(dtp_ocr_parse_page(&pg, NULL, collect_cb, &c, &err), DTP_ERR_UNSUPPORTED);
    pb_words(&pg, 10, 10, 90, "请|完成|安全验证");
    assert_int_equal(dtp_ocr_parse_page(&pg, NULL, collect_cb, &c, &err), DTP_ERR_UNSUPPORTED);
    assert_string_equal(err.message, "layout: no registry label found on the page");
    assert_string_equal(err.artifact, "ff");
    assert_int_equal(c.n, 0);
    pb_free(&pg);

    /* a line beyond the glyph cap */
    pb_init(&pg, "ff");
    pb_line(&pg, 10);
    char *big = malloc(DTP_OCR_LAYOUT_MAX_GLYPHS + 2);
    memset(big, 'A', DTP_OCR_LAYOUT_MAX_GLYPHS + 1);
    big[DTP_OCR_LAYOUT_MAX_GLYPHS + 1] = '\0';
    pb_word(&pg, big, 0, 90);
    free(big);
    assert_int_equal(dtp_ocr_parse_page(&pg, NULL, collect_cb, &c, &err), DTP_ERR_LIMIT);
    assert_string_equal(err.locator, "image row 1");
    pb_free(&pg);

    /* words without text or with zero-size boxes do not break the parser */
    pb_init(&pg, "ff");
    pb_words(&pg, 10, 10, 90, "证书编号|00216Q10097R1S");
    free(pg.lines[0].words[1].text);
    pg.lines[0].words[1].text = NULL;
    pg.lines[0].words[0].box.w = 0;
    pb_words(&pg, 40, 10, 90, "证书状态|有效");
    assert_int_equal(dtp_ocr_parse_page(&pg, NULL, collect_cb, &c, &err), DTP_OK);
    assert_int_equal(c.n, 1);
    assert_null(c.recs[0]->fields[DTP_OCR_F_CERT_NO].raw);
    assert_int_equal(c.recs[0]->status, DTP_OCR_STATUS_VALID);
    assert_true(c.recs[0]->review_needed); /* no certificate number */
    collector_free(&c);
    pb_free(&pg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detail_page),
        cmocka_unit_test(test_list_page),
        cmocka_unit_test(test_card_list),
        cmocka_unit_test(test_list_garbled_header),
        cmocka_unit_test(test_unread_header_detail),
        cmocka_unit_test(test_unread_header_touching),
        cmocka_unit_test(test_unread_history_header),
        cmocka_unit_test(test_unread_header_empty_stretch),
        cmocka_unit_test(test_detail_nav_bar),
        cmocka_unit_test(test_ocr_noise),
        cmocka_unit_test(test_bad_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
