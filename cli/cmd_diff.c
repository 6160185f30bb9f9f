/* dtpanel diff [RELEASE_A] [RELEASE_B] [--csv FILE]: revisions between two releases. A release
 * is named by its id (a file under <data-dir>/releases) or by a path. Default: the two latest
 * kept releases. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "load/load.h"

static const char *js(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static long long ji(json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));
}

static void release_path(dtp_cli *cli, const char *arg, char *out, size_t n)
{
    long id;
    if (dtp_parse_long(arg, &id) == 0)
        snprintf(out, n, "%s/releases/%ld.db", cli->data_dir, id);
    else
        snprintf(out, n, "%s", arg);
}

/* The two highest release ids kept under releases/ (0 when fewer). */
static void latest_two(const char *dir, long long *a, long long *b)
{
    *a = *b = 0;
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        char *end = NULL;
        errno = 0;
        long long v = strtoll(de->d_name, &end, 10);
        if (errno || end == de->d_name || strcmp(end, ".db") != 0)
            continue;
        if (v > *b) {
            *a = *b;
            *b = v;
        } else if (v > *a) {
            *a = v;
        }
    }
    closedir(d);
}

int dtp_cmd_diff(dtp_cli *cli)
{
    const char *pos[2] = {NULL, NULL}, *csv = NULL;
    int npos = 0;
    long top = 10;
    for (int i = 1; i < cli->argc; i++) {
        const char *a = cli->argv[i];
        if (strcmp(a, "--csv") == 0 && i + 1 < cli->argc)
            csv = cli->argv[++i];
        else if (strcmp(a, "--top") == 0 && i + 1 < cli->argc) {
            if (dtp_parse_long(cli->argv[++i], &top) || top < 1 || top > 100000) {
                fprintf(stderr, "dtpanel: diff: --top needs a number from 1 to 100000\n");
                return DTP_EXIT_USAGE;
            }
        } else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "dtpanel: diff: unknown option '%s'\n", a);
            return DTP_EXIT_USAGE;
        } else if (npos < 2)
            pos[npos++] = a;
        else {
            fprintf(stderr, "dtpanel: diff: unexpected argument '%s'\n", a);
            return DTP_EXIT_USAGE;
        }
    }
    char pa[DTP_PATH + 64], pb[DTP_PATH + 64];
    if (npos == 2) {
        release_path(cli, pos[0], pa, sizeof pa);
        release_path(cli, pos[1], pb, sizeof pb);
    } else if (npos == 1) {
        /* one release: compare it with the published warehouse */
        release_path(cli, pos[0], pa, sizeof pa);
        snprintf(pb, sizeof pb, "%s", cli->warehouse);
    } else {
        char dir[DTP_PATH + 16];
        snprintf(dir, sizeof dir, "%s/releases", cli->data_dir);
        long long a, b;
        latest_two(dir, &a, &b);
        if (!a) {
            fprintf(stderr,
                    "dtpanel: diff: fewer than two releases are kept under %s; name"
                    " two releases\n",
                    dir);
            return DTP_EXIT_USAGE;
        }
        snprintf(pa, sizeof pa, "%s/%lld.db", dir, a);
        snprintf(pb, sizeof pb, "%s/%lld.db", dir, b);
    }
    dtp_error err;
    dtp_error_clear(&err);
    json_t *d = NULL;
    if (dtp_load_diff(pa, pb, csv, (int)top, &d, &err) != DTP_OK)
        return dtp_cli_fail(cli, &err);
    printf("release %lld -> release %lld: %lld new, %lld revised, %lld withdrawn cells (%lld"
           " published in %lld)\n",
           ji(d, "release_a"), ji(d, "release_b"), ji(d, "new"), ji(d, "revised"),
           ji(d, "withdrawn"), ji(d, "cells_b"), ji(d, "release_b"));
    size_t i;
    json_t *r;
    if (json_array_size(json_object_get(d, "by_source_variable")))
        printf("\nby source and variable:\n  %-24s %-9s %-16s %8s %8s %10s\n", "source", "panel",
               "variable", "new", "revised", "withdrawn");
    json_array_foreach(json_object_get(d, "by_source_variable"), i, r)
    {
        printf("  %-24s %-9s %-16s %8lld %8lld %10lld\n", *js(r, "source") ? js(r, "source") : "-",
               js(r, "panel"), js(r, "variable"), ji(r, "new"), ji(r, "revised"),
               ji(r, "withdrawn"));
    }
    if (json_array_size(json_object_get(d, "largest_revisions")))
        printf("\nlargest relative revisions:\n");
    json_array_foreach(json_object_get(d, "largest_revisions"), i, r)
    {
        printf("  %s %s %lld %s: %.10g -> %.10g (%+.2f%%) [%s]\n", js(r, "panel"), js(r, "entity"),
               ji(r, "year"), js(r, "variable"), json_number_value(json_object_get(r, "value_a")),
               json_number_value(json_object_get(r, "value_b")),
               100 * json_number_value(json_object_get(r, "rel_change")), js(r, "source"));
    }
    if (json_array_size(json_object_get(d, "history_moved")))
        printf("\nseries whose history moved (values before the latest year revised):\n");
    json_array_foreach(json_object_get(d, "history_moved"), i, r)
    {
        printf("  %s %s %s: %lld cell(s), %lld-%lld\n", js(r, "panel"), js(r, "entity"),
               js(r, "variable"), ji(r, "cells"), ji(r, "first_year"), ji(r, "last_year"));
    }
    if (csv)
        printf("\nevery changed cell: %s\n", csv);
    json_decref(d);
    return DTP_EXIT_OK;
}
