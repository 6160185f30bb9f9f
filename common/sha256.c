#include "common/sha256.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

struct dtp_sha256 {
    EVP_MD_CTX *ctx;
};

dtp_sha256 *dtp_sha256_new(void)
{
    dtp_sha256 *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->ctx = EVP_MD_CTX_new();
    if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
        dtp_sha256_free(h);
        return NULL;
    }
    return h;
}

dtp_status dtp_sha256_update(dtp_sha256 *h, const void *p, size_t n)
{
    if (n == 0)
        return DTP_OK;
    return EVP_DigestUpdate(h->ctx, p, n) == 1 ? DTP_OK : DTP_ERR_NOMEM;
}

static void to_hex(const unsigned char *md, unsigned n, char *hex)
{
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < n; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[2 * n] = '\0';
}

dtp_status dtp_sha256_final_hex(dtp_sha256 *h, char hex[DTP_SHA256_HEX_LEN + 1])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    if (EVP_DigestFinal_ex(h->ctx, md, &n) != 1 || n != 32)
        return DTP_ERR_NOMEM;
    to_hex(md, n, hex);
    /* ready for reuse */
    if (EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1)
        return DTP_ERR_NOMEM;
    return DTP_OK;
}

void dtp_sha256_free(dtp_sha256 *h)
{
    if (!h)
        return;
    EVP_MD_CTX_free(h->ctx);
    free(h);
}

dtp_status dtp_sha256_hex(const void *p, size_t n, char hex[DTP_SHA256_HEX_LEN + 1])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdn = 0;
    if (EVP_Digest(p, n, md, &mdn, EVP_sha256(), NULL) != 1 || mdn != 32)
        return DTP_ERR_NOMEM;
    to_hex(md, mdn, hex);
    return DTP_OK;
}

dtp_status dtp_sha256_file_hex(const char *path, char hex[DTP_SHA256_HEX_LEN + 1], dtp_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        dtp_error_locatef(err, "%s", path);
        return dtp_error_set(err, DTP_ERR_IO, "", "cannot open: %s", strerror(errno));
    }
    dtp_status st = DTP_OK;
    dtp_sha256 *h = dtp_sha256_new();
    if (!h) {
        st = dtp_error_set(err, DTP_ERR_NOMEM, "", "out of memory hashing");
        goto out;
    }
    unsigned char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if ((st = dtp_sha256_update(h, chunk, n)) != DTP_OK)
            goto out;
    }
    if (ferror(f)) {
        dtp_error_locatef(err, "%s", path);
        st = dtp_error_set(err, DTP_ERR_IO, "", "read failed: %s", strerror(errno));
        goto out;
    }
    st = dtp_sha256_final_hex(h, hex);
out:
    dtp_sha256_free(h);
    fclose(f);
    return st;
}

int dtp_sha256_is_hex(const char *s)
{
    if (!s)
        return 0;
    size_t i = 0;
    for (; s[i]; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return 0;
    }
    return i == DTP_SHA256_HEX_LEN;
}
