/* wtping-client configuration file (libconfig syntax, flat settings). */
#ifndef WTPING_CLIENT_CONFIG_H
#define WTPING_CLIENT_CONFIG_H

#include <stddef.h>

#include "client/client_opts.h"

/* client_config_load reads |path| into |o|, whose current values are the
 * defaults that stay when a setting is absent. Unknown settings, wrong types
 * and out-of-range values are errors. Pins are stored in the canonical form
 * "sha256:BASE64". Returns 0, or -1 with |o| unchanged and
 * "FILE:LINE: SETTING: problem" (or "cannot read FILE: reason") in |err|. */
int client_config_load(const char *path, client_opts *o, char *err, size_t errlen);

#endif
