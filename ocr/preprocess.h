/* Image preprocessing before recognition (Leptonica): decode a captured screenshot with a pixel
 * cap checked before any pixel is decoded, convert to 8-bit grey, upscale small web text, and
 * optionally binarise, deskew and remove table rules. The result keeps the mapping from
 * processed pixels back to the original image, so every box handed on is in original pixels.
 * Which steps help was measured on tests/fixtures/cnca/pages (see bench/ocr_accuracy.c); the
 * defaults are the best measured combination. */
#ifndef DTP_OCR_PREPROCESS_H
#define DTP_OCR_PREPROCESS_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "ocr/words.h"

struct Pix; /* Leptonica's PIX */

typedef enum dtp_ocr_binarize {
    DTP_OCR_BIN_NONE = 0, /* hand Tesseract grey (it binarises internally with Otsu) */
    DTP_OCR_BIN_SAUVOLA,  /* local (Sauvola) threshold: survives coloured cells and badges */
    DTP_OCR_BIN_OTSU,     /* tiled adaptive Otsu */
} dtp_ocr_binarize;

typedef struct dtp_ocr_params {
    size_t max_bytes;     /* reject encoded images larger than this */
    long long max_pixels; /* reject images whose declared width*height exceeds this */
    int target_text_px;   /* upscale so the median glyph height reaches this; 0 = never scale */
    double max_scale;     /* upper bound of the upscale factor */
    dtp_ocr_binarize binarize;
    int deskew;       /* 1: correct skew of 0.1..2 degrees */
    int remove_rules; /* 1: erase long horizontal and vertical table rules */
    int fix_polarity; /* 1: invert solid dark regions (status badges, title bars) so that
                         all text is dark on light */
    int psm;          /* Tesseract page segmentation mode of the full-page pass */
    int merge_rows;   /* 1: merge Tesseract lines on the same visual row into one line */
} dtp_ocr_params;

/* The measured defaults. */
void dtp_ocr_params_default(dtp_ocr_params *p);

/* Canonical one-line text of every parameter that changes recognition output, e.g.
 * "pp1;scale=16/3.00;bin=none;deskew=0;rules=0;pol=1;psm=3;rows=1". Used in evidence and cache
 * keys. Always NUL-terminates; returns out. */
char *dtp_ocr_params_string(const dtp_ocr_params *p, char *out, size_t outsz);

/* A decoded, preprocessed image. Boxes in processed pixels map back to original pixels with
 * dtp_ocr_image_to_original. */
typedef struct dtp_ocr_image {
    char sha256[65];   /* of the encoded bytes */
    int width, height; /* original size */
    struct Pix *grey;  /* 8 bpp, original size (owned; used for crops and second passes) */
    struct Pix *proc;  /* 8 or 1 bpp, what the full-page pass reads (owned) */
    double scale;      /* processed = original * scale (before rotation) */
    double angle_deg;  /* deskew rotation applied, degrees (0 when none) */
    double text_px;    /* estimated median glyph height in original pixels (0 when unknown) */
    dtp_ocr_params params;
} dtp_ocr_image;

/* Read only the header of an encoded PNG or JPEG and check it against the caps: DTP_ERR_LIMIT
 * when too large, DTP_ERR_UNSUPPORTED for another format, DTP_ERR_PARSE when unreadable.
 * Fills *w and *h (may be NULL). Decodes nothing. */
dtp_status dtp_ocr_image_check(const uint8_t *bytes, size_t n, const dtp_ocr_params *p, int *w,
                               int *h, dtp_error *err);

/* Check, decode and preprocess. *out is owned by the caller (dtp_ocr_image_free). */
dtp_status dtp_ocr_image_new(const uint8_t *bytes, size_t n, const dtp_ocr_params *p,
                             dtp_ocr_image **out, dtp_error *err);
void dtp_ocr_image_free(dtp_ocr_image *img);

/* Map a box in processed pixels back to original pixels (clamped to the image). */
dtp_ocr_box dtp_ocr_image_to_original(const dtp_ocr_image *img, dtp_ocr_box b);

/* Estimated median glyph height in pixels of an 8 bpp image (0 when no text-like components). */
double dtp_ocr_estimate_text_px(struct Pix *grey);

/* An 8 bpp crop of the original around box (in original pixels, padded by pad pixels and
 * clamped), upscaled so its text reaches target_px (0 = no scaling, capped by max_scale), with a
 * white border. NULL when the box is empty or outside the image. Caller frees with pixDestroy. */
struct Pix *dtp_ocr_image_crop(const dtp_ocr_image *img, dtp_ocr_box box, int pad, int target_px,
                               double max_scale, double *scale_out);

/* Write the original-resolution crop of box as PNG to path (for the review queue). */
dtp_status dtp_ocr_write_crop_png(const dtp_ocr_image *img, dtp_ocr_box box, const char *path,
                                  dtp_error *err);

/* The same PNG in memory: *png is malloc'd (caller frees), at most max_bytes. */
dtp_status dtp_ocr_crop_png_mem(const dtp_ocr_image *img, dtp_ocr_box box, size_t max_bytes,
                                uint8_t **png, size_t *n, dtp_error *err);

#endif
