/* Fuzz the UNCTAD bulk reader: 7z input (by its signature) through libarchive, else the CSV. */
#include <stdint.h>
#include <string.h>

#include "../fuzz_obs_sink.h"
#include "fetch/unctad.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t SIG[6] = {'7', 'z', 0xBC, 0xAF, 0x27, 0x1C};
    size_t total = 0;
    dtp_mem_reader m;
    dtp_reader r = dtp_reader_mem(&m, data, size);
    dtp_parse_ctx pc = {
        .source = "unctad", .file = "fuzz", .on_obs = fuzz_obs_sink, .obs_ctx = &total};
    dtp_unctad_opts opts = {.all_measures = 1, .max_entry_bytes = 1 << 20};
    dtp_error err;
    dtp_error_clear(&err);
    if (size >= 6 && memcmp(data, SIG, 6) == 0)
        dtp_unctad_parse_7z(&pc, &r, &opts, NULL, &err);
    else
        dtp_unctad_parse_csv(&pc, &r, &opts, NULL, &err);
    return 0;
}
