/* Small pieces both clean-stage drivers (country and province panels) use. Internal to clean. */
#ifndef DTP_CLEAN_STAGEKIT_H
#define DTP_CLEAN_STAGEKIT_H

#include <sqlite3.h>
#include <stddef.h>

#include "clean/clean.h"

/* A configured path: absolute as is, relative against the config file's directory, "" unset. */
void dtp_clean_resolve(const dtp_clean_opts *o, const char *value, char *out, size_t n);

/* strdup that turns NULL into "" (NULL only when out of memory). */
char *dtp_clean_dupz(const char *s);

#endif
