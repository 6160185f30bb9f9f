/* The release report: one self-contained HTML page (inline CSS and SVG, no scripts, nothing
 * fetched) describing a published warehouse release: coverage grids, sources, imputations and
 * overrides, OCR review, revisions against the previous release and check results. Every figure
 * names the `dtpanel trace` command that explains it. Nothing here prints on its own: the page
 * goes to the FILE* the caller gives (a file, or open_memstream for a buffer). */
#ifndef DTP_LOAD_REPORT_H
#define DTP_LOAD_REPORT_H

#include <sqlite3.h>
#include <stdio.h>

#include "common/error.h"

typedef struct dtp_load_report_options {
    /* The release file itself and the previous release's file, both for the revisions section
     * (dtp_load_diff). prev_release_path NULL: nothing to compare; then prev_release_id > 0
     * says a previous release exists but is not kept, 0 that this is the first release. */
    const char *release_path;
    const char *prev_release_path;
    long long prev_release_id;
    int max_rows; /* rows per table before "N more" (0: 2000) */
} dtp_load_report_options;

/* Write the report for the open release wh to out. DTP_ERR_NOT_FOUND when wh has no release
 * row, DTP_ERR_DB on a query failure, DTP_ERR_IO when writing out failed. */
dtp_status dtp_load_report(sqlite3 *wh, const dtp_load_report_options *o, FILE *out,
                           dtp_error *err);

/* Write s HTML-escaped (& < > " ' as references; control characters, U+FFFE/U+FFFF and invalid
 * UTF-8 as U+FFFD), safe both as element text and as a quoted attribute value. NULL writes
 * nothing. */
void dtp_load_report_escape(FILE *out, const char *s);

#endif
