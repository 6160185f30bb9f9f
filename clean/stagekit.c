#include "clean/stagekit.h"

#include <stdio.h>
#include <string.h>

void dtp_clean_resolve(const dtp_clean_opts *o, const char *v, char *out, size_t n)
{
    if (!v || !*v)
        snprintf(out, n, "%s", "");
    else if (v[0] == '/' || !o->config_dir || !*o->config_dir)
        snprintf(out, n, "%s", v);
    else
        snprintf(out, n, "%s/%s", o->config_dir, v);
}

char *dtp_clean_dupz(const char *s)
{
    return strdup(s ? s : "");
}
