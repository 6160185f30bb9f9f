/* Shared by the parser fuzz targets: an observation sink that reads every field, so a dangling
 * or unterminated string is caught by the sanitizers. */
#ifndef DTP_FUZZ_OBS_SINK_H
#define DTP_FUZZ_OBS_SINK_H

#include <string.h>

#include "common/obs.h"

static size_t fuzz_len(const char *s)
{
    return s ? strlen(s) : 0;
}

static dtp_status fuzz_obs_sink(void *ctx, const dtp_obs *o, dtp_error *err)
{
    (void)err;
    size_t *total = ctx;
    *total += fuzz_len(o->source) + fuzz_len(o->indicator) + fuzz_len(o->variable) +
              fuzz_len(o->entity_raw) + fuzz_len(o->entity_code) + fuzz_len(o->entity_system) +
              fuzz_len(o->value_raw) + fuzz_len(o->unit) + fuzz_len(o->flags) +
              fuzz_len(o->edition) + fuzz_len(o->locator) + (size_t)o->year + (size_t)o->has_value;
    return DTP_OK;
}

#endif
