/* The command table (STYLE.md 6): name, handler, summary, usage and option help. Only
 * commands that work are listed. */
#include "cli/cli.h"

int dtp_cmd_status(dtp_cli *cli);
int dtp_cmd_config(dtp_cli *cli);
int dtp_cmd_load(dtp_cli *cli);

const dtp_command dtp_commands[] = {
    {"status", dtp_cmd_status, "show recent runs, the published release and source freshness",
     "status [--runs N]",
     "options:\n"
     "  --runs N    how many recent runs to list (default 10)\n"},
    {"config", dtp_cmd_config, "show the effective configuration and where each value came from",
     "config --show [--keys]",
     "options:\n"
     "  --show      print every key with its effective value and origin\n"
     "               (default, file:line, --set, --data-dir); secrets print as (set)\n"
     "  --keys      print the key table: section, key, default and help\n"},
    {"load", dtp_cmd_load, "publish the staging content as a new warehouse release, atomically",
     "load [--expect-country-rows N] [--expect-province-rows N]",
     "builds <warehouse>.new-<pid> beside the published warehouse, checks it (integrity,\n"
     "foreign keys, lineage of every published cell down to a raw artifact, balanced panel)\n"
     "and only then renames it over the warehouse; keeps releases under <data-dir>/releases\n"
     "options:\n"
     "  --expect-country-rows N   the country panel must have N entity-years\n"
     "  --expect-province-rows N  the province panel must have N entity-years\n"
     "exit codes: 0 published, 4 a check failed (nothing published), 5 lock held, 1 failed\n"},
    {NULL, NULL, NULL, NULL, NULL},
};
