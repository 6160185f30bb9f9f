/* The labels the CNCA registry pages print before each value (SOURCES.md 5), shared by the
 * HTML reader and the OCR layout parser so both recognise the same page vocabulary. */
#ifndef DTP_OCR_LABELS_H
#define DTP_OCR_LABELS_H

#include <stddef.h>

#include "ocr/record.h"

/* Label targets beyond the record fields. */
enum {
    DTP_OCR_LABEL_HISTORY = 100, /* 证书变化历史轨迹: the history table follows */
    DTP_OCR_LABEL_EV_ACTIVITY,   /* history table columns: 活动 | 描述 | 日期 */
    DTP_OCR_LABEL_EV_DESCRIPTION,
    DTP_OCR_LABEL_EV_DATE,
    DTP_OCR_LABEL_IGNORED, /* header words that are no field (序号, 操作) */
    DTP_OCR_LABEL_TARGETS  /* one past the largest target */
};

typedef struct dtp_ocr_label {
    const char *text; /* label form: half-width, no spaces, no colon */
    int target;       /* dtp_ocr_field_id or a DTP_OCR_LABEL_* value */
} dtp_ocr_label;

/* The label table (borrowed, static); *n gets its length. Longer labels come before labels
 * they contain, so a first match is the longest. */
const dtp_ocr_label *dtp_ocr_labels(size_t *n);

/* Label form of a text: half-width, all whitespace removed, one trailing ':' (or '：') and a
 * leading '*' dropped. Returns a new string (NULL when out of memory). */
char *dtp_ocr_label_form(const char *s, size_t n);

/* Target of an exact label-form match, or -1. history_context admits the history column
 * labels (活动, 描述, 日期), which are too generic to match anywhere else. */
int dtp_ocr_label_lookup(const char *label_form, int history_context);

/* Target field of a label form read on its own (a reread label box): an exact label, or a
 * field label of 4+ characters equal to the form but for at most one substituted character,
 * after at most one stray leading character (the crop's margin catches a neighbour's edge).
 * The history column labels are not considered; -1 when nothing is that near. */
int dtp_ocr_label_near(const char *label_form);

#endif
