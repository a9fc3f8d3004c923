#include "quic/quic_tls.h"

#include <stdio.h>
#include <string.h>

#include <ngtcp2/ngtcp2_crypto_gnutls.h>
#include <nghttp3/nghttp3.h>

/* TLS 1.3 only; %DISABLE_TLS13_COMPAT_MODE is mandatory for QUIC; keep
 * X25519 first so that Chromium needs no HelloRetryRequest. */
const char quic_tls_priority[] =
    "%DISABLE_TLS13_COMPAT_MODE:NORMAL:-VERS-ALL:+VERS-TLS1.3:"
    "-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:+AES-128-CCM:"
    "-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1:+GROUP-SECP521R1";

int quic_tls_server_load(quic_tls_server *t, const char *cert_file, const char *key_file,
                         char *err, size_t errlen) {
  memset(t, 0, sizeof(*t));
  int rv = gnutls_certificate_allocate_credentials(&t->cred);
  if (rv != 0) {
    snprintf(err, errlen, "%s", gnutls_strerror(rv));
    return -1;
  }
  rv = gnutls_certificate_set_x509_key_file(t->cred, cert_file, key_file, GNUTLS_X509_FMT_PEM);
  if (rv != 0) {
    snprintf(err, errlen, "cannot load certificate %s / key %s: %s", cert_file, key_file,
             gnutls_strerror(rv));
    goto fail;
  }
  rv = gnutls_priority_init(&t->prio, quic_tls_priority, NULL);
  if (rv != 0) {
    snprintf(err, errlen, "gnutls_priority_init: %s", gnutls_strerror(rv));
    goto fail;
  }
  return 0;
fail:
  gnutls_certificate_free_credentials(t->cred);
  t->cred = NULL;
  return -1;
}

void quic_tls_server_free(quic_tls_server *t) {
  if (t->prio)
    gnutls_priority_deinit(t->prio);
  if (t->cred)
    gnutls_certificate_free_credentials(t->cred);
  memset(t, 0, sizeof(*t));
}

int quic_tls_server_session(quic_tls_server *t, ngtcp2_crypto_conn_ref *ref,
                            gnutls_session_t *out) {
  gnutls_session_t s;
  if (gnutls_init(&s, GNUTLS_SERVER | GNUTLS_NO_END_OF_EARLY_DATA | GNUTLS_NO_AUTO_SEND_TICKET) !=
      0)
    return -1;
  if (gnutls_priority_set(s, t->prio) != 0 ||
      ngtcp2_crypto_gnutls_configure_server_session(s) != 0 ||
      gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, t->cred) != 0)
    goto fail;
  gnutls_datum_t alpn = {.data = (unsigned char *)"h3", .size = 2};
  if (gnutls_alpn_set_protocols(s, &alpn, 1,
                                GNUTLS_ALPN_MANDATORY | GNUTLS_ALPN_SERVER_PRECEDENCE) != 0)
    goto fail;
  gnutls_session_set_ptr(s, ref);
  *out = s;
  return 0;
fail:
  gnutls_deinit(s);
  return -1;
}
