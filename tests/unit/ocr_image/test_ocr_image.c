/* The image side of OCR: decode caps, preprocessing, coordinate mapping, crops, cache keys and
 * recognition of one generated registry page. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <leptonica/allheaders.h>

#include "ocr/preprocess.h"
#include "ocr/readpage.h"
#include "ocr/recognize.h"

static uint32_t crc32_(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return c ^ 0xffffffffu;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* A PNG that is only a signature and an IHDR declaring w x h grey pixels (plus an empty IEND):
 * it decodes to nothing, so only a check made before decoding can reject it by size. */
static size_t huge_png(uint8_t *out, uint32_t w, uint32_t h)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    memcpy(out, sig, 8);
    put32(out + 8, 13);
    memcpy(out + 12, "IHDR", 4);
    put32(out + 16, w);
    put32(out + 20, h);
    out[24] = 8; /* bit depth */
    out[25] = 0; /* grey */
    out[26] = out[27] = out[28] = 0;
    put32(out + 29, crc32_(out + 12, 17));
    put32(out + 33, 0);
    memcpy(out + 37, "IEND", 4);
    put32(out + 41, crc32_(out + 37, 4));
    return 45;
}

/* A white 8 bpp image with rows of 12-pixel-high dark blocks standing in for glyphs. */
static uint8_t *glyph_png(size_t *n)
{
    PIX *p = pixCreate(240, 80, 8);
    pixSetAll(p);
    for (int row = 0; row < 2; row++)
        for (int i = 0; i < 12; i++) {
            BOX *b = boxCreate(10 + i * 18, 15 + row * 35, 10, 12);
            pixClearInRect(p, b);
            boxDestroy(&b);
        }
    l_uint8 *data = NULL;
    size_t size = 0;
    pixWriteMemPng(&data, &size, p, 0.0f);
    pixDestroy(&p);
    uint8_t *copy = malloc(size);
    memcpy(copy, data, size);
    lept_free(data);
    *n = size;
    return copy;
}

static void preprocess_estimates_and_upscales_small_text(void **state)
{
    size_t n;
    uint8_t *png = glyph_png(&n);
    dtp_ocr_params p;
    dtp_ocr_params_default(&p);
    p.target_text_px = 30;
    p.max_scale = 3.0;
    dtp_ocr_image *img = NULL;
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_ocr_image_new(png, n, &p, &img, &err), DTP_OK);
    assert_int_equal(img->width, 240);
    assert_int_equal(img->height, 80);
    assert_true(img->text_px >= 11 && img->text_px <= 13);
    assert_true(img->scale == 2.5); /* 30 / 12, in quarter steps */
    assert_int_equal(pixGetWidth(img->proc), 600);
    assert_int_equal(pixGetDepth(img->proc), 8);
    assert_int_equal(strlen(img->sha256), 64);
    /* a box in processed pixels maps back to original pixels */
    dtp_ocr_box b = dtp_ocr_image_to_original(img, (dtp_ocr_box){25, 50, 50, 30});
    assert_int_equal(b.x, 10);
    assert_int_equal(b.y, 20);
    assert_int_equal(b.w, 20);
    assert_int_equal(b.h, 12);
    dtp_ocr_image_free(img);

    /* binarised and rule-removed variants keep the geometry */
    p.binarize = DTP_OCR_BIN_SAUVOLA;
    p.remove_rules = 1;
    p.deskew = 1;
    assert_int_equal(dtp_ocr_image_new(png, n, &p, &img, &err), DTP_OK);
    assert_int_equal(pixGetDepth(img->proc), 1);
    assert_int_equal(pixGetWidth(img->proc), 600);
    dtp_ocr_image_free(img);

    /* no scaling when asked for none */
    p.target_text_px = 0;
    p.binarize = DTP_OCR_BIN_NONE;
    assert_int_equal(dtp_ocr_image_new(png, n, &p, &img, &err), DTP_OK);
    assert_true(img->scale == 1.0);
    dtp_ocr_image_free(img);
    free(png);
}

static void pixel_cap_rejects_huge_declared_image_before_decoding(void **state)
{
    uint8_t buf[64];
    size_t n = huge_png(buf, 50000, 50000);
    dtp_ocr_params p;
    dtp_ocr_params_default(&p);
    dtp_ocr_image *img = NULL;
    dtp_error err;
    dtp_error_clear(&err);
    int w = 0, h = 0;
    assert_int_equal(dtp_ocr_image_check(buf, n, &p, &w, &h, &err), DTP_ERR_LIMIT);
    assert_non_null(strstr(err.message, "50000x50000"));
    assert_int_equal(dtp_ocr_image_new(buf, n, &p, &img, &err), DTP_ERR_LIMIT);
    assert_null(img);
    /* within the cap the header passes, and the body that is missing fails to decode */
    n = huge_png(buf, 100, 100);
    assert_int_equal(dtp_ocr_image_check(buf, n, &p, &w, &h, &err), DTP_OK);
    assert_int_equal(w, 100);
    assert_int_equal(dtp_ocr_image_new(buf, n, &p, &img, &err), DTP_ERR_PARSE);
    assert_null(img);
}

static void malformed_and_unsupported_inputs_fail_cleanly(void **state)
{
    dtp_ocr_params p;
    dtp_ocr_params_default(&p);
    dtp_ocr_image *img = NULL;
    dtp_error err;
    dtp_error_clear(&err);
    static const uint8_t junk[] = "this is not an image at all, just text";
    assert_int_equal(dtp_ocr_image_new(junk, sizeof junk, &p, &img, &err), DTP_ERR_PARSE);
    assert_int_equal(dtp_ocr_image_new(junk, 0, &p, &img, &err), DTP_ERR_PARSE);
    /* a BMP header is a format we refuse to decode */
    uint8_t bmp[64] = {'B', 'M'};
    assert_int_not_equal(dtp_ocr_image_new(bmp, sizeof bmp, &p, &img, &err), DTP_OK);
    /* byte cap */
    size_t n;
    uint8_t *png = glyph_png(&n);
    p.max_bytes = n - 1;
    assert_int_equal(dtp_ocr_image_new(png, n, &p, &img, &err), DTP_ERR_LIMIT);
    /* truncated PNG */
    dtp_ocr_params_default(&p);
    assert_int_equal(dtp_ocr_image_new(png, n / 2, &p, &img, &err), DTP_ERR_PARSE);
    assert_null(img);
    free(png);
}

static void params_string_is_canonical(void **state)
{
    dtp_ocr_params a, b;
    dtp_ocr_params_default(&a);
    dtp_ocr_params_default(&b);
    char sa[256], sb[256];
    assert_string_equal(dtp_ocr_params_string(&a, sa, sizeof sa),
                        dtp_ocr_params_string(&b, sb, sizeof sb));
    b.max_pixels = 1000; /* caps do not change what is read */
    assert_string_equal(sa, dtp_ocr_params_string(&b, sb, sizeof sb));
    b.binarize = DTP_OCR_BIN_OTSU;
    assert_string_not_equal(sa, dtp_ocr_params_string(&b, sb, sizeof sb));
    assert_non_null(strstr(sb, "bin=otsu"));
}

static void crop_is_written_as_png(void **state)
{
    size_t n;
    uint8_t *png = glyph_png(&n);
    dtp_ocr_params p;
    dtp_ocr_params_default(&p);
    dtp_ocr_image *img = NULL;
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_ocr_image_new(png, n, &p, &img, &err), DTP_OK);
    char path[] = "/tmp/dtp_ocr_crop_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(dtp_ocr_write_crop_png(img, (dtp_ocr_box){10, 15, 46, 12}, path, &err),
                     DTP_OK);
    PIX *back = pixRead(path);
    assert_non_null(back);
    assert_int_equal(pixGetWidth(back), 46);
    assert_int_equal(pixGetHeight(back), 12);
    pixDestroy(&back);
    unlink(path);
    /* in memory, clamped to the image */
    uint8_t *mem = NULL;
    size_t mn = 0;
    assert_int_equal(
        dtp_ocr_crop_png_mem(img, (dtp_ocr_box){200, 60, 100, 100}, 1 << 20, &mem, &mn, &err),
        DTP_OK);
    PIX *m = pixReadMem(mem, mn);
    assert_non_null(m);
    assert_int_equal(pixGetWidth(m), 40);
    assert_int_equal(pixGetHeight(m), 20);
    pixDestroy(&m);
    free(mem);
    /* a box outside the image is an error, not an empty file */
    assert_int_equal(
        dtp_ocr_crop_png_mem(img, (dtp_ocr_box){500, 500, 10, 10}, 1 << 20, &mem, &mn, &err),
        DTP_ERR_PARSE);
    assert_int_equal(dtp_ocr_crop_png_mem(img, (dtp_ocr_box){0, 0, 100, 50}, 16, &mem, &mn, &err),
                     DTP_ERR_LIMIT);
    dtp_ocr_image_free(img);
    free(png);
}

static uint8_t *read_fixture(const char *name, size_t *n)
{
    const char *fx = getenv("DTP_FIXTURES");
    char path[2048];
    snprintf(path, sizeof path, "%s/cnca/pages/%s", fx ? fx : "tests/fixtures", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)len);
    *n = fread(b, 1, (size_t)len, f);
    fclose(f);
    return b;
}

/* One engine for the recognition tests: starting Tesseract costs a second. */
static dtp_ocr_engine *engine;

static int engine_setup(void **state)
{
    dtp_error err;
    dtp_error_clear(&err);
    return dtp_ocr_engine_new(NULL, NULL, &engine, &err) == DTP_OK ? 0 : -1;
}

static int engine_teardown(void **state)
{
    dtp_ocr_engine_free(engine);
    return 0;
}

/* Read one fixture page through the whole image pipeline (default parameters, the shared
 * engine), handing each record to cb. */
static void read_fixture_page(const char *name, dtp_ocr_record_fn cb, void *ctx)
{
    size_t n = 0;
    uint8_t *bytes = read_fixture(name, &n);
    assert_non_null(bytes);
    dtp_ocr_params p;
    dtp_ocr_params_default(&p);
    dtp_ocr_image *img = NULL;
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_ocr_image_new(bytes, n, &p, &img, &err), DTP_OK);
    assert_int_equal(dtp_ocr_read_page(engine, img, NULL, cb, ctx, NULL, &err), DTP_OK);
    dtp_ocr_image_free(img);
    free(bytes);
}

static void cache_key_follows_image_engine_and_params(void **state)
{
    const char *id = dtp_ocr_engine_identity(engine);
    assert_non_null(strstr(id, "tesseract="));
    assert_non_null(strstr(id, "chi_sim="));
    assert_non_null(strstr(id, ";eng="));
    dtp_ocr_params p;
    dtp_ocr_params_default(&p);
    char k1[65], k2[65], k3[65];
    char sha[65];
    memset(sha, 'a', 64);
    sha[64] = 0;
    dtp_error err;
    assert_int_equal(dtp_ocr_cache_key(engine, sha, &p, k1, &err), DTP_OK);
    assert_int_equal(dtp_ocr_cache_key(engine, sha, &p, k2, &err), DTP_OK);
    assert_string_equal(k1, k2);
    p.target_text_px += 2;
    assert_int_equal(dtp_ocr_cache_key(engine, sha, &p, k3, &err), DTP_OK);
    assert_string_not_equal(k1, k3);
    dtp_ocr_params_default(&p);
    sha[0] = 'b';
    assert_int_equal(dtp_ocr_cache_key(engine, sha, &p, k3, &err), DTP_OK);
    assert_string_not_equal(k1, k3);
}

static void bad_tessdata_is_a_config_error(void **state)
{
    dtp_ocr_engine *e = NULL;
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_ocr_engine_new("/nonexistent/tessdata", NULL, &e, &err), DTP_ERR_CONFIG);
    assert_null(e);
    assert_int_equal(dtp_ocr_engine_new(NULL, "no_such_lang", &e, &err), DTP_ERR_IO);
    assert_null(e);
}

/* Join every word of the page without spaces. */
static void page_text(const dtp_ocr_page *page, char *out, size_t outsz)
{
    size_t k = 0;
    for (size_t i = 0; i < page->nlines; i++)
        for (size_t j = 0; j < page->lines[i].nwords; j++)
            for (const char *s = page->lines[i].words[j].text; *s && k + 1 < outsz; s++)
                if (*s != ' ')
                    out[k++] = *s;
    out[k] = 0;
}

static void recognises_a_generated_list_page(void **state)
{
    size_t n = 0;
    /* a 100% list page in the bordered style; its truth names the numbers */
    uint8_t *png = read_fixture("list-table-z100-1.png", &n);
    assert_non_null(png);
    dtp_ocr_params p;
    dtp_ocr_params_default(&p);
    dtp_ocr_image *img = NULL;
    dtp_ocr_page *page = NULL;
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_ocr_image_new(png, n, &p, &img, &err), DTP_OK);
    assert_int_equal(dtp_ocr_recognize_image(engine, img, &page, &err), DTP_OK);
    assert_string_equal(page->image_sha256, img->sha256);
    assert_int_equal(page->width, img->width);
    assert_true(page->nlines > 10);
    static char text[1 << 16];
    page_text(page, text, sizeof text);
    assert_non_null(strstr(text, "信息安全管理体系认证"));
    /* the header cells, which Tesseract segments as separate lines, are one row */
    int header_row = 0;
    for (size_t i = 0; i < page->nlines && !header_row; i++) {
        char row[1024];
        size_t k = 0;
        for (size_t j = 0; j < page->lines[i].nwords; j++)
            for (const char *c = page->lines[i].words[j].text; *c && k + 1 < sizeof row; c++)
                row[k++] = *c;
        row[k] = 0;
        header_row = strstr(row, "证书编号") && strstr(row, "认证机构");
    }
    assert_true(header_row);
    /* every box lies within the original image, lines top to bottom */
    for (size_t i = 0; i < page->nlines; i++) {
        const dtp_ocr_line *l = &page->lines[i];
        assert_true(l->box.x >= 0 && l->box.x + l->box.w <= page->width);
        assert_true(l->box.y >= 0 && l->box.y + l->box.h <= page->height);
        if (i)
            assert_true(page->lines[i - 1].box.y <= l->box.y);
        for (size_t j = 0; j < l->nwords; j++)
            assert_true(l->words[j].confidence >= 0 && l->words[j].confidence <= 100);
    }
    dtp_ocr_page_free(page);
    dtp_ocr_image_free(img);
    free(png);
}

typedef struct got {
    int records;
    char cert_no[64];
    int accepted;
    dtp_ocr_box box;
} got;

static dtp_status keep_cert_no(void *ctx, dtp_ocr_record *rec, dtp_error *err)
{
    got *g = ctx;
    const dtp_ocr_field *f = dtp_ocr_record_field_c(rec, DTP_OCR_F_CERT_NO);
    g->records++;
    if (f && f->value) {
        snprintf(g->cert_no, sizeof g->cert_no, "%s", f->value);
        g->accepted = f->accepted;
        g->box = f->box;
    }
    return DTP_OK;
}

static void reads_a_detail_page_into_a_record_and_rereads_a_box(void **state)
{
    size_t n = 0;
    uint8_t *png = read_fixture("detail-table-z100-1.png", &n);
    assert_non_null(png);
    dtp_ocr_params p;
    dtp_ocr_params_default(&p);
    dtp_ocr_image *img = NULL;
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_ocr_image_new(png, n, &p, &img, &err), DTP_OK);
    got g = {0};
    assert_int_equal(dtp_ocr_read_page(engine, img, NULL, keep_cert_no, &g, NULL, &err), DTP_OK);
    assert_int_equal(g.records, 1);
    /* detail-table-z100-1.json: cert_no */
    assert_string_equal(g.cert_no, "01221ISMS3948R0S");
    assert_true(g.box.w > 0 && g.box.h > 0);
    assert_true(g.box.x + g.box.w <= img->width && g.box.y + g.box.h <= img->height);
    /* the second-pass entry on its own: the code pass reads the same box */
    char *text = NULL;
    float conf = -1;
    assert_int_equal(
        dtp_ocr_reread_region(engine, img, g.box, DTP_OCR_READ_CODE, &text, &conf, &err), DTP_OK);
    assert_string_equal(text, "01221ISMS3948R0S");
    assert_true(conf >= 0 && conf <= 100);
    free(text);
    /* a box outside the image is refused */
    assert_int_equal(dtp_ocr_reread_region(engine, img, (dtp_ocr_box){img->width + 10, 0, 5, 5},
                                           DTP_OCR_READ_LINE, &text, &conf, &err),
                     DTP_ERR_PARSE);
    assert_null(text);
    dtp_ocr_image_free(img);
    free(png);
}

static dtp_status keep_issue_date(void *ctx, dtp_ocr_record *rec, dtp_error *err)
{
    char *out = ctx;
    const dtp_ocr_field *f = dtp_ocr_record_field_c(rec, DTP_OCR_F_ISSUE_DATE);
    if (f && f->value && f->accepted)
        snprintf(out, 32, "%s", f->value);
    return DTP_OK;
}

/* detail-grid-z100-1.jpg: the full-page pass reads the label 颁证日期 as "MEG" (grey type through
 * JPEG, no colon in the grid style); the label is read again on its own and the date found. */
static void rereads_a_garbled_label_without_a_colon(void **state)
{
    char date[32] = "";
    read_fixture_page("detail-grid-z100-1.jpg", keep_issue_date, date);
    assert_string_equal(date, "2025-12-01"); /* detail-grid-z100-1.json: issue_date */
}

/* detail-lines-z125-1.jpg: the full-page pass reads 颁证日期 as "SEAR:" and the reread at the
 * usual scale as Latin letters too (HUE A RA); read again at 24 px it is the label. */
static void rereads_a_garbled_label_at_another_scale(void **state)
{
    char date[32] = "";
    read_fixture_page("detail-lines-z125-1.jpg", keep_issue_date, date);
    assert_string_equal(date, "2025-01-29"); /* detail-lines-z125-1.json: issue_date */
}

typedef struct statuses {
    int rows, in_gap, right;
    const char *const *truth; /* "cert_no status" per row */
} statuses;

/* Each accepted status is compared with the truth row of the same certificate number (a row
 * the parser drops must not shift the others). */
static dtp_status keep_status(void *ctx, dtp_ocr_record *rec, dtp_error *err)
{
    statuses *s = ctx;
    const dtp_ocr_field *f = dtp_ocr_record_field_c(rec, DTP_OCR_F_STATUS);
    const dtp_ocr_field *c = dtp_ocr_record_field_c(rec, DTP_OCR_F_CERT_NO);
    s->rows++;
    if (!f || !f->accepted || !f->value)
        return DTP_OK;
    s->in_gap += dtp_ocr_field_has_flag(f, "read_in_gap");
    char want[96];
    snprintf(want, sizeof want, "%s %s", c && c->value ? c->value : "?", f->value);
    for (int i = 0; i < 10; i++)
        s->right += strcmp(want, s->truth[i]) == 0;
    return DTP_OK;
}

/* list-table-z080-1.png: the full-page pass drops the narrow status column whole (values and
 * its header 证书状态); each row's status is found in the empty stretch between its values. */
static void recovers_a_dropped_status_column_from_the_row_gap(void **state)
{
    /* list-table-z080-1.json: rows[].cert_no and rows[].status */
    static const char *const truth[] = {"01224I17263R2M expired",   "01225ISMS2855R0 valid",
                                        "03517ISMS7943R2M expired", "00620I17073R0M expired",
                                        "00422ISMS8994R0 expired",  "00124ISMS7625R0M cancelled",
                                        "03721ISMS7144R1M expired", "03722ISMS1296R1S expired",
                                        "00215ISMS0867R1S expired", "14123ISMS3033R1M valid"};
    statuses s = {.truth = truth};
    read_fixture_page("list-table-z080-1.png", keep_status, &s);
    assert_true(s.rows >= 9);
    assert_true(s.in_gap >= 8);
    /* every accepted status whose certificate number was also read is the true one */
    assert_true(s.right >= 8);
}

/* Per list column (id; a list of them ends with id -1): rows seen, values read, accepted, and
 * accepted values found among the ten truth values (when truth is given). */
typedef struct column {
    int id;
    const char *const *truth;
    int rows, read, accepted, right;
} column;

static dtp_status keep_columns(void *ctx, dtp_ocr_record *rec, dtp_error *err)
{
    (void)err;
    for (column *c = ctx; c->id >= 0; c++) {
        const dtp_ocr_field *f = dtp_ocr_record_field_c(rec, (dtp_ocr_field_id)c->id);
        c->rows++;
        c->read += f && f->raw != NULL;
        if (!f || !f->accepted || !f->value)
            continue;
        c->accepted++;
        for (int i = 0; c->truth && i < 10; i++)
            c->right += strcmp(f->value, c->truth[i]) == 0;
    }
    return DTP_OK;
}

/* list-lines-z100-1.png: the full-page pass reads the header label 组织名称 as "BRR", so the
 * column had no field; its box is read again, and the label found there names the column. */
static void rereads_a_garbled_list_header_label(void **state)
{
    (void)state;
    /* list-lines-z100-1.json: rows[].org_name */
    static const char *const truth[] = {
        "南京远禹智能科技股份有限公司", "西安益博数字科技有限公司",     "西安瑞鼎电子科技有限公司",
        "西安兴禹网络科技有限公司",     "苏州天华电子科技有限责任公司", "深圳明方信息技术有限公司",
        "合肥骅安信息系统有限责任公司", "苏州博东网络科技股份有限公司", "苏州远信网络科技有限公司",
        "苏州美海网络科技股份有限公司"};
    column c[] = {{.id = DTP_OCR_F_ORG_NAME, .truth = truth}, {.id = -1}};
    read_fixture_page("list-lines-z100-1.png", keep_columns, c);
    assert_int_equal(c[0].rows, 10);
    assert_true(c[0].read >= 9); /* none was read before the header was reread */
    assert_true(c[0].accepted >= 4);
    assert_int_equal(c[0].right, c[0].accepted); /* what is accepted is right; the rest is review */
}

/* list-table-z100-1.png: the full-page pass does not see the header label 组织名称 at all, so the
 * names ran into the certificate numbers' column (every number went to review). The empty
 * stretch of the header over the names is read, and the label found there names the column. */
static void reads_a_missing_list_header_label_in_an_empty_stretch(void **state)
{
    (void)state;
    /* list-table-z100-1.json: rows[].cert_no */
    static const char *const truth[] = {"03524I13187R2M",   "14123ISMS2198R2S", "00218ISMS5502R0",
                                        "00223I13145R2M",   "00223ISMS4315R1S", "14118ISMS7545R0",
                                        "00220ISMS0585R0S", "00222I17872R1M",   "03526IS8429R2M",
                                        "00224IS4852R2M"};
    column c[] = {
        {.id = DTP_OCR_F_CERT_NO, .truth = truth}, {.id = DTP_OCR_F_ORG_NAME}, {.id = -1}};
    read_fixture_page("list-table-z100-1.png", keep_columns, c);
    assert_int_equal(c[0].rows, 10);
    assert_int_equal(c[1].read, 10); /* no name was read before */
    assert_true(c[0].right >= 9);    /* no number was accepted before */
}

typedef struct pool_ctx {
    uint8_t *png;
    size_t n;
    int seen[6];
    int ok[6];
} pool_ctx;

static void pool_job(void *vctx, dtp_ocr_engine *e, size_t i)
{
    pool_ctx *c = vctx;
    dtp_ocr_page *page = NULL;
    dtp_error err;
    dtp_error_clear(&err);
    __atomic_add_fetch(&c->seen[i], 1, __ATOMIC_RELAXED);
    if (dtp_ocr_recognize(e, c->png, c->n, NULL, &page, &err) == DTP_OK && page->width == 240)
        c->ok[i] = 1;
    dtp_ocr_page_free(page);
}

static void pool_runs_every_job_once_on_its_own_engines(void **state)
{
    pool_ctx c = {0};
    c.png = glyph_png(&c.n);
    dtp_ocr_pool *pool = NULL;
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_ocr_pool_new(2, NULL, NULL, &pool, &err), DTP_OK);
    assert_int_equal(dtp_ocr_pool_size(pool), 2);
    assert_ptr_not_equal(dtp_ocr_pool_engine(pool, 0), dtp_ocr_pool_engine(pool, 1));
    assert_null(dtp_ocr_pool_engine(pool, 2));
    assert_int_equal(dtp_ocr_pool_run(pool, 6, pool_job, &c, &err), DTP_OK);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(c.seen[i], 1);
        assert_int_equal(c.ok[i], 1);
    }
    dtp_ocr_pool_free(pool);
    free(c.png);
}

int main(void)
{
    const struct CMUnitTest plain[] = {
        cmocka_unit_test(preprocess_estimates_and_upscales_small_text),
        cmocka_unit_test(pixel_cap_rejects_huge_declared_image_before_decoding),
        cmocka_unit_test(malformed_and_unsupported_inputs_fail_cleanly),
        cmocka_unit_test(params_string_is_canonical),
        cmocka_unit_test(crop_is_written_as_png),
        cmocka_unit_test(bad_tessdata_is_a_config_error),
        cmocka_unit_test(pool_runs_every_job_once_on_its_own_engines),
    };
    const struct CMUnitTest with_engine[] = {
        cmocka_unit_test(cache_key_follows_image_engine_and_params),
        cmocka_unit_test(recognises_a_generated_list_page),
        cmocka_unit_test(reads_a_detail_page_into_a_record_and_rereads_a_box),
        cmocka_unit_test(recovers_a_dropped_status_column_from_the_row_gap),
        cmocka_unit_test(rereads_a_garbled_label_without_a_colon),
        cmocka_unit_test(rereads_a_garbled_list_header_label),
        cmocka_unit_test(rereads_a_garbled_label_at_another_scale),
        cmocka_unit_test(reads_a_missing_list_header_label_in_an_empty_stretch),
    };
    int failed = cmocka_run_group_tests(plain, NULL, NULL);
    failed += cmocka_run_group_tests(with_engine, engine_setup, engine_teardown);
    return failed;
}
