/* Unit tests for src/ctl/ctl_cert.c: "cert" replies rendered as text and
 * the ping page's link built from "status" and "cert" replies. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl_cert.h"
#include "ctl/ctl_json.h"

static json_object *parse(const char *s) {
  char err[256];
  bool ok;
  json_object *v = cj_parse(s, strlen(s), &ok, err, sizeof(err));
  if (!ok)
    fail_msg("fixture does not parse: %s", err);
  return v;
}

#define H0 "1111111111111111111111111111111111111111111111111111111111111111"
#define H1 "2222222222222222222222222222222222222222222222222222222222222222"
#define CUR                                                                              \
  "{\"sha256\":\"" H0 "\",\"sha256_base64\":\"ERERERERERERERERERERERERERERERERERERERERERE=\"," \
  "\"not_before\":\"2026-11-28T14:40:06Z\",\"not_after\":\"2026-12-11T14:40:06Z\","        \
  "\"key\":\"ECDSA P-256\",\"expiry\":\"ok\",\"browser_ok\":true}"
#define NEXT                                                                             \
  "{\"sha256\":\"" H1 "\",\"sha256_base64\":\"IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=\"," \
  "\"not_before\":\"2026-12-04T14:40:06Z\",\"not_after\":\"2026-12-17T14:40:06Z\","        \
  "\"key\":\"ECDSA P-256\",\"expiry\":\"ok\",\"browser_ok\":true}"

static char *render(const char *json, int want_rv) {
  json_object *v = parse(json);
  char *buf = NULL, err[256] = "";
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  assert_non_null(f);
  assert_int_equal(ctl_render_cert(f, v, err, sizeof(err)), want_rv);
  assert_int_equal(fclose(f), 0);
  json_object_put(v);
  return buf;
}

static void test_render_self_rotating(void **state) {
  (void)state;
  char *got = render("{\"ok\":true,\"mode\":\"self-rotating\",\"rotation_seconds\":518400,"
                     "\"current\":" CUR ",\"next\":" NEXT ","
                     "\"next_switch\":\"2026-12-04T15:40:06Z\",\"ca_file\":\"/var/lib/c/ca.crt\","
                     "\"server_certificate_hashes\":\"serverCertificateHashes: [x]\"}",
                     0);
  const char *want =
      "mode            self-rotating (a new certificate every 6 days)\n"
      "current         sha256 " H0 "\n"
      "                base64 ERERERERERERERERERERERERERERERERERERERERERE=\n"
      "                valid 2026-11-28T14:40:06Z to 2026-12-11T14:40:06Z\n"
      "                key ECDSA P-256\n"
      "next            sha256 " H1 "\n"
      "                base64 IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=\n"
      "                valid 2026-12-04T14:40:06Z to 2026-12-17T14:40:06Z\n"
      "                key ECDSA P-256\n"
      "switch at       2026-12-04T15:40:06Z\n"
      "CA for clients  /var/lib/c/ca.crt\n"
      "serverCertificateHashes: [x]\n";
  if (strcmp(got, want) != 0)
    print_error("got:\n%s\nwant:\n%s\n", got, want);
  assert_string_equal(got, want);
  free(got);
}

static void test_render_file_mode(void **state) {
  (void)state;
  char *got = render("{\"ok\":true,\"mode\":\"file\",\"file\":\"/etc/c.pem\",\"current\":{"
                     "\"sha256\":\"" H0 "\",\"sha256_base64\":\"b\",\"not_before\":\"a\","
                     "\"not_after\":\"z\",\"key\":\"RSA\",\"expiry\":\"expires-soon\","
                     "\"browser_ok\":false},\"next\":null,\"server_certificate_hashes\":null}",
                     0);
  assert_non_null(strstr(got, "mode            file (/etc/c.pem)\n"));
  assert_non_null(strstr(got, "valid a to z (expires soon)\n"));
  assert_non_null(strstr(got, "key RSA (browsers refuse it"));
  assert_non_null(strstr(got, "next            -\n"));
  assert_null(strstr(got, "serverCertificateHashes: ["));
  free(got);
}

static void test_render_bad(void **state) {
  (void)state;
  free(render("{\"ok\":true}", -1));
  free(render("[]", -1));
  free(render("{\"current\":7}", -1));
  /* mistyped fields print as "-" */
  char *got = render("{\"current\":{\"sha256\":5}}", 0);
  assert_non_null(strstr(got, "current         sha256 -\n"));
  free(got);
}

static int link_of(const char *status, const char *cert, const char *host, char *buf,
                   size_t len, char *err) {
  json_object *s = parse(status), *c = parse(cert);
  int rv = ctl_page_link(buf, len, "/usr/share/wtping/www", s, c, host, "box", err, 256);
  json_object_put(s);
  json_object_put(c);
  return rv;
}

static void test_page_link(void **state) {
  (void)state;
  char buf[2048], err[256];
  const char *cert = "{\"current\":" CUR ",\"next\":" NEXT "}";
  assert_int_equal(link_of("{\"listen\":[\"127.0.0.1:4433\",\"[::1]:4433\"],\"path\":\"/wtping\"}",
                           cert, NULL, buf, sizeof(buf), err),
                   0);
  assert_string_equal(buf, "file:///usr/share/wtping/www/index.html#url=https%3A%2F%2F127.0.0.1"
                           "%3A4433%2Fwtping&hash=" H0 "&hash=" H1);
  /* a wildcard listen address: the host name */
  assert_int_equal(link_of("{\"listen\":[\"[::]:4433\"],\"path\":\"/p q\"}", cert, NULL, buf,
                           sizeof(buf), err),
                   0);
  assert_non_null(strstr(buf, "#url=https%3A%2F%2Fbox%3A4433%2Fp%20q&hash="));
  /* --host, an IPv6 literal gets brackets */
  assert_int_equal(link_of("{\"listen\":[\"*:9\"]}", cert, "2001:db8::1", buf, sizeof(buf), err),
                   0);
  assert_non_null(strstr(buf, "#url=https%3A%2F%2F%5B2001%3Adb8%3A%3A1%5D%3A9%2Fwtping&hash="));
  /* no next certificate: one hash */
  assert_int_equal(link_of("{\"listen\":[\"[::1]:5\"]}", "{\"current\":" CUR "}", NULL, buf,
                           sizeof(buf), err),
                   0);
  assert_non_null(strstr(buf, "%5B%3A%3A1%5D%3A5"));
  assert_null(strstr(buf, H1));
}

static void test_page_link_errors(void **state) {
  (void)state;
  char buf[2048], err[256];
  const char *cert = "{\"current\":" CUR "}";
  assert_int_equal(link_of("{\"listen\":[]}", cert, NULL, buf, sizeof(buf), err), -1);
  assert_string_equal(err, "the server reports no listen address");
  assert_int_equal(link_of("{\"listen\":[\"noport\"]}", cert, NULL, buf, sizeof(buf), err), -1);
  assert_int_equal(link_of("{\"listen\":[\"1.2.3.4:1\"]}", "{}", NULL, buf, sizeof(buf), err), -1);
  assert_string_equal(err, "the server reports no certificate");
  assert_int_equal(link_of("{\"listen\":[\"1.2.3.4:1\"]}", cert, NULL, buf, 40, err), -1);
  assert_string_equal(err, "the link is too long");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_render_self_rotating), cmocka_unit_test(test_render_file_mode),
      cmocka_unit_test(test_render_bad),           cmocka_unit_test(test_page_link),
      cmocka_unit_test(test_page_link_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
