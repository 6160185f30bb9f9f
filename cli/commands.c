/* The command table (STYLE.md 6): name, handler, summary, usage and option help. Only
 * commands that work are listed. */
#include "cli/cli.h"

int dtp_cmd_run(dtp_cli *cli);
int dtp_cmd_status(dtp_cli *cli);
int dtp_cmd_config(dtp_cli *cli);
int dtp_cmd_fetch(dtp_cli *cli);
int dtp_cmd_plan(dtp_cli *cli);
int dtp_cmd_clean(dtp_cli *cli);
int dtp_cmd_ocr(dtp_cli *cli);
int dtp_cmd_load(dtp_cli *cli);
int dtp_cmd_trace(dtp_cli *cli);
int dtp_cmd_explain(dtp_cli *cli);
int dtp_cmd_verify(dtp_cli *cli);
int dtp_cmd_export(dtp_cli *cli);
int dtp_cmd_diff(dtp_cli *cli);
int dtp_cmd_report(dtp_cli *cli);

const dtp_command dtp_commands[] = {
    {"run", dtp_cmd_run,
     "run every stage: fetch, ocr, clean, load (one lock, one run, one manifest)",
     "run [--stage fetch,ocr,clean,load] [--dry-run]",
     "options:\n"
     "  --stage LIST  run only these stages, in pipeline order\n"
     "  --dry-run     print what would be fetched and published, do nothing\n"
     "a source that fails stops the run before anything is published (exit 3); a failed check\n"
     "publishes nothing (exit 4); SIGTERM/SIGINT stop cleanly with nothing half-stored\n"},
    {"status", dtp_cmd_status, "show recent runs, the published release and source freshness",
     "status [--runs N] [--panel]",
     "options:\n"
     "  --runs N    how many recent runs to list (default 10)\n"
     "  --panel     also the panel report: members, exclusions with their rule, imputations,\n"
     "              overrides with citations\n"},
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
    {"ocr", dtp_cmd_ocr, "read the registry captures into certificate records with evidence", "ocr",
     "screenshots (PNG/JPEG) through Tesseract, saved HTML and JSON directly; a field below\n"
     "[ocr] confidence_threshold or failing validation is not accepted and goes to\n"
     "<data_dir>/review/ocr.csv with a crop; corrections in [ocr] corrections are applied on\n"
     "the next run; an unchanged screenshot is never recognised twice (cache)\n"},
    {"clean", dtp_cmd_clean,
     "build the country and province panels from the observations and certificate records", "clean",
     "maps every label to ISO 3166-1 (failing with the list of unmapped labels), applies the\n"
     "overrides, the sample rules (drop, interpolate, balance) and the reference dummies, and\n"
     "writes cells with lineage and a ledger of every rule applied (METHODS.md)\n"
     "exit 4 when labels are unmapped or the panel is not balanced; the previous cells stay\n"},
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
    {"trace", dtp_cmd_trace, "show the chain behind one published figure, down to the bytes",
     "trace ENTITY YEAR VARIABLE [--panel country|province] [--json]",
     "reads the published warehouse: value and status; for imputed cells the method and both\n"
     "anchors; for overrides the citation and the source value replaced; for each observation\n"
     "its source, artifact sha256, URL, fetch time, upstream version and locator (CSV\n"
     "line:col, JSON path, sheet!cell, image box and OCR confidence); the rules applied\n"
     "options:\n"
     "  --panel P   country or province (default: province for a two-digit code)\n"
     "  --json      machine-readable output\n"
     "exit codes: 0 found, 1 no such cell or no warehouse\n"},
    {"explain", dtp_cmd_explain, "print a citation card for one published figure",
     "explain ENTITY YEAR VARIABLE [--panel country|province] [--json]",
     "publisher, dataset title, version or last update, access date, URL and licence of every\n"
     "source the figure comes from, override citations, and a note when data is generated\n"
     "options:\n"
     "  --panel P   country or province (default: province for a two-digit code)\n"
     "  --json      machine-readable output\n"},
    {"verify", dtp_cmd_verify, "re-hash the raw artifacts and check the published release",
     "verify",
     "re-hashes every raw artifact the published release depends on, checks that every\n"
     "published cell has complete lineage down to a stored artifact, that the release content\n"
     "still matches its recorded hash, and that the run manifests chain; prints each problem\n"
     "with its artifact\n"
     "exit codes: 0 all verified, 4 a problem was found, 1 could not run\n"},
    {"diff", dtp_cmd_diff, "report revisions between two warehouse releases",
     "diff [RELEASE_A] [RELEASE_B] [--csv FILE] [--top N]",
     "new, revised and withdrawn cells per source and variable, the largest relative\n"
     "revisions, and series whose history moved. A release is an id (a file kept under\n"
     "<data-dir>/releases) or a path; default: the two latest kept releases; one release:\n"
     "compared with the published warehouse\n"
     "options:\n"
     "  --csv FILE  write every changed cell to FILE\n"
     "  --top N     how many of the largest revisions to list (default 10)\n"},
    {"export", dtp_cmd_export, "export a panel of the published release to CSV or Stata .dta",
     "export --format csv|dta --panel country|province FILE",
     "one row per entity-year with integer ids entity_id and year ready for xtset\n"
     "csv: a header row, empty cells for missing values, and FILE.columns.csv describing each\n"
     "     column (type, label)\n"
     "dta: variable labels; status flags as labelled integers observed=1 imputed=2\n"
     "     overridden=3 derived=4 excluded=5 missing=6 (value label dtp_status)\n"
     "options:\n"
     "  --format F  csv or dta\n"
     "  --panel P   country (default) or province\n"},
    {"report", dtp_cmd_report, "write a release report as one self-contained HTML page",
     "report [RELEASE] --out FILE.html",
     "coverage grids of every panel variable by status (observed, imputed, overridden,\n"
     "derived, missing with reason, excluded), sources, imputations and overrides with\n"
     "citations, OCR review figures, revisions against the previous release and every check\n"
     "result; each figure names the `dtpanel trace` command that explains it. Inline CSS and\n"
     "SVG, no scripts: the page opens offline and prints. Reads the release only (no lock)\n"
     "arguments:\n"
     "  RELEASE     a release id (kept under <data-dir>/releases) or a path; default: the\n"
     "              published warehouse\n"
     "options:\n"
     "  --out FILE  where to write the page (written beside it, then renamed)\n"},
    {NULL, NULL, NULL, NULL, NULL},
};
