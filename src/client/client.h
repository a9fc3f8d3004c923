/* wtping-client's run: resolve, connect, ping; one-shot or as a daemon. */
#ifndef WTPING_CLIENT_H
#define WTPING_CLIENT_H

#include <stdbool.h>

#include "client/client_opts.h"

/* client_run pings the server of |o|. One-shot (|daemon| false): returns
 * the exit status as ping(8) does (0 replies came, 1 none came, 2 error).
 * Daemon: runs until SIGTERM, reconnecting by itself; argv is re-read on
 * reload. */
int client_run(const client_opts *o, bool daemon, int argc, char **argv);

#endif
