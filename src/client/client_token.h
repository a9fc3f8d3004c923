/* The bearer token wtping-client sends (authorization: Bearer TOKEN): the
 * first token in the systemd credential "token" or in token_file. */
#ifndef WTPING_CLIENT_TOKEN_H
#define WTPING_CLIENT_TOKEN_H

#include <stddef.h>

#include "h3/h3_access.h"

#define CLIENT_TOKEN_CREDENTIAL "token"
/* "Bearer " + the longest token + NUL */
#define CLIENT_AUTHORIZATION_MAX (7 + H3_ACCESS_TOKEN_MAX + 1)

/* client_token_load writes "Bearer TOKEN" into |out| (CLIENT_AUTHORIZATION_MAX
 * bytes), from $CREDENTIALS_DIRECTORY/token (|creddir|, may be NULL) or
 * |token_file| (refused if others can read it); |out| is "" when there is
 * neither. Returns 0, or -1 with the reason in |err| (never the token). */
int client_token_load(const char *creddir, const char *token_file, char *out, char *err,
                      size_t errlen);

#endif
