/* Fuzz the Data360 SDMX-CSV reader. */
#include <stdint.h>

#include "../fuzz_obs_sink.h"
#include "fetch/data360.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t total = 0;
    dtp_mem_reader m;
    dtp_reader r = dtp_reader_mem(&m, data, size);
    dtp_parse_ctx pc = {
        .source = "unctad_data360", .file = "fuzz", .on_obs = fuzz_obs_sink, .obs_ctx = &total};
    dtp_error err;
    dtp_error_clear(&err);
    dtp_data360_parse(&pc, &r, NULL, &err);
    return 0;
}
