/* Fuzz the World Bank API v2 page and country-list parsers and the page validator. */
#include <stdint.h>

#include "../fuzz_obs_sink.h"
#include "fetch/worldbank.h"

static dtp_status entity_sink(void *ctx, const dtp_wb_entity *e, dtp_error *err)
{
    (void)err;
    size_t *total = ctx;
    *total += fuzz_len(e->id) + fuzz_len(e->iso2) + fuzz_len(e->name) + fuzz_len(e->region_id) +
              fuzz_len(e->region) + fuzz_len(e->income_id) + fuzz_len(e->income) +
              fuzz_len(e->locator);
    return DTP_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t total = 0;
    dtp_parse_ctx pc = {
        .source = "worldbank", .file = "fuzz", .on_obs = fuzz_obs_sink, .obs_ctx = &total};
    dtp_wb_opts opts = {.max_bytes = 1 << 20};
    dtp_wb_meta meta;
    dtp_error err;
    dtp_error_clear(&err);
    if (dtp_wb_parse_page(&pc, data, size, &opts, &meta, NULL, &err) == DTP_OK) {
        dtp_wb_pager p;
        dtp_wb_pager_init(&p);
        if (dtp_wb_pager_add(&p, &meta, &err) == DTP_OK)
            dtp_wb_pager_finish(&p, &err);
    }
    dtp_error_clear(&err);
    dtp_wb_parse_countries(&pc, data, size, &opts, &meta, entity_sink, &total, &err);
    return 0;
}
