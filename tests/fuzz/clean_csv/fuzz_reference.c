/* Fuzz the reference-table readers. The first byte picks the table (advanced economies, RCEP,
 * provinces, listed companies, yearbook); accepted tables are queried. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "clean/listed.h"
#include "clean/reference.h"
#include "clean/yearbook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *body = (const char *)data + 1;
    size_t n = size - 1;
    dtp_error err;
    char q[64];
    size_t ql = n < sizeof q - 1 ? n : sizeof q - 1;
    memcpy(q, body, ql);
    q[ql] = '\0';
    switch (data[0] % 5) {
    case 0: {
        dtp_ref_advanced t;
        if (dtp_ref_advanced_read_mem(body, n, "adv.csv", &t, &err) == DTP_OK) {
            (void)dtp_ref_developed(&t, "USA");
            (void)dtp_ref_developed(&t, q);
            dtp_ref_advanced_free(&t);
        }
        break;
    }
    case 1: {
        dtp_ref_rcep t;
        if (dtp_ref_rcep_read_mem(body, n, "rcep.csv", &t, &err) == DTP_OK) {
            unsigned fl;
            for (int y = 2015; y <= 2024; y++)
                (void)dtp_ref_rcep_dummy(&t, "CHN", y, DTP_RCEP_ENTRY_INTO_FORCE, &fl);
            (void)dtp_ref_rcep_dummy(&t, q, 2022, DTP_RCEP_TIME_INVARIANT, &fl);
            dtp_ref_rcep_free(&t);
        }
        break;
    }
    case 2: {
        dtp_ref_provinces t;
        if (dtp_ref_provinces_read_mem(body, n, "prov.csv", &t, &err) == DTP_OK) {
            (void)dtp_ref_province_get(&t, "44");
            (void)dtp_ref_province_get(&t, q);
            dtp_ref_provinces_free(&t);
        }
        break;
    }
    case 4: {
        /* the yearbook reader (its own target, clean_yearbook, goes deeper) */
        dtp_yearbook yb;
        if (dtp_yearbook_read_mem(body, n, "yearbook.csv", &yb, &err) == DTP_OK)
            dtp_yearbook_free(&yb);
        break;
    }
    default: {
        dtp_listed t;
        if (dtp_listed_read_mem(body, n, "listed.csv", &t, &err) == DTP_OK) {
            (void)dtp_listed_match_holder(&t, q, q);
            (void)dtp_listed_match_holder(&t, NULL, "示例信息技术股份有限公司");
            dtp_listed_free(&t);
        }
        break;
    }
    }
    return 0;
}
