-- The published warehouse (DESIGN.md "Interfaces that stay fixed", METHODS.md §C).
--
-- `dtpanel load` creates a new SQLite file, runs this script, copies the staging tables into
-- the tables below (same names and columns as staging; the load copies the columns both sides
-- have), fills the release tables, checks the result and swaps the file in atomically.
-- The tables are free to change; the four views at the end are the stable interface.
--
-- Transforms (ln_* columns) are materialised by the load into panel_cells.ln_value under the
-- settings recorded in release_settings (total_definition, iso27001_transform), so that any
-- SQLite reader (with or without the math functions) gets the same numbers:
--   dt_exp, dt_imp, dt_total  ln(x) for x > 0, else NULL
--   dt_total with total_definition = log_sum: ln(dt_exp) + ln(dt_imp) of the same entity-year
--   iso27001  ln_max1: ln(max(x,1)) (0 -> 0); log1p: ln(1+x); missing: ln(x) for x > 0, else NULL
--   iso27001_listed  ln(1+x)
-- This file is embedded into the dtpanel binary at build time (load/CMakeLists.txt).

PRAGMA foreign_keys = OFF;

CREATE TABLE sources(
  name TEXT PRIMARY KEY, kind TEXT NOT NULL, url TEXT, title TEXT, publisher TEXT,
  licence TEXT, generated INTEGER NOT NULL DEFAULT 0, updated_at TEXT NOT NULL);

CREATE TABLE runs(
  id INTEGER PRIMARY KEY, command TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT,
  status TEXT NOT NULL, exit_code INTEGER, version TEXT NOT NULL, config_sha256 TEXT NOT NULL,
  config_text TEXT, counts TEXT NOT NULL DEFAULT '{}', message TEXT,
  manifest TEXT, manifest_sha256 TEXT, prev_manifest_sha256 TEXT);

CREATE TABLE artifacts(
  sha256 TEXT PRIMARY KEY CHECK(length(sha256) = 64), size INTEGER NOT NULL,
  content_type TEXT, original_name TEXT, first_source TEXT, generated INTEGER NOT NULL
  DEFAULT 0, stored_at TEXT NOT NULL);

CREATE TABLE fetches(
  id INTEGER PRIMARY KEY, run_id INTEGER, source TEXT NOT NULL,
  role TEXT NOT NULL DEFAULT '', url TEXT NOT NULL, request_params TEXT,
  http_status INTEGER, etag TEXT, last_modified TEXT, content_type TEXT,
  upstream_version TEXT, fetched_at TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 1,
  outcome TEXT NOT NULL, artifact_sha256 TEXT REFERENCES artifacts(sha256), message TEXT);

CREATE TABLE source_artifacts(
  source TEXT NOT NULL, role TEXT NOT NULL,
  artifact_sha256 TEXT NOT NULL REFERENCES artifacts(sha256),
  fetch_id INTEGER REFERENCES fetches(id), PRIMARY KEY(source, role));

CREATE TABLE observations(
  id INTEGER PRIMARY KEY, artifact_sha256 TEXT NOT NULL REFERENCES artifacts(sha256),
  source TEXT NOT NULL, indicator TEXT, variable TEXT, entity_raw TEXT NOT NULL,
  entity_code TEXT, entity_system TEXT, is_aggregate INTEGER NOT NULL DEFAULT 0,
  year INTEGER NOT NULL, value_raw TEXT, has_value INTEGER NOT NULL, value REAL,
  unit TEXT, scale INTEGER NOT NULL DEFAULT 0, flags TEXT, edition TEXT,
  locator TEXT NOT NULL);

CREATE TABLE countries(
  iso3 TEXT PRIMARY KEY, iso2 TEXT, m49 TEXT, name TEXT NOT NULL, table_version TEXT);
CREATE TABLE aggregates(
  code TEXT NOT NULL, system TEXT NOT NULL, name TEXT, source TEXT, PRIMARY KEY(code, system));
CREATE TABLE provinces(
  code TEXT PRIMARY KEY, name TEXT NOT NULL, name_zh TEXT, region TEXT,
  in_panel INTEGER NOT NULL DEFAULT 1);
CREATE TABLE wb_countries(
  code TEXT PRIMARY KEY, iso2 TEXT, name TEXT, region TEXT, income_group TEXT,
  is_aggregate INTEGER NOT NULL, artifact_sha256 TEXT REFERENCES artifacts(sha256));

CREATE TABLE entity_map(
  source TEXT NOT NULL, entity_raw TEXT NOT NULL, entity_code TEXT NOT NULL DEFAULT '',
  entity_system TEXT NOT NULL DEFAULT '', iso3 TEXT, kind TEXT NOT NULL, rule TEXT NOT NULL,
  table_version TEXT, run_id INTEGER,
  PRIMARY KEY(source, entity_raw, entity_code, entity_system));

CREATE TABLE cert_records(
  id INTEGER PRIMARY KEY, artifact_sha256 TEXT NOT NULL REFERENCES artifacts(sha256),
  record_key TEXT NOT NULL, kind TEXT NOT NULL, capture TEXT NOT NULL,
  cert_no TEXT, org_name TEXT, org_name_norm TEXT, uscc TEXT, project TEXT, standard TEXT,
  is_isms INTEGER, issue_date TEXT, expiry_date TEXT, first_issue_date TEXT, status TEXT,
  cert_body TEXT, address TEXT, province_code TEXT, province_rule TEXT,
  review_status TEXT NOT NULL, run_id INTEGER);
CREATE TABLE cert_fields(
  record_id INTEGER NOT NULL REFERENCES cert_records(id),
  field TEXT NOT NULL, value TEXT, raw_text TEXT, locator TEXT,
  bbox_x INTEGER, bbox_y INTEGER, bbox_w INTEGER, bbox_h INTEGER, confidence REAL,
  engine TEXT, langdata_sha256 TEXT, preprocess TEXT, validation TEXT, flags TEXT,
  accepted INTEGER NOT NULL, reason TEXT, reviewer TEXT, reviewed_at TEXT,
  PRIMARY KEY(record_id, field));
CREATE TABLE cert_events(
  record_id INTEGER NOT NULL REFERENCES cert_records(id),
  seq INTEGER NOT NULL, event TEXT NOT NULL, event_date TEXT, description TEXT,
  locator TEXT, confidence REAL, accepted INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY(record_id, seq));

-- ln_value: the transform of METHODS.md, materialised by the load (see the header).
CREATE TABLE panel_cells(
  id INTEGER PRIMARY KEY, panel TEXT NOT NULL, entity TEXT NOT NULL, year INTEGER NOT NULL,
  variable TEXT NOT NULL, value REAL, status TEXT NOT NULL, method TEXT, reason TEXT,
  flags TEXT, run_id INTEGER, ln_value REAL);
CREATE TABLE overrides(
  id INTEGER PRIMARY KEY, entity TEXT NOT NULL, year INTEGER NOT NULL,
  variable TEXT NOT NULL, value REAL NOT NULL, publisher TEXT NOT NULL,
  document TEXT NOT NULL, url TEXT NOT NULL, date TEXT NOT NULL, reason TEXT NOT NULL,
  file_sha256 TEXT, line INTEGER);
CREATE TABLE lineage(
  cell_id INTEGER NOT NULL REFERENCES panel_cells(id),
  role TEXT NOT NULL,
  observation_id INTEGER REFERENCES observations(id),
  record_id INTEGER REFERENCES cert_records(id),
  input_cell_id INTEGER REFERENCES panel_cells(id),
  override_id INTEGER REFERENCES overrides(id));
CREATE TABLE ledger(
  id INTEGER PRIMARY KEY, run_id INTEGER, panel TEXT, entity TEXT, year INTEGER,
  variable TEXT, rule TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '{}',
  cell_id INTEGER);
CREATE TABLE index_weights(
  year INTEGER NOT NULL, index_name TEXT NOT NULL, indicator TEXT NOT NULL,
  entropy REAL, weight REAL NOT NULL, run_id INTEGER, PRIMARY KEY(year, index_name, indicator));
CREATE TABLE check_results(
  id INTEGER PRIMARY KEY, run_id INTEGER, stage TEXT NOT NULL, check_name TEXT NOT NULL,
  status TEXT NOT NULL, entity TEXT, year INTEGER, variable TEXT, detail TEXT,
  created_at TEXT NOT NULL);
-- Earlier releases as staging recorded them when this one was built.
CREATE TABLE releases(
  id INTEGER PRIMARY KEY, run_id INTEGER, path TEXT NOT NULL, sha256 TEXT,
  published_at TEXT NOT NULL, cells INTEGER, manifest_sha256 TEXT);

-- This release: exactly one row. manifest is the JSON the load wrote to
-- <data_dir>/releases/<id>.json (less the file's own sha256, which cannot be inside the file).
CREATE TABLE release(
  id INTEGER PRIMARY KEY, run_id INTEGER, published_at TEXT NOT NULL, version TEXT NOT NULL,
  staging_version INTEGER NOT NULL, content_sha256 TEXT NOT NULL, cells INTEGER NOT NULL,
  prev_release_id INTEGER, manifest TEXT NOT NULL, manifest_sha256 TEXT NOT NULL);
CREATE TABLE release_settings(key TEXT PRIMARY KEY, value TEXT NOT NULL);

-- Panel members with integer ids for xtset (entity_id: 1.. in code order), and the years.
-- An entity is a member when it has at least one published cell (observed, imputed,
-- overridden, derived) and no ledger row with action 'drop' for it.
CREATE TABLE panel_entities(
  panel TEXT NOT NULL, entity TEXT NOT NULL, entity_id INTEGER NOT NULL,
  PRIMARY KEY(panel, entity), UNIQUE(panel, entity_id));
CREATE TABLE panel_years(panel TEXT NOT NULL, year INTEGER NOT NULL, PRIMARY KEY(panel, year));

-- Indexes are created after the bulk copy (see load/publish.c) for speed; listed here so the
-- schema says what exists.
-- @indexes
CREATE UNIQUE INDEX panel_cells_key ON panel_cells(panel, entity, year, variable);
CREATE INDEX lineage_by_cell ON lineage(cell_id);
CREATE INDEX fetches_by_artifact ON fetches(artifact_sha256);
CREATE INDEX cert_records_by_artifact ON cert_records(artifact_sha256);
CREATE INDEX ledger_by_cell ON ledger(panel, entity, year, variable);
CREATE INDEX ledger_by_cell_id ON ledger(cell_id);
-- @views

-- Every parsed source value after entity mapping. iso3 is NULL for aggregates and unmapped
-- labels. status: 'reported' when the source gave a value, 'missing' when it did not (its own
-- missing label stays in flags of the observations table).
CREATE VIEW source_observation AS
SELECT o.source AS source, o.variable AS variable,
       CASE WHEN em.kind = 'country' THEN em.iso3
            WHEN em.kind IS NULL AND o.is_aggregate = 0 AND o.entity_system = 'iso3'
              THEN o.entity_code END AS iso3,
       o.entity_raw AS entity_raw, o.year AS year, o.value AS value, o.unit AS unit,
       CASE WHEN o.has_value THEN 'reported' ELSE 'missing' END AS status,
       o.artifact_sha256 AS artifact_sha256, o.locator AS locator
FROM observations o
LEFT JOIN entity_map em
  ON em.source = o.source AND em.entity_raw = o.entity_raw
 AND em.entity_code = COALESCE(o.entity_code, '') AND em.entity_system = COALESCE(o.entity_system, '');

-- One row per registry certificate: the detail capture when there is one, else the newest list
-- row (by record id).
CREATE VIEW certificate_record AS
SELECT cert_no, org_name, uscc, standard, issue_date, expiry_date, status, cert_body,
       province_code, review_status, artifact_sha256
FROM (SELECT r.*, ROW_NUMBER() OVER (PARTITION BY COALESCE(r.cert_no, r.artifact_sha256 || '/' || r.record_key)
                                     ORDER BY r.kind = 'detail' DESC, r.id DESC) AS rn
      FROM cert_records r)
WHERE rn = 1;

-- The country-year panel: one row per member country and configured year (balanced by
-- construction; the load refuses to publish when a member lacks a year). Each variable's
-- value is NULL unless its cell is published (observed, imputed, overridden, derived);
-- <variable>_status is the cell status (also 'excluded' or 'missing', NULL without a cell).
-- entity_id (1.. in code order) and year are the integer ids for xtset.
CREATE VIEW panel_country_year AS
WITH w AS (
SELECT e.entity AS iso3, y.year AS year, e.entity_id AS entity_id,
  MAX(CASE WHEN c.variable = 'dt_exp' AND c.status IN ('observed','imputed','overridden','derived') THEN c.value END) AS dt_exp,
  MAX(CASE WHEN c.variable = 'dt_exp' THEN c.status END) AS dt_exp_status,
  MAX(CASE WHEN c.variable = 'dt_exp' AND c.status IN ('observed','imputed','overridden','derived') THEN c.ln_value END) AS ln_dt_exp,
  MAX(CASE WHEN c.variable = 'dt_imp' AND c.status IN ('observed','imputed','overridden','derived') THEN c.value END) AS dt_imp,
  MAX(CASE WHEN c.variable = 'dt_imp' THEN c.status END) AS dt_imp_status,
  MAX(CASE WHEN c.variable = 'dt_imp' AND c.status IN ('observed','imputed','overridden','derived') THEN c.ln_value END) AS ln_dt_imp,
  MAX(CASE WHEN c.variable = 'dt_total' AND c.status IN ('observed','imputed','overridden','derived') THEN c.value END) AS dt_total,
  MAX(CASE WHEN c.variable = 'dt_total' THEN c.status END) AS dt_total_status,
  MAX(CASE WHEN c.variable = 'dt_total' AND c.status IN ('observed','imputed','overridden','derived') THEN c.ln_value END) AS ln_dt_total,
  MAX(CASE WHEN c.variable = 'iso27001' AND c.status IN ('observed','imputed','overridden','derived') THEN c.value END) AS iso27001,
  MAX(CASE WHEN c.variable = 'iso27001' THEN c.status END) AS iso27001_status,
  MAX(CASE WHEN c.variable = 'iso27001' AND c.status IN ('observed','imputed','overridden','derived') THEN c.ln_value END) AS ln_iso27001,
  MAX(CASE WHEN c.variable = 'pv' AND c.status IN ('observed','imputed','overridden','derived') THEN c.value END) AS pv,
  MAX(CASE WHEN c.variable = 'pv' THEN c.status END) AS pv_status,
  MAX(CASE WHEN c.variable = 'fdi' AND c.status IN ('observed','imputed','overridden','derived') THEN c.value END) AS fdi,
  MAX(CASE WHEN c.variable = 'fdi' THEN c.status END) AS fdi_status,
  MAX(CASE WHEN c.variable = 'infra' AND c.status IN ('observed','imputed','overridden','derived') THEN c.value END) AS infra,
  MAX(CASE WHEN c.variable = 'infra' THEN c.status END) AS infra_status,
  MAX(CASE WHEN c.variable = 'developed' AND c.status IN ('observed','imputed','overridden','derived') THEN c.value END) AS developed,
  MAX(CASE WHEN c.variable = 'developed' THEN c.status END) AS developed_status,
  MAX(CASE WHEN c.variable = 'rcep' AND c.status IN ('observed','imputed','overridden','derived') THEN c.value END) AS rcep,
  MAX(CASE WHEN c.variable = 'rcep' THEN c.status END) AS rcep_status
FROM panel_entities e
JOIN panel_years y ON y.panel = e.panel
LEFT JOIN panel_cells c ON c.panel = e.panel AND c.entity = e.entity AND c.year = y.year
WHERE e.panel = 'country'
GROUP BY e.entity, y.year)
SELECT iso3, year,
  dt_exp, dt_imp, dt_total, iso27001, pv, fdi, infra,
  dt_exp_status, dt_imp_status, dt_total_status, iso27001_status, pv_status, fdi_status, infra_status,
  ln_dt_exp, ln_dt_imp, ln_dt_total, ln_iso27001,
  CAST(developed AS INTEGER) AS developed, CAST(rcep AS INTEGER) AS rcep,
  developed_status, rcep_status, entity_id
FROM w
ORDER BY entity_id, year;

-- The province-year panel (China). Controls (METHODS.md §B) by the cell variable names clean
-- writes: fiscal, ln_gdppc, structure, consumption, tech, popdens, fdi, info, finance.
-- high_dev: the 'high_dev' cell when clean wrote one, else 1 when ln_gdppc is above the sample
-- mean of ln_gdppc over all province-years, 0 at or below it.
CREATE VIEW panel_province_year AS
WITH w AS (
SELECT e.entity AS province_code, p.name AS province, y.year AS year, e.entity_id AS entity_id,
  p.region AS region,
  MAX(CASE WHEN c.variable = 'high_dev' AND c.status IN ('observed','imputed','overridden','derived') THEN c.value END) AS high_dev_cell,
  MAX(CASE WHEN c.variable = 'iso27001_listed' AND c.status IN ('observed','imputed','overridden','derived') THEN c.value END) AS iso27001_listed,
  MAX(CASE WHEN c.variable = 'iso27001_listed' THEN c.status END) AS iso27001_listed_status,
  MAX(CASE WHEN c.variable = 'iso27001_listed' AND c.status IN ('observed','imputed','overridden','derived') THEN c.ln_value END) AS ln_iso27001_listed,
  MAX(CASE WHEN c.variable = 'dt_index' AND c.status IN ('observed','imputed','overridden','derived') THEN c.value END) AS dt_index,
  MAX(CASE WHEN c.variable = 'dt_index' THEN c.status END) AS dt_index_status,
  MAX(CASE WHEN c.variable = 'dt_ordering' AND c.status IN ('observed','imputed','overridden','derived') THEN c.value END) AS dt_ordering,
  MAX(CASE WHEN c.variable = 'dt_ordering' THEN c.status END) AS dt_ordering_status,
  MAX(CASE WHEN c.variable = 'dt_products' AND c.status IN ('observed','imputed','overridden','derived') THEN c.value END) AS dt_products,
  MAX(CASE WHEN c.variable = 'dt_products' THEN c.status END) AS dt_products_status,
  MAX(CASE WHEN c.variable = 'fiscal' AND c.status IN ('observed','imputed','overridden','derived') THEN c.value END) AS fiscal,
  MAX(CASE WHEN c.variable = 'fiscal' THEN c.status END) AS fiscal_status,
  MAX(CASE WHEN c.variable = 'ln_gdppc' AND c.status IN ('observed','imputed','overridden','derived') THEN c.value END) AS ln_gdppc,
  MAX(CASE WHEN c.variable = 'ln_gdppc' THEN c.status END) AS ln_gdppc_status,
  MAX(CASE WHEN c.variable = 'structure' AND c.status IN ('observed','imputed','overridden','derived') THEN c.value END) AS structure,
  MAX(CASE WHEN c.variable = 'structure' THEN c.status END) AS structure_status,
  MAX(CASE WHEN c.variable = 'consumption' AND c.status IN ('observed','imputed','overridden','derived') THEN c.value END) AS consumption,
  MAX(CASE WHEN c.variable = 'consumption' THEN c.status END) AS consumption_status,
  MAX(CASE WHEN c.variable = 'tech' AND c.status IN ('observed','imputed','overridden','derived') THEN c.value END) AS tech,
  MAX(CASE WHEN c.variable = 'tech' THEN c.status END) AS tech_status,
  MAX(CASE WHEN c.variable = 'popdens' AND c.status IN ('observed','imputed','overridden','derived') THEN c.value END) AS popdens,
  MAX(CASE WHEN c.variable = 'popdens' THEN c.status END) AS popdens_status,
  MAX(CASE WHEN c.variable = 'fdi' AND c.status IN ('observed','imputed','overridden','derived') THEN c.value END) AS fdi,
  MAX(CASE WHEN c.variable = 'fdi' THEN c.status END) AS fdi_status,
  MAX(CASE WHEN c.variable = 'info' AND c.status IN ('observed','imputed','overridden','derived') THEN c.value END) AS info,
  MAX(CASE WHEN c.variable = 'info' THEN c.status END) AS info_status,
  MAX(CASE WHEN c.variable = 'finance' AND c.status IN ('observed','imputed','overridden','derived') THEN c.value END) AS finance,
  MAX(CASE WHEN c.variable = 'finance' THEN c.status END) AS finance_status
FROM panel_entities e
JOIN panel_years y ON y.panel = e.panel
LEFT JOIN provinces p ON p.code = e.entity
LEFT JOIN panel_cells c ON c.panel = e.panel AND c.entity = e.entity AND c.year = y.year
WHERE e.panel = 'province'
GROUP BY e.entity, y.year)
SELECT province_code, province, year, region,
  CAST(COALESCE(high_dev_cell,
                CASE WHEN ln_gdppc IS NULL THEN NULL
                     WHEN ln_gdppc > AVG(ln_gdppc) OVER () THEN 1 ELSE 0 END) AS INTEGER) AS high_dev,
  iso27001_listed, ln_iso27001_listed, dt_index, dt_ordering, dt_products,
  fiscal, ln_gdppc, structure, consumption, tech, popdens, fdi, info, finance,
  iso27001_listed_status, dt_index_status, dt_ordering_status, dt_products_status,
  fiscal_status, ln_gdppc_status, structure_status, consumption_status, tech_status,
  popdens_status, fdi_status, info_status, finance_status, entity_id
FROM w
ORDER BY entity_id, year;
