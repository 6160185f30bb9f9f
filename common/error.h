/* dtp_status and the caller-owned error record every library function fills on failure.
 * Libraries never print or exit: they return a status and say where it happened. */
#ifndef DTP_COMMON_ERROR_H
#define DTP_COMMON_ERROR_H

#include <stddef.h>

typedef enum dtp_status {
    DTP_OK = 0,
    DTP_ERR_NOMEM,       /* allocation failed */
    DTP_ERR_IO,          /* file or socket I/O failed */
    DTP_ERR_PARSE,       /* input does not have the expected shape */
    DTP_ERR_LIMIT,       /* input exceeds a configured cap */
    DTP_ERR_CONFIG,      /* bad configuration value or unknown key */
    DTP_ERR_USAGE,       /* bad command-line use */
    DTP_ERR_NETWORK,     /* transfer failed (timeout, reset, DNS) */
    DTP_ERR_HTTP,        /* upstream answered with an HTTP error */
    DTP_ERR_UPSTREAM,    /* upstream answered with an error document or inconsistent data */
    DTP_ERR_INTEGRITY,   /* stored bytes do not match their hash, or lineage is broken */
    DTP_ERR_DB,          /* SQLite failed */
    DTP_ERR_LOCKED,      /* another run holds the data-directory lock */
    DTP_ERR_VALIDATION,  /* a check failed; nothing published */
    DTP_ERR_NOT_FOUND,   /* asked-for object does not exist */
    DTP_ERR_INTERRUPTED, /* stopped by a signal */
    DTP_ERR_UNSUPPORTED, /* recognised but not handled (format, layout) */
    DTP_STATUS_COUNT
} dtp_status;

#define DTP_ERR_STAGE_MAX 16
#define DTP_ERR_SOURCE_MAX 48
#define DTP_ERR_ARTIFACT_MAX 65
#define DTP_ERR_LOCATOR_MAX 512
#define DTP_ERR_MESSAGE_MAX 1024

/* Filled only on failure. Fields are empty strings when unknown. */
typedef struct dtp_error {
    dtp_status status;
    char stage[DTP_ERR_STAGE_MAX];       /* fetch, ocr, clean, load, config, ... */
    char source[DTP_ERR_SOURCE_MAX];     /* configured source name */
    char artifact[DTP_ERR_ARTIFACT_MAX]; /* sha256 hex of the raw artifact */
    char locator[DTP_ERR_LOCATOR_MAX];   /* file:line:col, sheet!cell, JSON path, image+bbox, URL */
    char message[DTP_ERR_MESSAGE_MAX];   /* lower-case, no trailing period */
} dtp_error;

/* Static, never NULL: a short English name of the status. */
const char *dtp_strerror(dtp_status st);

/* Reset to DTP_OK with empty fields. err may be NULL. */
void dtp_error_clear(dtp_error *err);

/* Set status, stage and a printf-style message; keep source/artifact/locator. Returns st so a
 * caller can write `return dtp_error_set(err, DTP_ERR_PARSE, "fetch", "...")`. err may be NULL. */
dtp_status dtp_error_set(dtp_error *err, dtp_status st, const char *stage, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Fill where the failure happened. Any argument may be NULL to leave that field alone. */
void dtp_error_where(dtp_error *err, const char *source, const char *artifact, const char *locator);

/* printf-style locator. */
void dtp_error_locatef(dtp_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefix the message with more context: "page 3 of 7: <old message>". */
void dtp_error_prefix(dtp_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One line, house style: "stage: source: locator: message (artifact abcd1234…)". Always
 * NUL-terminates out; returns out. */
char *dtp_error_format(const dtp_error *err, char *out, size_t outsz);

#endif
