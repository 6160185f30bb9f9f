/* A small byte-stream interface the source parsers read from, so large artifacts stream from a
 * file or the raw archive while tests feed memory buffers or fault-injecting readers
 * (STYLE.md 7). */
#ifndef DTP_FETCH_READER_H
#define DTP_FETCH_READER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

typedef struct dtp_reader {
    /* Read up to n bytes into buf: bytes read, 0 at end of input, -1 on error. */
    ssize_t (*read)(void *ctx, void *buf, size_t n);
    /* Optional (may be NULL): reposition like fseeko(whence); new offset or -1. Archive readers
     * (7z keeps its directory at the end) need it. */
    int64_t (*seek)(void *ctx, int64_t off, int whence);
    void *ctx;
} dtp_reader;

/* State of a reader over a memory buffer; the bytes are borrowed. */
typedef struct dtp_mem_reader {
    const unsigned char *p;
    size_t len;
    size_t pos;
} dtp_mem_reader;

/* A seekable reader over p[0..len) (borrowed; m must outlive the reader). */
dtp_reader dtp_reader_mem(dtp_mem_reader *m, const void *p, size_t len);

/* A seekable reader over an open stdio stream (borrowed; the caller closes it). */
dtp_reader dtp_reader_file(FILE *f);

#endif
