/* Fuzz target: the image decode and preprocessing entry (header check, decode, grey, text-height
 * estimate, scaling, binarisation, rule removal, deskew) and the crop encoder. Recognition is
 * left out: Tesseract is not ours to fuzz and is far too slow per input. */
#include <stdint.h>
#include <stdlib.h>

#include "ocr/preprocess.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dtp_ocr_params p;
    dtp_ocr_params_default(&p);
    p.max_pixels = 1 << 20; /* keep each input fast; the cap path is exercised too */
    /* the first byte picks the optional steps so one corpus covers them all */
    if (size > 0) {
        p.binarize = (dtp_ocr_binarize)(data[0] % 3);
        p.remove_rules = (data[0] >> 2) & 1;
        p.deskew = (data[0] >> 3) & 1;
    }
    dtp_ocr_image *img = NULL;
    dtp_error err;
    dtp_error_clear(&err);
    if (dtp_ocr_image_new(data, size, &p, &img, &err) == DTP_OK) {
        dtp_ocr_box b = {img->width / 4, img->height / 4, img->width / 2 + 1, img->height / 2 + 1};
        (void)dtp_ocr_image_to_original(img, b);
        uint8_t *png = NULL;
        size_t n = 0;
        if (dtp_ocr_crop_png_mem(img, b, 1 << 20, &png, &n, &err) == DTP_OK)
            free(png);
        dtp_ocr_image_free(img);
    }
    return 0;
}
