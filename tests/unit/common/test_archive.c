#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/archive.h"
#include "common/sha256.h"

static char dir[256];

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/dtp-archive-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[300];
    /* test-only cleanup of a mkdtemp directory, without a shell */
    pid_t pid = fork();
    if (pid == 0) {
        execlp("chmod", "chmod", "-R", "u+w", dir, (char *)NULL);
        _exit(127);
    }
    waitpid(pid, NULL, 0);
    pid = fork();
    if (pid == 0) {
        execlp("rm", "rm", "-rf", dir, (char *)NULL);
        _exit(127);
    }
    waitpid(pid, NULL, 0);
    (void)cmd;
    return 0;
}

static int count_files(const char *d)
{
    DIR *dd = opendir(d);
    if (!dd)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dd)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(dd);
    return n;
}

static void put_and_read_back(void **state)
{
    dtp_archive *ar;
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_archive_open(dir, &ar, &err), DTP_OK);
    char sha[65];
    assert_int_equal(dtp_archive_put(ar, "abc", 3, sha, &err), DTP_OK);
    /* sha256("abc") is the FIPS 180-2 example */
    assert_string_equal(sha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    char path[4096];
    dtp_archive_path(ar, sha, path, sizeof path);
    assert_non_null(strstr(path, "/raw/ba/ba7816bf"));
    assert_true(dtp_archive_has(ar, sha));
    dtp_buf b;
    dtp_buf_init(&b, 1024);
    assert_int_equal(dtp_archive_read(ar, sha, &b, &err), DTP_OK);
    assert_string_equal(dtp_buf_str(&b), "abc");
    dtp_buf_free(&b);
    /* the same bytes again: same object, not rewritten */
    struct stat s1, s2;
    stat(path, &s1);
    char sha2[65];
    assert_int_equal(dtp_archive_put(ar, "abc", 3, sha2, &err), DTP_OK);
    assert_string_equal(sha, sha2);
    stat(path, &s2);
    assert_int_equal(s1.st_ino, s2.st_ino);
    assert_int_equal(s2.st_mode & 0222, 0); /* objects are read-only */
    dtp_archive_free(ar);
}

static void aborted_write_leaves_no_object(void **state)
{
    dtp_archive *ar;
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_archive_open(dir, &ar, &err), DTP_OK);
    dtp_archive_writer *w;
    assert_int_equal(dtp_archive_writer_new(ar, 10, &w, &err), DTP_OK);
    assert_int_equal(dtp_archive_writer_write(w, "12345", 5, &err), DTP_OK);
    /* over the cap: refused */
    assert_int_equal(dtp_archive_writer_write(w, "678901", 6, &err), DTP_ERR_LIMIT);
    dtp_archive_writer_abort(w);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s/raw/tmp", dir);
    assert_int_equal(count_files(tmp), 0);
    char sha[65];
    dtp_sha256_hex("12345", 5, sha);
    assert_false(dtp_archive_has(ar, sha));
    dtp_archive_free(ar);
}

static void interrupted_process_leaves_no_object(void **state)
{
    /* A child writes half an object and is killed before commit: no object appears, and the
     * next open sweeps the temporary file. */
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        dtp_archive *ar;
        dtp_archive_writer *w;
        if (dtp_archive_open(dir, &ar, NULL) != DTP_OK ||
            dtp_archive_writer_new(ar, 0, &w, NULL) != DTP_OK)
            _exit(1);
        dtp_archive_writer_write(w, "partial bytes", 13, NULL);
        if (write(fds[1], "x", 1) != 1)
            _exit(1);
        pause();
        _exit(0);
    }
    char c;
    assert_int_equal(read(fds[0], &c, 1), 1);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(fds[0]);
    close(fds[1]);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s/raw/tmp", dir);
    assert_int_equal(count_files(tmp), 1); /* the .part file, under no final name */
    char sha[65];
    dtp_sha256_hex("partial bytes", 13, sha);
    dtp_archive *ar;
    assert_int_equal(dtp_archive_open(dir, &ar, NULL), DTP_OK);
    assert_false(dtp_archive_has(ar, sha));
    assert_int_equal(count_files(tmp), 0);
    dtp_archive_free(ar);
}

static void corrupted_object_detected_on_read(void **state)
{
    dtp_archive *ar;
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_archive_open(dir, &ar, &err), DTP_OK);
    char sha[65];
    assert_int_equal(dtp_archive_put(ar, "hello world\n", 12, sha, &err), DTP_OK);
    char path[4096];
    dtp_archive_path(ar, sha, path, sizeof path);
    chmod(path, 0644);
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    fseek(f, 4, SEEK_SET);
    fputc('O', f); /* hellO */
    fclose(f);
    dtp_buf b;
    dtp_buf_init(&b, 1024);
    assert_int_equal(dtp_archive_read(ar, sha, &b, &err), DTP_ERR_INTEGRITY);
    assert_string_equal(err.artifact, sha);
    dtp_buf_free(&b);
    dtp_error_clear(&err);
    assert_int_equal(dtp_archive_verify(ar, sha, &err), DTP_ERR_INTEGRITY);
    assert_non_null(strstr(err.message, "no longer match"));
    /* a missing object is reported as such */
    unlink(path);
    assert_int_equal(dtp_archive_verify(ar, sha, &err), DTP_ERR_NOT_FOUND);
    dtp_archive_free(ar);
}

static void put_file_and_stream(void **state)
{
    char src[4096];
    snprintf(src, sizeof src, "%s/input.bin", dir);
    FILE *f = fopen(src, "wb");
    for (int i = 0; i < 200000; i++)
        fputc(i % 251, f);
    fclose(f);
    dtp_archive *ar;
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_archive_open(dir, &ar, &err), DTP_OK);
    char sha[65], direct[65];
    assert_int_equal(dtp_archive_put_file(ar, src, 0, sha, &err), DTP_OK);
    assert_int_equal(dtp_sha256_file_hex(src, direct, &err), DTP_OK);
    assert_string_equal(sha, direct);
    dtp_archive_reader *r;
    assert_int_equal(dtp_archive_reader_open(ar, sha, &r, &err), DTP_OK);
    char chunk[7777];
    long n, total = 0;
    while ((n = dtp_archive_reader_read(r, chunk, sizeof chunk, &err)) > 0)
        total += n;
    assert_int_equal(total, 200000);
    assert_int_equal(dtp_archive_reader_finish(r, &err), DTP_OK);
    /* a cap smaller than the file refuses it and stores nothing */
    assert_int_equal(dtp_archive_put_file(ar, src, 1000, sha, &err), DTP_ERR_LIMIT);
    dtp_archive_free(ar);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(put_and_read_back, setup, teardown),
        cmocka_unit_test_setup_teardown(aborted_write_leaves_no_object, setup, teardown),
        cmocka_unit_test_setup_teardown(interrupted_process_leaves_no_object, setup, teardown),
        cmocka_unit_test_setup_teardown(corrupted_object_detected_on_read, setup, teardown),
        cmocka_unit_test_setup_teardown(put_file_and_stream, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
