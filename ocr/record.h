/* The certificate record the CNCA registry readers produce (SOURCES.md 5): one record per
 * certificate detail page or per result-list row, every field with its evidence — the text as
 * read, where it was read (image box or JSON path / XPath), how sure the reader was, what the
 * validators said and whether the value is accepted. Readers (capture_json.c, capture_html.c,
 * layout.c) fill raw text and evidence; dtp_ocr_record_validate() derives the normalised values
 * and the accept decision in one place, so all three readers judge a value the same way. */
#ifndef DTP_OCR_RECORD_H
#define DTP_OCR_RECORD_H

#include <stddef.h>

#include "common/error.h"
#include "ocr/words.h"

/* Record fields, in storage order. dtp_ocr_field_name() gives the stable snake_case name. */
typedef enum dtp_ocr_field_id {
    DTP_OCR_F_CERT_NO = 0,
    DTP_OCR_F_ORG_NAME,
    DTP_OCR_F_USCC,     /* 18-character unified social credit code */
    DTP_OCR_F_ORG_CODE, /* 9-character organisation code (GB 11714) where a page gives one */
    DTP_OCR_F_PROJECT,  /* 认证项目 */
    DTP_OCR_F_PROJECT_CODE,
    DTP_OCR_F_STANDARD, /* 认证依据 */
    DTP_OCR_F_ISSUE_DATE,
    DTP_OCR_F_EXPIRY_DATE,
    DTP_OCR_F_FIRST_ISSUE_DATE,
    DTP_OCR_F_STATUS,
    DTP_OCR_F_CERT_BODY,
    DTP_OCR_F_CERT_BODY_ID, /* CNCA-R-yyyy-nnn approval number of the body */
    DTP_OCR_F_ADDRESS,
    DTP_OCR_F_SCOPE,
    DTP_OCR_F_SURVEILLANCE_COUNT, /* 监督次数 */
    DTP_OCR_F_RECERT_COUNT,       /* 再认证次数 */
    DTP_OCR_NFIELDS
} dtp_ocr_field_id;

/* What the validator concluded about a field. */
typedef enum dtp_ocr_check {
    DTP_OCR_CHECK_ABSENT = 0,   /* no text was read for the field */
    DTP_OCR_CHECK_OK,           /* passes its rule (or the field has no rule beyond non-empty) */
    DTP_OCR_CHECK_REPAIRED,     /* passes after a flagged single-character repair */
    DTP_OCR_CHECK_EMPTY,        /* text read but empty after normalisation */
    DTP_OCR_CHECK_BAD_SHAPE,    /* certificate number, code or count of the wrong shape */
    DTP_OCR_CHECK_BAD_DATE,     /* not a date in a known form, or not a real calendar date */
    DTP_OCR_CHECK_BAD_CHECK,    /* USCC / organisation code check character fails */
    DTP_OCR_CHECK_UNKNOWN_WORD, /* status or event word outside the vocabulary */
    DTP_OCR_CHECK_COUNT
} dtp_ocr_check;

typedef enum dtp_ocr_cert_status {
    DTP_OCR_STATUS_UNKNOWN = 0,
    DTP_OCR_STATUS_VALID,     /* 有效, code 01 */
    DTP_OCR_STATUS_SUSPENDED, /* 暂停, code 02 */
    DTP_OCR_STATUS_REVOKED,   /* 撤销, code 03 */
    DTP_OCR_STATUS_CANCELLED, /* 注销, code 04 */
    DTP_OCR_STATUS_EXPIRED    /* 过期失效, code 05 */
} dtp_ocr_cert_status;

typedef enum dtp_ocr_event_kind {
    DTP_OCR_EVENT_UNKNOWN = 0,
    DTP_OCR_EVENT_INITIAL,      /* 初次认证 */
    DTP_OCR_EVENT_SURVEILLANCE, /* 监督审核 */
    DTP_OCR_EVENT_RECERT,       /* 再认证 */
    DTP_OCR_EVENT_CHANGE,       /* 变更 */
    DTP_OCR_EVENT_SUSPENSION,   /* 暂停 */
    DTP_OCR_EVENT_RESTORATION,  /* 恢复 */
    DTP_OCR_EVENT_REVOCATION,   /* 撤销 */
    DTP_OCR_EVENT_CANCELLATION, /* 注销 */
    DTP_OCR_EVENT_EXPIRY        /* 过期失效 */
} dtp_ocr_event_kind;

typedef enum dtp_ocr_record_kind {
    DTP_OCR_RECORD_DETAIL = 0, /* a certificate detail page */
    DTP_OCR_RECORD_LIST_ROW    /* one row of a result list */
} dtp_ocr_record_kind;

/* One field with its evidence. All strings are owned by the field (NULL when unset). */
typedef struct dtp_ocr_field {
    char *value;      /* normalised value (ISO date, canonical status word, upper-case code) */
    char *raw;        /* the text as read, unchanged */
    int has_box;      /* 1 when box holds the union of the value words' boxes (OCR pages) */
    dtp_ocr_box box;  /* original-image pixels */
    char *locator;    /* JSON path ($.rows[2].certNumber) or XPath for text captures */
    float confidence; /* 0..100: minimum word confidence for OCR, 100 for text captures */
    dtp_ocr_check check;
    char *flags;    /* comma-separated notes, e.g. "uscc_repaired:pos=5" */
    int accepted;   /* 1 when the value may be used without review */
    char *reason;   /* why not accepted (NULL when accepted or absent) */
    int reviewed;   /* 1 when a reviewer's correction replaced the value */
    char *reviewer; /* who corrected it, and when (YYYY-MM-DD) */
    char *review_date;
} dtp_ocr_field;

/* One row of the certificate's history (证书变化历史轨迹: 活动 | 描述 | 日期). */
typedef struct dtp_ocr_event {
    dtp_ocr_event_kind kind;
    dtp_ocr_field activity; /* value: canonical kind name ("surveillance") */
    dtp_ocr_field description;
    dtp_ocr_field date; /* value: ISO 8601 date */
} dtp_ocr_event;

#define DTP_OCR_MAX_EVENTS 256 /* cap on history rows per record (input-sized allocation) */

typedef struct dtp_ocr_record {
    char artifact_sha256[65]; /* raw artifact the record was read from ("" unknown) */
    dtp_ocr_record_kind kind;
    int text_capture; /* 1 when read from JSON/HTML text (no OCR errors possible) */
    long row_index;   /* 0-based row for list rows, -1 for detail pages */
    dtp_ocr_field fields[DTP_OCR_NFIELDS];
    dtp_ocr_event *events; /* owned; nevents entries in page order */
    size_t nevents, events_cap;
    dtp_ocr_cert_status status; /* from the status field after validation */
    int iso27001;      /* 1 when the standard (or project) names ISO/IEC 27001 / GB/T 22080 */
    int review_needed; /* 1 when any field with text, or any event, is not accepted */
} dtp_ocr_record;

/* A new empty record (NULL when out of memory). sha256 may be NULL. */
dtp_ocr_record *dtp_ocr_record_new(dtp_ocr_record_kind kind, const char *artifact_sha256,
                                   long row_index);
void dtp_ocr_record_free(dtp_ocr_record *r);

/* Stable snake_case name of a field ("cert_no", "issue_date", ...); NULL when out of range. */
const char *dtp_ocr_field_name(dtp_ocr_field_id id);

/* Field id for a name, or -1. */
int dtp_ocr_field_by_name(const char *name);

/* Borrowed pointer to a record field; NULL when id is out of range. Iterate with
 * for (id = 0; id < DTP_OCR_NFIELDS; id++) to store every field generically. */
dtp_ocr_field *dtp_ocr_record_field(dtp_ocr_record *r, dtp_ocr_field_id id);
const dtp_ocr_field *dtp_ocr_record_field_c(const dtp_ocr_record *r, dtp_ocr_field_id id);

/* Set a field's raw text and evidence (replacing what was there). locator may be NULL; box
 * may be NULL (no box). Value, check and accept are left for dtp_ocr_record_validate(). */
dtp_status dtp_ocr_field_set_raw(dtp_ocr_field *f, const char *raw, size_t rawlen,
                                 const char *locator, const dtp_ocr_box *box, float confidence);

/* Append a flag to a field's comma-separated flags. */
dtp_status dtp_ocr_field_add_flag(dtp_ocr_field *f, const char *flag);

/* 1 when the field's flags contain this exact flag. */
int dtp_ocr_field_has_flag(const dtp_ocr_field *f, const char *flag);

/* Replace a string member of a field (value, reason, ...) with a copy of s (NULL clears). */
dtp_status dtp_ocr_field_set_str(char **member, const char *s);

/* Append a zeroed event; *out is borrowed from the record. DTP_ERR_LIMIT past
 * DTP_OCR_MAX_EVENTS. */
dtp_status dtp_ocr_record_add_event(dtp_ocr_record *r, dtp_ocr_event **out);

/* Normalise and validate every field and event, set accepted/reason/flags, status, iso27001 and
 * review_needed. A field whose confidence is below min_confidence is not accepted (text captures
 * carry 100). Safe to call again (it recomputes from raw; reviewed fields are left alone). */
dtp_status dtp_ocr_record_validate(dtp_ocr_record *r, float min_confidence, dtp_error *err);

/* Recompute the record-level summary (status, iso27001, review_needed) from the fields as they
 * stand, without judging them again (after corrections were applied). */
dtp_status dtp_ocr_record_refresh(dtp_ocr_record *r, dtp_error *err);

/* The record's key for review and corrections: the accepted certificate number, else
 * "row:<n>" for a list row, else "detail". Always NUL-terminates out. */
const char *dtp_ocr_record_key(const dtp_ocr_record *r, char *out, size_t outsz);

/* Names for storage: "valid", "suspended", ...; "initial", "surveillance", ...; "ok",
 * "bad_date", ...; "detail" / "list_row". Never NULL. */
const char *dtp_ocr_status_name(dtp_ocr_cert_status s);
const char *dtp_ocr_event_kind_name(dtp_ocr_event_kind k);
const char *dtp_ocr_check_name(dtp_ocr_check c);
const char *dtp_ocr_record_kind_name(dtp_ocr_record_kind k);

/* What a reader hands each record to. The record is borrowed for the call; return DTP_OK to go
 * on, anything else stops the reader, which returns that status. */
typedef dtp_status (*dtp_ocr_record_fn)(void *ctx, dtp_ocr_record *rec, dtp_error *err);

#endif
