/* wtping-server's event loop. */
#ifndef WTPING_SERVER_H
#define WTPING_SERVER_H

#include "server/server_opts.h"

/* server_run binds the listeners, serves until SIGTERM/SIGINT, closes every
 * session gracefully and returns the process exit status. */
int server_run(const server_opts *opts);

#endif
