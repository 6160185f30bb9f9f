/* World Bank Data360 SDMX-CSV (the redistribution of UNCTAD's digitally deliverable services
 * trade): columns found by header name; UNCTAD_DE_DIG_SERVTRADE_ANN_EXP/_IMP become dt_exp and
 * dt_imp in US$ millions; other indicators are counted as skipped. */
#ifndef DTP_FETCH_DATA360_H
#define DTP_FETCH_DATA360_H

#include "fetch/parse.h"
#include "fetch/reader.h"

#define DTP_DATA360_EXP "UNCTAD_DE_DIG_SERVTRADE_ANN_EXP"
#define DTP_DATA360_IMP "UNCTAD_DE_DIG_SERVTRADE_ANN_IMP"

/* Panel variable for a Data360 indicator code, or NULL when it is not one dtpanel uses. */
const char *dtp_data360_variable(const char *indicator);

/* Parse one SDMX-CSV file from r. Values are scaled to millions: value = OBS_VALUE *
 * 10^(UNIT_MULT-6), scale = UNIT_MULT-6, unit "US$ millions". Empty OBS_VALUE gives has_value 0
 * with flags = OBS_STATUS. Entities are ISO3 codes as written, never marked aggregate here. */
dtp_status dtp_data360_parse(const dtp_parse_ctx *pc, dtp_reader *r, dtp_parse_stats *stats,
                             dtp_error *err);

#endif
