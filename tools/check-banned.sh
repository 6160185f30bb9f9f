#!/bin/sh
# STYLE.md 12: banned calls. Comments and strings are stripped first (the compiler's own
# preprocessor with -fpreprocessed keeps macros and removes comments), so prose that says
# "system (" is not a hit. Prints each hit with its file and fails when there is any.
set -u
cd "$(dirname "$0")/.."
cc=$(command -v cc || command -v gcc || command -v clang)
bad=0
for f in $(git ls-files '*.c' '*.h'); do
    hits=$("$cc" -fpreprocessed -dD -E -P -x c "$f" 2>/dev/null |
        sed -e 's/"\([^"\\]\|\\.\)*"/""/g' |
        grep -nE '(^|[^A-Za-z0-9_.>])(strcpy|strcat|sprintf|vsprintf|atoi|atol|atof|strtok|gets|system|popen)[[:space:]]*\(' || true)
    if [ -n "$hits" ]; then
        printf '%s:\n%s\n' "$f" "$hits"
        bad=1
    fi
done
if [ $bad -ne 0 ]; then
    echo "banned calls (STYLE.md 12): use snprintf, strtol/strtod with checks, strtok_r, posix_spawn"
    exit 1
fi
echo "banned-call check: clean"
