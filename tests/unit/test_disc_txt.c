/* Tests for src/disc/disc_txt.c: DNS-SD TXT parsing (RFC 6763 section 6),
 * with truncated, oversized and malformed records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "disc/disc_txt.h"

/* txt builds RDATA from NUL-separated strings ending in an empty one. */
static size_t txt(uint8_t *buf, const char *const *s) {
  size_t off = 0;
  for (; *s; s++) {
    size_t n = strlen(*s);
    buf[off++] = (uint8_t)n;
    memcpy(buf + off, *s, n);
    off += n;
  }
  return off;
}

static void test_keys(void **state) {
  (void)state;
  uint8_t b[512];
  const char *s[] = {"txtvers=1", "path=/ping", "pin=sha256:abc=", "other=x", NULL};
  disc_txt t;
  const char *why = NULL;
  assert_int_equal(disc_txt_parse(b, txt(b, s), &t, &why), 0);
  assert_int_equal(t.version, 1);
  assert_true(t.have_path);
  assert_string_equal(t.path, "/ping");
  assert_true(t.have_pin);
  assert_string_equal(t.pin, "sha256:abc=");
}

static void test_defaults(void **state) {
  (void)state;
  disc_txt t;
  const char *why = NULL;
  assert_int_equal(disc_txt_parse(NULL, 0, &t, &why), 0);
  assert_int_equal(t.version, 0);
  assert_false(t.have_path);
  assert_string_equal(t.path, "/wtping");
  assert_false(t.have_pin);
  /* a single empty string: what a service with no TXT data publishes */
  uint8_t one = 0;
  assert_int_equal(disc_txt_parse(&one, 1, &t, &why), 0);
  assert_string_equal(t.path, "/wtping");
}

static void test_rfc6763_rules(void **state) {
  (void)state;
  uint8_t b[512];
  /* case-insensitive keys; the first occurrence counts; boolean attributes,
   * empty strings and a missing key are ignored */
  const char *s[] = {"", "flag", "=nokey", "PATH=/first", "path=/second", "TxtVers=1", NULL};
  disc_txt t;
  const char *why = NULL;
  assert_int_equal(disc_txt_parse(b, txt(b, s), &t, &why), 0);
  assert_string_equal(t.path, "/first");
  assert_int_equal(t.version, 1);
  /* a later malformed duplicate is ignored too */
  const char *d[] = {"path=/ok", "path=bad", NULL};
  assert_int_equal(disc_txt_parse(b, txt(b, d), &t, &why), 0);
  assert_string_equal(t.path, "/ok");
  /* a value may contain '=' */
  const char *e[] = {"path=/a=b", NULL};
  assert_int_equal(disc_txt_parse(b, txt(b, e), &t, &why), 0);
  assert_string_equal(t.path, "/a=b");
}

static void test_truncated(void **state) {
  (void)state;
  uint8_t b[512];
  const char *s[] = {"txtvers=1", "path=/wtping", NULL};
  size_t n = txt(b, s);
  disc_txt t;
  const char *why = NULL;
  /* every cut inside a string is an error; a cut between strings is not */
  for (size_t cut = 0; cut < n; cut++) {
    int r = disc_txt_parse(b, cut, &t, &why);
    if (cut == 0 || cut == 10)
      assert_int_equal(r, 0);
    else {
      assert_int_equal(r, -1);
      assert_string_equal(why, "TXT record truncated");
    }
  }
  uint8_t lone = 5; /* a length byte and nothing after it */
  assert_int_equal(disc_txt_parse(&lone, 1, &t, &why), -1);
}

static void test_oversized(void **state) {
  (void)state;
  static uint8_t big[DISC_TXT_RDATA_MAX + 1];
  disc_txt t;
  const char *why = NULL;
  assert_int_equal(disc_txt_parse(big, sizeof(big), &t, &why), -1);
  assert_string_equal(why, "TXT record too long");
  /* at the limit: empty strings, accepted */
  assert_int_equal(disc_txt_parse(big, DISC_TXT_RDATA_MAX, &t, &why), 0);
  /* the longest path a string can carry (250 bytes) is kept whole */
  uint8_t b[300];
  b[0] = 255;
  memcpy(b + 1, "path=/", 6);
  memset(b + 7, 'a', 249);
  assert_int_equal(disc_txt_parse(b, 256, &t, &why), 0);
  assert_int_equal(strlen(t.path), 250);
  /* a length byte claiming more than the record holds */
  assert_int_equal(disc_txt_parse(b, 255, &t, &why), -1);
}

static void test_malformed_values(void **state) {
  (void)state;
  uint8_t b[512];
  disc_txt t;
  const char *why = NULL;
  const char *bad[][2] = {
      {"path=wtping", "path is not an absolute URL path"},
      {"path=", "path is not an absolute URL path"},
      {"path=/a b", "path is not an absolute URL path"},
      {"path=/a#frag", "path is not an absolute URL path"},
      {"path=/a\x01", "path is not an absolute URL path"},
      {"txtvers=", "txtvers is not a number"},
      {"txtvers=one", "txtvers is not a number"},
      {"txtvers=123456", "txtvers is not a number"},
      {"txtvers=2", "txtvers newer than this client understands"},
      {"pin=", "pin is not sha256:BASE64"},
      {"pin=sha256:" "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
       "pin is not sha256:BASE64"},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    const char *s[] = {bad[i][0], NULL};
    assert_int_equal(disc_txt_parse(b, txt(b, s), &t, &why), -1);
    assert_string_equal(why, bad[i][1]);
  }
  /* txtvers 0 and 1 are understood */
  const char *v0[] = {"txtvers=0", NULL};
  assert_int_equal(disc_txt_parse(b, txt(b, v0), &t, &why), 0);
}

static void test_build_round_trip(void **state) {
  (void)state;
  uint8_t b[512];
  disc_txt t;
  const char *why = NULL;
  int n = disc_txt_build("/wtping", "sha256:xyz=", b, sizeof(b));
  assert_true(n > 0);
  assert_int_equal(b[0], strlen("txtvers=1"));
  assert_int_equal(disc_txt_parse(b, (size_t)n, &t, &why), 0);
  assert_int_equal(t.version, DISC_TXT_VERSION);
  assert_string_equal(t.path, "/wtping");
  assert_string_equal(t.pin, "sha256:xyz=");
  n = disc_txt_build("/p", NULL, b, sizeof(b));
  assert_int_equal(disc_txt_parse(b, (size_t)n, &t, &why), 0);
  assert_false(t.have_pin);
  /* does not fit */
  assert_int_equal(disc_txt_build("/wtping", NULL, b, 12), -1);
  char longpath[300];
  memset(longpath, 'a', sizeof(longpath) - 1);
  longpath[0] = '/';
  longpath[sizeof(longpath) - 1] = '\0';
  assert_int_equal(disc_txt_build(longpath, NULL, b, sizeof(b)), -1);
}

static void test_every_byte_value(void **state) {
  (void)state;
  /* any single string of any byte: parses or fails, never more */
  uint8_t b[4];
  disc_txt t;
  const char *why = NULL;
  for (unsigned v = 0; v < 256; v++) {
    b[0] = 3;
    b[1] = 'k';
    b[2] = '=';
    b[3] = (uint8_t)v;
    assert_int_equal(disc_txt_parse(b, 4, &t, &why), 0);
    b[0] = (uint8_t)v;
    int r = disc_txt_parse(b, 4, &t, &why);
    assert_true(r == 0 || r == -1);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_keys),           cmocka_unit_test(test_defaults),
      cmocka_unit_test(test_rfc6763_rules),  cmocka_unit_test(test_truncated),
      cmocka_unit_test(test_oversized),      cmocka_unit_test(test_malformed_values),
      cmocka_unit_test(test_build_round_trip), cmocka_unit_test(test_every_byte_value),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
