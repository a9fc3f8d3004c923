/* The server's access policy from its settings (see server_access.h). */
#include "server/server_access.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/secret_file.h"
#include "common/token_file.h"
#include "quic/quic_tls.h"

static int add_token(void *ud, const char *token, size_t len, const char **why) {
  return h3_access_add_token(ud, token, len, why);
}

int server_access_load(const server_opts *o, const char *creddir, h3_access *out,
                       char *source, size_t sourcelen, char *err, size_t errlen) {
  h3_access_init(out);
  source[0] = '\0';
  for (unsigned i = 0; i < o->norigins; i++) {
    const char *why;
    if (h3_access_add_origin(out, o->origins[i], &why) != 0) {
      snprintf(err, errlen, "origins: \"%s\": %s", o->origins[i], why);
      return -1;
    }
  }
  for (unsigned i = 0; i < o->nclient_subjects; i++) {
    const char *why;
    if (h3_access_add_cert_subject(out, o->client_subjects[i], &why) != 0) {
      snprintf(err, errlen, "client_subjects: \"%s\": %s", o->client_subjects[i], why);
      return -1;
    }
  }
  for (unsigned i = 0; i < o->nclient_pins; i++) {
    uint8_t pin[32];
    const char *why = "not a pin";
    if (quic_tls_pin_parse(o->client_pins[i], pin) != 0 ||
        h3_access_add_cert_pin(out, pin, &why) != 0) {
      snprintf(err, errlen, "client_pins: \"%s\": %s", o->client_pins[i], why);
      return -1;
    }
  }
  char path[1024];
  bool from_cred;
  if (secret_file_resolve(creddir, SERVER_TOKENS_CREDENTIAL, o->tokens_file, path, sizeof(path),
                          &from_cred) != 0) {
    snprintf(err, errlen, "tokens: path too long");
    return -1;
  }
  if (!path[0])
    return 0;
  size_t len = 0;
  char *text = token_file_read(path, from_cred, &len, err, errlen);
  if (!text)
    return -1;
  unsigned line = 0;
  const char *why = "";
  long n = token_file_parse(text, len, add_token, out, &line, &why);
  token_file_wipe(text, len);
  if (n < 0) {
    snprintf(err, errlen, "%s:%u: %s", path, line, why);
    return -1;
  }
  if (n == 0) {
    /* an empty list would silently open the door to everyone */
    snprintf(err, errlen, "%s: no tokens in the file", path);
    return -1;
  }
  snprintf(source, sourcelen, "%s", path);
  return 0;
}
