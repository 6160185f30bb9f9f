/* Forward migrations of the staging database, applied in order inside one transaction each;
 * PRAGMA user_version records how many have run. Never edit a migration that has shipped:
 * append a new one. */
#include "common/staging.h"

static const char m1_base[] =
    /* Upstream sources as configured, with what a citation needs. */
    "CREATE TABLE sources("
    "  name TEXT PRIMARY KEY, kind TEXT NOT NULL, url TEXT, title TEXT, publisher TEXT,"
    "  licence TEXT, generated INTEGER NOT NULL DEFAULT 0, updated_at TEXT NOT NULL);"

    /* One row per run of the command; the manifest chain links each to the previous one. */
    "CREATE TABLE runs("
    "  id INTEGER PRIMARY KEY, command TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT,"
    "  status TEXT NOT NULL CHECK(status IN"
    "    ('running','ok','failed','partial','invalid','interrupted','usage')),"
    "  exit_code INTEGER, version TEXT NOT NULL, config_sha256 TEXT NOT NULL, config_text TEXT,"
    "  counts TEXT NOT NULL DEFAULT '{}', message TEXT,"
    "  manifest TEXT, manifest_sha256 TEXT, prev_manifest_sha256 TEXT);"

    /* Bytes stored in the raw archive. */
    "CREATE TABLE artifacts("
    "  sha256 TEXT PRIMARY KEY CHECK(length(sha256) = 64), size INTEGER NOT NULL,"
    "  content_type TEXT, original_name TEXT, first_source TEXT, generated INTEGER NOT NULL"
    "  DEFAULT 0, stored_at TEXT NOT NULL);"

    /* Every request made (or capture taken from an inbox), successful or not. */
    "CREATE TABLE fetches("
    "  id INTEGER PRIMARY KEY, run_id INTEGER REFERENCES runs(id), source TEXT NOT NULL,"
    "  role TEXT NOT NULL DEFAULT '', url TEXT NOT NULL, request_params TEXT,"
    "  http_status INTEGER, etag TEXT, last_modified TEXT, content_type TEXT,"
    "  upstream_version TEXT, fetched_at TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 1,"
    "  outcome TEXT NOT NULL CHECK(outcome IN ('stored','not_modified','failed','replayed')),"
    "  artifact_sha256 TEXT REFERENCES artifacts(sha256), message TEXT);"
    "CREATE INDEX fetches_by_source ON fetches(source, role, id);"

    /* The artifacts that currently make up each source (one per role: a page, an edition, a
     * file). Replaced as a whole when a source is fetched completely; never half. */
    "CREATE TABLE source_artifacts("
    "  source TEXT NOT NULL, role TEXT NOT NULL, artifact_sha256 TEXT NOT NULL"
    "  REFERENCES artifacts(sha256), fetch_id INTEGER REFERENCES fetches(id),"
    "  PRIMARY KEY(source, role));"

    /* Which artifact was parsed by which parser version: parsing is incremental. */
    "CREATE TABLE parses("
    "  artifact_sha256 TEXT NOT NULL REFERENCES artifacts(sha256), source TEXT NOT NULL,"
    "  parser TEXT NOT NULL, parser_version TEXT NOT NULL, run_id INTEGER,"
    "  status TEXT NOT NULL CHECK(status IN ('ok','failed')), observations INTEGER,"
    "  records INTEGER, message TEXT, parsed_at TEXT NOT NULL,"
    "  PRIMARY KEY(artifact_sha256, source, parser, parser_version));"

    /* Source values as written, with where they sit in their artifact. */
    "CREATE TABLE observations("
    "  id INTEGER PRIMARY KEY, artifact_sha256 TEXT NOT NULL REFERENCES artifacts(sha256),"
    "  source TEXT NOT NULL, indicator TEXT, variable TEXT, entity_raw TEXT NOT NULL,"
    "  entity_code TEXT, entity_system TEXT, is_aggregate INTEGER NOT NULL DEFAULT 0,"
    "  year INTEGER NOT NULL, value_raw TEXT, has_value INTEGER NOT NULL, value REAL,"
    "  unit TEXT, scale INTEGER NOT NULL DEFAULT 0, flags TEXT, edition TEXT,"
    "  locator TEXT NOT NULL);"
    "CREATE INDEX observations_by_artifact ON observations(artifact_sha256, source);"
    "CREATE INDEX observations_by_variable ON observations(variable, year);"

    /* Reference entities. */
    "CREATE TABLE countries("
    "  iso3 TEXT PRIMARY KEY, iso2 TEXT, m49 TEXT, name TEXT NOT NULL, table_version TEXT);"
    "CREATE TABLE aggregates("
    "  code TEXT NOT NULL, system TEXT NOT NULL, name TEXT, source TEXT,"
    "  PRIMARY KEY(code, system));"
    "CREATE TABLE provinces("
    "  code TEXT PRIMARY KEY CHECK(length(code) = 2), name TEXT NOT NULL, name_zh TEXT,"
    "  region TEXT, in_panel INTEGER NOT NULL DEFAULT 1);"
    /* World Bank country metadata (region, income group, aggregate flag). */
    "CREATE TABLE wb_countries("
    "  code TEXT PRIMARY KEY, iso2 TEXT, name TEXT, region TEXT, income_group TEXT,"
    "  is_aggregate INTEGER NOT NULL, artifact_sha256 TEXT REFERENCES artifacts(sha256));"

    /* How each source label was mapped, and by which rule. */
    "CREATE TABLE entity_map("
    "  source TEXT NOT NULL, entity_raw TEXT NOT NULL, entity_code TEXT NOT NULL DEFAULT '',"
    "  entity_system TEXT NOT NULL DEFAULT '', iso3 TEXT,"
    "  kind TEXT NOT NULL CHECK(kind IN ('country','aggregate','ignored','unmapped')),"
    "  rule TEXT NOT NULL, table_version TEXT, run_id INTEGER,"
    "  PRIMARY KEY(source, entity_raw, entity_code, entity_system));"

    /* Registry certificates (OCR or text captures) with evidence per field. */
    "CREATE TABLE cert_records("
    "  id INTEGER PRIMARY KEY, artifact_sha256 TEXT NOT NULL REFERENCES artifacts(sha256),"
    "  record_key TEXT NOT NULL, kind TEXT NOT NULL CHECK(kind IN ('detail','list_row')),"
    "  capture TEXT NOT NULL CHECK(capture IN ('image','html','json')),"
    "  cert_no TEXT, org_name TEXT, org_name_norm TEXT, uscc TEXT, project TEXT, standard TEXT,"
    "  is_isms INTEGER, issue_date TEXT, expiry_date TEXT, first_issue_date TEXT, status TEXT,"
    "  cert_body TEXT, address TEXT, province_code TEXT, province_rule TEXT,"
    "  review_status TEXT NOT NULL CHECK(review_status IN"
    "    ('accepted','needs_review','reviewed')),"
    "  run_id INTEGER, UNIQUE(artifact_sha256, record_key));"
    "CREATE TABLE cert_fields("
    "  record_id INTEGER NOT NULL REFERENCES cert_records(id) ON DELETE CASCADE,"
    "  field TEXT NOT NULL, value TEXT, raw_text TEXT, locator TEXT,"
    "  bbox_x INTEGER, bbox_y INTEGER, bbox_w INTEGER, bbox_h INTEGER, confidence REAL,"
    "  engine TEXT, langdata_sha256 TEXT, preprocess TEXT, validation TEXT, flags TEXT,"
    "  accepted INTEGER NOT NULL, reason TEXT, reviewer TEXT, reviewed_at TEXT,"
    "  PRIMARY KEY(record_id, field));"
    "CREATE TABLE cert_events("
    "  record_id INTEGER NOT NULL REFERENCES cert_records(id) ON DELETE CASCADE,"
    "  seq INTEGER NOT NULL, event TEXT NOT NULL, event_date TEXT, description TEXT,"
    "  locator TEXT, confidence REAL, accepted INTEGER NOT NULL DEFAULT 1,"
    "  PRIMARY KEY(record_id, seq));"
    /* Recognition cache: same image, same engine settings → not recognised again. */
    "CREATE TABLE ocr_cache("
    "  image_sha256 TEXT NOT NULL, engine_key TEXT NOT NULL, result TEXT NOT NULL,"
    "  created_at TEXT NOT NULL, PRIMARY KEY(image_sha256, engine_key));"
    "CREATE TABLE review_queue("
    "  id INTEGER PRIMARY KEY, artifact_sha256 TEXT NOT NULL, record_key TEXT NOT NULL,"
    "  field TEXT NOT NULL, ocr_text TEXT, confidence REAL, reason TEXT NOT NULL,"
    "  crop_path TEXT, created_run INTEGER, resolved_run INTEGER,"
    "  UNIQUE(artifact_sha256, record_key, field));"
    "CREATE TABLE corrections("
    "  id INTEGER PRIMARY KEY, artifact_sha256 TEXT NOT NULL, record_key TEXT,"
    "  field TEXT NOT NULL, value TEXT NOT NULL, reviewer TEXT NOT NULL,"
    "  reviewed_at TEXT NOT NULL, file_sha256 TEXT, line INTEGER, applied_run INTEGER);"

    /* Panel cells: the result of clean, with status and lineage. */
    "CREATE TABLE panel_cells("
    "  id INTEGER PRIMARY KEY, panel TEXT NOT NULL CHECK(panel IN ('country','province')),"
    "  entity TEXT NOT NULL, year INTEGER NOT NULL, variable TEXT NOT NULL, value REAL,"
    "  status TEXT NOT NULL CHECK(status IN"
    "    ('observed','imputed','overridden','derived','excluded','missing')),"
    "  method TEXT, reason TEXT, flags TEXT, run_id INTEGER,"
    "  UNIQUE(panel, entity, year, variable));"
    "CREATE TABLE overrides("
    "  id INTEGER PRIMARY KEY, entity TEXT NOT NULL, year INTEGER NOT NULL,"
    "  variable TEXT NOT NULL, value REAL NOT NULL, publisher TEXT NOT NULL,"
    "  document TEXT NOT NULL, url TEXT NOT NULL, date TEXT NOT NULL, reason TEXT NOT NULL,"
    "  file_sha256 TEXT, line INTEGER);"
    /* An edge from a cell to what it came from: exactly one of the reference columns is set. */
    "CREATE TABLE lineage("
    "  cell_id INTEGER NOT NULL REFERENCES panel_cells(id) ON DELETE CASCADE,"
    "  role TEXT NOT NULL CHECK(role IN"
    "    ('source','anchor_before','anchor_after','replaced','input','override')),"
    "  observation_id INTEGER REFERENCES observations(id),"
    "  record_id INTEGER REFERENCES cert_records(id),"
    "  input_cell_id INTEGER REFERENCES panel_cells(id),"
    "  override_id INTEGER REFERENCES overrides(id),"
    "  CHECK((observation_id IS NOT NULL) + (record_id IS NOT NULL) +"
    "        (input_cell_id IS NOT NULL) + (override_id IS NOT NULL) = 1));"
    "CREATE INDEX lineage_by_cell ON lineage(cell_id);"
    /* Every rule that dropped, filled, replaced or flagged something, and why. */
    "CREATE TABLE ledger("
    "  id INTEGER PRIMARY KEY, run_id INTEGER, panel TEXT, entity TEXT, year INTEGER,"
    "  variable TEXT, rule TEXT NOT NULL, action TEXT NOT NULL CHECK(action IN"
    "    ('drop','impute','override','exclude','map','flag','derive','keep_missing')),"
    "  detail TEXT NOT NULL DEFAULT '{}', cell_id INTEGER);"
    "CREATE TABLE index_weights("
    "  year INTEGER NOT NULL, index_name TEXT NOT NULL, indicator TEXT NOT NULL,"
    "  entropy REAL, weight REAL NOT NULL, run_id INTEGER,"
    "  PRIMARY KEY(year, index_name, indicator));"

    /* Check results are append-only across runs. */
    "CREATE TABLE check_results("
    "  id INTEGER PRIMARY KEY, run_id INTEGER, stage TEXT NOT NULL, check_name TEXT NOT NULL,"
    "  status TEXT NOT NULL CHECK(status IN ('pass','warn','fail')), entity TEXT,"
    "  year INTEGER, variable TEXT, detail TEXT, created_at TEXT NOT NULL);"
    "CREATE TRIGGER check_results_no_update BEFORE UPDATE ON check_results"
    "  BEGIN SELECT RAISE(ABORT, 'check_results is append-only'); END;"
    "CREATE TRIGGER check_results_no_delete BEFORE DELETE ON check_results"
    "  BEGIN SELECT RAISE(ABORT, 'check_results is append-only'); END;"

    /* Published releases of the warehouse. */
    "CREATE TABLE releases("
    "  id INTEGER PRIMARY KEY, run_id INTEGER, path TEXT NOT NULL, sha256 TEXT,"
    "  published_at TEXT NOT NULL, cells INTEGER, manifest_sha256 TEXT);";

const dtp_migration dtp_staging_migrations[] = {
    {1, "base schema", m1_base},
    {0, NULL, NULL},
};
