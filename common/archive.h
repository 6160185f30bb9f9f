/* The raw archive: every byte sequence dtpanel ever received, stored under its sha256 at
 * <data_dir>/raw/<aa>/<sha256>. Objects are written to raw/tmp/, fsync'd, then renamed into
 * place, so nothing partial is ever visible under a final name; an object is never rewritten;
 * every read verifies the hash. */
#ifndef DTP_COMMON_ARCHIVE_H
#define DTP_COMMON_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/error.h"

typedef struct dtp_archive dtp_archive;
typedef struct dtp_archive_writer dtp_archive_writer;
typedef struct dtp_archive_reader dtp_archive_reader;

/* Open (creating raw/ and raw/tmp/ when missing) the archive under data_dir. Leftover temporary
 * files of interrupted writes are removed. */
dtp_status dtp_archive_open(const char *data_dir, dtp_archive **out, dtp_error *err);
void dtp_archive_free(dtp_archive *ar);

/* Borrowed: the archive's root directory (<data_dir>/raw). */
const char *dtp_archive_root(const dtp_archive *ar);

/* Path of an object (whether or not it exists). */
void dtp_archive_path(const dtp_archive *ar, const char *sha256, char *out, size_t outsz);

/* 1 when an object with that hash is stored. */
int dtp_archive_has(const dtp_archive *ar, const char *sha256);

/* Start writing a new object; at most max_bytes may be written (0: no cap beyond 64 GiB). */
dtp_status dtp_archive_writer_new(dtp_archive *ar, uint64_t max_bytes, dtp_archive_writer **out,
                                  dtp_error *err);
/* Append bytes; DTP_ERR_LIMIT past max_bytes. */
dtp_status dtp_archive_writer_write(dtp_archive_writer *w, const void *p, size_t n, dtp_error *err);
/* Bytes written so far. */
uint64_t dtp_archive_writer_size(const dtp_archive_writer *w);
/* fsync, rename into place (or drop the copy if the object already exists) and free w.
 * sha256 receives the object's hash. On failure the temporary file is removed. */
dtp_status dtp_archive_writer_commit(dtp_archive_writer *w, char sha256[65], dtp_error *err);
/* Discard everything written and free w. */
void dtp_archive_writer_abort(dtp_archive_writer *w);

/* Store a memory block. */
dtp_status dtp_archive_put(dtp_archive *ar, const void *p, size_t n, char sha256[65],
                           dtp_error *err);
/* Store a copy of a file. */
dtp_status dtp_archive_put_file(dtp_archive *ar, const char *path, uint64_t max_bytes,
                                char sha256[65], dtp_error *err);

/* Read a whole object into b (capped by b->max), verifying its hash: DTP_ERR_INTEGRITY names the
 * object when the bytes no longer match. */
dtp_status dtp_archive_read(const dtp_archive *ar, const char *sha256, dtp_buf *b, dtp_error *err);

/* Stream an object. Reads hash as they go; dtp_archive_reader_finish reports DTP_ERR_INTEGRITY
 * when the bytes read do not match (callers parse inside a transaction and roll back then). */
dtp_status dtp_archive_reader_open(const dtp_archive *ar, const char *sha256,
                                   dtp_archive_reader **out, dtp_error *err);
/* Returns bytes read (0 at the end) or -1 with err filled. */
long dtp_archive_reader_read(dtp_archive_reader *r, void *p, size_t n, dtp_error *err);
/* Read to the end (if not already) and check the hash; frees r. */
dtp_status dtp_archive_reader_finish(dtp_archive_reader *r, dtp_error *err);
/* Free without checking. */
void dtp_archive_reader_free(dtp_archive_reader *r);

/* Re-hash a stored object: DTP_OK, DTP_ERR_NOT_FOUND or DTP_ERR_INTEGRITY. */
dtp_status dtp_archive_verify(const dtp_archive *ar, const char *sha256, dtp_error *err);

/* Make a directory and its parents (mode 0755); DTP_OK when it exists already. */
dtp_status dtp_mkdirs(const char *path, dtp_error *err);

/* fsync a directory so a rename in it is durable. */
dtp_status dtp_fsync_dir(const char *dir, dtp_error *err);

#endif
