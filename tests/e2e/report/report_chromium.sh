#!/bin/sh
# Build the offline demo release into a temporary data directory, write its report, and look at
# it with headless Chromium: a 1280x2000 screenshot (kept as a test artifact), no console
# errors, and as many coverage squares in the browser's DOM as the warehouse has entity-years
# times variables per panel. Needs DTP_BINARY, DTP_SOURCE_DIR and DTP_BUILD_DIR (set by CTest).
set -eu
CHROMIUM=${DTP_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
    echo "skipped: chromium not installed ($CHROMIUM); apt-get install chromium to run this test"
    exit 77
fi
: "${DTP_BINARY:?}" "${DTP_SOURCE_DIR:?}" "${DTP_BUILD_DIR:?}"
OUT="$DTP_BUILD_DIR/test-artifacts/report"
TMP=$(mktemp -d /tmp/dtp-report-e2e-XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM
mkdir -p "$OUT"
CONF="$DTP_SOURCE_DIR/data/snapshot/pipeline.conf"
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

"$DTP_BINARY" --config "$CONF" --data-dir "$TMP/data" --quiet run >"$TMP/run.log" 2>&1 ||
    { cat "$TMP/run.log"; fail "dtpanel run"; }
"$DTP_BINARY" --config "$CONF" --data-dir "$TMP/data" report --out "$OUT/report.html" ||
    fail "dtpanel report"

# expected squares: per panel, entities x years x variables (entities and years of the panel
# as the report collects them: members and any entity or year with a cell)
if command -v sqlite3 >/dev/null 2>&1; then
    EXPECT=$(sqlite3 "$TMP/data/warehouse.db" "
      SELECT COALESCE(SUM(e * y * v), 0) FROM (SELECT p.panel,
        (SELECT COUNT(*) FROM (SELECT entity FROM panel_entities WHERE panel = p.panel
                               UNION SELECT entity FROM panel_cells WHERE panel = p.panel)) AS e,
        (SELECT COUNT(*) FROM (SELECT year FROM panel_years WHERE panel = p.panel
                               UNION SELECT year FROM panel_cells WHERE panel = p.panel)) AS y,
        (SELECT COUNT(DISTINCT variable) FROM panel_cells WHERE panel = p.panel) AS v
        FROM (SELECT DISTINCT panel FROM panel_cells) p)")
else
    EXPECT=$(grep -o 'class="cv ' "$OUT/report.html" | wc -l)
fi
[ "$EXPECT" -gt 0 ] || fail "the demo release has no cells"

FLAGS="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  --disable-default-apps --disable-extensions --user-data-dir=$TMP/profile"
URL="file://$OUT/report.html"
start=$(date +%s)
# shellcheck disable=SC2086
"$CHROMIUM" $FLAGS --window-size=1280,2000 --screenshot="$OUT/report.png" "$URL" \
    >"$TMP/shot.out" 2>"$TMP/shot.err" || { cat "$TMP/shot.err"; fail "chromium screenshot"; }
# shellcheck disable=SC2086
"$CHROMIUM" $FLAGS --enable-logging=stderr --v=0 --dump-dom "$URL" \
    >"$OUT/report.dom.html" 2>"$TMP/dom.err" || { cat "$TMP/dom.err"; fail "chromium dump-dom"; }
end=$(date +%s)

# a PNG was written
[ -s "$OUT/report.png" ] || fail "no screenshot"
[ "$(head -c 8 "$OUT/report.png" | od -An -c | tr -d ' \n')" = '211PNG\r\n032\n' ] ||
    fail "screenshot is not a PNG"
# no console messages (the page has no scripts; a failed resource load would log one)
if grep -E 'CONSOLE|Failed to load resource|net::ERR_' "$TMP/dom.err" "$TMP/shot.err"; then
    fail "chromium logged console errors"
fi
GOT=$(grep -o 'class="cv ' "$OUT/report.dom.html" | wc -l)
[ "$GOT" -eq "$EXPECT" ] || fail "DOM has $GOT coverage squares, expected $EXPECT"
grep -q 'dtpanel trace' "$OUT/report.dom.html" || fail "no trace commands in the DOM"
echo "ok: $GOT coverage squares in the DOM (expected $EXPECT); two chromium runs took" \
    "$((end - start)) s"
echo "screenshot: $OUT/report.png"
echo "report:     $OUT/report.html"
