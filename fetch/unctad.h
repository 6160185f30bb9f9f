/* UNCTADstat bulk download of US.DigitallyDeliverableServices: a 7z archive holding one CSV in
 * the UNCTADstat bulk layout (SOURCES.md §1). The header is understood by its text: dimension
 * pairs `<Dim>,<Dim> Label` (Year may stand alone) and, per measure, `<M>,<M> Footnote,<M> Missing
 * value`. Flow 01 -> dt_imp, 02 -> dt_exp; economy codes of 3 digits are economies, of 4 digits
 * groups (is_aggregate = 1). */
#ifndef DTP_FETCH_UNCTAD_H
#define DTP_FETCH_UNCTAD_H

#include <stdint.h>

#include "fetch/parse.h"
#include "fetch/reader.h"

#define DTP_UNCTAD_ENTRY "US_DigitallyDeliverableServices.csv"
#define DTP_UNCTAD_DATASET "US.DigitallyDeliverableServices"
#define DTP_UNCTAD_MEASURE "US$ at current prices in millions"

typedef struct dtp_unctad_opts {
    const char *entry_name;     /* the one CSV expected in the 7z; NULL = DTP_UNCTAD_ENTRY */
    uint64_t max_entry_bytes;   /* 0 = 512 MiB */
    int all_measures;           /* also emit the percentage measures (variable NULL) */
    const char *total_category; /* when a Category dimension exists: the code of the total */
} dtp_unctad_opts;

/* Parse the bulk 7z read from r (seekable). pc->file names the archive in messages; locators
 * name the CSV entry: "US_DigitallyDeliverableServices.csv:line:col". */
dtp_status dtp_unctad_parse_7z(const dtp_parse_ctx *pc, dtp_reader *r, const dtp_unctad_opts *opts,
                               dtp_parse_stats *stats, dtp_error *err);

/* Parse the extracted bulk CSV itself (mirrors, benchmarks); locators use pc->file. Indicator is
 * "<dataset>/<flow>/<measure>" ("/<category>" appended when that dimension exists). */
dtp_status dtp_unctad_parse_csv(const dtp_parse_ctx *pc, dtp_reader *r, const dtp_unctad_opts *opts,
                                dtp_parse_stats *stats, dtp_error *err);

#endif
