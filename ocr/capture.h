/* Text captures of the CNCA registry (SOURCES.md 5): the JSON its list endpoint returned and
 * saved HTML pages. No OCR is needed; every field's evidence is a JSON path or an XPath and a
 * confidence of 100. Records go through dtp_ocr_record_validate() like OCR records, so a value
 * is judged by the same rules whatever it was read from. */
#ifndef DTP_OCR_CAPTURE_H
#define DTP_OCR_CAPTURE_H

#include <stddef.h>

#include "common/error.h"
#include "ocr/record.h"

#define DTP_OCR_CAPTURE_MAX_BYTES (32u * 1024u * 1024u) /* one saved response or page */
#define DTP_OCR_CAPTURE_MAX_ROWS 100000                 /* records per capture */

/* Read a JSON list response. Shapes recognised (detected, not assumed): a bare array of row
 * objects; {"rows":[...], "total":N} (legacy list.do); {"data":[...]} (legacy queryOrg.do);
 * and envelopes whose "data" or "result" object holds "rows", "list" or "records" (the
 * CertECloud listAuthresult shape, unverified). Rows must be objects with at least one known
 * key. Each row becomes a list_row record passed to cb. An envelope that reports failure
 * ("success": false) is DTP_ERR_UPSTREAM; an unknown envelope is DTP_ERR_PARSE naming the keys
 * it saw. artifact_sha256 (may be NULL) goes into records and errors. */
dtp_status dtp_ocr_parse_json_capture(const char *bytes, size_t n, const char *artifact_sha256,
                                      dtp_ocr_record_fn cb, void *ctx, dtp_error *err);

/* Read a saved HTML page (libxml2's HTML parser, no network). A page with a result-list table
 * (a header row of labels) gives a list_row record per row; otherwise the page is a detail
 * page: labels are found in table cells (<td>label</td><td>value</td>), definition lists,
 * label elements followed by a value, and "label：value" text, plus the history table
 * (活动 | 描述 | 日期), giving one detail record. No known label at all is DTP_ERR_UNSUPPORTED. */
dtp_status dtp_ocr_parse_html_capture(const char *bytes, size_t n, const char *artifact_sha256,
                                      dtp_ocr_record_fn cb, void *ctx, dtp_error *err);

#endif
