/* Fuzz the declared-CSV reader with the ITU configuration and with a ';' one that turns on every
 * option; input starting with a UTF-8 BOM takes the second, so both stay reachable. */
#include <stdint.h>

#include "../fuzz_obs_sink.h"
#include "fetch/declared_csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dtp_declared_csv_cfg itu = {.entity_col = "Entity",
                                .code_col = "Code",
                                .code_system = "iso3",
                                .year_col = "Year",
                                .value_col = "_9_c_1__it_mob_3gntwk",
                                .variable = "infra",
                                .unit = "%",
                                .aggregate_prefix = "OWID_"};
    dtp_declared_csv_cfg m49 = {.delim = ';',
                                .header_row = 2,
                                .entity_col = "Country",
                                .code_col = "Code",
                                .code_system = "m49",
                                .year_col = "Year",
                                .value_col = "Value",
                                .allow_thousands = 1,
                                .emit_missing = 1,
                                .scale = 2,
                                .empty_code = DTP_DECL_EMPTY_CODE_ERROR};
    size_t total = 0;
    dtp_mem_reader m;
    dtp_reader r = dtp_reader_mem(&m, data, size);
    dtp_parse_ctx pc = {
        .source = "itu", .file = "fuzz", .on_obs = fuzz_obs_sink, .obs_ctx = &total};
    dtp_error err;
    dtp_error_clear(&err);
    dtp_declared_csv_parse(&pc, size && data[0] == 0xEF ? &m49 : &itu, &r, NULL, &err);
    return 0;
}
