/* Human review of OCR fields. The review queue (review/ocr.csv) lists every field that was not
 * accepted, with the OCR text, confidence, reason and the name of the crop image a reviewer
 * looks at (the image side writes the crops under that name). A reviewer answers in a
 * corrections CSV; applying it replaces the value, marks the field reviewed and accepted, and
 * keeps the OCR text as evidence.
 *
 * Corrections CSV (UTF-8, a header row; column order free; extra columns ignored):
 *   artifact_sha256  64 hex characters of the page's raw artifact
 *   field            a record field name (cert_no, issue_date, ...; see dtp_ocr_field_name) or
 *                    event[N].activity | event[N].description | event[N].date (N 0-based)
 *   value            the correct value, judged by the same rules as a text capture
 *   reviewer         who decided
 *   date             when (any date form dtp_ocr_parse_date accepts; stored as YYYY-MM-DD)
 *   record_key       optional: the record key from the review queue (dtp_ocr_record_key);
 *                    empty or absent = every record of the artifact */
#ifndef DTP_OCR_CORRECTIONS_H
#define DTP_OCR_CORRECTIONS_H

#include <stdio.h>

#include "common/error.h"
#include "ocr/record.h"

#define DTP_OCR_CORRECTIONS_MAX 1000000 /* rows in one corrections file */

typedef struct dtp_ocr_correction {
    char artifact_sha256[65];
    char *field;
    char *value;
    char *reviewer;
    char date[11];    /* ISO */
    char *record_key; /* NULL: any record of the artifact */
    long row;         /* 1-based data row in the file, for messages */
} dtp_ocr_correction;

typedef struct dtp_ocr_corrections {
    dtp_ocr_correction *items;
    size_t n, cap;
    char name[128]; /* file name for locators */
} dtp_ocr_corrections;

/* Parse a corrections CSV held in memory (name is used in locators, "corrections.csv:row 3").
 * A missing column, a malformed sha256, unknown field name, empty value or reviewer, or a bad
 * date is DTP_ERR_PARSE naming the row. *out is owned by the caller. */
dtp_status dtp_ocr_corrections_read(const char *bytes, size_t n, const char *name,
                                    dtp_ocr_corrections **out, dtp_error *err);
void dtp_ocr_corrections_free(dtp_ocr_corrections *c);

/* Apply the corrections that match the record (artifact, and record key when given; the key is
 * taken before any correction changes the certificate number). *applied (may be NULL) gets
 * their count. A value that fails its field's rule is DTP_ERR_VALIDATION and the record is
 * left as it was for that field; an event index beyond the record's events likewise. */
dtp_status dtp_ocr_corrections_apply(const dtp_ocr_corrections *c, dtp_ocr_record *r,
                                     size_t *applied, dtp_error *err);

/* ---- review queue ---- */

typedef struct dtp_ocr_review_row {
    const char *artifact_sha256;
    const char *record_key;
    const char *field;
    const char *ocr_text;
    float confidence;
    const char *reason;
    const char *crop_file; /* "" when the field has no image box (text captures) */
} dtp_ocr_review_row;

/* The crop file name for a field: <first 16 of sha256>_<record key>_<field>.png with any
 * character outside [A-Za-z0-9._-] in key and field replaced by '_' (event[0].date becomes
 * event_0_.date). Always NUL-terminates out. */
const char *dtp_ocr_review_crop_name(const char *artifact_sha256, const char *record_key,
                                     const char *field, char *out, size_t outsz);

/* Write the header row: artifact_sha256,record_key,field,ocr_text,confidence,reason,crop_file. */
dtp_status dtp_ocr_review_write_header(FILE *f, dtp_error *err);

/* Write one row (every cell quoted, quotes doubled). */
dtp_status dtp_ocr_review_write_row(FILE *f, const dtp_ocr_review_row *row, dtp_error *err);

/* Write a row for every field and event field of r that has text and is not accepted (nor
 * reviewed), and for an OCR record without a certificate number. *nrows (may be NULL) gets the
 * count. */
dtp_status dtp_ocr_review_write_record(FILE *f, const dtp_ocr_record *r, size_t *nrows,
                                       dtp_error *err);

#endif
