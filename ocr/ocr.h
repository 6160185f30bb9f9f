/* The ocr stage: reads the registry captures the fetch stage archived for `cnca` sources —
 * screenshots (PNG/JPEG) through Leptonica + Tesseract, saved HTML and JSON list responses
 * directly — into certificate records with per-field evidence, applies reviewer corrections,
 * and keeps a review queue (review/ocr.csv + a crop per field) for everything not accepted.
 * Recognition results are cached per image sha256 + engine + parameters, so an unchanged page
 * is never recognised twice. Never prints. */
#ifndef DTP_OCR_OCR_H
#define DTP_OCR_OCR_H

#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>

#include "common/archive.h"
#include "common/config.h"
#include "common/error.h"
#include "common/log.h"

typedef struct dtp_ocr_stage_opts {
    sqlite3 *db;
    dtp_archive *archive;
    const dtp_config *cfg; /* [ocr] and the cnca sources */
    const char *data_dir;  /* review/ is written here */
    dtp_log *log;
    int64_t run_id;
    volatile sig_atomic_t *interrupt;
} dtp_ocr_stage_opts;

typedef struct dtp_ocr_stage_result {
    int artifacts;    /* captures considered */
    int images;       /* of which screenshots */
    int recognised;   /* screenshots recognised in this run */
    int cached;       /* captures whose records came from the cache */
    int failed;       /* captures that could not be read (each named in the log) */
    int64_t records;  /* certificate records stored */
    int64_t accepted; /* records with every field accepted */
    int64_t reviewed; /* records completed by reviewer corrections */
    int64_t needs_review;
    int64_t queued_fields; /* fields in the review queue */
    int64_t corrections;   /* corrections applied */
} dtp_ocr_stage_result;

/* Read every capture of every enabled `cnca` source. A capture that cannot be read is
 * reported (err holds the first) and stores nothing; the others are still read. */
dtp_status dtp_ocr_stage_run(const dtp_ocr_stage_opts *o, dtp_ocr_stage_result *res,
                             dtp_error *err);

#endif
