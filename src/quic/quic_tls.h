/* TLS 1.3 for QUIC through GnuTLS and ngtcp2_crypto_gnutls: credentials and
 * per-connection sessions, for both roles. */
#ifndef WTPING_QUIC_TLS_H
#define WTPING_QUIC_TLS_H

#include <gnutls/gnutls.h>
#include <ngtcp2/ngtcp2_crypto.h>

/* Server credentials: a certificate chain and its key (PEM). */
typedef struct quic_tls_server {
  gnutls_certificate_credentials_t cred;
  gnutls_priority_t prio;
} quic_tls_server;

/* quic_tls_server_load loads |cert_file| and |key_file| (PEM; ECDSA,
 * Ed25519 or RSA). Returns 0, or -1 with a message for a person in |err|
 * (|errlen| bytes). */
int quic_tls_server_load(quic_tls_server *t, const char *cert_file, const char *key_file,
                         char *err, size_t errlen);
void quic_tls_server_free(quic_tls_server *t);

/* quic_tls_server_session creates a server session for one connection,
 * configured for QUIC (transport parameters extension, ALPN h3) and pointing
 * at |ref|. Returns 0 or -1. */
int quic_tls_server_session(quic_tls_server *t, ngtcp2_crypto_conn_ref *ref,
                            gnutls_session_t *out);

/* The GnuTLS priority string for QUIC (TLS 1.3 only, no compat mode). */
extern const char quic_tls_priority[];

#endif
