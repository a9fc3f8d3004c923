/* The static secret behind stateless reset tokens (RFC 9000 10.3). It must
 * survive restarts: then a restarted server answers packets of connections
 * it forgot with a stateless reset the client accepts at once, instead of
 * the client waiting for its idle timeout. */
#ifndef WTPING_RESET_SECRET_H
#define WTPING_RESET_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RESET_SECRET_LEN 32
#define RESET_SECRET_CREDENTIAL "reset-secret"

typedef enum reset_secret_source {
  RESET_SECRET_CREDENTIAL_FILE, /* systemd credential (LoadCredential=) */
  RESET_SECRET_FILE,            /* read from the configured file */
  RESET_SECRET_CREATED,         /* generated and saved to the configured file */
  RESET_SECRET_EPHEMERAL,       /* random, for this run only */
} reset_secret_source;

/* reset_secret_load fills |out|: from the systemd credential
 * RESET_SECRET_CREDENTIAL in |credentials_dir| (may be NULL), else from
 * |path| (at least 16 bytes of key material, hashed with SHA-256), else it
 * generates a random secret and writes it to |path| (mode 0600, atomically).
 * |path| "" asks for an ephemeral secret. Returns the source, or -1 with
 * the reason in |err| (then |out| holds an ephemeral secret anyway, so the
 * caller may go on with a warning). */
int reset_secret_load(const char *credentials_dir, const char *path,
                      uint8_t out[RESET_SECRET_LEN], char *err, size_t errlen);

#endif
