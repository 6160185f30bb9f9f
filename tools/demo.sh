#!/bin/sh
# make run: the whole pipeline, offline, on the bundled snapshot (data/snapshot/pipeline.conf:
# real recorded upstream files from tests/fixtures/real/ plus generated, labelled demo data),
# into a fresh data directory; then one screen of what was built.
set -eu
BUILD=${1:-build}
BIN="$BUILD/cli/dtpanel"
CONF=data/snapshot/pipeline.conf
DATA=var/demo
WH="$DATA/warehouse.db"
rm -rf "$DATA"
echo "== dtpanel run (offline snapshot: file:// sources, no network) =="
"$BIN" --config "$CONF" run
echo
echo "== sources =="
sqlite3 -separator '  ' "$WH" "
  SELECT printf('%-15s', s.name), printf('%-15s', s.kind),
         CASE s.generated WHEN 1 THEN 'GENERATED demo data' ELSE 'real recorded data' END,
         printf('%d artifact(s)', (SELECT COUNT(*) FROM source_artifacts sa WHERE sa.source = s.name)),
         COALESCE('version ' || (SELECT MAX(o.edition) FROM observations o WHERE o.source = s.name
                                 AND o.edition LIKE '____-__-__'), '')
  FROM sources s ORDER BY s.name"
echo
echo "== country panel ($(sqlite3 "$WH" "SELECT MIN(year) || '-' || MAX(year) FROM panel_country_year")) =="
sqlite3 "$WH" "
  SELECT printf('%d countries x %d years = %d rows (balanced)', COUNT(DISTINCT iso3),
                COUNT(DISTINCT year), COUNT(*)) FROM panel_country_year;
  SELECT printf('excluded by the sample rules: %d countries (dtpanel status --panel lists each with its rule)',
                COUNT(DISTINCT entity)) FROM panel_cells WHERE panel = 'country' AND status = 'excluded';
  SELECT printf('imputed cells: %d (%s)', COUNT(*), COALESCE(GROUP_CONCAT(DISTINCT substr(method, 1, 7)), '-'))
    FROM panel_cells WHERE panel = 'country' AND status = 'imputed';
  SELECT printf('overrides: %d applied of %d on file', (SELECT COUNT(*) FROM panel_cells WHERE status = 'overridden'),
                COUNT(*)) FROM overrides;
  SELECT printf('aggregate labels set aside: %d', COUNT(*)) FROM entity_map WHERE kind = 'aggregate';"
echo
echo "== province panel and OCR =="
sqlite3 "$WH" "
  SELECT printf('certificate records: %d accepted, %d reviewed, %d waiting for review',
                SUM(review_status = 'accepted'), SUM(review_status = 'reviewed'),
                SUM(review_status = 'needs_review')) FROM certificate_record;
  SELECT printf('province panel rows: %d (%d provinces x %d years; yearbook and listed companies GENERATED)',
                COUNT(*), COUNT(DISTINCT province_code), COUNT(DISTINCT year)) FROM panel_province_year;
  SELECT printf('dt_index weights stored for %d year(s); iso27001_listed: %s', COUNT(DISTINCT year),
                (SELECT COALESCE(GROUP_CONCAT(DISTINCT iso27001_listed_status), '-') FROM panel_province_year))
    FROM index_weights;"
echo
"$BIN" --config "$CONF" --quiet report --out "$DATA/report.html"
echo "warehouse: $(cd "$(dirname "$WH")" && pwd)/$(basename "$WH")"
echo "report:    $(cd "$DATA" && pwd)/report.html (open it in a browser; works offline)"
echo
echo "try:"
echo "  $BIN --config $CONF trace USA 2021 dt_total"
echo "  $BIN --config $CONF export --format dta --panel country var/demo/country.dta"
echo "  sqlite3 $WH \"SELECT iso3, year, dt_exp, dt_imp, ln_dt_total, iso27001 FROM panel_country_year WHERE iso3 = 'USA'\""
