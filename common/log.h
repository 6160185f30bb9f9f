/* One message module (STYLE.md 13). Libraries report through a dtp_log the command layer set up;
 * the command chooses where lines go: human lines (lower-case, no trailing period) on one stream,
 * JSON lines (time, level, stage, event, message, fields) on another. A NULL log drops
 * everything, so libraries can be called without one. */
#ifndef DTP_COMMON_LOG_H
#define DTP_COMMON_LOG_H

#include <stdint.h>
#include <stdio.h>

typedef enum dtp_log_level {
    DTP_LOG_DEBUG,
    DTP_LOG_INFO,
    DTP_LOG_WARN,
    DTP_LOG_ERROR
} dtp_log_level;

typedef struct dtp_log dtp_log;

/* human: stream for human lines, or NULL; json: stream for JSON lines, or NULL. The streams stay
 * owned by the caller. min_human: lowest level shown to humans (--quiet raises it to WARN). */
dtp_log *dtp_log_new(FILE *human, FILE *json, dtp_log_level min_human);
void dtp_log_free(dtp_log *lg);

/* A message with optional fields given as key/value string pairs ending with NULL:
 * dtp_log_event(lg, DTP_LOG_INFO, "fetch", "stored", "source", "itu", NULL, "stored %s", name) */
void dtp_log_event(dtp_log *lg, dtp_log_level lv, const char *stage, const char *event,
                   const char *const *fields, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Shorthand without fields. */
#define dtp_log_msg(lg, lv, stage, event, ...)                                                     \
    dtp_log_event(lg, lv, stage, event, NULL, __VA_ARGS__)

/* A progress line, drawn only when the human stream is a terminal; done == total ends it. */
void dtp_log_progress(dtp_log *lg, const char *stage, const char *what, uint64_t done,
                      uint64_t total);

#endif
