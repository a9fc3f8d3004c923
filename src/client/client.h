/* wtping-client's run: resolve, connect, ping, summarize. */
#ifndef WTPING_CLIENT_H
#define WTPING_CLIENT_H

#include "client/client_opts.h"

/* client_run runs one ping session as configured and returns the exit
 * status (0 replies came, 1 none came, 2 error), as ping(8) does. */
int client_run(const client_opts *o);

#endif
