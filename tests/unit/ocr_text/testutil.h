/* Test helpers for the ocr text side: fixture loading and a record collector. Test-only code. */
#ifndef DTP_TEST_OCR_TEXT_UTIL_H
#define DTP_TEST_OCR_TEXT_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocr/record.h"

/* Whole file under $DTP_FIXTURES (NULL when missing); *n gets its size. */
static inline char *load_fixture(const char *rel, size_t *n)
{
    *n = 0;
    const char *dir = getenv("DTP_FIXTURES");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/fixtures", rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)len + 1);
    if (b && fread(b, 1, (size_t)len, f) != (size_t)len) {
        free(b);
        b = NULL;
    }
    if (b)
        b[len] = '\0';
    fclose(f);
    *n = (size_t)len;
    return b;
}

#define MAX_COLLECT 16

/* Keeps copies of what a reader emitted: the records themselves are borrowed by the callback, so
 * the collector takes them over by swapping in an empty record. */
typedef struct collector {
    dtp_ocr_record *recs[MAX_COLLECT];
    size_t n;
    int stop_after; /* > 0: return DTP_ERR_INTERRUPTED after this many */
} collector;

static inline dtp_status collect_cb(void *ctx, dtp_ocr_record *rec, dtp_error *err)
{
    (void)err;
    collector *c = ctx;
    if (c->n >= MAX_COLLECT)
        return DTP_ERR_LIMIT;
    dtp_ocr_record *copy = malloc(sizeof *copy);
    if (!copy)
        return DTP_ERR_NOMEM;
    *copy = *rec;
    /* the reader frees rec afterwards: leave it empty */
    memset(rec->fields, 0, sizeof rec->fields);
    rec->events = NULL;
    rec->nevents = rec->events_cap = 0;
    c->recs[c->n++] = copy;
    if (c->stop_after > 0 && c->n >= (size_t)c->stop_after)
        return DTP_ERR_INTERRUPTED;
    return DTP_OK;
}

static inline void collector_free(collector *c)
{
    for (size_t i = 0; i < c->n; i++)
        dtp_ocr_record_free(c->recs[i]);
    c->n = 0;
}

static inline const char *fv(const dtp_ocr_record *r, dtp_ocr_field_id id)
{
    const char *v = r->fields[id].value;
    return v ? v : "(null)";
}

#endif
