#include "fetch/parse.h"

dtp_status dtp_parse_emit(const dtp_parse_ctx *pc, dtp_parse_stats *stats, const dtp_obs *o,
                          dtp_error *err)
{
    if (stats) {
        stats->obs++;
        if (!o->has_value)
            stats->missing++;
        if (o->is_aggregate)
            stats->aggregates++;
    }
    if (!pc->on_obs)
        return DTP_OK;
    dtp_status st = pc->on_obs(pc->obs_ctx, o, err);
    if (st != DTP_OK) {
        if (err && err->status == DTP_OK)
            dtp_error_set(err, st, "fetch", "observation callback failed");
        if (err && !err->locator[0])
            dtp_error_where(err, NULL, NULL, o->locator);
        return dtp_parse_fail(pc, st, err);
    }
    return DTP_OK;
}

dtp_status dtp_parse_fail(const dtp_parse_ctx *pc, dtp_status st, dtp_error *err)
{
    if (!err)
        return st;
    if (err->status == DTP_OK)
        err->status = st;
    if (!err->source[0])
        dtp_error_where(err, pc->source, NULL, NULL);
    if (!err->artifact[0])
        dtp_error_where(err, NULL, pc->artifact, NULL);
    return err->status;
}
