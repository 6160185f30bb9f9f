/* dtpanel run: fetch → ocr → clean → load in one locked run. A source
 * that fails stops the run before anything is published: the previous release stays (exit 3). */
#include <stdio.h>
#include <string.h>

#include "cli/session.h"
#include "fetch/fetch.h"

enum { ST_FETCH = 1, ST_CLEAN = 2, ST_LOAD = 4, ST_OCR = 8, ST_ALL = 15 };

static int parse_stages(const char *list, int *mask)
{
    *mask = 0;
    char buf[128];
    snprintf(buf, sizeof buf, "%s", list);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, "fetch") == 0)
            *mask |= ST_FETCH;
        else if (strcmp(t, "ocr") == 0)
            *mask |= ST_OCR;
        else if (strcmp(t, "clean") == 0)
            *mask |= ST_CLEAN;
        else if (strcmp(t, "load") == 0)
            *mask |= ST_LOAD;
        else
            return -1;
    }
    return *mask ? 0 : -1;
}

static void print_plan(dtp_cli *cli, int mask)
{
    printf("dtpanel run would, with %s as data directory%s:\n", cli->data_dir,
           cli->offline ? " (offline: re-parse the raw archive, no requests)" : "");
    if (mask & ST_FETCH) {
        size_t n;
        const char *const *names = dtp_config_sources(cli->cfg, &n);
        printf("  fetch:\n");
        for (size_t i = 0; i < n; i++) {
            char sec[96];
            snprintf(sec, sizeof sec, "source.%s", names[i]);
            const char *url = dtp_config_get(cli->cfg, sec, "url");
            const char *inbox = dtp_config_get(cli->cfg, sec, "inbox");
            printf("    %-16s %-15s %s%s\n", names[i], dtp_config_get(cli->cfg, sec, "kind"),
                   dtp_config_bool(cli->cfg, sec, "enabled") ? "" : "(disabled) ",
                   url && *url       ? url
                   : inbox && *inbox ? inbox
                                     : "(no url)");
        }
    }
    if (mask & ST_OCR)
        printf("  ocr: read the captures of the cnca sources (cached pages are not read again)\n");
    if (mask & ST_CLEAN)
        printf("  clean: build the country panel for %s\n",
               dtp_config_get(cli->cfg, "panel", "years"));
    if (mask & ST_LOAD)
        printf("  load: publish a release to %s\n", cli->warehouse);
}

int dtp_cmd_run(dtp_cli *cli)
{
    int mask = ST_ALL, dry = 0;
    for (int i = 1; i < cli->argc; i++) {
        const char *a = cli->argv[i];
        if (strcmp(a, "--dry-run") == 0)
            dry = 1;
        else if (strcmp(a, "--stage") == 0 && i + 1 < cli->argc) {
            if (parse_stages(cli->argv[++i], &mask)) {
                fprintf(stderr,
                        "dtpanel: run: --stage takes fetch,ocr,clean,load (comma-separated)\n");
                return DTP_EXIT_USAGE;
            }
        } else {
            fprintf(stderr, "dtpanel: run: unknown option '%s'\n", a);
            return DTP_EXIT_USAGE;
        }
    }
    if (dry) {
        print_plan(cli, mask);
        return DTP_EXIT_OK;
    }
    dtp_session s;
    int rc = dtp_session_open(cli, "run", &s);
    if (rc)
        return rc;
    const char *stopped = NULL;
    if ((mask & ST_FETCH) && (rc = dtp_stage_fetch(cli, &s, NULL, 0)) != DTP_EXIT_OK)
        stopped = "fetch";
    if (!stopped && dtp_stop_requested)
        stopped = "fetch", rc = DTP_EXIT_FAILED;
    if (!stopped && (mask & ST_OCR) && (rc = dtp_stage_ocr(cli, &s)) != DTP_EXIT_OK)
        stopped = "ocr";
    if (!stopped && dtp_stop_requested)
        stopped = "ocr", rc = DTP_EXIT_FAILED;
    if (!stopped && (mask & ST_CLEAN) && (rc = dtp_stage_clean(cli, &s)) != DTP_EXIT_OK)
        stopped = "clean";
    if (!stopped && dtp_stop_requested)
        stopped = "clean", rc = DTP_EXIT_FAILED;
    if (!stopped && (mask & ST_LOAD) && (rc = dtp_stage_load(cli, &s, -1, -1)) != DTP_EXIT_OK)
        stopped = "load";
    char msg[160] = "";
    if (stopped) {
        snprintf(msg, sizeof msg,
                 "stopped after %s%s: nothing was published; the previous "
                 "release stays",
                 stopped, dtp_stop_requested ? " (signal)" : "");
        dtp_log_msg(cli->log, DTP_LOG_ERROR, "run", "stopped", "%s", msg);
    }
    dtp_session_close(cli, &s, rc, stopped ? msg : NULL);
    return rc;
}
