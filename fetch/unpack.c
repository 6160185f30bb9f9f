#include "fetch/unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STAGE "fetch"
#define IN_CHUNK (64 * 1024)

struct dtp_unpack {
    struct archive *a;
    dtp_reader *src;
    unsigned char *inbuf;
    dtp_unpack_limits lim;
    char name[256];
    char entry[512];
    unsigned entries;
    uint64_t entry_read;
    dtp_status st; /* sticky failure of the entry reader */
    char msg[DTP_ERR_MESSAGE_MAX];
};

static la_ssize_t cb_read(struct archive *a, void *data, const void **buf)
{
    dtp_unpack *u = data;
    ssize_t got = u->src->read(u->src->ctx, u->inbuf, IN_CHUNK);
    if (got < 0) {
        archive_set_error(a, EIO, "read failed");
        return -1;
    }
    *buf = u->inbuf;
    return (la_ssize_t)got;
}

static la_int64_t cb_seek(struct archive *a, void *data, la_int64_t off, int whence)
{
    (void)a;
    dtp_unpack *u = data;
    return u->src->seek(u->src->ctx, off, whence);
}

static dtp_status arc_fail(dtp_unpack *u, dtp_error *err, dtp_status st, const char *what)
{
    const char *why = u->a ? archive_error_string(u->a) : NULL;
    dtp_error_locatef(err, "%s%s%s", u->name, u->entry[0] ? "!" : "", u->entry);
    return dtp_error_set(err, st, STAGE, "%s: %s", what, why ? why : "archive error");
}

dtp_status dtp_unpack_open(dtp_unpack **out, dtp_reader *src, dtp_unpack_format fmt,
                           const dtp_unpack_limits *lim, const char *name, dtp_error *err)
{
    dtp_status st = DTP_OK;
    *out = NULL;
    if (fmt == DTP_UNPACK_7ZIP && !src->seek) {
        /* 7z keeps its directory at the end: libarchive must seek back to the data */
        dtp_error_locatef(err, "%s", name ? name : "");
        return dtp_error_set(err, DTP_ERR_USAGE, STAGE, "a 7z archive needs a seekable reader");
    }
    dtp_unpack *u = calloc(1, sizeof *u);
    if (!u)
        return dtp_error_set(err, DTP_ERR_NOMEM, STAGE, "out of memory");
    snprintf(u->name, sizeof u->name, "%s", name ? name : "");
    u->src = src;
    if (lim)
        u->lim = *lim;
    if (!u->lim.max_entries)
        u->lim.max_entries = 64;
    if (!u->lim.max_entry_bytes)
        u->lim.max_entry_bytes = (uint64_t)1 << 30;
    u->inbuf = malloc(IN_CHUNK);
    u->a = archive_read_new();
    if (!u->inbuf || !u->a) {
        st = dtp_error_set(err, DTP_ERR_NOMEM, STAGE, "out of memory");
        goto out;
    }
    /* only the one format expected: a zip is never read as something else by accident */
    int r = fmt == DTP_UNPACK_7ZIP ? archive_read_support_format_7zip(u->a)
                                   : archive_read_support_format_zip(u->a);
    if (r != ARCHIVE_OK) {
        st = arc_fail(u, err, DTP_ERR_UNSUPPORTED, "libarchive lacks the format");
        goto out;
    }
    archive_read_set_read_callback(u->a, cb_read);
    if (src->seek)
        archive_read_set_seek_callback(u->a, cb_seek);
    archive_read_set_callback_data(u->a, u);
    if (archive_read_open1(u->a) != ARCHIVE_OK) {
        st = arc_fail(u, err, DTP_ERR_PARSE,
                      fmt == DTP_UNPACK_7ZIP ? "not a readable 7z archive"
                                             : "not a readable zip archive");
        goto out;
    }
    *out = u;
    u = NULL;
out:
    dtp_unpack_free(u);
    return st;
}

dtp_status dtp_unpack_next(dtp_unpack *u, const char **entry_name, dtp_error *err)
{
    *entry_name = NULL;
    for (;;) {
        struct archive_entry *e;
        int r = archive_read_next_header(u->a, &e);
        if (r == ARCHIVE_EOF)
            return DTP_OK;
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
            return arc_fail(u, err, DTP_ERR_PARSE, "corrupt or truncated archive");
        const char *p = archive_entry_pathname_utf8(e);
        if (!p)
            p = archive_entry_pathname(e);
        snprintf(u->entry, sizeof u->entry, "%s", p ? p : "");
        u->entry_read = 0;
        u->st = DTP_OK;
        if (archive_entry_filetype(e) == AE_IFDIR)
            continue;
        if (++u->entries > u->lim.max_entries) {
            dtp_error_locatef(err, "%s!%s", u->name, u->entry);
            return dtp_error_set(err, DTP_ERR_LIMIT, STAGE, "more than %u entries",
                                 u->lim.max_entries);
        }
        if (archive_entry_filetype(e) != AE_IFREG) {
            dtp_error_locatef(err, "%s!%s", u->name, u->entry);
            return dtp_error_set(err, DTP_ERR_PARSE, STAGE, "entry is not a regular file");
        }
        if (archive_entry_is_encrypted(e)) {
            dtp_error_locatef(err, "%s!%s", u->name, u->entry);
            return dtp_error_set(err, DTP_ERR_UNSUPPORTED, STAGE, "entry is encrypted");
        }
        if (archive_entry_size_is_set(e) && archive_entry_size(e) >= 0 &&
            (uint64_t)archive_entry_size(e) > u->lim.max_entry_bytes) {
            dtp_error_locatef(err, "%s!%s", u->name, u->entry);
            return dtp_error_set(
                err, DTP_ERR_LIMIT, STAGE, "entry of %lld bytes exceeds the cap of %llu",
                (long long)archive_entry_size(e), (unsigned long long)u->lim.max_entry_bytes);
        }
        *entry_name = u->entry;
        return DTP_OK;
    }
}

static ssize_t entry_read(void *ctx, void *buf, size_t n)
{
    dtp_unpack *u = ctx;
    if (u->st != DTP_OK)
        return -1;
    la_ssize_t got = archive_read_data(u->a, buf, n);
    if (got < 0) {
        const char *why = archive_error_string(u->a);
        u->st = DTP_ERR_PARSE;
        snprintf(u->msg, sizeof u->msg, "corrupt or truncated entry: %s",
                 why ? why : "archive error");
        return -1;
    }
    u->entry_read += (uint64_t)got;
    if (u->entry_read > u->lim.max_entry_bytes) {
        /* the size in the header can lie; count what actually comes out */
        u->st = DTP_ERR_LIMIT;
        snprintf(u->msg, sizeof u->msg, "entry expands beyond the cap of %llu bytes",
                 (unsigned long long)u->lim.max_entry_bytes);
        return -1;
    }
    return (ssize_t)got;
}

dtp_reader dtp_unpack_entry_reader(dtp_unpack *u)
{
    dtp_reader r = {entry_read, NULL, u};
    return r;
}

dtp_status dtp_unpack_status(const dtp_unpack *u, dtp_error *err)
{
    if (u->st == DTP_OK)
        return DTP_OK;
    dtp_error_locatef(err, "%s!%s", u->name, u->entry);
    return dtp_error_set(err, u->st, STAGE, "%s", u->msg);
}

void dtp_unpack_free(dtp_unpack *u)
{
    if (!u)
        return;
    if (u->a)
        archive_read_free(u->a);
    free(u->inbuf);
    free(u);
}
