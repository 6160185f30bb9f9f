/* The label-driven parser over recognised words (ocr/words.h): finds the registry's labels in
 * the lines OCR produced and reads each value to the right of its label on the same line, or on
 * the next line below when nothing is to the right. Pages whose header line is a row of labels
 * are result lists: columns are the x-ranges of the header labels and each line below is a row.
 * Works on any dtp_ocr_page, so it is tested with hand-built pages and needs no Tesseract.
 *
 * Evidence per field: box = union of the value's glyph boxes (a word's box is split evenly
 * among its characters when a label and its value share one OCR word); confidence = the
 * MINIMUM confidence of the words the value touches — one misread character spoils a code, so
 * the weakest word is what counts. */
#ifndef DTP_OCR_LAYOUT_H
#define DTP_OCR_LAYOUT_H

#include "common/error.h"
#include "ocr/labels.h"
#include "ocr/record.h"
#include "ocr/words.h"

#define DTP_OCR_LAYOUT_MAX_GLYPHS 8192 /* characters per line */

typedef struct dtp_ocr_layout_opts {
    float min_confidence;   /* a field read below this is not accepted (default 60) */
    int max_label_mismatch; /* characters a label of 4+ characters may differ by (default 1) */
    int below_slack_px;     /* a value below may start this far left of its label (default 8) */
} dtp_ocr_layout_opts;

/* Fill the defaults above. */
void dtp_ocr_layout_opts_default(dtp_ocr_layout_opts *o);

/* Parse one recognised page into records: one detail record (with its history events) or one
 * list_row record per result row, each validated (dtp_ocr_record_validate with
 * opts->min_confidence) and handed to cb. opts may be NULL (defaults). A page with no known
 * label is DTP_ERR_UNSUPPORTED; a line with more than DTP_OCR_LAYOUT_MAX_GLYPHS characters is
 * DTP_ERR_LIMIT. */
dtp_status dtp_ocr_parse_page(const dtp_ocr_page *page, const dtp_ocr_layout_opts *opts,
                              dtp_ocr_record_fn cb, void *ctx, dtp_error *err);

/* A run of two or more characters in a header that reads as no label, standing apart or
 * touching a label (a label the full-page pass garbled: "BRR" for 组织名称 in a result list,
 * "SRS" for 证书状态 right before 证书到期日期, 日其 for 日期 in the history table): its words
 * (borrowed from the page, left to right), a box as wide as they are and as high as the header row,
 * history = 1 for the history table's header (whose columns are 活动, 描述, 日期) and 0 for the
 * result list's, and named[target] = 1 for each label target (a field id or DTP_OCR_LABEL_*) the
 * header's other labels name. Or, with nwords = 0 (words NULL), a stretch of the list header with
 * no text at all where values start in the rows below (a label the full-page pass did not see:
 * 组织名称 in a bordered table), its box spanning the stretch, less half a glyph at each label,
 * and the header row's height. Returning an error stops the walk. */
typedef dtp_status (*dtp_ocr_unread_header_fn)(void *ctx, const dtp_ocr_word *const *words,
                                               size_t nwords, dtp_ocr_box box, int history,
                                               const int *named);

/* Call fn for each such column (with a box of positive size) of the page's list header, of each
 * line that names two of the history table's three column labels, and of a line naming one of them
 * right under the history label (证书变化历史轨迹, one line between allowed); and for each empty
 * stretch of the list header at least two glyphs wide (or before its first label, or after its
 * last) in which a value starts in two or more body rows, a glyph's height or more right of the
 * text before it. Errors as dtp_ocr_parse_page. */
dtp_status dtp_ocr_layout_unread_header(const dtp_ocr_page *page, const dtp_ocr_layout_opts *opts,
                                        dtp_ocr_unread_header_fn fn, void *ctx, dtp_error *err);

#endif
