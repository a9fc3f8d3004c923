/* Unit tests for src/h3/h3_access.c: origin allow-list and bearer tokens. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "h3/h3_access.h"

#define TOKEN_A "abcdefghijklmnop0123"
#define TOKEN_B "Zm9vYmFyYmF6cXV4cXV1eA=="

/* request builds an accepted WebTransport CONNECT with |origin| and
 * |authorization| (either may be NULL). */
static void request(h3_request *r, const char *authority, const char *origin,
                    const char *authorization) {
  static const char *const base[][2] = {
      {":method", "CONNECT"}, {":scheme", "https"}, {":path", "/wtping"},
      {":protocol", "webtransport"}};
  h3_request_init(r);
  for (size_t i = 0; i < 4; i++)
    h3_request_add_field(r, (const uint8_t *)base[i][0], strlen(base[i][0]),
                         (const uint8_t *)base[i][1], strlen(base[i][1]));
  h3_request_add_field(r, (const uint8_t *)":authority", 10, (const uint8_t *)authority,
                       strlen(authority));
  if (origin)
    h3_request_add_field(r, (const uint8_t *)"origin", 6, (const uint8_t *)origin,
                         strlen(origin));
  if (authorization)
    h3_request_add_field(r, (const uint8_t *)"authorization", 13,
                         (const uint8_t *)authorization, strlen(authorization));
  assert_int_equal(h3_request_verdict(r, "/wtping"), H3_VERDICT_ACCEPT_WT);
}

static h3_access_verdict check(const h3_access *a, const char *authority, const char *origin,
                               const char *authorization, h3_auth *auth,
                               h3_access_reason *why) {
  h3_request r;
  request(&r, authority, origin, authorization);
  return h3_access_check(a, &r, auth, why);
}

static void add_origins(h3_access *a, const char *const *o) {
  const char *err;
  h3_access_init(a);
  for (; *o; o++)
    assert_int_equal(h3_access_add_origin(a, *o, &err), 0);
}

static void test_default_any(void **state) {
  (void)state;
  h3_access a;
  h3_auth auth;
  h3_access_reason why;
  h3_access_init(&a);
  assert_int_equal(check(&a, "h:4433", "https://evil.example", NULL, &auth, &why), H3_ACCESS_OK);
  assert_int_equal(auth, H3_AUTH_NONE);
  assert_int_equal(check(&a, "h:4433", NULL, NULL, &auth, &why), H3_ACCESS_OK);
  /* without tokens, an authorization field is ignored */
  assert_int_equal(check(&a, "h", NULL, "Bearer nope", &auth, &why), H3_ACCESS_OK);
  assert_int_equal(auth, H3_AUTH_NONE);
}

static void test_origin_list(void **state) {
  (void)state;
  h3_access a;
  h3_auth auth;
  h3_access_reason why;
  static const char *const list[] = {"https://Ping.Example.ORG", "http://127.0.0.1:8000",
                                     "https://[::1]:443", NULL};
  add_origins(&a, list);
  assert_int_equal(check(&a, "h", "https://ping.example.org", NULL, &auth, &why), H3_ACCESS_OK);
  assert_int_equal(check(&a, "h", "https://ping.example.org:443", NULL, &auth, &why),
                   H3_ACCESS_OK);
  assert_int_equal(check(&a, "h", "HTTP://127.0.0.1:8000", NULL, &auth, &why), H3_ACCESS_OK);
  assert_int_equal(check(&a, "h", "https://[::1]", NULL, &auth, &why), H3_ACCESS_OK);
  /* not listed: other port, other scheme, other host, a suffix, opaque */
  static const char *const no[] = {"http://127.0.0.1:8001", "https://127.0.0.1:8000",
                                   "https://ping.example.org.evil", "https://evil.example",
                                   "http://ping.example.org", "null", "https://ping.example.org/",
                                   "https://user@ping.example.org", ""};
  for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
    assert_int_equal(check(&a, "h", no[i], NULL, &auth, &why), H3_ACCESS_FORBIDDEN);
    assert_int_equal(why, H3_ACCESS_REASON_ORIGIN);
  }
  /* no Origin field: not a browser, not subject to the list */
  assert_int_equal(check(&a, "h", NULL, NULL, &auth, &why), H3_ACCESS_OK);
}

static void test_origin_self_and_star(void **state) {
  (void)state;
  h3_access a;
  h3_auth auth;
  h3_access_reason why;
  static const char *const self[] = {"self", NULL};
  add_origins(&a, self);
  assert_int_equal(check(&a, "Ping.example:4433", "https://ping.example:4433", NULL, &auth, &why),
                   H3_ACCESS_OK);
  assert_int_equal(check(&a, "ping.example:443", "https://ping.example", NULL, &auth, &why),
                   H3_ACCESS_OK);
  assert_int_equal(check(&a, "[::1]:4433", "https://[::1]:4433", NULL, &auth, &why),
                   H3_ACCESS_OK);
  assert_int_equal(check(&a, "ping.example:4433", "http://ping.example:4433", NULL, &auth, &why),
                   H3_ACCESS_FORBIDDEN);
  assert_int_equal(check(&a, "ping.example:4433", "https://ping.example", NULL, &auth, &why),
                   H3_ACCESS_FORBIDDEN);
  static const char *const star[] = {"https://a.example", "*", NULL};
  add_origins(&a, star);
  assert_int_equal(check(&a, "h", "https://b.example", NULL, &auth, &why), H3_ACCESS_OK);
}

static void test_origin_file(void **state) {
  (void)state;
  h3_access a;
  h3_auth auth;
  h3_access_reason why;
  static const char *const self_only[] = {"self", NULL};
  add_origins(&a, self_only);
  /* Chromium sends "file://" for a page opened from a local file */
  assert_int_equal(check(&a, "h:4433", "file://", NULL, &auth, &why), H3_ACCESS_FORBIDDEN);
  assert_int_equal(why, H3_ACCESS_REASON_ORIGIN);
  assert_int_equal(check(&a, "h:4433", "null", NULL, &auth, &why), H3_ACCESS_FORBIDDEN);
  static const char *const with_file[] = {"self", "file", NULL};
  add_origins(&a, with_file);
  assert_int_equal(check(&a, "h:4433", "file://", NULL, &auth, &why), H3_ACCESS_OK);
  /* Firefox sends the opaque origin "null" for a local file */
  assert_int_equal(check(&a, "h:4433", "null", NULL, &auth, &why), H3_ACCESS_OK);
  /* nothing else: not file URLs with a host or path, not another site */
  static const char *const no[] = {"nul", "null ", "file://host", "file:///etc", "FILE://x",
                                   "https://h"};
  for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
    assert_int_equal(check(&a, "h:4433", no[i], NULL, &auth, &why), H3_ACCESS_FORBIDDEN);
    assert_int_equal(why, H3_ACCESS_REASON_ORIGIN);
  }
}

static void test_origin_parse(void **state) {
  (void)state;
  h3_access a;
  const char *err = NULL;
  static const char *const bad[] = {"example.org", "ftp://x", "https://", "https://x:",
                                    "https://x:0", "https://x:65536", "https://x/p",
                                    "https://x?q", "https://[::1", "https://[]", "https://a b",
                                    "https://x:80x", ""};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    h3_access_init(&a);
    err = NULL;
    assert_int_equal(h3_access_add_origin(&a, bad[i], &err), -1);
    assert_non_null(err);
  }
  h3_access_init(&a);
  char o[32];
  for (int i = 0; i < H3_ACCESS_MAX_ORIGINS; i++) {
    snprintf(o, sizeof(o), "https://h%d", i);
    assert_int_equal(h3_access_add_origin(&a, o, &err), 0);
  }
  assert_int_equal(h3_access_add_origin(&a, "https://one-more", &err), -1);
}

static void test_tokens(void **state) {
  (void)state;
  h3_access a;
  h3_auth auth;
  h3_access_reason why;
  const char *err;
  h3_access_init(&a);
  assert_int_equal(h3_access_add_token(&a, TOKEN_A, strlen(TOKEN_A), &err), 0);
  assert_int_equal(h3_access_add_token(&a, TOKEN_B, strlen(TOKEN_B), &err), 0);

  assert_int_equal(check(&a, "h", NULL, "Bearer " TOKEN_A, &auth, &why), H3_ACCESS_OK);
  assert_int_equal(auth, H3_AUTH_TOKEN);
  assert_int_equal(check(&a, "h", NULL, "bearer   " TOKEN_B, &auth, &why), H3_ACCESS_OK);
  assert_int_equal(auth, H3_AUTH_TOKEN);

  assert_int_equal(check(&a, "h", NULL, NULL, &auth, &why), H3_ACCESS_UNAUTHORIZED);
  assert_int_equal(why, H3_ACCESS_REASON_NO_TOKEN);
  assert_int_equal(check(&a, "h", NULL, "Basic dXNlcjpwYXNz", &auth, &why),
                   H3_ACCESS_UNAUTHORIZED);
  assert_int_equal(why, H3_ACCESS_REASON_BAD_SCHEME);
  static const char *const wrong[] = {"Bearer " TOKEN_A "x", "Bearer abcdefghijklmno0123",
                                      "Bearer " TOKEN_A " ", "Bearer ", "Bearer"
                                      " short", "Bearer " TOKEN_B "="};
  for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
    assert_int_equal(check(&a, "h", NULL, wrong[i], &auth, &why), H3_ACCESS_FORBIDDEN);
    assert_int_equal(why, H3_ACCESS_REASON_BAD_TOKEN);
    assert_int_equal(auth, H3_AUTH_NONE);
  }
  /* a token that was too long to keep arrives as "" */
  h3_request r;
  request(&r, "h", NULL, NULL);
  r.has_authorization = true;
  assert_int_equal(h3_access_check(&a, &r, &auth, &why), H3_ACCESS_UNAUTHORIZED);

  /* origin is checked first, and a right token does not save a wrong origin */
  static const char *const list[] = {"https://ok.example", NULL};
  h3_access b;
  add_origins(&b, list);
  assert_int_equal(h3_access_add_token(&b, TOKEN_A, strlen(TOKEN_A), &err), 0);
  assert_int_equal(check(&b, "h", "https://evil.example", "Bearer " TOKEN_A, &auth, &why),
                   H3_ACCESS_FORBIDDEN);
  assert_int_equal(why, H3_ACCESS_REASON_ORIGIN);
  assert_int_equal(check(&b, "h", "https://ok.example", "Bearer " TOKEN_A, &auth, &why),
                   H3_ACCESS_OK);
}

static void test_token_parse(void **state) {
  (void)state;
  h3_access a;
  const char *err;
  h3_access_init(&a);
  assert_int_equal(h3_access_add_token(&a, "short", 5, &err), -1);
  assert_int_equal(h3_access_add_token(&a, "abcdefghijklmnop qrs", 20, &err), -1);
  assert_int_equal(h3_access_add_token(&a, "abcdefghijklmnop=qrs", 20, &err), -1);
  assert_int_equal(h3_access_add_token(&a, "====================", 20, &err), -1);
  char big[H3_ACCESS_TOKEN_MAX + 1];
  memset(big, 'a', sizeof(big));
  assert_int_equal(h3_access_add_token(&a, big, sizeof(big), &err), -1);
  assert_int_equal(h3_access_add_token(&a, big, sizeof(big) - 1, &err), 0);
  /* a NUL inside the span is not a token character */
  assert_int_equal(h3_access_add_token(&a, "abcdefgh\0ijklmnopq", 18, &err), -1);
  assert_int_equal(a.ntokens, 1);
  assert_string_equal(h3_access_reason_str(H3_ACCESS_REASON_BAD_TOKEN), "wrong bearer token");
  assert_string_equal(h3_auth_str(H3_AUTH_TOKEN), "token");
}

static void test_cert_allow_list(void **state) {
  (void)state;
  h3_access a;
  const char *err;
  uint8_t pin[32], other[32];
  memset(pin, 0xab, sizeof(pin));
  memset(other, 0xcd, sizeof(other));
  h3_access_init(&a);
  /* nothing listed: any certificate the CA signed */
  assert_true(h3_access_cert_allowed(&a, "CN=anyone", other));
  assert_int_equal(h3_access_add_cert_subject(&a, "CN=probe1,O=Example", &err), 0);
  assert_int_equal(h3_access_add_cert_pin(&a, pin, &err), 0);
  assert_true(h3_access_cert_allowed(&a, "CN=probe1,O=Example", other));
  assert_true(h3_access_cert_allowed(&a, "CN=someone", pin));
  assert_false(h3_access_cert_allowed(&a, "CN=probe1", other));
  assert_false(h3_access_cert_allowed(&a, "cn=probe1,o=example", other));
  assert_int_equal(h3_access_add_cert_subject(&a, "", &err), -1);
  char big[300];
  memset(big, 'x', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  assert_int_equal(h3_access_add_cert_subject(&a, big, &err), -1);
  for (int i = 1; i < H3_ACCESS_MAX_CERTS; i++)
    assert_int_equal(h3_access_add_cert_pin(&a, pin, &err), 0);
  assert_int_equal(h3_access_add_cert_pin(&a, pin, &err), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_default_any),  cmocka_unit_test(test_origin_list),
      cmocka_unit_test(test_origin_self_and_star), cmocka_unit_test(test_origin_file),
      cmocka_unit_test(test_origin_parse),
      cmocka_unit_test(test_tokens),       cmocka_unit_test(test_token_parse),
      cmocka_unit_test(test_cert_allow_list),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
