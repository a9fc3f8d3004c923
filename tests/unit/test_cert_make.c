/* Tests for src/cert/cert_make.c: the key type, validity, extensions and
 * hash of what is made, checked by GnuTLS reading the DER back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <gnutls/crypto.h>

#include "cert/cert_make.h"

#define T0 1800000000
#define DAY 86400

static cert_pair ca;

static int setup(void **state) {
  (void)state;
  char err[256];
  return cert_make_ca(&ca, "test CA", T0 - 3600, T0 + CERT_CA_LIFETIME_S, err, sizeof(err));
}

static int teardown(void **state) {
  (void)state;
  cert_pair_free(&ca);
  return 0;
}

/* reparse: |crt| as a relying party sees it, from its DER encoding */
static gnutls_x509_crt_t reparse(gnutls_x509_crt_t crt) {
  gnutls_datum_t der;
  gnutls_x509_crt_t out;
  assert_int_equal(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der), 0);
  assert_int_equal(gnutls_x509_crt_init(&out), 0);
  assert_int_equal(gnutls_x509_crt_import(out, &der, GNUTLS_X509_FMT_DER), 0);
  gnutls_free(der.data);
  return out;
}

static void test_ca(void **state) {
  (void)state;
  cert_info info;
  assert_int_equal(cert_info_get(ca.crt, &info), 0);
  assert_true(info.is_ca);
  assert_true(info.ecdsa_p256);
  assert_int_equal(info.not_before, T0 - 3600);
  assert_true(info.not_after - info.not_before > 3650LL * DAY);
  unsigned usage = 0, critical = 0;
  assert_int_equal(gnutls_x509_crt_get_key_usage(ca.crt, &usage, &critical), 0);
  assert_true(usage & GNUTLS_KEY_KEY_CERT_SIGN);
  assert_true(cert_signed_by(ca.crt, ca.crt));
}

static void test_leaf(void **state) {
  (void)state;
  const char *names[] = {"localhost", "host.example", "127.0.0.1", "::1"};
  cert_pair leaf;
  char err[256];
  assert_int_equal(cert_make_leaf(&leaf, &ca, names, 4, T0, T0 + 13 * DAY, err, sizeof(err)), 0);
  cert_info info;
  assert_int_equal(cert_info_get(leaf.crt, &info), 0);
  assert_false(info.is_ca);
  assert_true(info.ecdsa_p256);
  assert_int_equal(info.not_before, T0);
  assert_int_equal(info.not_after, T0 + 13 * DAY);
  assert_true(info.not_after - info.not_before <= 14 * DAY);
  assert_int_equal(gnutls_x509_crt_get_pk_algorithm(leaf.crt, NULL), GNUTLS_PK_ECDSA);
  /* the hash is the SHA-256 of the DER encoding */
  gnutls_datum_t der;
  assert_int_equal(gnutls_x509_crt_export2(leaf.crt, GNUTLS_X509_FMT_DER, &der), 0);
  uint8_t h[32];
  assert_int_equal(gnutls_hash_fast(GNUTLS_DIG_SHA256, der.data, der.size, h), 0);
  gnutls_free(der.data);
  assert_memory_equal(h, info.sha256, 32);
  /* names: the SAN matches each; another name does not */
  gnutls_x509_crt_t seen = reparse(leaf.crt);
  assert_true(gnutls_x509_crt_check_hostname(seen, "localhost"));
  assert_true(gnutls_x509_crt_check_hostname(seen, "host.example"));
  assert_true(gnutls_x509_crt_check_hostname(seen, "127.0.0.1"));
  assert_true(gnutls_x509_crt_check_hostname(seen, "::1"));
  assert_false(gnutls_x509_crt_check_hostname(seen, "other.example"));
  cert_info again;
  assert_int_equal(cert_info_get(seen, &again), 0);
  assert_memory_equal(&again, &info, sizeof(info));
  gnutls_x509_crt_deinit(seen);
  /* server auth, signed by the CA and not by another one */
  char oid[64];
  size_t oidlen = sizeof(oid);
  assert_int_equal(gnutls_x509_crt_get_key_purpose_oid(leaf.crt, 0, oid, &oidlen, NULL), 0);
  assert_string_equal(oid, GNUTLS_KP_TLS_WWW_SERVER);
  assert_true(cert_signed_by(leaf.crt, ca.crt));
  cert_pair other;
  assert_int_equal(cert_make_ca(&other, "other", T0, T0 + DAY, err, sizeof(err)), 0);
  assert_false(cert_signed_by(leaf.crt, other.crt));
  cert_pair_free(&other);
  cert_pair_free(&leaf);
}

static void test_two_leaves_differ(void **state) {
  (void)state;
  const char *names[] = {"localhost"};
  cert_pair a, b;
  cert_info ia, ib;
  char err[256];
  assert_int_equal(cert_make_leaf(&a, &ca, names, 1, T0, T0 + DAY, err, sizeof(err)), 0);
  assert_int_equal(cert_make_leaf(&b, &ca, names, 1, T0, T0 + DAY, err, sizeof(err)), 0);
  assert_int_equal(cert_info_get(a.crt, &ia), 0);
  assert_int_equal(cert_info_get(b.crt, &ib), 0);
  assert_memory_not_equal(ia.sha256, ib.sha256, 32);
  cert_pair_free(&a);
  cert_pair_free(&b);
}

static void test_bad_arguments(void **state) {
  (void)state;
  const char *names[CERT_MAX_NAMES + 1];
  for (size_t i = 0; i <= CERT_MAX_NAMES; i++)
    names[i] = "localhost";
  cert_pair p = {0};
  char err[256];
  assert_int_equal(cert_make_leaf(&p, &ca, names, 0, T0, T0 + DAY, err, sizeof(err)), -1);
  assert_int_equal(
      cert_make_leaf(&p, &ca, names, CERT_MAX_NAMES + 1, T0, T0 + DAY, err, sizeof(err)), -1);
  assert_int_equal(cert_make_leaf(&p, &ca, names, 1, T0, T0, err, sizeof(err)), -1);
  assert_string_equal(err, "bad validity period");
  const char *empty[] = {""};
  assert_int_equal(cert_make_leaf(&p, &ca, empty, 1, T0, T0 + DAY, err, sizeof(err)), -1);
  assert_null(p.crt);
}

static void test_export_import_roundtrip(void **state) {
  (void)state;
  const char *names[] = {"localhost", "127.0.0.1"};
  cert_pair leaf, back;
  cert_info a, b;
  char err[256];
  assert_int_equal(cert_make_leaf(&leaf, &ca, names, 2, T0, T0 + DAY, err, sizeof(err)), 0);
  gnutls_datum_t pem;
  assert_int_equal(cert_pair_export(&leaf, &ca, &pem), 0);
  assert_non_null(strstr((char *)pem.data, "-----BEGIN CERTIFICATE-----"));
  assert_non_null(strstr((char *)pem.data, "-----BEGIN PRIVATE KEY-----"));
  /* leaf first, then the CA: two certificates */
  char *second = strstr(strstr((char *)pem.data, "-----END CERTIFICATE-----"), "-----BEGIN CERT");
  assert_non_null(second);
  assert_int_equal(cert_pair_import(&back, &pem, err, sizeof(err)), 0);
  assert_int_equal(cert_info_get(leaf.crt, &a), 0);
  assert_int_equal(cert_info_get(back.crt, &b), 0);
  assert_memory_equal(&a, &b, sizeof(a));
  /* GnuTLS serves the same text as certificate chain and key */
  gnutls_certificate_credentials_t cred;
  assert_int_equal(gnutls_certificate_allocate_credentials(&cred), 0);
  assert_int_equal(gnutls_certificate_set_x509_key_mem(cred, &pem, &pem, GNUTLS_X509_FMT_PEM), 0);
  gnutls_certificate_free_credentials(cred);
  gnutls_free(pem.data);
  cert_pair_free(&back);
  cert_pair_free(&leaf);
}

static void test_import_rejects(void **state) {
  (void)state;
  const char *names[] = {"localhost"};
  cert_pair a, b, out = {0};
  char err[256];
  assert_int_equal(cert_make_leaf(&a, &ca, names, 1, T0, T0 + DAY, err, sizeof(err)), 0);
  assert_int_equal(cert_make_leaf(&b, &ca, names, 1, T0, T0 + DAY, err, sizeof(err)), 0);
  /* a's certificate with b's key */
  cert_pair mixed = {.crt = a.crt, .key = b.key};
  gnutls_datum_t pem;
  assert_int_equal(cert_pair_export(&mixed, NULL, &pem), 0);
  assert_int_equal(cert_pair_import(&out, &pem, err, sizeof(err)), -1);
  assert_non_null(strstr(err, "does not belong"));
  /* truncated: the key is cut off */
  gnutls_datum_t cut = {.data = pem.data, .size = pem.size / 2};
  assert_int_equal(cert_pair_import(&out, &cut, err, sizeof(err)), -1);
  /* garbage and empty input */
  gnutls_datum_t junk = {.data = (unsigned char *)"-----BEGIN CERTIFICATE-----\n!!\n", .size = 32};
  assert_int_equal(cert_pair_import(&out, &junk, err, sizeof(err)), -1);
  gnutls_datum_t empty = {.data = (unsigned char *)"", .size = 0};
  assert_int_equal(cert_pair_import(&out, &empty, err, sizeof(err)), -1);
  assert_null(out.crt);
  gnutls_free(pem.data);
  cert_pair_free(&a);
  cert_pair_free(&b);
}

static void test_hash_text(void **state) {
  (void)state;
  uint8_t h[32];
  for (int i = 0; i < 32; i++)
    h[i] = (uint8_t)(i * 8 + 1);
  char hex[65], b64[45];
  cert_hash_hex(h, hex);
  cert_hash_b64(h, b64);
  assert_string_equal(hex, "0109111921293139414951596169717981899199a1a9b1b9c1c9d1d9e1e9f1f9");
  assert_string_equal(b64, "AQkRGSEpMTlBSVFZYWlxeYGJkZmhqbG5wcnR2eHp8fk=");
}

static void test_hashes_js(void **state) {
  (void)state;
  uint8_t h[2][32];
  memset(h[0], 0x11, 32);
  memset(h[1], 0x22, 32);
  char buf[400];
  assert_int_equal(cert_hashes_js(buf, sizeof(buf), (const uint8_t(*)[32])h, 2), 0);
  assert_string_equal(buf, "serverCertificateHashes: [{ algorithm: 'sha-256', value: "
                           "Uint8Array.from(atob('ERERERERERERERERERERERERERERERERERERERERERE='), "
                           "c => c.charCodeAt(0)) }, { algorithm: 'sha-256', value: "
                           "Uint8Array.from(atob('IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI='), "
                           "c => c.charCodeAt(0)) }]");
  assert_int_equal(cert_hashes_js(buf, sizeof(buf), (const uint8_t(*)[32])h, 0), 0);
  assert_string_equal(buf, "serverCertificateHashes: []");
  /* too small: an error, never a cut line */
  for (size_t n = 1; n < 240; n += 7)
    assert_int_equal(cert_hashes_js(buf, n, (const uint8_t(*)[32])h, 2), -1);
}

static void test_browser_ok(void **state) {
  (void)state;
  cert_info ci = {.not_before = T0, .not_after = T0 + 14 * DAY, .ecdsa_p256 = true};
  assert_true(cert_browser_ok(&ci));
  ci.not_after++;
  assert_false(cert_browser_ok(&ci));
  ci.not_after = T0 + DAY;
  ci.ecdsa_p256 = false;
  assert_false(cert_browser_ok(&ci));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ca),
      cmocka_unit_test(test_leaf),
      cmocka_unit_test(test_two_leaves_differ),
      cmocka_unit_test(test_bad_arguments),
      cmocka_unit_test(test_export_import_roundtrip),
      cmocka_unit_test(test_import_rejects),
      cmocka_unit_test(test_hash_text),
      cmocka_unit_test(test_hashes_js),
      cmocka_unit_test(test_browser_ok),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
