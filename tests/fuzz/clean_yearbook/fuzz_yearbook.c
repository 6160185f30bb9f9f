/* Fuzz the province yearbook reader (clean/yearbook.h): arbitrary bytes parse or fail with an
 * error, never crash; accepted rows are walked. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "clean/yearbook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dtp_error err;
    dtp_yearbook y;
    if (dtp_yearbook_read_mem((const char *)data, size, "yearbook.csv", &y, &err) == DTP_OK) {
        double sum = 0;
        for (size_t i = 0; i < y.n; i++)
            sum += y.rows[i].value + (double)strlen(y.rows[i].unit) +
                   (double)strlen(dtp_yearbook_indicator_name(y.rows[i].indicator));
        (void)sum;
        dtp_yearbook_free(&y);
    }
    return 0;
}
