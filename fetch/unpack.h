/* Reading the members of a 7z or zip artifact with libarchive without writing anything to disk:
 * entries are visited in order and their bytes streamed through a dtp_reader, with caps on the
 * number of entries and on each entry's size (a zip bomb stops at the cap). */
#ifndef DTP_FETCH_UNPACK_H
#define DTP_FETCH_UNPACK_H

#include <stdint.h>

#include "common/error.h"
#include "fetch/reader.h"

typedef enum dtp_unpack_format { DTP_UNPACK_7ZIP, DTP_UNPACK_ZIP } dtp_unpack_format;

typedef struct dtp_unpack_limits {
    unsigned max_entries;     /* 0 = 64 */
    uint64_t max_entry_bytes; /* uncompressed bytes per entry; 0 = 1 GiB */
} dtp_unpack_limits;

typedef struct dtp_unpack dtp_unpack;

/* Open the archive read from src (borrowed; seekable for 7z). name is used in messages. */
dtp_status dtp_unpack_open(dtp_unpack **out, dtp_reader *src, dtp_unpack_format fmt,
                           const dtp_unpack_limits *lim, const char *name, dtp_error *err);

/* Move to the next regular-file entry: *entry_name is borrowed until the next call, NULL at the
 * end of the archive. Directories are skipped; links, devices and encrypted entries are
 * errors. */
dtp_status dtp_unpack_next(dtp_unpack *u, const char **entry_name, dtp_error *err);

/* A reader over the current entry's bytes (valid until dtp_unpack_next or _free). When it
 * returns -1, dtp_unpack_status says why. */
dtp_reader dtp_unpack_entry_reader(dtp_unpack *u);

/* DTP_OK, or the failure that made the entry reader return -1 (err filled). */
dtp_status dtp_unpack_status(const dtp_unpack *u, dtp_error *err);

void dtp_unpack_free(dtp_unpack *u);

#endif
