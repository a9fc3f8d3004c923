#include "quic/quic_tls.h"

#include <stdarg.h>
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

/* prio_init makes the QUIC priority cache; on failure it frees |cred|. */
static int prio_init(gnutls_certificate_credentials_t *cred, gnutls_priority_t *prio, char *err,
                     size_t errlen) {
  int rv = gnutls_priority_init(prio, quic_tls_priority, NULL);
  if (rv == 0)
    return 0;
  snprintf(err, errlen, "gnutls_priority_init: %s", gnutls_strerror(rv));
  gnutls_certificate_free_credentials(*cred);
  *cred = NULL;
  return -1;
}

static void creds_free(gnutls_certificate_credentials_t cred, gnutls_priority_t prio) {
  if (prio)
    gnutls_priority_deinit(prio);
  if (cred)
    gnutls_certificate_free_credentials(cred);
}

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
    gnutls_certificate_free_credentials(t->cred);
    t->cred = NULL;
    return -1;
  }
  return prio_init(&t->cred, &t->prio, err, errlen);
}

void quic_tls_server_free(quic_tls_server *t) {
  creds_free(t->cred, t->prio);
  memset(t, 0, sizeof(*t));
}

int quic_tls_server_set_client_auth(quic_tls_server *t, const char *cafile,
                                    quic_tls_client_auth mode, char *err, size_t errlen) {
  if (mode == QUIC_TLS_CLIENT_AUTH_NONE) {
    t->client_auth = mode;
    return 0;
  }
  int rv = gnutls_certificate_set_x509_trust_file(t->cred, cafile, GNUTLS_X509_FMT_PEM);
  if (rv <= 0) {
    snprintf(err, errlen, "client CA %s: %s", cafile,
             rv == 0 ? "no certificate found in the file" : gnutls_strerror(rv));
    return -1;
  }
  t->client_auth = mode;
  return 0;
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
  if (t->client_auth != QUIC_TLS_CLIENT_AUTH_NONE) {
    gnutls_certificate_server_set_request(s, t->client_auth == QUIC_TLS_CLIENT_AUTH_REQUIRE
                                                 ? GNUTLS_CERT_REQUIRE
                                                 : GNUTLS_CERT_REQUEST);
    /* GnuTLS verifies a presented certificate against the client CA during
     * the handshake and fails it with an alert otherwise */
    gnutls_session_set_verify_cert(s, NULL, 0);
  }
  gnutls_session_set_ptr(s, ref);
  *out = s;
  return 0;
fail:
  gnutls_deinit(s);
  return -1;
}

/* ------------------------------------------------------------ client */

#include <arpa/inet.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <time.h>

int quic_tls_client_init(quic_tls_client *t, const char *cafile, bool insecure, char *err,
                         size_t errlen) {
  memset(t, 0, sizeof(*t));
  t->insecure = insecure;
  int rv = gnutls_certificate_allocate_credentials(&t->cred);
  if (rv != 0) {
    snprintf(err, errlen, "%s", gnutls_strerror(rv));
    return -1;
  }
  if (cafile) {
    rv = gnutls_certificate_set_x509_trust_file(t->cred, cafile, GNUTLS_X509_FMT_PEM);
    if (rv <= 0) {
      snprintf(err, errlen, "%s: %s", cafile,
               rv == 0 ? "no certificate found in the file" : gnutls_strerror(rv));
      goto fail;
    }
  } else {
    rv = gnutls_certificate_set_x509_system_trust(t->cred);
    if (rv < 0 && !insecure) {
      snprintf(err, errlen, "cannot load the system trust store: %s", gnutls_strerror(rv));
      goto fail;
    }
  }
  return prio_init(&t->cred, &t->prio, err, errlen);
fail:
  gnutls_certificate_free_credentials(t->cred);
  t->cred = NULL;
  return -1;
}

int quic_tls_client_set_cert(quic_tls_client *t, const char *cert_file, const char *key_file,
                             char *err, size_t errlen) {
  int rv = gnutls_certificate_set_x509_key_file(t->cred, cert_file, key_file, GNUTLS_X509_FMT_PEM);
  if (rv < 0) {
    snprintf(err, errlen, "cannot load client certificate %s / key %s: %s", cert_file, key_file,
             gnutls_strerror(rv));
    return -1;
  }
  return 0;
}

int quic_tls_peer_cert(gnutls_session_t s, char *subject, size_t cap, uint8_t sha256[32]) {
  unsigned n = 0;
  const gnutls_datum_t *certs = gnutls_certificate_get_peers(s, &n);
  if (!certs || n == 0)
    return 0;
  if (gnutls_hash_fast(GNUTLS_DIG_SHA256, certs[0].data, certs[0].size, sha256) != 0)
    return -1;
  gnutls_x509_crt_t crt;
  if (gnutls_x509_crt_init(&crt) != 0)
    return -1;
  gnutls_datum_t dn = {0};
  int rv = gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) == 0 &&
                   gnutls_x509_crt_get_dn3(crt, &dn, 0) == 0
               ? 1
               : -1;
  if (rv == 1)
    snprintf(subject, cap, "%.*s", (int)dn.size, dn.data);
  gnutls_free(dn.data);
  gnutls_x509_crt_deinit(crt);
  return rv;
}

void quic_tls_client_free(quic_tls_client *t) {
  creds_free(t->cred, t->prio);
  memset(t, 0, sizeof(*t));
}

static int hexval(int c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

int quic_tls_pin_parse(const char *spec, uint8_t out[32]) {
  if (strncmp(spec, "sha256:", 7) != 0 && strncmp(spec, "sha-256:", 8) != 0)
    return -1;
  const char *v = strchr(spec, ':') + 1;
  size_t n = strlen(v);
  /* hex, with or without colons: 64 digits */
  uint8_t tmp[32];
  size_t digits = 0;
  bool hex = true;
  for (size_t i = 0; i < n && hex; i++) {
    if (v[i] == ':')
      continue;
    int h = hexval((unsigned char)v[i]);
    if (h < 0 || digits >= 64)
      hex = false;
    else {
      if (digits % 2 == 0)
        tmp[digits / 2] = (uint8_t)(h << 4);
      else
        tmp[digits / 2] |= (uint8_t)h;
      digits++;
    }
  }
  if (hex && digits == 64) {
    memcpy(out, tmp, 32);
    return 0;
  }
  /* base64 (standard or URL-safe), padding optional: 43 or 44 chars */
  char b64[48];
  if (n < 43 || n > 44)
    return -1;
  for (size_t i = 0; i < n; i++) {
    char c = v[i];
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
    b64[i] = c;
  }
  if (n == 43)
    b64[n++] = '=';
  b64[n] = '\0';
  if (b64[43] != '=')
    return -1;
  gnutls_datum_t in = {.data = (unsigned char *)b64, .size = (unsigned)n}, dec = {0};
  if (gnutls_base64_decode2(&in, &dec) != 0)
    return -1;
  int ok = dec.size == 32;
  if (ok)
    memcpy(out, dec.data, 32);
  gnutls_free(dec.data);
  return ok ? 0 : -1;
}

int quic_tls_client_add_pin(quic_tls_client *t, const char *spec, char *err, size_t errlen) {
  if (t->npins == QUIC_TLS_MAX_PINS) {
    snprintf(err, errlen, "at most %d pins", QUIC_TLS_MAX_PINS);
    return -1;
  }
  if (quic_tls_pin_parse(spec, t->pins[t->npins]) != 0) {
    snprintf(err, errlen, "'%s' is not sha256:BASE64 (the SHA-256 of the certificate)", spec);
    return -1;
  }
  t->npins++;
  return 0;
}

__attribute__((format(printf, 2, 3))) static int fail_reason(quic_tls_verify *v, const char *fmt,
                                                             ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
  va_end(ap);
  return -1;
}

/* verify_server is GnuTLS's verify function for our client sessions. */
static int verify_server(gnutls_session_t s) {
  quic_tls_ref *ref = gnutls_session_get_ptr(s);
  quic_tls_verify *v = ref->verify;
  const quic_tls_client *pol = v->policy;
  unsigned ncerts = 0;
  const gnutls_datum_t *certs = gnutls_certificate_get_peers(s, &ncerts);
  if (!certs || ncerts == 0)
    return fail_reason(v, "%s", "the server sent no certificate");
  if (pol->insecure)
    return 0;
  if (pol->npins) {
    uint8_t h[32];
    if (gnutls_hash_fast(GNUTLS_DIG_SHA256, certs[0].data, certs[0].size, h) != 0)
      return fail_reason(v, "%s", "cannot hash the server certificate");
    bool match = false;
    for (size_t i = 0; i < pol->npins && !match; i++)
      match = memcmp(h, pol->pins[i], 32) == 0;
    gnutls_datum_t raw = {.data = h, .size = 32}, b64 = {0};
    char got[64] = "?";
    if (gnutls_base64_encode2(&raw, &b64) == 0) {
      snprintf(got, sizeof(got), "%.*s", (int)b64.size, b64.data);
      gnutls_free(b64.data);
    }
    if (!match)
      return fail_reason(v, "certificate pin mismatch: the server's certificate is sha256:%s", got);
    gnutls_x509_crt_t crt;
    if (gnutls_x509_crt_init(&crt) != 0)
      return fail_reason(v, "%s", "out of memory");
    int rv = gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER);
    time_t now = time(NULL);
    int bad = rv != 0 ? 1
              : gnutls_x509_crt_get_activation_time(crt) > now ? 2
              : gnutls_x509_crt_get_expiration_time(crt) < now ? 3
                                                                : 0;
    gnutls_x509_crt_deinit(crt);
    if (bad == 1)
      return fail_reason(v, "%s", "the pinned certificate cannot be parsed");
    if (bad == 2)
      return fail_reason(v, "%s", "the pinned certificate is not yet valid");
    if (bad == 3)
      return fail_reason(v, "%s", "the pinned certificate has expired");
    return 0;
  }
  unsigned status = 0;
  int rv = gnutls_certificate_verify_peers3(s, v->host, &status);
  if (rv != 0)
    return fail_reason(v, "certificate verification failed: %s", gnutls_strerror(rv));
  if (status == 0)
    return 0;
  if (status & GNUTLS_CERT_EXPIRED)
    return fail_reason(v, "%s", "certificate expired");
  if (status & GNUTLS_CERT_NOT_ACTIVATED)
    return fail_reason(v, "%s", "certificate not yet valid");
  if (status & (GNUTLS_CERT_SIGNER_NOT_FOUND | GNUTLS_CERT_SIGNER_NOT_CA))
    return fail_reason(v, "%s",
                       "unknown CA: the certificate is not signed by a trusted authority "
                       "(use --cafile or --pin)");
  if (status & GNUTLS_CERT_UNEXPECTED_OWNER)
    return fail_reason(v, "name mismatch: the certificate is not valid for %s", v->host);
  gnutls_datum_t out = {0};
  if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &out, 0) == 0) {
    snprintf(v->reason, sizeof(v->reason), "certificate rejected: %.*s", (int)out.size, out.data);
    gnutls_free(out.data);
  } else {
    snprintf(v->reason, sizeof(v->reason), "certificate rejected (status 0x%x)", status);
  }
  return -1;
}

int quic_tls_client_session(quic_tls_client *t, quic_tls_ref *ref, gnutls_session_t *out) {
  gnutls_session_t s;
  if (gnutls_init(&s, GNUTLS_CLIENT | GNUTLS_NO_END_OF_EARLY_DATA) != 0)
    return -1;
  if (gnutls_priority_set(s, t->prio) != 0 ||
      ngtcp2_crypto_gnutls_configure_client_session(s) != 0 ||
      gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, t->cred) != 0)
    goto fail;
  gnutls_datum_t alpn = {.data = (unsigned char *)"h3", .size = 2};
  if (gnutls_alpn_set_protocols(s, &alpn, 1, GNUTLS_ALPN_MANDATORY) != 0)
    goto fail;
  /* SNI only for names, never for IP literals (RFC 6066 section 3). */
  unsigned char tmp[16];
  const char *host = ref->verify->host;
  if (inet_pton(AF_INET, host, tmp) != 1 && inet_pton(AF_INET6, host, tmp) != 1 &&
      gnutls_server_name_set(s, GNUTLS_NAME_DNS, host, strlen(host)) != 0)
    goto fail;
  gnutls_session_set_verify_function(s, verify_server);
  gnutls_session_set_ptr(s, ref);
  *out = s;
  return 0;
fail:
  gnutls_deinit(s);
  return -1;
}
