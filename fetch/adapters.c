/* The table of source kinds this build reads. */
#include <stdio.h>
#include <string.h>

#include "fetch/adapter.h"
#include "fetch/data360.h"

static dtp_status parse_data360(const dtp_parse_ctx *pc, const dtp_adapter_src *src, dtp_reader *r,
                                dtp_parse_stats *stats, dtp_error *err)
{
    return dtp_data360_parse(pc, r, stats, err);
}

static const dtp_adapter adapters[] = {
    {"unctad_data360", "data360/1", "text/csv,application/csv,text/plain,application/octet-stream",
     0, 0, parse_data360},
    /* captures are stored here and read by the ocr stage */
    {"cnca", "inbox/1", NULL, 0, 1, NULL},
};

const dtp_adapter *dtp_adapter_find(const char *kind)
{
    for (size_t i = 0; i < sizeof adapters / sizeof *adapters; i++)
        if (strcmp(adapters[i].kind, kind) == 0)
            return &adapters[i];
    return NULL;
}

const char *dtp_fetch_kinds(void)
{
    static char kinds[256];
    if (!kinds[0]) {
        size_t n = 0;
        for (size_t i = 0; i < sizeof adapters / sizeof *adapters; i++) {
            int w = snprintf(kinds + n, sizeof kinds - n, "%s%s", i ? "|" : "", adapters[i].kind);
            if (w > 0)
                n += (size_t)w;
        }
    }
    return kinds;
}
