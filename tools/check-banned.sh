#!/bin/sh
# STYLE.md 12: banned calls. Prints each hit with file:line and fails when there is any.
set -u
cd "$(dirname "$0")/.."
hits=$(git ls-files '*.c' '*.h' | xargs -r grep -nE '\b(strcpy|strcat|sprintf|vsprintf|atoi|atol|atof|strtok|gets|system|popen)[[:space:]]*\(' | grep -vE '(snprintf|vsnprintf)[[:space:]]*\(' || true)
# the pattern above matches snprintf's tail; keep only real hits
hits=$(printf '%s\n' "$hits" | grep -E '(^|[^a-z_])(strcpy|strcat|sprintf|vsprintf|atoi|atol|atof|strtok|gets|system|popen)[[:space:]]*\(' | grep -vE '[^a-z_](snprintf|vsnprintf)\(' || true)
if [ -n "$hits" ]; then
    echo "banned calls (STYLE.md 12):"
    printf '%s\n' "$hits"
    exit 1
fi
echo "banned-call check: clean"
