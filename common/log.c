#include "common/log.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "common/staging.h"

struct dtp_log {
    FILE *human;
    FILE *json;
    dtp_log_level min_human;
    int tty;
    int progress_open;
};

static const char *level_name(dtp_log_level lv)
{
    switch (lv) {
    case DTP_LOG_DEBUG:
        return "debug";
    case DTP_LOG_INFO:
        return "info";
    case DTP_LOG_WARN:
        return "warning";
    case DTP_LOG_ERROR:
        return "error";
    }
    return "info";
}

dtp_log *dtp_log_new(FILE *human, FILE *json, dtp_log_level min_human)
{
    dtp_log *lg = calloc(1, sizeof *lg);
    if (!lg)
        return NULL;
    lg->human = human;
    lg->json = json;
    lg->min_human = min_human;
    lg->tty = human && isatty(fileno(human));
    return lg;
}

void dtp_log_free(dtp_log *lg)
{
    free(lg);
}

static void end_progress(dtp_log *lg)
{
    if (lg->progress_open) {
        fputs("\r\033[K", lg->human);
        lg->progress_open = 0;
    }
}

void dtp_log_event(dtp_log *lg, dtp_log_level lv, const char *stage, const char *event,
                   const char *const *fields, const char *fmt, ...)
{
    if (!lg)
        return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (lg->human && lv >= lg->min_human) {
        end_progress(lg);
        char line[2300];
        snprintf(line, sizeof line, "dtpanel: %s%s%s%s\n", lv >= DTP_LOG_WARN ? level_name(lv) : "",
                 lv >= DTP_LOG_WARN ? ": " : "", stage && *stage ? stage : "",
                 stage && *stage ? ": " : "");
        /* message appended separately so a long message is not cut by the prefix buffer */
        line[strlen(line) - 1] = '\0';
        fputs(line, lg->human);
        fputs(msg, lg->human);
        fputc('\n', lg->human);
        fflush(lg->human);
    }
    if (lg->json) {
        char now[32];
        dtp_now_iso(now);
        json_t *o = json_pack("{s:s, s:s, s:s?, s:s?, s:s}", "time", now, "level", level_name(lv),
                              "stage", stage, "event", event, "message", msg);
        for (size_t i = 0; o && fields && fields[i] && fields[i + 1]; i += 2)
            json_object_set_new(o, fields[i], json_string(fields[i + 1]));
        char *text = o ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
        if (text) {
            fputs(text, lg->json);
            fputc('\n', lg->json);
            fflush(lg->json);
        }
        free(text);
        json_decref(o);
    }
}

void dtp_log_progress(dtp_log *lg, const char *stage, const char *what, uint64_t done,
                      uint64_t total)
{
    if (!lg || !lg->human || !lg->tty || lg->min_human > DTP_LOG_INFO)
        return;
    if (total > 0) {
        int pct = (int)(done * 100 / total);
        int bars = pct / 5;
        char bar[21];
        for (int i = 0; i < 20; i++)
            bar[i] = i < bars ? '#' : '.';
        bar[20] = '\0';
        fprintf(lg->human, "\r\033[K%s: %s [%s] %3d%%", stage, what, bar, pct);
    } else {
        fprintf(lg->human, "\r\033[K%s: %s %llu", stage, what, (unsigned long long)done);
    }
    fflush(lg->human);
    lg->progress_open = 1;
    if (total > 0 && done >= total)
        end_progress(lg);
}
