/* A small staging database built by direct SQL over a temporary raw archive, for the load
 * tests and the benchmark. Every figure kind the auditor tools handle is present: observed from
 * CSV, JSON and xlsx, observed from an OCR certificate record, imputed with two anchors,
 * overridden with a citation, derived from input cells and from a reference-table artifact.
 * The CSV and JSON artifacts are real recorded files (tests/fixtures/real); the xlsx, image and
 * reference-table bytes are generated here and labelled generated. */
#ifndef DTP_TEST_LOAD_FIXTURE_H
#define DTP_TEST_LOAD_FIXTURE_H

#include <sqlite3.h>

#include "common/archive.h"

typedef struct fixture {
    char dir[256];       /* data directory */
    char staging[300];   /* <dir>/staging.db */
    char warehouse[300]; /* <dir>/warehouse.db */
    sqlite3 *db;         /* staging, open */
    dtp_archive *ar;
    char csv_sha[65], json_sha[65], xlsx_sha[65], img_sha[65], ref_sha[65];
} fixture;

/* Create the data directory, archive and staging content. 0 on success. */
int fixture_build(fixture *f);
/* Close and remove everything. */
void fixture_free(fixture *f);

/* Run SQL on a database; 0 on success. */
int fixture_exec(sqlite3 *db, const char *sql);
/* First column of the first row as an integer (-1 on error). */
long long fixture_int(sqlite3 *db, const char *sql);
/* sha256 of a file on disk ("" on error). */
void fixture_file_sha(const char *path, char out[65]);
/* Run argv (argv[0] a path) with extra environment entries (NULL-terminated, may be NULL);
 * returns the exit status, or 128 + signal. stdout goes to out_path when not NULL. */
int fixture_spawn(char *const argv[], char *const extra_env[], const char *out_path);

#endif
