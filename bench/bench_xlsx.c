/* bench_xlsx [ROWS] [PATH]: write a ROWS-row ISO-Survey-like sheet with libxlsxwriter in
 * constant_memory mode (in a child process, so its memory is not counted), then stream it back
 * twice: through the raw cell callback and through dtp_isosurvey_parse_xlsx. Prints rows/s and
 * the parent's peak RSS (getrusage ru_maxrss). Target: peak RSS < 64 MB at 200,000 rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "fetch/isosurvey.h"
#include "fetch/xlsx.h"

static const char *const names[] = {"Taipei, Chinese",
                                    "Korea, Republic of",
                                    "Hong Kong, China",
                                    "C\xc3\xb4te D'Ivoire",
                                    "Viet Nam",
                                    "Germany",
                                    "Japan",
                                    "Congo, the Democratic Republic"};

static int generate(const char *path, long rows)
{
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    if (!wb)
        return 1;
    lxw_worksheet *ws = workbook_add_worksheet(wb, "ISO IEC 27001");
    worksheet_write_string(ws, 0, 0, "ISO Survey 2022 - ISO/IEC 27001 (generated bench data)",
                           NULL);
    worksheet_write_string(ws, 1, 0, "Country", NULL);
    worksheet_write_string(ws, 1, 1, "certificates", NULL);
    worksheet_write_string(ws, 1, 2, "sites", NULL);
    worksheet_write_string(ws, 1, 3, "share", NULL);
    worksheet_write_string(ws, 1, 4, "note", NULL);
    for (long r = 0; r < rows; r++) {
        lxw_row_t row = (lxw_row_t)(r + 2);
        char note[32];
        worksheet_write_string(ws, row, 0, names[r % 8], NULL);
        if (r % 5)
            worksheet_write_number(ws, row, 1, (double)(r % 9973), NULL);
        worksheet_write_number(ws, row, 2, (double)(r % 12007), NULL);
        worksheet_write_number(ws, row, 3, (double)(r % 1000) / 1000.0, NULL);
        snprintf(note, sizeof note, "row %ld", r);
        worksheet_write_string(ws, row, 4, note, NULL);
    }
    return workbook_close(wb) == LXW_NO_ERROR ? 0 : 1;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of this process: on a shared machine wall time says more about the neighbours */
static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static dtp_status count_cell(void *ctx, const dtp_xlsx_cell *c, dtp_error *err)
{
    (*(long *)ctx)++;
    return DTP_OK;
}

static dtp_status count_obs(void *ctx, const dtp_obs *o, dtp_error *err)
{
    (*(long *)ctx)++;
    return DTP_OK;
}

int main(int argc, char **argv)
{
    long rows = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
    char path[256];
    snprintf(path, sizeof path, "%s", argc > 2 ? argv[2] : "/tmp/dtp_bench_xlsx.xlsx");
    pid_t pid = fork();
    if (pid == 0)
        _exit(generate(path, rows));
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
        fprintf(stderr, "bench_xlsx: generating %s failed\n", path);
        return 1;
    }
    struct stat sb;
    stat(path, &sb);

    dtp_error err;
    char msg[2048];
    dtp_error_clear(&err);
    double t0 = now(), c0 = cpu();
    dtp_xlsx *x = dtp_xlsx_open_file(path, NULL, &err);
    if (!x) {
        fprintf(stderr, "bench_xlsx: %s\n", dtp_error_format(&err, msg, sizeof msg));
        return 1;
    }
    long cells = 0;
    dtp_xlsx_handlers h = {count_cell, NULL, NULL, 0};
    if (dtp_xlsx_read_sheet(x, 0, &h, &cells, &err) != DTP_OK) {
        fprintf(stderr, "bench_xlsx: %s\n", dtp_error_format(&err, msg, sizeof msg));
        return 1;
    }
    double t1 = now(), c1 = cpu();
    long obs = 0;
    if (dtp_isosurvey_parse_xlsx(x, 2022, count_obs, &obs, NULL, &err) != DTP_OK) {
        fprintf(stderr, "bench_xlsx: %s\n", dtp_error_format(&err, msg, sizeof msg));
        return 1;
    }
    double t2 = now(), c2 = cpu();
    dtp_xlsx_free(x);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("file: %s, %ld data rows, %.1f MB on disk\n", path, rows, (double)sb.st_size / 1e6);
    printf("raw cells: %ld cells, %.2f s wall = %.0f rows/s, %.2f s cpu = %.0f rows/s\n", cells,
           t1 - t0, (double)rows / (t1 - t0), c1 - c0, (double)rows / (c1 - c0));
    printf("isosurvey: %ld observations, %.2f s wall = %.0f rows/s, %.2f s cpu = %.0f rows/s "
           "(merges first: two passes)\n",
           obs, t2 - t1, (double)rows / (t2 - t1), c2 - c1, (double)rows / (c2 - c1));
    printf("peak RSS: %.1f MB (target < 64 MB)\n", (double)ru.ru_maxrss / 1024.0);
    unlink(path);
    return 0;
}
