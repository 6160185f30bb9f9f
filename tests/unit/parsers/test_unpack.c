/* unpack: caps on entry size and count, refused entry types, 7z needs seeking, zip streams. The
 * archives are built in memory with libarchive's writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "fetch/unpack.h"

#define CAP (4u << 20)

typedef struct member {
    const char *name;
    size_t size; /* of zeros */
    int type;    /* AE_IFREG, AE_IFLNK, AE_IFDIR */
} member;

/* Build an archive in a malloc'd buffer; *len gets its size. */
static unsigned char *build(int zip, const member *m, size_t n, size_t *len)
{
    unsigned char *out = malloc(CAP);
    struct archive *a = archive_write_new();
    assert_int_equal(zip ? archive_write_set_format_zip(a) : archive_write_set_format_7zip(a),
                     ARCHIVE_OK);
    size_t used = 0;
    assert_int_equal(archive_write_open_memory(a, out, CAP, &used), ARCHIVE_OK);
    char *zeros = calloc(1, 1 << 20);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, m[i].name);
        archive_entry_set_filetype(e, (unsigned)m[i].type);
        archive_entry_set_perm(e, 0644);
        if (m[i].type == AE_IFLNK)
            archive_entry_set_symlink(e, "/etc/passwd");
        archive_entry_set_size(e, m[i].type == AE_IFREG ? (la_int64_t)m[i].size : 0);
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        for (size_t left = m[i].type == AE_IFREG ? m[i].size : 0; left;) {
            size_t k = left < (1u << 20) ? left : (1u << 20);
            assert_int_equal(archive_write_data(a, zeros, k), (la_ssize_t)k);
            left -= k;
        }
        archive_entry_free(e);
    }
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    free(zeros);
    *len = used;
    return out;
}

/* Read every entry fully; returns the first failure. */
static dtp_status drain(const unsigned char *p, size_t len, int zip, int seekable,
                        const dtp_unpack_limits *lim, size_t *entries, dtp_error *err)
{
    dtp_mem_reader m;
    dtp_reader r = dtp_reader_mem(&m, p, len);
    if (!seekable)
        r.seek = NULL;
    dtp_unpack *u = NULL;
    dtp_error_clear(err);
    *entries = 0;
    dtp_status st = dtp_unpack_open(&u, &r, zip ? DTP_UNPACK_ZIP : DTP_UNPACK_7ZIP, lim, "a", err);
    const char *name;
    while (st == DTP_OK && (st = dtp_unpack_next(u, &name, err)) == DTP_OK && name) {
        (*entries)++;
        dtp_reader er = dtp_unpack_entry_reader(u);
        char buf[65536];
        ssize_t got;
        while ((got = er.read(er.ctx, buf, sizeof buf)) > 0)
            ;
        if (got < 0)
            st = dtp_unpack_status(u, err);
    }
    dtp_unpack_free(u);
    return st;
}

static void bomb_stops_at_the_cap(void **state)
{
    for (int zip = 0; zip < 2; zip++) {
        member m[] = {{"big.csv", 3u << 20, AE_IFREG}};
        size_t len, n;
        unsigned char *p = build(zip, m, 1, &len);
        assert_true(len < 64 * 1024); /* zeros compress: a small file that expands */
        dtp_unpack_limits lim = {.max_entry_bytes = 1u << 20};
        dtp_error err;
        assert_int_equal(drain(p, len, zip, 1, &lim, &n, &err), DTP_ERR_LIMIT);
        assert_string_equal(err.locator, "a!big.csv");
        dtp_unpack_limits roomy = {.max_entry_bytes = 4u << 20};
        assert_int_equal(drain(p, len, zip, 1, &roomy, &n, &err), DTP_OK);
        assert_int_equal(n, 1);
        free(p);
    }
}

static void entry_count_and_types(void **state)
{
    member many[] = {{"a", 1, AE_IFREG}, {"b", 1, AE_IFREG}, {"c", 1, AE_IFREG}};
    member link[] = {{"x.csv", 0, AE_IFLNK}};
    member dir[] = {{"d/", 0, AE_IFDIR}, {"d/x.csv", 5, AE_IFREG}};
    dtp_unpack_limits two = {.max_entries = 2};
    size_t len, n;
    dtp_error err;
    unsigned char *p = build(1, many, 3, &len);
    assert_int_equal(drain(p, len, 1, 1, &two, &n, &err), DTP_ERR_LIMIT);
    assert_non_null(strstr(err.message, "more than 2 entries"));
    free(p);
    p = build(1, link, 1, &len);
    assert_int_equal(drain(p, len, 1, 1, NULL, &n, &err), DTP_ERR_PARSE);
    assert_non_null(strstr(err.message, "not a regular file"));
    free(p);
    p = build(1, dir, 2, &len);
    assert_int_equal(drain(p, len, 1, 0, NULL, &n, &err), DTP_OK); /* zip streams without seek */
    assert_int_equal(n, 1);
    free(p);
}

static void sevenzip_needs_seek(void **state)
{
    member m[] = {{"x.csv", 10, AE_IFREG}};
    size_t len, n;
    dtp_error err;
    unsigned char *p = build(0, m, 1, &len);
    assert_int_equal(drain(p, len, 0, 0, NULL, &n, &err), DTP_ERR_USAGE);
    assert_int_equal(drain(p, len, 0, 1, NULL, &n, &err), DTP_OK);
    /* a zip is not a 7z and the other way round */
    assert_int_equal(drain(p, len, 1, 1, NULL, &n, &err), DTP_ERR_PARSE);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bomb_stops_at_the_cap),
        cmocka_unit_test(entry_count_and_types),
        cmocka_unit_test(sevenzip_needs_seek),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
