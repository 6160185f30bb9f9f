/* dtpanel trace ENTITY YEAR VARIABLE: the chain behind one published figure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/figure_args.h"
#include "common/archive.h"
#include "load/load.h"

static const char *js(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static void print_value(json_t *v)
{
    if (json_is_real(v))
        printf("%.10g", json_real_value(v));
    else if (json_is_integer(v))
        printf("%lld", (long long)json_integer_value(v));
    else if (json_is_string(v))
        printf("%s", json_string_value(v));
    else
        printf("(none)");
}

static void print_artifact(json_t *a, int ind)
{
    if (!a)
        return;
    printf("%*sartifact sha256 %s%s\n", ind, "", js(a, "sha256"),
           json_integer_value(json_object_get(a, "generated")) == 1
               ? "  [generated: demo data, not upstream]"
               : "");
    if (*js(a, "original_name") || *js(a, "content_type"))
        printf("%*s  %s (%s, %lld bytes)\n", ind, "", js(a, "original_name"), js(a, "content_type"),
               (long long)json_integer_value(json_object_get(a, "size")));
    if (*js(a, "path"))
        printf("%*s  stored at %s\n", ind, "", js(a, "path"));
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(a, "fetches"), i, f)
    {
        printf("%*s  fetched %s from %s", ind, "", js(f, "fetched_at"), js(f, "url"));
        if (*js(f, "upstream_version"))
            printf(", upstream version %s", js(f, "upstream_version"));
        if (*js(f, "last_modified"))
            printf(", last modified %s", js(f, "last_modified"));
        printf(" (%s)\n", js(f, "outcome"));
    }
}

static void print_cell(json_t *c, int ind)
{
    printf("%*s%s %s %lld %s = ", ind, "", js(c, "panel"), js(c, "entity"),
           (long long)json_integer_value(json_object_get(c, "year")), js(c, "variable"));
    print_value(json_object_get(c, "value"));
    printf("  [%s]", js(c, "status"));
    if (*js(c, "method"))
        printf(" method: %s", js(c, "method"));
    if (*js(c, "reason"))
        printf(" reason: %s", js(c, "reason"));
    printf("\n");
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(c, "lineage"), i, e)
    {
        const char *role = js(e, "role");
        json_t *x;
        if ((x = json_object_get(e, "observation")) && !json_is_null(x)) {
            printf("%*s%s: observation #%lld from %s (%s) %s %lld = ", ind + 2, "", role,
                   (long long)json_integer_value(json_object_get(x, "id")), js(x, "source"),
                   js(x, "indicator"), js(x, "entity_raw"),
                   (long long)json_integer_value(json_object_get(x, "year")));
            if (*js(x, "value_raw"))
                printf("\"%s\"", js(x, "value_raw"));
            else
                print_value(json_object_get(x, "value"));
            printf(" %s\n%*s  at %s\n", js(x, "unit"), ind + 2, "", js(x, "locator"));
            print_artifact(json_object_get(x, "artifact"), ind + 4);
        } else if ((x = json_object_get(e, "record")) && !json_is_null(x)) {
            printf("%*s%s: certificate %s (%s), %s, issued %s, expires %s, province %s (%s),"
                   " review %s\n",
                   ind + 2, "", role, js(x, "cert_no"), js(x, "capture"), js(x, "org_name"),
                   js(x, "issue_date"), js(x, "expiry_date"), js(x, "province_code"),
                   js(x, "province_rule"), js(x, "review_status"));
            size_t k;
            json_t *f;
            json_array_foreach(json_object_get(x, "fields"), k, f)
            {
                json_t *b = json_object_get(f, "bbox");
                printf("%*s  field %s = \"%s\" at %s", ind + 2, "", js(f, "field"), js(f, "value"),
                       js(f, "locator"));
                if (b)
                    printf(" box %lld,%lld %lldx%lld",
                           (long long)json_integer_value(json_object_get(b, "x")),
                           (long long)json_integer_value(json_object_get(b, "y")),
                           (long long)json_integer_value(json_object_get(b, "w")),
                           (long long)json_integer_value(json_object_get(b, "h")));
                if (json_object_get(f, "confidence"))
                    printf(" confidence %.1f", json_number_value(json_object_get(f, "confidence")));
                if (*js(f, "engine"))
                    printf(" (%s)", js(f, "engine"));
                printf("\n");
            }
            json_array_foreach(json_object_get(x, "events"), k, f)
            {
                printf("%*s  event %s %s %s\n", ind + 2, "", js(f, "event_date"), js(f, "event"),
                       js(f, "description"));
            }
            print_artifact(json_object_get(x, "artifact"), ind + 4);
        } else if ((x = json_object_get(e, "override")) && !json_is_null(x)) {
            printf("%*s%s: value ", ind + 2, "", role);
            print_value(json_object_get(x, "value"));
            printf(" cited from %s, \"%s\", %s (%s)\n%*s  reason: %s\n", js(x, "publisher"),
                   js(x, "document"), js(x, "url"), js(x, "date"), ind + 2, "", js(x, "reason"));
        } else if ((x = json_object_get(e, "cell")) && !json_is_null(x)) {
            printf("%*s%s:\n", ind + 2, "", role);
            print_cell(x, ind + 4);
        }
    }
    json_t *g;
    json_array_foreach(json_object_get(c, "rules"), i, g)
    {
        char *d = json_dumps(json_object_get(g, "detail"), JSON_COMPACT | JSON_ENCODE_ANY);
        printf("%*srule %lld: %s %s %s\n", ind + 2, "",
               (long long)json_integer_value(json_object_get(g, "id")), js(g, "action"),
               js(g, "rule"), d ? d : "");
        free(d);
    }
}

int dtp_cmd_trace(dtp_cli *cli)
{
    dtp_figure_args a;
    int rc = dtp_figure_args_parse(cli, "trace", 1, &a);
    if (rc)
        return rc;
    dtp_error err;
    dtp_error_clear(&err);
    sqlite3 *wh = NULL;
    dtp_archive *ar = NULL;
    json_t *t = NULL;
    dtp_status st = dtp_load_open_release(cli->warehouse, &wh, &err);
    char raw[DTP_PATH + 8];
    snprintf(raw, sizeof raw, "%s/raw", cli->data_dir);
    dtp_error aerr;
    /* the chain is in the warehouse; archive paths are a convenience when the archive is here */
    if (st == DTP_OK && access(raw, F_OK) == 0 &&
        dtp_archive_open(cli->data_dir, &ar, &aerr) != DTP_OK)
        ar = NULL;
    if (st == DTP_OK)
        st = dtp_load_trace(wh, ar, a.panel, a.entity, a.year, a.variable, &t, &err);
    if (st != DTP_OK) {
        rc = dtp_cli_fail(cli, &err);
        goto out;
    }
    if (a.json) {
        char *s = json_dumps(t, JSON_INDENT(2) | JSON_SORT_KEYS);
        if (s)
            printf("%s\n", s);
        free(s);
    } else {
        json_t *r = json_object_get(t, "release");
        printf("release %lld (published %s)\n",
               (long long)json_integer_value(json_object_get(r, "id")), js(r, "published_at"));
        print_cell(t, 0);
    }
out:
    json_decref(t);
    dtp_archive_free(ar);
    if (wh)
        sqlite3_close(wh);
    return rc;
}
