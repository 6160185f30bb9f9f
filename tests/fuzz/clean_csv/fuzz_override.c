/* Fuzz the override reader, then apply what it accepted to a small panel. */
#include <stddef.h>
#include <stdint.h>

#include "clean/override.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dtp_override_set s;
    dtp_error err;
    if (dtp_override_read_mem((const char *)data, size, "fuzz.csv", &s, &err) != DTP_OK)
        return 0;
    const char *ents[2] = {"CHN", "USA"};
    const char *vars[2] = {"iso27001", "dt_exp"};
    dtp_panel *p = NULL;
    if (dtp_panel_new(2, ents, 2016, 8, 2, vars, &p, &err) == DTP_OK) {
        dtp_ledger l;
        dtp_ledger_init(&l);
        (void)dtp_override_apply_panel(&s, p, &l, &err);
        dtp_ledger_free(&l);
        dtp_panel_free(p);
    }
    dtp_override_set_free(&s);
    return 0;
}
