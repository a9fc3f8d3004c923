/* wt_mkcert: a test certificate with any validity, which openssl req cannot
 * backdate. Usage: wt_mkcert OUT.pem START_OFFSET_S LIFETIME_S
 * writes an ECDSA P-256 leaf for localhost, 127.0.0.1 and ::1, valid from
 * now + START_OFFSET_S for LIFETIME_S seconds, then its CA certificate and
 * its key (one PEM file, usable as both --cert and --key). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cert/cert_make.h"
#include "cert/cert_store.h"

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: wt_mkcert OUT.pem START_OFFSET_S LIFETIME_S\n");
    return 2;
  }
  int64_t now = (int64_t)time(NULL);
  int64_t start = now + strtoll(argv[2], NULL, 10), life = strtoll(argv[3], NULL, 10);
  const char *names[] = {"localhost", "127.0.0.1", "::1"};
  cert_pair ca, leaf;
  char err[256];
  gnutls_datum_t pem;
  if (cert_make_ca(&ca, "wt_mkcert CA", now - 86400, now + 86400 * 30, err, sizeof(err)) != 0 ||
      cert_make_leaf(&leaf, &ca, names, 3, start, start + life, err, sizeof(err)) != 0) {
    fprintf(stderr, "wt_mkcert: %s\n", err);
    return 1;
  }
  int rc = cert_pair_export(&leaf, &ca, &pem) != 0 ||
           cert_write_atomic(argv[1], pem.data, pem.size, 0600, err, sizeof(err)) != 0;
  if (rc)
    fprintf(stderr, "wt_mkcert: %s\n", err);
  gnutls_free(pem.data);
  cert_pair_free(&leaf);
  cert_pair_free(&ca);
  return rc;
}
