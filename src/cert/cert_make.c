#include "cert/cert_make.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <gnutls/crypto.h>

#define KEYID_MAX 64

static int fail(char *err, size_t errlen, const char *what, int rv) {
  snprintf(err, errlen, "%s: %s", what, gnutls_strerror(rv));
  return -1;
}

void cert_pair_free(cert_pair *p) {
  if (p->crt)
    gnutls_x509_crt_deinit(p->crt);
  if (p->key)
    gnutls_x509_privkey_deinit(p->key);
  p->crt = NULL;
  p->key = NULL;
}

/* start makes |p|'s key and an empty v3 certificate for it with a
 * random positive 128-bit serial, |cn| and the validity. */
static int start(cert_pair *p, const char *cn, int64_t not_before, int64_t not_after,
                 char *err, size_t errlen) {
  int rv;
  memset(p, 0, sizeof(*p));
  if (not_after <= not_before || (int64_t)(time_t)not_before != not_before ||
      (int64_t)(time_t)not_after != not_after) {
    snprintf(err, errlen, "bad validity period");
    return -1;
  }
  if ((rv = gnutls_x509_privkey_init(&p->key)) != 0)
    return fail(err, errlen, "gnutls_x509_privkey_init", rv);
  if ((rv = gnutls_x509_privkey_generate2(p->key, GNUTLS_PK_ECDSA,
                                          GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0,
                                          NULL, 0)) != 0) {
    cert_pair_free(p);
    return fail(err, errlen, "generating an ECDSA P-256 key", rv);
  }
  if ((rv = gnutls_x509_crt_init(&p->crt)) != 0) {
    cert_pair_free(p);
    return fail(err, errlen, "gnutls_x509_crt_init", rv);
  }
  uint8_t serial[16];
  if ((rv = gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial))) != 0) {
    cert_pair_free(p);
    return fail(err, errlen, "gnutls_rnd", rv);
  }
  serial[0] = (uint8_t)((serial[0] & 0x7f) | 0x40); /* positive, 16 bytes in DER */
  const char *what = "";
  if ((what = "version", rv = gnutls_x509_crt_set_version(p->crt, 3)) != 0 ||
      (what = "serial", rv = gnutls_x509_crt_set_serial(p->crt, serial, sizeof(serial))) != 0 ||
      (what = "not-before", rv = gnutls_x509_crt_set_activation_time(p->crt, (time_t)not_before)) != 0 ||
      (what = "not-after", rv = gnutls_x509_crt_set_expiration_time(p->crt, (time_t)not_after)) != 0 ||
      (what = "common name", rv = gnutls_x509_crt_set_dn_by_oid(p->crt, GNUTLS_OID_X520_COMMON_NAME,
                                                                0, cn, (unsigned)strlen(cn))) != 0 ||
      (what = "key", rv = gnutls_x509_crt_set_key(p->crt, p->key)) != 0) {
    cert_pair_free(p);
    return fail(err, errlen, what, rv);
  }
  /* subject key identifier: SHA-1 of the key, as RFC 5280 4.2.1.2 (1) */
  uint8_t id[KEYID_MAX];
  size_t idlen = sizeof(id);
  if ((rv = gnutls_x509_crt_get_key_id(p->crt, 0, id, &idlen)) != 0 ||
      (rv = gnutls_x509_crt_set_subject_key_id(p->crt, id, idlen)) != 0) {
    cert_pair_free(p);
    return fail(err, errlen, "subject key identifier", rv);
  }
  return 0;
}

int cert_make_ca(cert_pair *out, const char *cn, int64_t not_before, int64_t not_after,
                 char *err, size_t errlen) {
  cert_pair p;
  if (start(&p, cn, not_before, not_after, err, errlen) != 0)
    return -1;
  int rv;
  const char *what = "";
  if ((what = "basic constraints", rv = gnutls_x509_crt_set_basic_constraints(p.crt, 1, 0)) != 0 ||
      (what = "key usage", rv = gnutls_x509_crt_set_key_usage(
                               p.crt, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN)) != 0 ||
      (what = "signing the CA", rv = gnutls_x509_crt_sign2(p.crt, p.crt, p.key,
                                                            GNUTLS_DIG_SHA256, 0)) != 0) {
    cert_pair_free(&p);
    return fail(err, errlen, what, rv);
  }
  *out = p;
  return 0;
}

/* add_name adds |name| to the SAN: an IP literal as an address, else a
 * DNS name. */
static int add_name(gnutls_x509_crt_t crt, const char *name) {
  uint8_t a[16];
  if (inet_pton(AF_INET, name, a) == 1)
    return gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, a, 4,
                                                GNUTLS_FSAN_APPEND);
  if (inet_pton(AF_INET6, name, a) == 1)
    return gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, a, 16,
                                                GNUTLS_FSAN_APPEND);
  return gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, name,
                                              (unsigned)strlen(name), GNUTLS_FSAN_APPEND);
}

int cert_make_leaf(cert_pair *out, const cert_pair *ca, const char *const *names,
                   size_t nnames, int64_t not_before, int64_t not_after, char *err,
                   size_t errlen) {
  if (nnames == 0 || nnames > CERT_MAX_NAMES) {
    snprintf(err, errlen, "a certificate needs 1 to %d names", CERT_MAX_NAMES);
    return -1;
  }
  for (size_t i = 0; i < nnames; i++)
    if (!names[i][0] || strlen(names[i]) > 253) {
      snprintf(err, errlen, "bad certificate name \"%s\"", names[i]);
      return -1;
    }
  cert_pair p;
  if (start(&p, names[0], not_before, not_after, err, errlen) != 0)
    return -1;
  int rv;
  const char *what = "";
  uint8_t id[KEYID_MAX];
  size_t idlen = sizeof(id);
  unsigned critical;
  if ((what = "basic constraints", rv = gnutls_x509_crt_set_basic_constraints(p.crt, 0, -1)) != 0 ||
      (what = "key usage",
       rv = gnutls_x509_crt_set_key_usage(p.crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) != 0 ||
      (what = "extended key usage",
       rv = gnutls_x509_crt_set_key_purpose_oid(p.crt, GNUTLS_KP_TLS_WWW_SERVER, 0)) != 0 ||
      (what = "CA key identifier",
       rv = gnutls_x509_crt_get_subject_key_id(ca->crt, id, &idlen, &critical)) != 0 ||
      (what = "authority key identifier",
       rv = gnutls_x509_crt_set_authority_key_id(p.crt, id, idlen)) != 0) {
    cert_pair_free(&p);
    return fail(err, errlen, what, rv);
  }
  for (size_t i = 0; i < nnames; i++)
    if ((rv = add_name(p.crt, names[i])) != 0) {
      cert_pair_free(&p);
      snprintf(err, errlen, "subject alternative name \"%s\": %s", names[i], gnutls_strerror(rv));
      return -1;
    }
  if ((rv = gnutls_x509_crt_sign2(p.crt, ca->crt, ca->key, GNUTLS_DIG_SHA256, 0)) != 0) {
    cert_pair_free(&p);
    return fail(err, errlen, "signing the certificate", rv);
  }
  *out = p;
  return 0;
}

int cert_info_get(gnutls_x509_crt_t crt, cert_info *out) {
  memset(out, 0, sizeof(*out));
  size_t n = sizeof(out->sha256);
  if (gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, out->sha256, &n) != 0 ||
      n != sizeof(out->sha256))
    return -1;
  time_t nb = gnutls_x509_crt_get_activation_time(crt);
  time_t na = gnutls_x509_crt_get_expiration_time(crt);
  if (nb == (time_t)-1 || na == (time_t)-1)
    return -1;
  out->not_before = (int64_t)nb;
  out->not_after = (int64_t)na;
  unsigned bits = 0;
  if (gnutls_x509_crt_get_pk_algorithm(crt, &bits) == GNUTLS_PK_ECDSA) {
    gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
    gnutls_datum_t x = {0}, y = {0};
    if (gnutls_x509_crt_get_pk_ecc_raw(crt, &curve, &x, &y) == 0) {
      out->ecdsa_p256 = curve == GNUTLS_ECC_CURVE_SECP256R1;
      gnutls_free(x.data);
      gnutls_free(y.data);
    }
  }
  unsigned critical = 0;
  out->is_ca = gnutls_x509_crt_get_ca_status(crt, &critical) > 0;
  return 0;
}

int cert_pair_export(const cert_pair *p, const cert_pair *issuer, gnutls_datum_t *out) {
  gnutls_datum_t parts[3] = {{0}};
  size_t nparts = 0, total = 0;
  int rv = -1;
  out->data = NULL;
  out->size = 0;
  if (gnutls_x509_crt_export2(p->crt, GNUTLS_X509_FMT_PEM, &parts[nparts++]) != 0)
    goto done;
  if (issuer && gnutls_x509_crt_export2(issuer->crt, GNUTLS_X509_FMT_PEM, &parts[nparts++]) != 0)
    goto done;
  if (gnutls_x509_privkey_export2_pkcs8(p->key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
                                        &parts[nparts++]) != 0)
    goto done;
  for (size_t i = 0; i < nparts; i++)
    total += parts[i].size;
  out->data = gnutls_malloc(total + 1);
  if (!out->data)
    goto done;
  for (size_t i = 0; i < nparts; i++) {
    memcpy(out->data + out->size, parts[i].data, parts[i].size);
    out->size += parts[i].size;
  }
  out->data[out->size] = '\0';
  rv = 0;
done:
  for (size_t i = 0; i < 3; i++)
    if (parts[i].data) {
      gnutls_memset(parts[i].data, 0, parts[i].size); /* the key among them */
      gnutls_free(parts[i].data);
    }
  return rv;
}

int cert_pair_import(cert_pair *out, const gnutls_datum_t *pem, char *err, size_t errlen) {
  cert_pair p = {0};
  int rv;
  if ((rv = gnutls_x509_crt_init(&p.crt)) != 0 ||
      (rv = gnutls_x509_crt_import(p.crt, pem, GNUTLS_X509_FMT_PEM)) != 0) {
    cert_pair_free(&p);
    return fail(err, errlen, "certificate", rv);
  }
  if ((rv = gnutls_x509_privkey_init(&p.key)) != 0 ||
      (rv = gnutls_x509_privkey_import2(p.key, pem, GNUTLS_X509_FMT_PEM, NULL,
                                        GNUTLS_PKCS_PLAIN)) != 0) {
    cert_pair_free(&p);
    return fail(err, errlen, "private key", rv);
  }
  uint8_t a[KEYID_MAX], b[KEYID_MAX];
  size_t alen = sizeof(a), blen = sizeof(b);
  if (gnutls_x509_crt_get_key_id(p.crt, GNUTLS_KEYID_USE_SHA256, a, &alen) != 0 ||
      gnutls_x509_privkey_get_key_id(p.key, GNUTLS_KEYID_USE_SHA256, b, &blen) != 0 ||
      alen != blen || memcmp(a, b, alen) != 0) {
    cert_pair_free(&p);
    snprintf(err, errlen, "the private key does not belong to the certificate");
    return -1;
  }
  *out = p;
  return 0;
}

bool cert_signed_by(gnutls_x509_crt_t crt, gnutls_x509_crt_t ca) {
  unsigned status = 0;
  gnutls_x509_crt_t list[1] = {ca};
  return gnutls_x509_crt_verify(crt, list, 1,
                                GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
                                    GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS,
                                &status) == 0 &&
         status == 0;
}

void cert_hash_hex(const uint8_t h[CERT_HASH_LEN], char out[65]) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < CERT_HASH_LEN; i++) {
    out[2 * i] = digits[h[i] >> 4];
    out[2 * i + 1] = digits[h[i] & 15];
  }
  out[64] = '\0';
}

void cert_hash_b64(const uint8_t h[CERT_HASH_LEN], char out[45]) {
  gnutls_datum_t in = {.data = (unsigned char *)h, .size = CERT_HASH_LEN}, b = {0};
  out[0] = '\0';
  if (gnutls_base64_encode2(&in, &b) == 0 && b.size == 44) {
    memcpy(out, b.data, 44);
    out[44] = '\0';
  }
  gnutls_free(b.data);
}

int cert_hashes_js(char *buf, size_t len, const uint8_t (*h)[CERT_HASH_LEN], size_t n) {
  size_t at = 0;
  int w = snprintf(buf, len, "serverCertificateHashes: [");
  if (w < 0 || (size_t)w >= len)
    return -1;
  at = (size_t)w;
  for (size_t i = 0; i < n; i++) {
    char b64[45];
    cert_hash_b64(h[i], b64);
    w = snprintf(buf + at, len - at,
                 "%s{ algorithm: 'sha-256', value: Uint8Array.from(atob('%s'), c => "
                 "c.charCodeAt(0)) }",
                 i ? ", " : "", b64);
    if (w < 0 || (size_t)w >= len - at)
      return -1;
    at += (size_t)w;
  }
  w = snprintf(buf + at, len - at, "]");
  return w < 0 || (size_t)w >= len - at ? -1 : 0;
}

bool cert_browser_ok(const cert_info *ci) {
  return ci->ecdsa_p256 && ci->not_after - ci->not_before <= 14 * 86400;
}
