/* Fuzz the report's one escaping function (load/report.h) with arbitrary bytes and check what
 * it promises: the output is valid UTF-8 made only of HTML characters, has no raw < > " ', and
 * every & starts one of the references it writes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load/report.h"

static int valid_utf8_char(const unsigned char *p, size_t left, size_t *len)
{
    unsigned c = p[0];
    uint32_t v;
    size_t n;
    if (c < 0x80) {
        *len = 1;
        return (c >= 0x20 && c != 0x7F) || c == '\t' || c == '\n' || c == '\r';
    }
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, v = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, v = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, v = c & 0x07;
    else
        return 0;
    if (n > left)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3F);
    }
    *len = n;
    if ((n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10FFFF)))
        return 0;
    return !(v >= 0xD800 && v <= 0xDFFF) && v != 0xFFFE && v != 0xFFFF;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *in = malloc(size + 1);
    if (!in)
        return 0;
    memcpy(in, data, size);
    in[size] = '\0';
    char *out = NULL;
    size_t n = 0;
    FILE *mf = open_memstream(&out, &n);
    if (!mf) {
        free(in);
        return 0;
    }
    dtp_load_report_escape(mf, in);
    fclose(mf);
    static const char *const refs[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#xFFFD;"};
    const unsigned char *p = (const unsigned char *)out;
    size_t i = 0;
    while (i < n) {
        size_t len = 0;
        if (!valid_utf8_char(p + i, n - i, &len))
            abort();
        if (p[i] == '<' || p[i] == '>' || p[i] == '"' || p[i] == '\'')
            abort();
        if (p[i] == '&') {
            size_t k = 0;
            while (k < sizeof refs / sizeof refs[0] &&
                   strncmp((const char *)p + i, refs[k], strlen(refs[k])) != 0)
                k++;
            if (k == sizeof refs / sizeof refs[0])
                abort();
        }
        i += len;
    }
    free(out);
    free(in);
    return 0;
}
