/* dtpanel config --show / --keys */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static void show_visit(void *ctx, const char *section, const char *key, const char *value,
                       const char *origin, const char *help)
{
    const char **last = ctx;
    if (!*last || strcmp(*last, section) != 0) {
        printf("%s[%s]\n", *last ? "\n" : "", section);
        *last = section;
    }
    printf("%-26s = %-40s ; %s\n", key, value, origin);
}

int dtp_cmd_config(dtp_cli *cli)
{
    int keys = 0;
    for (int i = 1; i < cli->argc; i++) {
        if (strcmp(cli->argv[i], "--show") == 0)
            continue;
        if (strcmp(cli->argv[i], "--keys") == 0) {
            keys = 1;
            continue;
        }
        fprintf(stderr, "dtpanel: config: unknown option '%s'\n", cli->argv[i]);
        return DTP_EXIT_USAGE;
    }
    if (keys) {
        for (const dtp_cfg_key *k = dtp_config_keys; k->key; k++)
            printf("[%s] %s = %s\n    %s%s%s\n", k->section, k->key, k->def, k->help,
                   k->choices ? "; one of " : "", k->choices ? k->choices : "");
        return DTP_EXIT_OK;
    }
    printf("; configuration file: %s\n",
           cli->config_path[0] ? cli->config_path : "(none: table defaults)");
    printf("; data directory: %s\n; warehouse: %s\n\n", cli->data_dir, cli->warehouse);
    const char *last = NULL;
    dtp_config_each(cli->cfg, show_visit, &last);
    return DTP_EXIT_OK;
}
