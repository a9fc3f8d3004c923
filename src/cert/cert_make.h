/* Making certificates with GnuTLS's x509 API: a long-lived local CA and
 * short-lived ECDSA P-256 leaves that browsers accept through
 * serverCertificateHashes (validity <= 14 days). In memory only: files are
 * cert_store's business. Times are UNIX seconds, passed in. */
#ifndef WTPING_CERT_MAKE_H
#define WTPING_CERT_MAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#define CERT_HASH_LEN 32
#define CERT_MAX_NAMES 16
/* The local CA lives 10 years. */
#define CERT_CA_LIFETIME_S (3653LL * 86400)

/* A certificate and its private key (either may be NULL when absent). */
typedef struct cert_pair {
  gnutls_x509_crt_t crt;
  gnutls_x509_privkey_t key;
} cert_pair;

/* What a client or a browser checks about a certificate. */
typedef struct cert_info {
  uint8_t sha256[CERT_HASH_LEN]; /* SHA-256 of the DER certificate */
  int64_t not_before, not_after;
  bool ecdsa_p256;               /* an ECDSA key on secp256r1 */
  bool is_ca;
} cert_info;

/* cert_make_ca makes a self-signed CA (ECDSA P-256, CN |cn|, key usage
 * keyCertSign + cRLSign, path length 0). Returns 0 or -1 with |err|. */
int cert_make_ca(cert_pair *out, const char *cn, int64_t not_before, int64_t not_after,
                 char *err, size_t errlen);

/* cert_make_leaf makes an ECDSA P-256 server certificate signed by |ca|,
 * valid [not_before, not_after], for |names| (DNS names or IP literals, the
 * first one is also the CN; at most CERT_MAX_NAMES, at least one): SAN,
 * serverAuth, digitalSignature, CA:FALSE. Returns 0 or -1 with |err|. */
int cert_make_leaf(cert_pair *out, const cert_pair *ca, const char *const *names,
                   size_t nnames, int64_t not_before, int64_t not_after, char *err,
                   size_t errlen);

void cert_pair_free(cert_pair *p);

/* cert_info_get fills |out| from |crt|. Returns 0 or -1. */
int cert_info_get(gnutls_x509_crt_t crt, cert_info *out);

/* cert_pair_export writes |p|'s certificate, then |issuer|'s certificate
 * when not NULL (the chain a server sends), then |p|'s key (PKCS#8) as one
 * PEM text into |out| (free with gnutls_free(out->data)). GnuTLS loads such
 * a file as both the certificate and the key. Returns 0 or -1. */
int cert_pair_export(const cert_pair *p, const cert_pair *issuer, gnutls_datum_t *out);

/* cert_pair_import reads the first certificate and the key of a PEM text
 * made by cert_pair_export. Returns 0, or -1 with |err| when either is
 * missing or malformed, or the key does not belong to the certificate. */
int cert_pair_import(cert_pair *out, const gnutls_datum_t *pem, char *err, size_t errlen);

/* cert_signed_by tells whether |crt| carries a valid signature of |ca|
 * (times not checked). */
bool cert_signed_by(gnutls_x509_crt_t crt, gnutls_x509_crt_t ca);

/* cert_hash_hex writes 64 lowercase hex digits and a NUL (65 bytes);
 * cert_hash_b64 writes standard base64 with padding and a NUL (45 bytes). */
void cert_hash_hex(const uint8_t h[CERT_HASH_LEN], char out[65]);
void cert_hash_b64(const uint8_t h[CERT_HASH_LEN], char out[45]);

/* cert_hashes_js writes a JavaScript property for a page's WebTransport
 * options with the |n| hashes |h|:
 *   serverCertificateHashes: [{ algorithm: 'sha-256', value:
 *   Uint8Array.from(atob('B64'), c => c.charCodeAt(0)) }, ...]
 * (one line). Returns 0, or -1 when |len| is too small. */
int cert_hashes_js(char *buf, size_t len, const uint8_t (*h)[CERT_HASH_LEN], size_t n);

/* cert_browser_ok tells whether browsers accept |ci| through
 * serverCertificateHashes: ECDSA P-256 (P-384 too, for Chromium, but we
 * only check P-256) valid at most 14 days. */
bool cert_browser_ok(const cert_info *ci);

#endif
