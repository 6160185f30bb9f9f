/* SHA-256 through OpenSSL libcrypto (EVP). Hex digests are 64 lower-case characters. */
#ifndef DTP_COMMON_SHA256_H
#define DTP_COMMON_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define DTP_SHA256_HEX_LEN 64

typedef struct dtp_sha256 dtp_sha256;

/* Start an incremental hash. NULL when out of memory. */
dtp_sha256 *dtp_sha256_new(void);
dtp_status dtp_sha256_update(dtp_sha256 *h, const void *p, size_t n);
/* Finish into hex (65 bytes with the NUL). The context can be freed or reused after reset. */
dtp_status dtp_sha256_final_hex(dtp_sha256 *h, char hex[DTP_SHA256_HEX_LEN + 1]);
void dtp_sha256_free(dtp_sha256 *h);

/* One-shot hash of a memory block. */
dtp_status dtp_sha256_hex(const void *p, size_t n, char hex[DTP_SHA256_HEX_LEN + 1]);

/* Hash a whole file, streaming. DTP_ERR_IO with err filled when it cannot be read. */
dtp_status dtp_sha256_file_hex(const char *path, char hex[DTP_SHA256_HEX_LEN + 1], dtp_error *err);

/* 1 when s is 64 lower-case hex characters. */
int dtp_sha256_is_hex(const char *s);

#endif
