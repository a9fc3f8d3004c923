/* The client's bearer token (see client_token.h). */
#include "client/client_token.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/secret_file.h"
#include "common/token_file.h"

typedef struct first_token {
  char *out;
  bool found;
} first_token;

static int take_first(void *ud, const char *token, size_t len, const char **why) {
  first_token *f = ud;
  if (f->found)
    return 0;
  if (!h3_access_token_valid(token, len)) {
    *why = "not a token (16 to 256 letters, digits, -._~+/ then any '=')";
    return -1;
  }
  memcpy(f->out, "Bearer ", 7);
  memcpy(f->out + 7, token, len);
  f->out[7 + len] = '\0';
  f->found = true;
  return 0;
}

int client_token_load(const char *creddir, const char *token_file, char *out, char *err,
                      size_t errlen) {
  char path[1024];
  bool from_cred;
  out[0] = '\0';
  if (secret_file_resolve(creddir, CLIENT_TOKEN_CREDENTIAL, token_file, path, sizeof(path),
                          &from_cred) != 0) {
    snprintf(err, errlen, "token file: path too long");
    return -1;
  }
  if (!path[0])
    return 0;
  size_t len = 0;
  char *text = token_file_read(path, from_cred, &len, err, errlen);
  if (!text)
    return -1;
  first_token f = {.out = out};
  unsigned line = 0;
  const char *why = "";
  long n = token_file_parse(text, len, take_first, &f, &line, &why);
  token_file_wipe(text, len);
  if (n < 0) {
    out[0] = '\0';
    snprintf(err, errlen, "%s:%u: %s", path, line, why);
    return -1;
  }
  if (!f.found) {
    snprintf(err, errlen, "%s: no token in the file", path);
    return -1;
  }
  return 0;
}
