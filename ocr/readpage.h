/* Reading one captured page image into certificate records: the full-page pass
 * (ocr/recognize.h), the label-driven parser (ocr/layout.h), then a second pass over every value
 * box the parser found — recognised again on its own, upscaled, with single-line segmentation
 * and, for codes and dates, an English-only pass with a character whitelist. The two readings
 * are then judged together:
 *   - codes and dates (validators decide): the second reading when it validates, else the first
 *     when it validates; when both pass the rule (confidence aside) but differ, neither is
 *     accepted; when both pass and agree, the value is accepted whatever the confidence;
 *   - free text (names, addresses, scope, body, status, history text): accepted only when both
 *     readings agree after name normalisation; otherwise the field goes to review with the
 *     reason "first and second pass disagree".
 * Nothing that fails is dropped: unaccepted fields keep their text and box for the review queue. */
#ifndef DTP_OCR_READPAGE_H
#define DTP_OCR_READPAGE_H

#include "common/error.h"
#include "ocr/layout.h"
#include "ocr/preprocess.h"
#include "ocr/recognize.h"
#include "ocr/record.h"

typedef struct dtp_ocr_read_opts {
    dtp_ocr_layout_opts layout;
    int second_pass; /* 1: reread value boxes (default); 0: first pass only */
} dtp_ocr_read_opts;

void dtp_ocr_read_opts_default(dtp_ocr_read_opts *o);

/* Recognise img with e, parse, reread and validate; hand each record to cb (borrowed for the
 * call). opts may be NULL (defaults). Errors as dtp_ocr_recognize_image and dtp_ocr_parse_page;
 * a page with no registry labels is DTP_ERR_UNSUPPORTED. When page_out is not NULL it receives
 * the first-pass page (caller frees with dtp_ocr_page_free). */
dtp_status dtp_ocr_read_page(dtp_ocr_engine *e, const dtp_ocr_image *img,
                             const dtp_ocr_read_opts *opts, dtp_ocr_record_fn cb, void *ctx,
                             dtp_ocr_page **page_out, dtp_error *err);

#endif
