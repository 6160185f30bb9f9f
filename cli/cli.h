/* The command layer: global options, the command table, exit codes. Only this layer prints. */
#ifndef DTP_CLI_H
#define DTP_CLI_H

#include <sqlite3.h>
#include <stdio.h>

#include "common/config.h"
#include "common/error.h"
#include "common/log.h"
#include "common/run.h"

/* Exit codes (DESIGN.md "Interfaces that stay fixed"). */
enum {
    DTP_EXIT_OK = 0,
    DTP_EXIT_FAILED = 1,
    DTP_EXIT_USAGE = 2,
    DTP_EXIT_PARTIAL = 3,
    DTP_EXIT_INVALID = 4,
    DTP_EXIT_LOCKED = 5,
};

#define DTP_PATH 4096

typedef struct dtp_cli {
    dtp_config *cfg;
    char config_path[DTP_PATH]; /* "" when no file was read */
    char config_dir[DTP_PATH];  /* relative paths in the config resolve against this */
    char data_dir[DTP_PATH];
    char warehouse[DTP_PATH];
    int offline;
    int quiet;
    dtp_log *log;
    FILE *log_json;
    int argc; /* the command's own arguments; argv[0] is the command name */
    char **argv;
} dtp_cli;

typedef struct dtp_command {
    const char *name;
    int (*run)(dtp_cli *cli);
    const char *summary;
    const char *usage; /* lines after "usage: dtpanel " */
    const char *help;  /* option descriptions */
} dtp_command;

extern const dtp_command dtp_commands[];

/* Print an error in house style to stderr and the JSON log; returns the exit code for it. */
int dtp_cli_fail(dtp_cli *cli, const dtp_error *err);
/* Exit code for a status (usage/config → 2, locked → 5, validation/integrity → 4, else 1). */
int dtp_cli_exit_code(dtp_status st);

/* Resolve a configured path: absolute as is, relative against the config file's directory. */
void dtp_cli_path(const dtp_cli *cli, const char *value, char *out, size_t outsz);

/* Path of the staging database (<data_dir>/staging.db). */
void dtp_cli_staging_path(const dtp_cli *cli, char *out, size_t outsz);

/* 1 when argv of the command contains --help / -h; prints that command's help. */
int dtp_cli_wants_help(dtp_cli *cli, const dtp_command *cmd);
void dtp_cli_print_command_help(const dtp_command *cmd, FILE *out);

/* "dtpanel 0.1.0 (git abc123)" */
const char *dtp_cli_version(void);

#endif
