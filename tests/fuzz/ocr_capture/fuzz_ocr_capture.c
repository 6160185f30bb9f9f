/* Fuzz the text-capture readers: every input goes through the JSON reader and the HTML reader,
 * and each record they emit through the review-queue writer. */
#include <stdint.h>
#include <stdio.h>

#include "ocr/capture.h"
#include "ocr/corrections.h"

static dtp_status sink(void *ctx, dtp_ocr_record *rec, dtp_error *err)
{
    FILE *f = ctx;
    char key[128];
    dtp_ocr_record_key(rec, key, sizeof key);
    return f ? dtp_ocr_review_write_record(f, rec, NULL, err) : DTP_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dtp_error err;
    FILE *devnull = fopen("/dev/null", "w");
    dtp_ocr_parse_json_capture((const char *)data, size, "f", sink, devnull, &err);
    dtp_ocr_parse_html_capture((const char *)data, size, "f", sink, devnull, &err);
    if (devnull)
        fclose(devnull);
    return 0;
}
