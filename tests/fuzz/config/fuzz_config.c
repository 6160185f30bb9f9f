/* Fuzz the pipeline.conf reader: the input as an INI file over the defaults, each of its lines
 * as a --set assignment, then every reader of the result (each key, years, sources, hash). A
 * value the reader accepted must read back through the typed getters without crashing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"

typedef struct walk {
    const dtp_config *cfg;
    size_t total;
} walk;

static void visit(void *ctx, const char *section, const char *key, const char *value,
                  const char *origin, const char *help)
{
    (void)help;
    walk *w = ctx;
    w->total += strlen(section) + strlen(key) + strlen(value) + (origin ? strlen(origin) : 0);
    const char *got = dtp_config_get(w->cfg, section, key);
    /* the visitor and the getter agree, except that a secret is never shown */
    if (!got || (strcmp(got, value) != 0 && strcmp(value, "(set)") != 0))
        __builtin_trap();
    if (strcmp(key, "client_secret") == 0 && *got && strcmp(value, "(set)") != 0)
        __builtin_trap();
    int y0, y1;
    w->total += (size_t)dtp_config_int(w->cfg, section, key);
    w->total += (size_t)dtp_config_bool(w->cfg, section, key);
    (void)dtp_config_double(w->cfg, section, key);
    if (dtp_config_years(w->cfg, section, key, &y0, &y1) == 0 && (y0 > y1 || y0 < 1900))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0;
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';

    dtp_error err;
    dtp_error_clear(&err);
    dtp_config *cfg = dtp_config_new();
    if (!cfg)
        goto out;
    dtp_config_load_string(cfg, s, "fuzz.conf", &err);
    /* each line as a --set assignment over whatever the file left */
    char *line = s;
    while (line && *line) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        dtp_error_clear(&err);
        dtp_config_set_arg(cfg, line, &err);
        line = nl ? nl + 1 : NULL;
    }
    walk w = {cfg, 0};
    dtp_config_each(cfg, visit, &w);
    size_t n = 0;
    const char *const *src = dtp_config_sources(cfg, &n);
    for (size_t i = 0; src && i < n; i++)
        w.total += strlen(src[i]);
    char hex[65];
    dtp_config_hash(cfg, hex);
    int y0, y1;
    dtp_config_years(cfg, "panel", "years", &y0, &y1);
out:
    dtp_config_free(cfg);
    free(s);
    return 0;
}
