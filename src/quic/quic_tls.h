/* TLS 1.3 for QUIC through GnuTLS and ngtcp2_crypto_gnutls: credentials and
 * per-connection sessions, for both roles. */
#ifndef WTPING_QUIC_TLS_H
#define WTPING_QUIC_TLS_H

#include <gnutls/gnutls.h>
#include <ngtcp2/ngtcp2_crypto.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether the server asks clients for a certificate (mutual TLS). */
typedef enum quic_tls_client_auth {
  QUIC_TLS_CLIENT_AUTH_NONE = 0,
  QUIC_TLS_CLIENT_AUTH_OPTIONAL, /* asked for; a client without one is let in */
  QUIC_TLS_CLIENT_AUTH_REQUIRE,  /* a client without one gets a TLS alert */
} quic_tls_client_auth;

/* Server credentials: a certificate chain and its key (PEM). */
typedef struct quic_tls_server {
  gnutls_certificate_credentials_t cred;
  gnutls_priority_t prio;
  quic_tls_client_auth client_auth;
} quic_tls_server;

/* quic_tls_server_load loads |cert_file| and |key_file| (PEM; ECDSA,
 * Ed25519 or RSA). Returns 0, or -1 with a message for a person in |err|
 * (|errlen| bytes). */
int quic_tls_server_load(quic_tls_server *t, const char *cert_file, const char *key_file,
                         char *err, size_t errlen);
void quic_tls_server_free(quic_tls_server *t);

/* quic_tls_server_set_client_auth makes the server ask clients for a
 * certificate (|mode|) and verify it against the CA certificates in
 * |cafile| (PEM) during the handshake: a certificate that does not verify
 * (unknown CA, expired, not yet valid) ends the handshake with a TLS alert.
 * Returns 0, or -1 with |err|. */
int quic_tls_server_set_client_auth(quic_tls_server *t, const char *cafile,
                                    quic_tls_client_auth mode, char *err, size_t errlen);

/* quic_tls_peer_cert describes the certificate the peer of |s| presented
 * (verified by the handshake when client authentication is on): its
 * subject DN (RFC 4514, as GnuTLS prints it) in |subject| and the SHA-256
 * of its DER encoding in |sha256|. Returns 1, 0 when it presented none, or
 * -1 on error. */
int quic_tls_peer_cert(gnutls_session_t s, char *subject, size_t cap, uint8_t sha256[32]);

/* quic_tls_server_session creates a server session for one connection,
 * configured for QUIC (transport parameters extension, ALPN h3) and pointing
 * at |ref|. Returns 0 or -1. */
int quic_tls_server_session(quic_tls_server *t, ngtcp2_crypto_conn_ref *ref,
                            gnutls_session_t *out);

/* Client credentials and the policy for verifying servers. */
#define QUIC_TLS_MAX_PINS 8

typedef struct quic_tls_client {
  gnutls_certificate_credentials_t cred;
  gnutls_priority_t prio;
  bool insecure; /* -k: accept any certificate */
  uint8_t pins[QUIC_TLS_MAX_PINS][32]; /* SHA-256 of the leaf certificate (DER) */
  size_t npins;
} quic_tls_client;

/* Per-connection verification state: what we expect and, on failure, why. */
typedef struct quic_tls_verify {
  const quic_tls_client *policy;
  char host[256];   /* the URL's host: a DNS name or an IP literal */
  char reason[320]; /* set when verification failed */
} quic_tls_verify;

/* gnutls_session_get_ptr() points here: ngtcp2 needs the conn_ref first. */
typedef struct quic_tls_ref {
  ngtcp2_crypto_conn_ref conn_ref;
  quic_tls_verify *verify; /* client only */
} quic_tls_ref;

/* quic_tls_client_init prepares client credentials: trust |cafile| (PEM)
 * when given, else the system trust store. Returns 0 or -1 with |err|. */
int quic_tls_client_init(quic_tls_client *t, const char *cafile, bool insecure, char *err,
                         size_t errlen);
void quic_tls_client_free(quic_tls_client *t);

/* quic_tls_client_set_cert gives the client a certificate (chain, PEM) and
 * its key for servers that ask for one. Returns 0, or -1 with |err|. */
int quic_tls_client_set_cert(quic_tls_client *t, const char *cert_file, const char *key_file,
                             char *err, size_t errlen);

/* quic_tls_pin_parse parses "sha256:BASE64" (the SHA-256 of the DER
 * certificate, as in the browser's serverCertificateHashes, base64 with or
 * without padding; hex with colons is accepted too) into |out|. Returns 0 or
 * -1. Pure. */
int quic_tls_pin_parse(const char *spec, uint8_t out[32]);

/* quic_tls_client_add_pin adds a pin. With pins, the server certificate is
 * accepted iff its hash matches one (and it is currently valid); the CA and
 * the name are not checked. Returns 0 or -1 with |err|. */
int quic_tls_client_add_pin(quic_tls_client *t, const char *spec, char *err, size_t errlen);

/* quic_tls_client_session creates a client session for |ref| (whose
 * |verify| must be set) with SNI |verify->host| when it is a name. */
int quic_tls_client_session(quic_tls_client *t, quic_tls_ref *ref, gnutls_session_t *out);

/* The GnuTLS priority string for QUIC (TLS 1.3 only, no compat mode). */
extern const char quic_tls_priority[];

#endif
