#include "cli/figure_args.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

int dtp_figure_args_parse(dtp_cli *cli, const char *cmd, int allow_json, dtp_figure_args *a)
{
    memset(a, 0, sizeof *a);
    const char *pos[3] = {NULL, NULL, NULL};
    int npos = 0;
    for (int i = 1; i < cli->argc; i++) {
        const char *s = cli->argv[i];
        if (strcmp(s, "--panel") == 0 && i + 1 < cli->argc) {
            a->panel = cli->argv[++i];
            if (strcmp(a->panel, "country") != 0 && strcmp(a->panel, "province") != 0) {
                fprintf(stderr, "dtpanel: %s: --panel is country or province, not '%s'\n", cmd,
                        a->panel);
                return DTP_EXIT_USAGE;
            }
        } else if (allow_json && strcmp(s, "--json") == 0) {
            a->json = 1;
        } else if (s[0] == '-' && s[1] == '-') {
            fprintf(stderr, "dtpanel: %s: unknown option '%s'\n", cmd, s);
            return DTP_EXIT_USAGE;
        } else if (npos < 3) {
            pos[npos++] = s;
        } else {
            fprintf(stderr, "dtpanel: %s: unexpected argument '%s'\n", cmd, s);
            return DTP_EXIT_USAGE;
        }
    }
    long year = 0;
    if (npos != 3 || dtp_parse_long(pos[1], &year) || year < 1000 || year > 9999) {
        fprintf(stderr, "usage: dtpanel %s ENTITY YEAR VARIABLE [--panel country|province]%s\n",
                cmd, allow_json ? " [--json]" : "");
        return DTP_EXIT_USAGE;
    }
    a->entity = pos[0];
    a->year = (int)year;
    a->variable = pos[2];
    if (!a->panel)
        a->panel = strlen(a->entity) == 2 && isdigit((unsigned char)a->entity[0]) &&
                           isdigit((unsigned char)a->entity[1])
                       ? "province"
                       : "country";
    return 0;
}
