/* libFuzzer target: any bytes as an xlsx workbook, every sheet read (merges first), then the same
 * bytes as an ISO Survey workbook. Tight caps keep each run small; nothing may crash, leak or
 * hang, and every failure must come back as a status with a message. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fetch/isosurvey.h"
#include "fetch/xlsx.h"

static dtp_status on_cell(void *ctx, const dtp_xlsx_cell *c, dtp_error *err)
{
    size_t *n = ctx;
    *n += c->value_len + (c->ref[0] != '\0');
    return DTP_OK;
}

static dtp_status on_merge(void *ctx, const char *sheet, const dtp_xlsx_range *r, dtp_error *err)
{
    return r->row1 <= r->row2 && r->col1 <= r->col2 ? DTP_OK : DTP_ERR_PARSE;
}

static dtp_status on_obs(void *ctx, const dtp_obs *o, dtp_error *err)
{
    size_t *n = ctx;
    *n += strlen(o->entity_raw) + strlen(o->locator) + strlen(o->value_raw);
    return DTP_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dtp_xlsx_limits lim;
    dtp_error err;
    size_t n = 0;
    dtp_xlsx_limits_default(&lim);
    lim.max_entries = 64;
    lim.max_entry_bytes = 4 << 20;
    lim.max_total_bytes = 16 << 20;
    lim.max_shared_strings = 10000;
    lim.max_shared_bytes = 1 << 20;
    lim.max_cell_bytes = 4096;
    lim.max_sheets = 32;
    lim.max_merges = 1000;
    dtp_error_clear(&err);
    dtp_xlsx *x = dtp_xlsx_open_memory(data, size, "fuzz.xlsx", &lim, &err);
    if (x) {
        dtp_xlsx_handlers h = {on_cell, NULL, on_merge, 1};
        for (size_t i = 0; i < dtp_xlsx_sheet_count(x); i++)
            dtp_xlsx_read_sheet(x, i, &h, &n, &err);
        dtp_isosurvey_parse_xlsx(x, 0, on_obs, &n, NULL, &err);
        dtp_xlsx_free(x);
    }
    return 0;
}
