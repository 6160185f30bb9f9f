/* Fuzz the World Bank bulk route: a zip (by its signature) or the data and country CSVs. */
#include <stdint.h>
#include <string.h>

#include "../fuzz_obs_sink.h"
#include "fetch/worldbank.h"

static dtp_status entity_sink(void *ctx, const dtp_wb_entity *e, dtp_error *err)
{
    (void)err;
    size_t *total = ctx;
    *total += fuzz_len(e->id) + fuzz_len(e->name) + fuzz_len(e->region) + fuzz_len(e->income) +
              fuzz_len(e->locator);
    return DTP_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t total = 0;
    dtp_mem_reader m;
    dtp_reader r = dtp_reader_mem(&m, data, size);
    dtp_parse_ctx pc = {
        .source = "worldbank", .file = "fuzz", .on_obs = fuzz_obs_sink, .obs_ctx = &total};
    dtp_error err;
    dtp_error_clear(&err);
    if (size >= 2 && memcmp(data, "PK", 2) == 0) {
        dtp_wb_bulk_parse_zip(&pc, &r, entity_sink, &total, NULL, NULL, &err);
        return 0;
    }
    dtp_wb_bulk_parse_csv(&pc, &r, NULL, NULL, &err);
    r = dtp_reader_mem(&m, data, size);
    dtp_error_clear(&err);
    dtp_wb_bulk_parse_country_csv(&pc, &r, entity_sink, &total, NULL, &err);
    return 0;
}
