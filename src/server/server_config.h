/* wtping-server configuration file (libconfig syntax, flat settings). */
#ifndef WTPING_SERVER_CONFIG_H
#define WTPING_SERVER_CONFIG_H

#include <stddef.h>

#include "server/server_opts.h"

/* server_config_load reads |path| into |o|, whose current values are the
 * defaults that stay when a setting is absent. Unknown settings, wrong types
 * and out-of-range values are errors. Returns 0, or -1 with |o| unchanged
 * and "FILE:LINE: SETTING: problem" (or "cannot read FILE: reason") in
 * |err|. */
/* server_cert_mode_parse reads "file" or "self-rotating". Returns 0 or -1. */
int server_cert_mode_parse(const char *s, int *out);

int server_config_load(const char *path, server_opts *o, char *err, size_t errlen);

#endif
