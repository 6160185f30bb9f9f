#include "common/config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "common/buf.h"
#include "common/sha256.h"

#define MAX_SOURCES 64
#define MAX_VALUE 4096

typedef struct entry {
    char *section;
    const dtp_cfg_key *def;
    char *value;
    char *origin;
} entry;

struct dtp_config {
    entry *entries;
    size_t n, cap;
    char *sources[MAX_SOURCES];
    size_t nsources;
};

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

int dtp_parse_long(const char *s, long *out)
{
    if (!s || !*s)
        return -1;
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

int dtp_parse_double(const char *s, double *out)
{
    if (!s || !*s)
        return -1;
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int dtp_parse_bool(const char *s, int *out)
{
    static const char *yes[] = {"yes", "true", "on", "1"};
    static const char *no[] = {"no", "false", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}

int dtp_parse_years(const char *s, int *y0, int *y1)
{
    char a[16], b[16];
    const char *dash = strchr(s, '-');
    long l0, l1;
    if (dash) {
        size_t na = (size_t)(dash - s);
        if (na == 0 || na >= sizeof a || strlen(dash + 1) >= sizeof b)
            return -1;
        memcpy(a, s, na);
        a[na] = '\0';
        snprintf(b, sizeof b, "%s", dash + 1);
        if (dtp_parse_long(a, &l0) || dtp_parse_long(b, &l1))
            return -1;
    } else {
        if (dtp_parse_long(s, &l0))
            return -1;
        l1 = l0;
    }
    if (l0 < 1900 || l1 > 2100 || l0 > l1)
        return -1;
    *y0 = (int)l0;
    *y1 = (int)l1;
    return 0;
}

static int is_source_section(const char *section)
{
    return strncmp(section, "source.", 7) == 0;
}

static int valid_source_name(const char *name)
{
    if (!*name || strlen(name) > 40)
        return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return 0;
    return 1;
}

/* Checks a value against its key's type; on failure writes why into msg. */
static int check_value(const dtp_cfg_key *k, const char *v, char *msg, size_t msgsz)
{
    long l;
    double d;
    int b, y0, y1;
    if (strlen(v) >= MAX_VALUE) {
        snprintf(msg, msgsz, "value longer than %d characters", MAX_VALUE - 1);
        return -1;
    }
    switch (k->type) {
    case DTP_CFG_STRING:
        return 0;
    case DTP_CFG_INT:
        if (dtp_parse_long(v, &l) || (double)l < k->min || (double)l > k->max) {
            snprintf(msg, msgsz, "'%s' is not a whole number from %.0f to %.0f", v, k->min, k->max);
            return -1;
        }
        return 0;
    case DTP_CFG_DOUBLE:
        if (dtp_parse_double(v, &d) || d < k->min || d > k->max) {
            snprintf(msg, msgsz, "'%s' is not a number from %g to %g", v, k->min, k->max);
            return -1;
        }
        return 0;
    case DTP_CFG_BOOL:
        if (dtp_parse_bool(v, &b)) {
            snprintf(msg, msgsz, "'%s' is not yes or no", v);
            return -1;
        }
        return 0;
    case DTP_CFG_YEARS:
        if (dtp_parse_years(v, &y0, &y1)) {
            snprintf(msg, msgsz, "'%s' is not a year range like 2016-2023", v);
            return -1;
        }
        return 0;
    case DTP_CFG_ENUM: {
        if (!*v && !*k->def)
            return 0; /* unset enum with no default: the reader decides */
        const char *c = k->choices;
        size_t vn = strlen(v);
        while (c && *c) {
            const char *bar = strchr(c, '|');
            size_t cn = bar ? (size_t)(bar - c) : strlen(c);
            if (cn == vn && strncmp(c, v, cn) == 0)
                return 0;
            c = bar ? bar + 1 : NULL;
        }
        snprintf(msg, msgsz, "'%s' is not one of %s", v, k->choices);
        return -1;
    }
    case DTP_CFG_URL:
        if (!*v || strncmp(v, "https://", 8) == 0 || strncmp(v, "http://", 7) == 0 ||
            strncmp(v, "file://", 7) == 0)
            return 0;
        snprintf(msg, msgsz, "'%s' is not an https://, http:// or file:// URL", v);
        return -1;
    }
    return -1;
}

static dtp_status add_entry(dtp_config *cfg, const char *section, const dtp_cfg_key *k)
{
    if (cfg->n == cfg->cap) {
        size_t ncap = cfg->cap ? cfg->cap * 2 : 128;
        entry *p = realloc(cfg->entries, ncap * sizeof *p);
        if (!p)
            return DTP_ERR_NOMEM;
        cfg->entries = p;
        cfg->cap = ncap;
    }
    entry *e = &cfg->entries[cfg->n];
    e->section = dupstr(section);
    e->value = dupstr(k->def);
    e->origin = dupstr("default");
    e->def = k;
    if (!e->section || !e->value || !e->origin) {
        free(e->section);
        free(e->value);
        free(e->origin);
        return DTP_ERR_NOMEM;
    }
    cfg->n++;
    return DTP_OK;
}

dtp_config *dtp_config_new(void)
{
    dtp_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return NULL;
    for (const dtp_cfg_key *k = dtp_config_keys; k->key; k++) {
        if (is_source_section(k->section))
            continue;
        if (add_entry(cfg, k->section, k) != DTP_OK) {
            dtp_config_free(cfg);
            return NULL;
        }
    }
    return cfg;
}

void dtp_config_free(dtp_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->n; i++) {
        free(cfg->entries[i].section);
        free(cfg->entries[i].value);
        free(cfg->entries[i].origin);
    }
    for (size_t i = 0; i < cfg->nsources; i++)
        free(cfg->sources[i]);
    free(cfg->entries);
    free(cfg);
}

static entry *find(const dtp_config *cfg, const char *section, const char *key)
{
    for (size_t i = 0; i < cfg->n; i++)
        if (strcmp(cfg->entries[i].section, section) == 0 &&
            strcmp(cfg->entries[i].def->key, key) == 0)
            return &cfg->entries[i];
    return NULL;
}

/* Create the entries of a [source.NAME] section the first time it is named. */
static dtp_status ensure_source(dtp_config *cfg, const char *section, dtp_error *err,
                                const char *origin)
{
    for (size_t i = 0; i < cfg->nsources; i++)
        if (strcmp(cfg->sources[i], section + 7) == 0)
            return DTP_OK;
    if (!valid_source_name(section + 7)) {
        dtp_error_locatef(err, "%s", origin);
        return dtp_error_set(err, DTP_ERR_CONFIG, "config",
                             "source name '%s' must be 1-40 characters of a-z, 0-9 and _",
                             section + 7);
    }
    if (cfg->nsources == MAX_SOURCES) {
        dtp_error_locatef(err, "%s", origin);
        return dtp_error_set(err, DTP_ERR_CONFIG, "config", "more than %d sources", MAX_SOURCES);
    }
    char *name = dupstr(section + 7);
    if (!name)
        return dtp_error_set(err, DTP_ERR_NOMEM, "config", "out of memory");
    cfg->sources[cfg->nsources++] = name;
    for (const dtp_cfg_key *k = dtp_config_keys; k->key; k++) {
        if (!is_source_section(k->section))
            continue;
        if (add_entry(cfg, section, k) != DTP_OK)
            return dtp_error_set(err, DTP_ERR_NOMEM, "config", "out of memory");
    }
    return DTP_OK;
}

static int section_known(const char *section)
{
    for (const dtp_cfg_key *k = dtp_config_keys; k->key; k++)
        if (strcmp(k->section, section) == 0)
            return 1;
    return 0;
}

dtp_status dtp_config_set(dtp_config *cfg, const char *section, const char *key, const char *value,
                          const char *origin, dtp_error *err)
{
    if (is_source_section(section)) {
        dtp_status st = ensure_source(cfg, section, err, origin);
        if (st != DTP_OK)
            return st;
    } else if (!section_known(section)) {
        dtp_error_locatef(err, "%s", origin);
        return dtp_error_set(err, DTP_ERR_CONFIG, "config",
                             "unknown section [%s] (known: dtpanel, http, panel, clean, ocr, "
                             "source.NAME)",
                             section);
    }
    entry *e = find(cfg, section, key);
    if (!e) {
        dtp_error_locatef(err, "%s", origin);
        return dtp_error_set(err, DTP_ERR_CONFIG, "config", "unknown key '%s' in [%s]", key,
                             section);
    }
    char msg[512];
    if (check_value(e->def, value, msg, sizeof msg)) {
        dtp_error_locatef(err, "%s", origin);
        return dtp_error_set(err, DTP_ERR_CONFIG, "config", "[%s] %s: %s", section, key, msg);
    }
    char *v = dupstr(value), *o = dupstr(origin);
    if (!v || !o) {
        free(v);
        free(o);
        return dtp_error_set(err, DTP_ERR_NOMEM, "config", "out of memory");
    }
    free(e->value);
    free(e->origin);
    e->value = v;
    e->origin = o;
    return DTP_OK;
}

/* inih hands us lines through this reader, so we know the line of every key it reports. */
typedef struct ini_ctx {
    dtp_config *cfg;
    const char *name;
    FILE *f;          /* file source, or */
    const char *text; /* string source */
    size_t pos;
    int line;
    int long_line;
    dtp_status st;
    dtp_error *err;
} ini_ctx;

static char *ini_reader_fn(char *str, int num, void *stream)
{
    ini_ctx *c = stream;
    if (c->st != DTP_OK)
        return NULL;
    if (c->f) {
        if (!fgets(str, num, c->f))
            return NULL;
    } else {
        if (!c->text[c->pos])
            return NULL;
        int i = 0;
        while (i < num - 1 && c->text[c->pos]) {
            char ch = c->text[c->pos++];
            str[i++] = ch;
            if (ch == '\n')
                break;
        }
        str[i] = '\0';
    }
    c->line++;
    size_t len = strlen(str);
    int at_end = c->f ? feof(c->f) : !c->text[c->pos];
    if (len == (size_t)num - 1 && str[len - 1] != '\n' && !at_end) {
        dtp_error_locatef(c->err, "%s:%d", c->name, c->line);
        c->st = dtp_error_set(c->err, DTP_ERR_CONFIG, "config", "line longer than %d characters",
                              num - 3);
        return NULL;
    }
    return str;
}

static int ini_handler_fn(void *user, const char *section, const char *name, const char *value)
{
    ini_ctx *c = user;
    if (c->st != DTP_OK)
        return 0;
    char origin[512];
    snprintf(origin, sizeof origin, "%s:%d", c->name, c->line);
    if (!section || !*section) {
        dtp_error_locatef(c->err, "%s", origin);
        c->st =
            dtp_error_set(c->err, DTP_ERR_CONFIG, "config", "key '%s' outside any [section]", name);
        return 0;
    }
    c->st = dtp_config_set(c->cfg, section, name, value ? value : "", origin, c->err);
    return c->st == DTP_OK;
}

static dtp_status run_ini(ini_ctx *c)
{
    ini_allow_multiline = false; /* a continuation line is a mistake, not a value */
    int rc = ini_parse_stream(ini_reader_fn, c, ini_handler_fn, c);
    if (c->st != DTP_OK)
        return c->st;
    if (rc > 0) {
        dtp_error_locatef(c->err, "%s:%d", c->name, rc);
        return dtp_error_set(c->err, DTP_ERR_CONFIG, "config",
                             "not a [section] or key = value line");
    }
    if (rc < 0)
        return dtp_error_set(c->err, DTP_ERR_NOMEM, "config", "ini reader failed (%d)", rc);
    return DTP_OK;
}

dtp_status dtp_config_load_file(dtp_config *cfg, const char *path, dtp_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        dtp_error_locatef(err, "%s", path);
        return dtp_error_set(err, DTP_ERR_IO, "config", "cannot open: %s", strerror(errno));
    }
    ini_ctx c = {.cfg = cfg, .name = path, .f = f, .err = err};
    dtp_status st = run_ini(&c);
    fclose(f);
    return st;
}

dtp_status dtp_config_load_string(dtp_config *cfg, const char *text, const char *name,
                                  dtp_error *err)
{
    ini_ctx c = {.cfg = cfg, .name = name, .text = text, .err = err};
    return run_ini(&c);
}

dtp_status dtp_config_set_arg(dtp_config *cfg, const char *a, dtp_error *err)
{
    const char *eq = strchr(a, '=');
    const char *dot = NULL;
    for (const char *p = a; eq && p < eq; p++)
        if (*p == '.')
            dot = p;
    if (!eq || !dot || dot == a || dot + 1 == eq) {
        dtp_error_locatef(err, "--set %s", a);
        return dtp_error_set(err, DTP_ERR_USAGE, "config",
                             "expected SECTION.KEY=VALUE (e.g. panel.years=2016-2023)");
    }
    char section[256], key[128];
    size_t sn = (size_t)(dot - a), kn = (size_t)(eq - dot - 1);
    if (sn >= sizeof section || kn >= sizeof key) {
        dtp_error_locatef(err, "--set");
        return dtp_error_set(err, DTP_ERR_USAGE, "config", "section or key too long");
    }
    memcpy(section, a, sn);
    section[sn] = '\0';
    memcpy(key, dot + 1, kn);
    key[kn] = '\0';
    return dtp_config_set(cfg, section, key, eq + 1, "--set", err);
}

const char *dtp_config_get(const dtp_config *cfg, const char *section, const char *key)
{
    entry *e = find(cfg, section, key);
    return e ? e->value : NULL;
}

const char *dtp_config_origin(const dtp_config *cfg, const char *section, const char *key)
{
    entry *e = find(cfg, section, key);
    return e ? e->origin : NULL;
}

long dtp_config_int(const dtp_config *cfg, const char *section, const char *key)
{
    long v = 0;
    const char *s = dtp_config_get(cfg, section, key);
    if (s)
        dtp_parse_long(s, &v);
    return v;
}

double dtp_config_double(const dtp_config *cfg, const char *section, const char *key)
{
    double v = 0;
    const char *s = dtp_config_get(cfg, section, key);
    if (s)
        dtp_parse_double(s, &v);
    return v;
}

int dtp_config_bool(const dtp_config *cfg, const char *section, const char *key)
{
    int v = 0;
    const char *s = dtp_config_get(cfg, section, key);
    if (s)
        dtp_parse_bool(s, &v);
    return v;
}

int dtp_config_years(const dtp_config *cfg, const char *section, const char *key, int *y0, int *y1)
{
    const char *s = dtp_config_get(cfg, section, key);
    return s ? dtp_parse_years(s, y0, y1) : -1;
}

const char *const *dtp_config_sources(const dtp_config *cfg, size_t *n)
{
    *n = cfg->nsources;
    return (const char *const *)cfg->sources;
}

void dtp_config_each(const dtp_config *cfg, dtp_config_visit_fn fn, void *ctx)
{
    for (size_t i = 0; i < cfg->n; i++) {
        const entry *e = &cfg->entries[i];
        const char *v = e->value;
        if (e->def->secret && *v)
            v = "(set)";
        fn(ctx, e->section, e->def->key, v, e->origin, e->def->help);
    }
}

typedef struct hash_ctx {
    dtp_buf b;
    dtp_status st;
} hash_ctx;

static void hash_visit(void *ctx, const char *section, const char *key, const char *value,
                       const char *origin, const char *help)
{
    hash_ctx *h = ctx;
    if (h->st == DTP_OK)
        h->st = dtp_buf_printf(&h->b, "%s.%s=%s\n", section, key, value);
}

dtp_status dtp_config_hash(const dtp_config *cfg, char hex[65])
{
    hash_ctx h = {.st = DTP_OK};
    dtp_buf_init(&h.b, (size_t)64 << 20);
    dtp_config_each(cfg, hash_visit, &h);
    if (h.st == DTP_OK)
        h.st = dtp_sha256_hex(h.b.data ? h.b.data : "", h.b.len, hex);
    dtp_buf_free(&h.b);
    return h.st;
}
