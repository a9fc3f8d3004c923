/* The server's access policy (h3_access) from its settings: the origin
 * allow-list, and the bearer tokens from the systemd credential "tokens" or
 * the tokens_file setting. */
#ifndef WTPING_SERVER_ACCESS_H
#define WTPING_SERVER_ACCESS_H

#include <stddef.h>

#include "h3/h3_access.h"
#include "server/server_opts.h"

#define SERVER_TOKENS_CREDENTIAL "tokens"

/* server_access_load builds |out| from |o|, reading the tokens from
 * $CREDENTIALS_DIRECTORY/tokens (|creddir|, may be NULL) when it exists,
 * else from o->tokens_file (refused if others can read it). |*source|
 * names where the tokens came from (a path, or NULL for none). Returns 0,
 * or -1 with "FILE:LINE: reason" or the permission problem in |err|; the
 * token text never appears in a message. */
int server_access_load(const server_opts *o, const char *creddir, h3_access *out,
                       char *source, size_t sourcelen, char *err, size_t errlen);

#endif
