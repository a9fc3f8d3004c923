/* wtping-server's event loop. */
#ifndef WTPING_SERVER_H
#define WTPING_SERVER_H

#include <stddef.h>

#include "server/server_opts.h"

/* server_run binds the listeners, serves until SIGTERM/SIGINT, closes every
 * session gracefully and returns the process exit status. */
int server_run(const server_opts *opts, int argc, char **argv);

/* server_check loads the certificate and key of |opts| (for -t). Returns
 * 0, or -1 with the reason in |err|. */
int server_check(const server_opts *opts, char *err, size_t errlen);

#endif
