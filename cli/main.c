/* dtpanel: parses the global options (anywhere on the line), reads the configuration
 * (table default < file < --set), finds the command in the table and runs it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/version.h"

static const char global_help[] =
    "global options (valid before or after the command):\n"
    "  --config FILE           configuration file (default ./pipeline.conf)\n"
    "  --set SECTION.KEY=VALUE override one configuration key (repeatable)\n"
    "  --data-dir DIR          raw archive, staging db, inbox, review queue, releases\n"
    "  --warehouse FILE        the published warehouse (default <data-dir>/warehouse.db)\n"
    "  --offline               no network: replay the raw archive\n"
    "  --quiet                 only warnings and errors on stderr (for cron mail)\n"
    "  --log-json FILE         append one JSON object per event to FILE\n"
    "  --help, -h              this help, or a command's help after the command\n"
    "  --version               print the version and git revision\n"
    "\n"
    "exit codes: 0 success, 1 failed (nothing published), 2 usage or configuration error,\n"
    "  3 partial (a source failed; the previous release stays published), 4 validation\n"
    "  failed (not published), 5 another run holds the lock\n";

const char *dtp_cli_version(void)
{
    static char v[160];
    if (!v[0])
        snprintf(v, sizeof v, "dtpanel %s (git %s)", DTP_VERSION, DTP_GIT_REVISION);
    return v;
}

static void print_usage(FILE *out)
{
    fprintf(out, "usage: dtpanel [global options] COMMAND [options]\n\n"
                 "builds the ISO/IEC 27001 and digital trade panels: fetch, ocr, clean, load\n\n"
                 "commands:\n");
    for (const dtp_command *c = dtp_commands; c->name; c++)
        fprintf(out, "  %-10s %s\n", c->name, c->summary);
    fprintf(out, "\n%s\nrun 'dtpanel COMMAND --help' for a command's options\n", global_help);
}

void dtp_cli_print_command_help(const dtp_command *cmd, FILE *out)
{
    fprintf(out, "usage: dtpanel %s\n\n%s\n", cmd->usage, cmd->summary);
    if (cmd->help && *cmd->help)
        fprintf(out, "\n%s", cmd->help);
    fprintf(out, "\n%s", global_help);
}

int dtp_cli_wants_help(dtp_cli *cli, const dtp_command *cmd)
{
    for (int i = 1; i < cli->argc; i++) {
        if (strcmp(cli->argv[i], "--") == 0)
            break;
        if (strcmp(cli->argv[i], "--help") == 0 || strcmp(cli->argv[i], "-h") == 0) {
            dtp_cli_print_command_help(cmd, stdout);
            return 1;
        }
    }
    return 0;
}

int dtp_cli_exit_code(dtp_status st)
{
    switch (st) {
    case DTP_OK:
        return DTP_EXIT_OK;
    case DTP_ERR_USAGE:
    case DTP_ERR_CONFIG:
        return DTP_EXIT_USAGE;
    case DTP_ERR_LOCKED:
        return DTP_EXIT_LOCKED;
    case DTP_ERR_VALIDATION:
    case DTP_ERR_INTEGRITY:
        return DTP_EXIT_INVALID;
    default:
        return DTP_EXIT_FAILED;
    }
}

int dtp_cli_fail(dtp_cli *cli, const dtp_error *err)
{
    char line[4096];
    dtp_error_format(err, line, sizeof line);
    if (cli && cli->log) {
        const char *fields[] = {"status",   dtp_strerror(err->status),
                                "source",   err->source,
                                "artifact", err->artifact,
                                "locator",  err->locator,
                                NULL};
        /* the human line goes through the log too, so --quiet still shows errors */
        dtp_log_event(cli->log, DTP_LOG_ERROR, NULL, "error", fields, "%s", line);
    } else {
        fprintf(stderr, "dtpanel: error: %s\n", line);
    }
    return dtp_cli_exit_code(err->status);
}

void dtp_cli_path(const dtp_cli *cli, const char *value, char *out, size_t outsz)
{
    if (!value || !*value) {
        snprintf(out, outsz, "%s", "");
        return;
    }
    if (value[0] == '/' || !cli->config_dir[0])
        snprintf(out, outsz, "%s", value);
    else
        snprintf(out, outsz, "%s/%s", cli->config_dir, value);
}

void dtp_cli_staging_path(const dtp_cli *cli, char *out, size_t outsz)
{
    snprintf(out, outsz, "%s/staging.db", cli->data_dir);
}

static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "dtpanel: %s '%s'\nrun 'dtpanel --help' for usage\n", what, arg);
    return DTP_EXIT_USAGE;
}

static void dir_of(const char *path, char *out, size_t outsz)
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        snprintf(out, outsz, ".");
        return;
    }
    size_t n = (size_t)(slash - path);
    if (n == 0)
        n = 1;
    snprintf(out, outsz, "%.*s", (int)n, path);
}

int main(int argc, char **argv)
{
    dtp_cli cli;
    memset(&cli, 0, sizeof cli);
    const char *config_arg = NULL, *data_dir_arg = NULL, *warehouse_arg = NULL,
               *log_json_arg = NULL;
    const char **sets = calloc((size_t)argc + 1, sizeof *sets);
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    size_t nsets = 0;
    int nrest = 0, want_help = 0, rc = DTP_EXIT_OK, passthrough = 0;
    dtp_error err;
    dtp_error_clear(&err);
    if (!sets || !rest)
        return DTP_EXIT_FAILED;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (passthrough) {
            rest[nrest++] = argv[i];
            continue;
        }
        const char **slot = NULL;
        if (strcmp(a, "--") == 0) {
            passthrough = 1;
            rest[nrest++] = argv[i];
            continue;
        } else if (strcmp(a, "--config") == 0)
            slot = &config_arg;
        else if (strcmp(a, "--data-dir") == 0)
            slot = &data_dir_arg;
        else if (strcmp(a, "--warehouse") == 0)
            slot = &warehouse_arg;
        else if (strcmp(a, "--log-json") == 0)
            slot = &log_json_arg;
        else if (strcmp(a, "--set") == 0) {
            if (i + 1 >= argc) {
                rc = usage_error("missing value after", a);
                goto out;
            }
            sets[nsets++] = argv[++i];
            continue;
        } else if (strcmp(a, "--offline") == 0) {
            cli.offline = 1;
            continue;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            cli.quiet = 1;
            continue;
        } else if (strcmp(a, "--version") == 0) {
            printf("%s\n", dtp_cli_version());
            goto out;
        } else if ((strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) && nrest == 0) {
            want_help = 1;
            continue;
        }
        if (slot) {
            if (i + 1 >= argc) {
                rc = usage_error("missing value after", a);
                goto out;
            }
            *slot = argv[++i];
            continue;
        }
        rest[nrest++] = argv[i];
    }
    if (want_help || nrest == 0) {
        print_usage(want_help ? stdout : stderr);
        rc = want_help ? DTP_EXIT_OK : DTP_EXIT_USAGE;
        goto out;
    }
    const dtp_command *cmd = NULL;
    for (const dtp_command *c = dtp_commands; c->name; c++)
        if (strcmp(c->name, rest[0]) == 0)
            cmd = c;
    if (!cmd) {
        rc = usage_error("unknown command", rest[0]);
        goto out;
    }

    if (log_json_arg) {
        cli.log_json = fopen(log_json_arg, "a");
        if (!cli.log_json) {
            fprintf(stderr, "dtpanel: error: %s: cannot open for appending: %s\n", log_json_arg,
                    strerror(errno));
            rc = DTP_EXIT_USAGE;
            goto out;
        }
    }
    cli.log = dtp_log_new(stderr, cli.log_json, cli.quiet ? DTP_LOG_WARN : DTP_LOG_INFO);

    cli.cfg = dtp_config_new();
    if (!cli.cfg) {
        rc = DTP_EXIT_FAILED;
        goto out;
    }
    const char *cfg_path = config_arg ? config_arg : "pipeline.conf";
    if (config_arg || access(cfg_path, F_OK) == 0) {
        if (dtp_config_load_file(cli.cfg, cfg_path, &err) != DTP_OK) {
            rc = dtp_cli_fail(&cli, &err);
            if (rc == DTP_EXIT_FAILED)
                rc = DTP_EXIT_USAGE; /* a missing --config file is a usage error */
            goto out;
        }
        snprintf(cli.config_path, sizeof cli.config_path, "%s", cfg_path);
        dir_of(cfg_path, cli.config_dir, sizeof cli.config_dir);
    }
    for (size_t i = 0; i < nsets; i++) {
        if (dtp_config_set_arg(cli.cfg, sets[i], &err) != DTP_OK) {
            rc = dtp_cli_fail(&cli, &err);
            goto out;
        }
    }
    /* --data-dir and --warehouse are the command-line forms of [dtpanel] keys. */
    if (data_dir_arg && dtp_config_set(cli.cfg, "dtpanel", "data_dir", data_dir_arg, "--data-dir",
                                       &err) != DTP_OK) {
        rc = dtp_cli_fail(&cli, &err);
        goto out;
    }
    if (warehouse_arg && dtp_config_set(cli.cfg, "dtpanel", "warehouse", warehouse_arg,
                                        "--warehouse", &err) != DTP_OK) {
        rc = dtp_cli_fail(&cli, &err);
        goto out;
    }
    if (data_dir_arg)
        snprintf(cli.data_dir, sizeof cli.data_dir, "%s", data_dir_arg);
    else
        dtp_cli_path(&cli, dtp_config_get(cli.cfg, "dtpanel", "data_dir"), cli.data_dir,
                     sizeof cli.data_dir);
    const char *wh = dtp_config_get(cli.cfg, "dtpanel", "warehouse");
    if (warehouse_arg)
        snprintf(cli.warehouse, sizeof cli.warehouse, "%s", warehouse_arg);
    else if (wh && *wh)
        dtp_cli_path(&cli, wh, cli.warehouse, sizeof cli.warehouse);
    else
        snprintf(cli.warehouse, sizeof cli.warehouse, "%s/warehouse.db", cli.data_dir);

    cli.argc = nrest;
    cli.argv = rest;
    if (dtp_cli_wants_help(&cli, cmd))
        goto out;
    rc = cmd->run(&cli);
out:
    dtp_config_free(cli.cfg);
    dtp_log_free(cli.log);
    if (cli.log_json)
        fclose(cli.log_json);
    free(sets);
    free(rest);
    return rc;
}
