/* Decode and preprocess captured page images with Leptonica (see preprocess.h). */
#include "ocr/preprocess.h"

#include <leptonica/allheaders.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/sha256.h"

void dtp_ocr_params_default(dtp_ocr_params *p)
{
    memset(p, 0, sizeof *p);
    p->max_bytes = 64u << 20;       /* a full-page PNG screenshot is a few MB */
    p->max_pixels = 40LL * 1000000; /* 4000 x 10000: a very long page at 2x device scale */
    p->target_text_px = 16;
    p->max_scale = 3.0;
    p->binarize = DTP_OCR_BIN_NONE;
    p->deskew = 0;
    p->remove_rules = 0;
    p->fix_polarity = 1;
    p->psm = 3;
    p->merge_rows = 1;
}

static const char *bin_name(dtp_ocr_binarize b)
{
    switch (b) {
    case DTP_OCR_BIN_SAUVOLA:
        return "sauvola";
    case DTP_OCR_BIN_OTSU:
        return "otsu";
    default:
        return "none";
    }
}

char *dtp_ocr_params_string(const dtp_ocr_params *p, char *out, size_t outsz)
{
    if (!outsz)
        return out;
    /* caps are left out on purpose: they decide whether an image is read, never what is read */
    snprintf(out, outsz, "pp1;scale=%d/%.2f;bin=%s;deskew=%d;rules=%d;pol=%d;psm=%d;rows=%d",
             p->target_text_px, p->max_scale, bin_name(p->binarize), p->deskew ? 1 : 0,
             p->remove_rules ? 1 : 0, p->fix_polarity ? 1 : 0, p->psm, p->merge_rows ? 1 : 0);
    return out;
}

/* Leptonica reports problems on stderr; a library must not print, and every failure is turned
 * into a dtp_error here. The severity is process-wide, so setting it once is enough. */
static void quiet_leptonica(void)
{
    setMsgSeverity(L_SEVERITY_NONE);
}

dtp_status dtp_ocr_image_check(const uint8_t *bytes, size_t n, const dtp_ocr_params *p, int *w,
                               int *h, dtp_error *err)
{
    quiet_leptonica();
    if (!bytes || n == 0)
        return dtp_error_set(err, DTP_ERR_PARSE, "ocr", "empty image");
    if (n > p->max_bytes)
        return dtp_error_set(err, DTP_ERR_LIMIT, "ocr", "image of %zu bytes exceeds the cap of %zu",
                             n, p->max_bytes);
    l_int32 format = 0, iw = 0, ih = 0, bps = 0, spp = 0, cmap = 0;
    if (pixReadHeaderMem(bytes, n, &format, &iw, &ih, &bps, &spp, &cmap) != 0)
        return dtp_error_set(err, DTP_ERR_PARSE, "ocr", "unreadable image header");
    if (format != IFF_PNG && format != IFF_JFIF_JPEG)
        return dtp_error_set(err, DTP_ERR_UNSUPPORTED, "ocr", "image format %d is not png or jpeg",
                             (int)format);
    if (iw <= 0 || ih <= 0)
        return dtp_error_set(err, DTP_ERR_PARSE, "ocr", "image header gives size %dx%d", (int)iw,
                             (int)ih);
    if ((long long)iw * (long long)ih > p->max_pixels)
        return dtp_error_set(err, DTP_ERR_LIMIT, "ocr",
                             "image of %dx%d pixels exceeds the cap of %lld pixels", (int)iw,
                             (int)ih, p->max_pixels);
    if (w)
        *w = iw;
    if (h)
        *h = ih;
    return DTP_OK;
}

/* Any decoded depth to 8 bpp grey; transparency is laid over white first (screenshots of
 * transparent regions are white in the browser). */
static PIX *to_grey(PIX *pix)
{
    PIX *noalpha = NULL, *nocmap = NULL, *grey = NULL;
    if (pixGetSpp(pix) == 4)
        noalpha = pixAlphaBlendUniform(pix, 0xffffff00);
    else
        noalpha = pixClone(pix);
    if (!noalpha)
        goto out;
    nocmap = pixRemoveColormap(noalpha, REMOVE_CMAP_BASED_ON_SRC);
    if (!nocmap)
        goto out;
    if (pixGetDepth(nocmap) == 32)
        grey = pixConvertRGBToLuminance(nocmap);
    else
        grey = pixConvertTo8(nocmap, 0);
out:
    pixDestroy(&nocmap);
    pixDestroy(&noalpha);
    return grey;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

double dtp_ocr_estimate_text_px(PIX *grey)
{
    double est = 0;
    PIX *bin = NULL;
    BOXA *boxa = NULL;
    int *hs = NULL;
    if (!grey || pixGetDepth(grey) != 8)
        return 0;
    /* Dark text on a light page. Components that look like glyphs or glyph parts: not rules
     * (long and thin), not blocks (wider than three glyphs), not specks. */
    bin = pixThresholdToBinary(grey, 150);
    if (!bin)
        goto out;
    boxa = pixConnCompBB(bin, 8);
    if (!boxa)
        goto out;
    int n = boxaGetCount(boxa), k = 0;
    if (n <= 0)
        goto out;
    hs = malloc((size_t)n * sizeof *hs);
    if (!hs)
        goto out;
    for (int i = 0; i < n; i++) {
        l_int32 x, y, w, h;
        if (boxaGetBoxGeometry(boxa, i, &x, &y, &w, &h) != 0)
            continue;
        if (h < 4 || h > 200 || w > 3 * h || h > 6 * w + 6)
            continue;
        hs[k++] = h;
    }
    if (k < 5)
        goto out;
    qsort(hs, (size_t)k, sizeof *hs, cmp_int);
    /* The upper part of the distribution: Chinese glyphs break into radicals and Latin x-height
     * letters are short; the 75th percentile tracks the full glyph height well. */
    est = hs[(k * 3) / 4];
out:
    free(hs);
    boxaDestroy(&boxa);
    pixDestroy(&bin);
    return est;
}

/* Erase long horizontal and vertical rules (table borders) from an 8 bpp image: they are
 * joined to glyphs by antialiasing and make Tesseract read cells as one block. */
static PIX *remove_rules(PIX *grey, double text_px)
{
    int len = (int)(text_px > 0 ? text_px * 4 : 60);
    if (len < 30)
        len = 30;
    char seq[64];
    PIX *bin = pixThresholdToBinary(grey, 235); /* rules are light grey */
    PIX *hor = NULL, *ver = NULL, *out = NULL;
    if (!bin)
        return NULL;
    snprintf(seq, sizeof seq, "o%d.1 + d1.3", len);
    hor = pixMorphSequence(bin, seq, 0);
    snprintf(seq, sizeof seq, "o1.%d + d3.1", len);
    ver = pixMorphSequence(bin, seq, 0);
    if (!hor || !ver)
        goto out;
    out = pixCopy(NULL, grey);
    if (!out)
        goto out;
    pixSetMasked(out, hor, 255);
    pixSetMasked(out, ver, 255);
out:
    pixDestroy(&bin);
    pixDestroy(&hor);
    pixDestroy(&ver);
    return out;
}

/* Light text on solid dark areas (status badges, title bars) is read badly or not at all once
 * Tesseract has binarised the page globally. Find areas that stay dark after an opening larger
 * than any glyph stroke and invert them in place. Returns the number of areas inverted, -1 on
 * failure. */
static int fix_polarity(PIX *grey, double text_px)
{
    int k = (int)(text_px > 0 ? text_px * 0.5 : 6);
    if (k < 4)
        k = 4;
    char seq[64];
    int count = 0;
    PIX *dark = pixThresholdToBinary(grey, 170);
    PIX *solid = NULL;
    BOXA *boxa = NULL;
    if (!dark)
        return -1;
    snprintf(seq, sizeof seq, "o%d.%d", k, k);
    solid = pixMorphSequence(dark, seq, 0);
    if (!solid) {
        count = -1;
        goto out;
    }
    boxa = pixConnCompBB(solid, 8);
    int n = boxa ? boxaGetCount(boxa) : 0;
    for (int i = 0; i < n; i++) {
        l_int32 x, y, w, h;
        if (boxaGetBoxGeometry(boxa, i, &x, &y, &w, &h) != 0)
            continue;
        /* a container of text: at least a glyph high and two wide */
        if (h < text_px || w < 2 * text_px)
            continue;
        BOX *b = boxCreate(x, y, w, h);
        PIX *c = b ? pixClipRectangle(grey, b, NULL) : NULL;
        if (c) {
            pixInvert(c, c);
            /* the inverted background is mid grey: stretch it to white so a global threshold
             * keeps it apart from the text */
            l_uint32 bg = 255;
            if (pixGetRankValue(c, 1, 0.5f, &bg) == 0 && bg > 40 && bg < 250)
                pixGammaTRC(c, c, 1.0f, 0, (l_int32)bg);
            pixRasterop(grey, x, y, w, h, PIX_SRC, c, 0, 0);
            count++;
        }
        pixDestroy(&c);
        boxDestroy(&b);
    }
out:
    boxaDestroy(&boxa);
    pixDestroy(&solid);
    pixDestroy(&dark);
    return count;
}

static double scale_for(double text_px, int target, double max_scale)
{
    if (target <= 0 || text_px <= 0)
        return 1.0;
    double s = target / text_px;
    if (s < 1.0)
        return 1.0; /* never shrink: large text reads fine */
    if (s > max_scale)
        s = max_scale;
    return floor(s * 4 + 0.5) / 4; /* quarter steps keep the parameter space small */
}

static PIX *binarize(PIX *grey, dtp_ocr_binarize how, double text_px)
{
    PIX *d = NULL;
    if (how == DTP_OCR_BIN_SAUVOLA) {
        int wh = (int)(text_px > 0 ? text_px : 15);
        if (wh < 8)
            wh = 8;
        if (pixSauvolaBinarizeTiled(grey, wh, 0.34f, 1, 1, NULL, &d) != 0)
            return NULL;
    } else if (how == DTP_OCR_BIN_OTSU) {
        if (pixOtsuAdaptiveThreshold(grey, 300, 300, 0, 0, 0.1f, NULL, &d) != 0)
            return NULL;
    } else {
        d = pixClone(grey);
    }
    return d;
}

dtp_status dtp_ocr_image_new(const uint8_t *bytes, size_t n, const dtp_ocr_params *p,
                             dtp_ocr_image **out, dtp_error *err)
{
    dtp_status st = DTP_OK;
    dtp_ocr_image *img = NULL;
    PIX *raw = NULL, *work = NULL, *scaled = NULL, *tmp = NULL;
    int w = 0, h = 0;
    *out = NULL;
    st = dtp_ocr_image_check(bytes, n, p, &w, &h, err);
    if (st != DTP_OK)
        goto out;
    img = calloc(1, sizeof *img);
    if (!img) {
        st = dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "out of memory");
        goto out;
    }
    img->params = *p;
    st = dtp_sha256_hex(bytes, n, img->sha256);
    if (st != DTP_OK) {
        dtp_error_set(err, st, "ocr", "cannot hash image");
        goto out;
    }
    raw = pixReadMem(bytes, n);
    if (!raw) {
        st = dtp_error_set(err, DTP_ERR_PARSE, "ocr", "cannot decode image");
        goto out;
    }
    /* the decoder must agree with the header that was checked */
    if (pixGetWidth(raw) != w || pixGetHeight(raw) != h) {
        st =
            dtp_error_set(err, DTP_ERR_PARSE, "ocr", "decoded size %dx%d differs from header %dx%d",
                          (int)pixGetWidth(raw), (int)pixGetHeight(raw), w, h);
        goto out;
    }
    img->width = w;
    img->height = h;
    img->grey = to_grey(raw);
    if (!img->grey) {
        st = dtp_error_set(err, DTP_ERR_PARSE, "ocr", "cannot convert image to grey");
        goto out;
    }
    img->text_px = dtp_ocr_estimate_text_px(img->grey);
    /* on the kept grey copy, so that crops of a badge for a second pass are dark on light too */
    if (p->fix_polarity && fix_polarity(img->grey, img->text_px) < 0) {
        st = dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "polarity fix failed");
        goto out;
    }

    work = p->remove_rules ? remove_rules(img->grey, img->text_px) : pixClone(img->grey);
    if (!work) {
        st = dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "rule removal failed");
        goto out;
    }
    img->scale = scale_for(img->text_px, p->target_text_px, p->max_scale);
    if ((double)w * img->scale * (double)h * img->scale > (double)p->max_pixels * 4)
        img->scale = 1.0; /* the scaled copy is capped too (four times the input cap) */
    if (img->scale > 1.0)
        scaled = pixScaleGrayLI(work, (l_float32)img->scale, (l_float32)img->scale);
    else
        scaled = pixClone(work);
    if (!scaled) {
        st = dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "scaling failed");
        goto out;
    }
    if (p->deskew) {
        l_float32 angle = 0, conf = 0;
        PIX *b = pixThresholdToBinary(scaled, 150);
        if (b && pixFindSkew(b, &angle, &conf) == 0 && conf >= 3.0f && fabsf(angle) >= 0.1f &&
            fabsf(angle) <= 2.0f) {
            tmp = pixRotate(scaled, (l_float32)(angle * M_PI / 180.0), L_ROTATE_AREA_MAP,
                            L_BRING_IN_WHITE, 0, 0);
            if (tmp) {
                pixDestroy(&scaled);
                scaled = tmp;
                tmp = NULL;
                img->angle_deg = angle;
            }
        }
        pixDestroy(&b);
    }
    img->proc = binarize(scaled, p->binarize, img->text_px * img->scale);
    if (!img->proc) {
        st = dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "binarisation failed");
        goto out;
    }
    *out = img;
    img = NULL;
out:
    pixDestroy(&tmp);
    pixDestroy(&scaled);
    pixDestroy(&work);
    pixDestroy(&raw);
    dtp_ocr_image_free(img);
    return st;
}

void dtp_ocr_image_free(dtp_ocr_image *img)
{
    if (!img)
        return;
    pixDestroy(&img->grey);
    pixDestroy(&img->proc);
    free(img);
}

static dtp_ocr_box clamp_box(const dtp_ocr_image *img, int x0, int y0, int x1, int y1)
{
    if (x0 < 0)
        x0 = 0;
    if (y0 < 0)
        y0 = 0;
    if (x1 > img->width)
        x1 = img->width;
    if (y1 > img->height)
        y1 = img->height;
    dtp_ocr_box b = {x0, y0, x1 > x0 ? x1 - x0 : 0, y1 > y0 ? y1 - y0 : 0};
    return b;
}

dtp_ocr_box dtp_ocr_image_to_original(const dtp_ocr_image *img, dtp_ocr_box b)
{
    double x0 = b.x, y0 = b.y, x1 = (double)b.x + b.w, y1 = (double)b.y + b.h;
    if (img->angle_deg != 0) {
        /* undo the rotation about the processed image's centre (Leptonica: clockwise positive) */
        BOXA *a = boxaCreate(1);
        BOX *bx = boxCreate(b.x, b.y, b.w, b.h);
        if (a && bx && boxaAddBox(a, bx, L_INSERT) == 0) {
            bx = NULL;
            BOXA *r = boxaRotate(a, (l_float32)pixGetWidth(img->proc) / 2.0f,
                                 (l_float32)pixGetHeight(img->proc) / 2.0f,
                                 (l_float32)(-img->angle_deg * M_PI / 180.0));
            l_int32 rx, ry, rw, rh;
            if (r && boxaGetBoxGeometry(r, 0, &rx, &ry, &rw, &rh) == 0) {
                x0 = rx;
                y0 = ry;
                x1 = rx + rw;
                y1 = ry + rh;
            }
            boxaDestroy(&r);
        }
        boxDestroy(&bx);
        boxaDestroy(&a);
    }
    double s = img->scale > 0 ? img->scale : 1.0;
    return clamp_box(img, (int)floor(x0 / s), (int)floor(y0 / s), (int)ceil(x1 / s),
                     (int)ceil(y1 / s));
}

PIX *dtp_ocr_image_crop(const dtp_ocr_image *img, dtp_ocr_box box, int pad, int target_px,
                        double max_scale, double *scale_out)
{
    dtp_ocr_box b =
        clamp_box(img, box.x - pad, box.y - pad, box.x + box.w + pad, box.y + box.h + pad);
    PIX *crop = NULL, *scaled = NULL, *bordered = NULL;
    if (b.w <= 0 || b.h <= 0)
        return NULL;
    BOX *lb = boxCreate(b.x, b.y, b.w, b.h);
    if (!lb)
        return NULL;
    crop = pixClipRectangle(img->grey, lb, NULL);
    boxDestroy(&lb);
    if (!crop)
        return NULL;
    double text = img->text_px;
    double s = scale_for(text, target_px, max_scale);
    if (scale_out)
        *scale_out = s;
    scaled = s > 1.0 ? pixScaleGrayLI(crop, (l_float32)s, (l_float32)s) : pixClone(crop);
    if (scaled) /* Tesseract reads a line best with some white around it */
        bordered = pixAddBorderGeneral(scaled, 12, 12, 12, 12, 255);
    pixDestroy(&scaled);
    pixDestroy(&crop);
    return bordered;
}

static PIX *plain_crop(const dtp_ocr_image *img, dtp_ocr_box box)
{
    dtp_ocr_box b = clamp_box(img, box.x, box.y, box.x + box.w, box.y + box.h);
    if (b.w <= 0 || b.h <= 0)
        return NULL;
    BOX *lb = boxCreate(b.x, b.y, b.w, b.h);
    PIX *c = lb ? pixClipRectangle(img->grey, lb, NULL) : NULL;
    boxDestroy(&lb);
    return c;
}

dtp_status dtp_ocr_write_crop_png(const dtp_ocr_image *img, dtp_ocr_box box, const char *path,
                                  dtp_error *err)
{
    PIX *c = plain_crop(img, box);
    if (!c)
        return dtp_error_set(err, DTP_ERR_PARSE, "ocr", "crop %d,%d %dx%d is outside the image",
                             box.x, box.y, box.w, box.h);
    int rc = pixWritePng(path, c, 0.0f);
    pixDestroy(&c);
    if (rc != 0) {
        dtp_error_set(err, DTP_ERR_IO, "ocr", "cannot write crop");
        dtp_error_where(err, NULL, img->sha256, path);
        return DTP_ERR_IO;
    }
    return DTP_OK;
}

dtp_status dtp_ocr_crop_png_mem(const dtp_ocr_image *img, dtp_ocr_box box, size_t max_bytes,
                                uint8_t **png, size_t *n, dtp_error *err)
{
    *png = NULL;
    *n = 0;
    PIX *c = plain_crop(img, box);
    if (!c)
        return dtp_error_set(err, DTP_ERR_PARSE, "ocr", "crop %d,%d %dx%d is outside the image",
                             box.x, box.y, box.w, box.h);
    l_uint8 *data = NULL;
    size_t size = 0;
    int rc = pixWriteMemPng(&data, &size, c, 0.0f);
    pixDestroy(&c);
    if (rc != 0 || !data)
        return dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "cannot encode crop");
    if (size > max_bytes) {
        lept_free(data);
        return dtp_error_set(err, DTP_ERR_LIMIT, "ocr", "crop png of %zu bytes exceeds %zu", size,
                             max_bytes);
    }
    /* hand back malloc'd memory the caller frees with free() */
    *png = malloc(size);
    if (!*png) {
        lept_free(data);
        return dtp_error_set(err, DTP_ERR_NOMEM, "ocr", "out of memory");
    }
    memcpy(*png, data, size);
    lept_free(data);
    *n = size;
    return DTP_OK;
}
