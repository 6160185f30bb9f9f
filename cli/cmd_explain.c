/* dtpanel explain ENTITY YEAR VARIABLE: a citation card for one figure, fit for a data
 * appendix. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/figure_args.h"
#include "load/load.h"

static const char *js(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* "2026-11-01T10:00:00Z" -> "2026-11-01" */
static void date_part(const char *iso, char *out, size_t n)
{
    snprintf(out, n, "%.10s", iso);
}

int dtp_cmd_explain(dtp_cli *cli)
{
    dtp_figure_args a;
    int rc = dtp_figure_args_parse(cli, "explain", 1, &a);
    if (rc)
        return rc;
    dtp_error err;
    dtp_error_clear(&err);
    sqlite3 *wh = NULL;
    json_t *card = NULL;
    dtp_status st = dtp_load_open_release(cli->warehouse, &wh, &err);
    if (st == DTP_OK)
        st = dtp_load_explain(wh, a.panel, a.entity, a.year, a.variable, &card, &err);
    if (st != DTP_OK) {
        rc = dtp_cli_fail(cli, &err);
        goto out;
    }
    if (a.json) {
        char *s = json_dumps(card, JSON_INDENT(2) | JSON_SORT_KEYS);
        if (s)
            printf("%s\n", s);
        free(s);
        goto out;
    }
    printf("%s %d %s (%s panel)", a.entity, a.year, a.variable, a.panel);
    json_t *v = json_object_get(card, "value");
    if (json_is_number(v))
        printf(" = %.10g", json_number_value(v));
    printf(" [%s]\n", js(card, "status"));
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(card, "sources"), i, c)
    {
        printf("\nSource: %s", *js(c, "publisher") ? js(c, "publisher")
                                                   : "(publisher not"
                                                     " recorded)");
        printf(". %s", *js(c, "title") ? js(c, "title") : js(c, "name"));
        size_t k;
        json_t *art;
        json_array_foreach(json_object_get(c, "artifacts"), k, art)
        {
            char acc[16];
            date_part(js(art, "fetched_at"), acc, sizeof acc);
            if (*js(art, "upstream_version"))
                printf(". Version/last updated: %s", js(art, "upstream_version"));
            else if (*js(art, "last_modified"))
                printf(". Last modified: %s", js(art, "last_modified"));
            if (*acc)
                printf(". Accessed %s", acc);
            printf(". %s", *js(art, "url") ? js(art, "url") : js(c, "url"));
            printf(" (sha256 %.12s…)", js(art, "artifact_sha256"));
        }
        if (json_array_size(json_object_get(c, "artifacts")) == 0 && *js(c, "url"))
            printf(". %s", js(c, "url"));
        if (*js(c, "licence"))
            printf(". Licence: %s", js(c, "licence"));
        printf(".\n");
        if (json_is_true(json_object_get(c, "generated")))
            printf("  generated: demo data, not upstream\n");
    }
    json_array_foreach(json_object_get(card, "overrides"), i, c)
    {
        printf("\nOverride: value %.10g from %s, \"%s\", %s, %s.\n  Reason: %s\n",
               json_number_value(json_object_get(c, "value")), js(c, "publisher"),
               js(c, "document"), js(c, "date"), js(c, "url"), js(c, "reason"));
    }
    json_t *r = json_object_get(card, "release");
    printf("\nwarehouse release %lld, published %s\n",
           (long long)json_integer_value(json_object_get(r, "id")), js(r, "published_at"));
out:
    json_decref(card);
    if (wh)
        sqlite3_close(wh);
    return rc;
}
