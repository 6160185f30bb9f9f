/* The command table (STYLE.md 6): name, handler, summary, usage and option help. Only
 * commands that work are listed. */
#include "cli/cli.h"

int dtp_cmd_status(dtp_cli *cli);
int dtp_cmd_config(dtp_cli *cli);
int dtp_cmd_fetch(dtp_cli *cli);
int dtp_cmd_plan(dtp_cli *cli);

const dtp_command dtp_commands[] = {
    {"status", dtp_cmd_status, "show recent runs, the published release and source freshness",
     "status [--runs N]",
     "options:\n"
     "  --runs N    how many recent runs to list (default 10)\n"},
    {"fetch", dtp_cmd_fetch, "download the sources into the raw archive and parse them",
     "fetch [SOURCE]",
     "arguments:\n"
     "  SOURCE      only this [source.NAME] (default: every enabled source)\n"
     "with --offline nothing is requested: the raw archive is parsed again\n"
     "exit 3 when a source failed: its previous artifacts and observations stay\n"},
    {"plan", dtp_cmd_plan, "ask upstream what changed and what a fetch would download",
     "plan [SOURCE]",
     "sends conditional HEAD requests (ETag / Last-Modified of the last fetch); downloads no\n"
     "bodies\n"},
    {"config", dtp_cmd_config, "show the effective configuration and where each value came from",
     "config --show [--keys]",
     "options:\n"
     "  --show      print every key with its effective value and origin\n"
     "               (default, file:line, --set, --data-dir); secrets print as (set)\n"
     "  --keys      print the key table: section, key, default and help\n"},
    {NULL, NULL, NULL, NULL, NULL},
};
