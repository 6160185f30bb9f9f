/* Recognition with the Tesseract C API: a full-page pass that fills a dtp_ocr_page (words and
 * lines with boxes in original image pixels), a second-pass reread of one region (single-line
 * segmentation, optionally English-only with a character whitelist), an engine identity for
 * evidence and cache keys, and a worker pool.
 *
 * Threads: an engine is used by one thread at a time. The pool gives each worker its own engine,
 * initialised once. Tesseract's LSTM uses OpenMP inside one page; with a worker per core the
 * caller should set OMP_THREAD_LIMIT=1 in the environment before the process starts (the pool
 * cannot set it: OpenMP reads it once at start-up), otherwise workers oversubscribe the cores. */
#ifndef DTP_OCR_RECOGNIZE_H
#define DTP_OCR_RECOGNIZE_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "ocr/preprocess.h"
#include "ocr/words.h"

typedef struct dtp_ocr_engine dtp_ocr_engine;

#define DTP_OCR_IDENTITY_MAX 512

/* Start an engine. tessdata: directory holding <lang>.traineddata, or NULL to detect
 * (TESSDATA_PREFIX, then /usr/share/tesseract-ocr/5/tessdata, then .../4.00/tessdata).
 * langs: Tesseract language string, NULL for "chi_sim+eng". The English-only second pass needs
 * eng.traineddata in the same directory. Hashes the language files it uses. */
dtp_status dtp_ocr_engine_new(const char *tessdata, const char *langs, dtp_ocr_engine **out,
                              dtp_error *err);
void dtp_ocr_engine_free(dtp_ocr_engine *e);

/* Borrowed: "tesseract=<version>;langs=<langs>;<lang>=<sha256>;..." — what produced the text. */
const char *dtp_ocr_engine_identity(const dtp_ocr_engine *e);

/* Borrowed: the tessdata directory in use. */
const char *dtp_ocr_engine_tessdata(const dtp_ocr_engine *e);

/* Cache key of one image read by this engine with these parameters:
 * sha256("<image sha256>\n<engine identity>\n<params string>"), 64 hex characters. */
dtp_status dtp_ocr_cache_key(const dtp_ocr_engine *e, const char image_sha256[65],
                             const dtp_ocr_params *p, char key[65], dtp_error *err);

/* Full-page pass over a preprocessed image. *out is owned by the caller (dtp_ocr_page_free). */
dtp_status dtp_ocr_recognize_image(dtp_ocr_engine *e, const dtp_ocr_image *img, dtp_ocr_page **out,
                                   dtp_error *err);

/* Decode, preprocess and recognise encoded bytes (PNG or JPEG) with params (NULL = defaults). */
dtp_status dtp_ocr_recognize(dtp_ocr_engine *e, const uint8_t *bytes, size_t n,
                             const dtp_ocr_params *params, dtp_ocr_page **out, dtp_error *err);

void dtp_ocr_page_free(dtp_ocr_page *page);

/* Second-pass reading modes for one value box. */
typedef enum dtp_ocr_read_mode {
    DTP_OCR_READ_LINE = 0, /* page languages, single text line */
    DTP_OCR_READ_BLOCK,    /* page languages, uniform block (values wrapped over lines) */
    DTP_OCR_READ_LATIN,    /* English only, single line (standards such as ISO/IEC 27001:2013) */
    DTP_OCR_READ_CODE,     /* English only, A-Z 0-9 and -/ (certificate numbers, USCC) */
    DTP_OCR_READ_DATE,     /* English only, digits and -./ */
} dtp_ocr_read_mode;

/* Reread the region box (original pixels) of img: crop with a small margin, upscale to the
 * engine's reread text height, recognise with mode. *text (malloc'd, caller frees) is the text
 * with line breaks replaced by spaces and ends trimmed of blanks and of the stray quotes, bars,
 * dots, commas and colons that cell borders leave (a closing bracket is kept); *confidence the
 * LOWEST character confidence (0..100). Either output may be NULL. */
dtp_status dtp_ocr_reread_region(dtp_ocr_engine *e, const dtp_ocr_image *img, dtp_ocr_box box,
                                 dtp_ocr_read_mode mode, char **text, float *confidence,
                                 dtp_error *err);

/* As dtp_ocr_reread_region, with the crop scaled so its glyphs are glyph_px high (0: the
 * engine's reread height): a third reading of a value at another scale. */
dtp_status dtp_ocr_reread_region_px(dtp_ocr_engine *e, const dtp_ocr_image *img, dtp_ocr_box box,
                                    dtp_ocr_read_mode mode, int glyph_px, char **text,
                                    float *confidence, dtp_error *err);

/* Worker pool: n engines initialised once, each used by one worker thread. */
typedef struct dtp_ocr_pool dtp_ocr_pool;

/* Work function: called once per job index, on some worker, with that worker's engine. It must
 * be thread-safe with respect to ctx (each index is handed out exactly once). */
typedef void (*dtp_ocr_job_fn)(void *ctx, dtp_ocr_engine *engine, size_t index);

/* nworkers <= 0 means one per online core. */
dtp_status dtp_ocr_pool_new(int nworkers, const char *tessdata, const char *langs,
                            dtp_ocr_pool **out, dtp_error *err);
void dtp_ocr_pool_free(dtp_ocr_pool *pool);
int dtp_ocr_pool_size(const dtp_ocr_pool *pool);
/* Borrowed: worker i's engine (for identity and cache keys). */
dtp_ocr_engine *dtp_ocr_pool_engine(dtp_ocr_pool *pool, int i);

/* Run fn for every index in [0, njobs) across the workers; returns when all are done. */
dtp_status dtp_ocr_pool_run(dtp_ocr_pool *pool, size_t njobs, dtp_ocr_job_fn fn, void *ctx,
                            dtp_error *err);

#endif
