#!/bin/sh
# STYLE.md 14: every tracked C file formatted by .clang-format.
set -u
cd "$(dirname "$0")/.."
cf=$(command -v clang-format || command -v clang-format-14 || true)
if [ -z "$cf" ]; then
    echo "format check: clang-format not installed" >&2
    exit 1
fi
bad=0
for f in $(git ls-files '*.c' '*.h'); do
    if ! "$cf" --dry-run -Werror "$f" >/dev/null 2>&1; then
        echo "not formatted: $f (run: $cf -i $f)"
        bad=1
    fi
done
[ $bad -eq 0 ] && echo "format check: clean"
exit $bad
