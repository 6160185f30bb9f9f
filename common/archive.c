#include "common/archive.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/sha256.h"

#define PATH_MAX_DTP 4096
#define DEFAULT_MAX ((uint64_t)64 << 30)

struct dtp_archive {
    char root[PATH_MAX_DTP];
    char tmp[PATH_MAX_DTP];
    unsigned long counter;
};

struct dtp_archive_writer {
    dtp_archive *ar;
    int fd;
    char tmp_path[PATH_MAX_DTP];
    dtp_sha256 *h;
    uint64_t size, max;
};

struct dtp_archive_reader {
    FILE *f;
    dtp_sha256 *h;
    char sha256[65];
    char path[PATH_MAX_DTP];
    int at_end;
};

static dtp_status io_error(dtp_error *err, const char *path, const char *what)
{
    int e = errno;
    dtp_error_locatef(err, "%s", path);
    return dtp_error_set(err, DTP_ERR_IO, "archive", "%s: %s", what, strerror(e));
}

dtp_status dtp_mkdirs(const char *path, dtp_error *err)
{
    char p[PATH_MAX_DTP];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof p)
        return dtp_error_set(err, DTP_ERR_IO, "archive", "bad directory path");
    memcpy(p, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] == '/' || p[i] == '\0') {
            char c = p[i];
            p[i] = '\0';
            if (mkdir(p, 0755) != 0 && errno != EEXIST)
                return io_error(err, p, "cannot create directory");
            p[i] = c;
        }
    }
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return io_error(err, path, "not a directory");
    return DTP_OK;
}

dtp_status dtp_fsync_dir(const char *dir, dtp_error *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return io_error(err, dir, "cannot open directory");
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    if (rc != 0) {
        errno = e;
        return io_error(err, dir, "fsync failed");
    }
    return DTP_OK;
}

static void sweep_tmp(const char *tmp)
{
    DIR *d = opendir(tmp);
    if (!d)
        return;
    struct dirent *e;
    char p[PATH_MAX_DTP];
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s", tmp, e->d_name);
        unlink(p);
    }
    closedir(d);
}

dtp_status dtp_archive_open(const char *data_dir, dtp_archive **out, dtp_error *err)
{
    *out = NULL;
    dtp_archive *ar = calloc(1, sizeof *ar);
    if (!ar)
        return dtp_error_set(err, DTP_ERR_NOMEM, "archive", "out of memory");
    int n1 = snprintf(ar->root, sizeof ar->root, "%s/raw", data_dir);
    int n2 = snprintf(ar->tmp, sizeof ar->tmp, "%s/raw/tmp", data_dir);
    if (n1 < 0 || n2 < 0 || (size_t)n2 >= sizeof ar->tmp - 80) {
        free(ar);
        return dtp_error_set(err, DTP_ERR_IO, "archive", "data directory path too long");
    }
    dtp_status st = dtp_mkdirs(ar->tmp, err);
    if (st != DTP_OK) {
        free(ar);
        return st;
    }
    /* Only the run holding the data-directory lock opens the archive, so anything left in tmp
     * belongs to an interrupted run and was never visible under a final name. */
    sweep_tmp(ar->tmp);
    *out = ar;
    return DTP_OK;
}

void dtp_archive_free(dtp_archive *ar)
{
    free(ar);
}

const char *dtp_archive_root(const dtp_archive *ar)
{
    return ar->root;
}

void dtp_archive_path(const dtp_archive *ar, const char *sha256, char *out, size_t outsz)
{
    snprintf(out, outsz, "%s/%.2s/%s", ar->root, sha256, sha256);
}

int dtp_archive_has(const dtp_archive *ar, const char *sha256)
{
    if (!dtp_sha256_is_hex(sha256))
        return 0;
    char p[PATH_MAX_DTP];
    dtp_archive_path(ar, sha256, p, sizeof p);
    return access(p, F_OK) == 0;
}

dtp_status dtp_archive_writer_new(dtp_archive *ar, uint64_t max_bytes, dtp_archive_writer **out,
                                  dtp_error *err)
{
    *out = NULL;
    dtp_archive_writer *w = calloc(1, sizeof *w);
    if (!w)
        return dtp_error_set(err, DTP_ERR_NOMEM, "archive", "out of memory");
    w->ar = ar;
    w->max = max_bytes ? max_bytes : DEFAULT_MAX;
    w->h = dtp_sha256_new();
    snprintf(w->tmp_path, sizeof w->tmp_path, "%s/%ld-%lu.part", ar->tmp, (long)getpid(),
             ar->counter++);
    w->fd = open(w->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (!w->h || w->fd < 0) {
        dtp_status st = w->fd < 0 ? io_error(err, w->tmp_path, "cannot create temporary file")
                                  : dtp_error_set(err, DTP_ERR_NOMEM, "archive", "out of memory");
        if (w->fd >= 0)
            close(w->fd);
        dtp_sha256_free(w->h);
        free(w);
        return st;
    }
    *out = w;
    return DTP_OK;
}

dtp_status dtp_archive_writer_write(dtp_archive_writer *w, const void *p, size_t n, dtp_error *err)
{
    if (n > w->max || w->size > w->max - n)
        return dtp_error_set(err, DTP_ERR_LIMIT, "archive",
                             "object larger than the cap of %llu bytes",
                             (unsigned long long)w->max);
    const char *c = p;
    size_t left = n;
    while (left > 0) {
        ssize_t k = write(w->fd, c, left);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return io_error(err, w->tmp_path, "write failed");
        }
        c += k;
        left -= (size_t)k;
    }
    w->size += n;
    return dtp_sha256_update(w->h, p, n);
}

uint64_t dtp_archive_writer_size(const dtp_archive_writer *w)
{
    return w->size;
}

static void writer_free(dtp_archive_writer *w)
{
    if (w->fd >= 0)
        close(w->fd);
    dtp_sha256_free(w->h);
    free(w);
}

void dtp_archive_writer_abort(dtp_archive_writer *w)
{
    if (!w)
        return;
    unlink(w->tmp_path);
    writer_free(w);
}

dtp_status dtp_archive_writer_commit(dtp_archive_writer *w, char sha256[65], dtp_error *err)
{
    dtp_status st = DTP_OK;
    char dir[PATH_MAX_DTP], final[PATH_MAX_DTP];
    if ((st = dtp_sha256_final_hex(w->h, sha256)) != DTP_OK)
        goto fail;
    if (fsync(w->fd) != 0) {
        st = io_error(err, w->tmp_path, "fsync failed");
        goto fail;
    }
    if (close(w->fd) != 0) {
        w->fd = -1;
        st = io_error(err, w->tmp_path, "close failed");
        goto fail;
    }
    w->fd = -1;
    snprintf(dir, sizeof dir, "%s/%.2s", w->ar->root, sha256);
    dtp_archive_path(w->ar, sha256, final, sizeof final);
    if ((st = dtp_mkdirs(dir, err)) != DTP_OK)
        goto fail;
    if (access(final, F_OK) == 0) {
        /* Same bytes already stored: never rewrite an object. */
        unlink(w->tmp_path);
        writer_free(w);
        return DTP_OK;
    }
    if (rename(w->tmp_path, final) != 0) {
        st = io_error(err, final, "cannot move object into place");
        goto fail;
    }
    chmod(final, 0444);
    if ((st = dtp_fsync_dir(dir, err)) != DTP_OK) {
        writer_free(w);
        return st;
    }
    writer_free(w);
    return DTP_OK;
fail:
    dtp_archive_writer_abort(w);
    return st;
}

dtp_status dtp_archive_put(dtp_archive *ar, const void *p, size_t n, char sha256[65],
                           dtp_error *err)
{
    dtp_archive_writer *w;
    dtp_status st = dtp_archive_writer_new(ar, 0, &w, err);
    if (st != DTP_OK)
        return st;
    if ((st = dtp_archive_writer_write(w, p, n, err)) != DTP_OK) {
        dtp_archive_writer_abort(w);
        return st;
    }
    return dtp_archive_writer_commit(w, sha256, err);
}

dtp_status dtp_archive_put_file(dtp_archive *ar, const char *path, uint64_t max_bytes,
                                char sha256[65], dtp_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return io_error(err, path, "cannot open");
    dtp_archive_writer *w;
    dtp_status st = dtp_archive_writer_new(ar, max_bytes, &w, err);
    if (st != DTP_OK) {
        fclose(f);
        return st;
    }
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if ((st = dtp_archive_writer_write(w, chunk, n, err)) != DTP_OK) {
            dtp_error_locatef(err, "%s", path);
            break;
        }
    }
    if (st == DTP_OK && ferror(f))
        st = io_error(err, path, "read failed");
    fclose(f);
    if (st != DTP_OK) {
        dtp_archive_writer_abort(w);
        return st;
    }
    return dtp_archive_writer_commit(w, sha256, err);
}

dtp_status dtp_archive_reader_open(const dtp_archive *ar, const char *sha256,
                                   dtp_archive_reader **out, dtp_error *err)
{
    *out = NULL;
    if (!dtp_sha256_is_hex(sha256))
        return dtp_error_set(err, DTP_ERR_NOT_FOUND, "archive", "'%.80s' is not a sha256", sha256);
    dtp_archive_reader *r = calloc(1, sizeof *r);
    if (!r)
        return dtp_error_set(err, DTP_ERR_NOMEM, "archive", "out of memory");
    dtp_archive_path(ar, sha256, r->path, sizeof r->path);
    snprintf(r->sha256, sizeof r->sha256, "%s", sha256);
    r->f = fopen(r->path, "rb");
    if (!r->f) {
        int e = errno;
        dtp_error_where(err, NULL, sha256, r->path);
        free(r);
        if (e == ENOENT)
            return dtp_error_set(err, DTP_ERR_NOT_FOUND, "archive", "object missing");
        errno = e;
        return io_error(err, sha256, "cannot open object");
    }
    r->h = dtp_sha256_new();
    if (!r->h) {
        fclose(r->f);
        free(r);
        return dtp_error_set(err, DTP_ERR_NOMEM, "archive", "out of memory");
    }
    *out = r;
    return DTP_OK;
}

long dtp_archive_reader_read(dtp_archive_reader *r, void *p, size_t n, dtp_error *err)
{
    if (r->at_end)
        return 0;
    size_t k = fread(p, 1, n, r->f);
    if (k < n) {
        if (ferror(r->f)) {
            io_error(err, r->path, "read failed");
            return -1;
        }
        r->at_end = 1;
    }
    dtp_sha256_update(r->h, p, k);
    return (long)k;
}

void dtp_archive_reader_free(dtp_archive_reader *r)
{
    if (!r)
        return;
    fclose(r->f);
    dtp_sha256_free(r->h);
    free(r);
}

dtp_status dtp_archive_reader_finish(dtp_archive_reader *r, dtp_error *err)
{
    char chunk[65536], hex[65];
    dtp_status st = DTP_OK;
    while (!r->at_end) {
        if (dtp_archive_reader_read(r, chunk, sizeof chunk, err) < 0) {
            st = DTP_ERR_IO;
            goto out;
        }
    }
    if ((st = dtp_sha256_final_hex(r->h, hex)) != DTP_OK)
        goto out;
    if (strcmp(hex, r->sha256) != 0) {
        dtp_error_where(err, NULL, r->sha256, r->path);
        st = dtp_error_set(err, DTP_ERR_INTEGRITY, "archive",
                           "stored bytes no longer match their sha256 (now %.12s)", hex);
    }
out:
    dtp_archive_reader_free(r);
    return st;
}

dtp_status dtp_archive_read(const dtp_archive *ar, const char *sha256, dtp_buf *b, dtp_error *err)
{
    dtp_archive_reader *r;
    dtp_status st = dtp_archive_reader_open(ar, sha256, &r, err);
    if (st != DTP_OK)
        return st;
    char chunk[65536];
    long k;
    while ((k = dtp_archive_reader_read(r, chunk, sizeof chunk, err)) > 0) {
        if ((st = dtp_buf_append(b, chunk, (size_t)k)) != DTP_OK) {
            dtp_archive_reader_free(r);
            dtp_error_where(err, NULL, sha256, NULL);
            return dtp_error_set(err, st, "archive", "object larger than %zu bytes", b->max);
        }
    }
    if (k < 0) {
        dtp_archive_reader_free(r);
        return DTP_ERR_IO;
    }
    return dtp_archive_reader_finish(r, err);
}

dtp_status dtp_archive_verify(const dtp_archive *ar, const char *sha256, dtp_error *err)
{
    dtp_archive_reader *r;
    dtp_status st = dtp_archive_reader_open(ar, sha256, &r, err);
    if (st != DTP_OK)
        return st;
    return dtp_archive_reader_finish(r, err);
}
