/* Shared argument parsing of the commands that name one figure: ENTITY YEAR VARIABLE
 * [--panel country|province] (trace, explain). */
#ifndef DTP_CLI_FIGURE_ARGS_H
#define DTP_CLI_FIGURE_ARGS_H

#include "cli/cli.h"

typedef struct dtp_figure_args {
    const char *entity, *variable, *panel;
    int year;
    int json;
} dtp_figure_args;

/* Fill a from cli->argv; prints a usage message and returns DTP_EXIT_USAGE on bad use, else 0.
 * Without --panel, a two-digit entity is a province code, anything else a country. */
int dtp_figure_args_parse(dtp_cli *cli, const char *cmd, int allow_json, dtp_figure_args *a);

#endif
