/* Unit tests for src/ctl/ctl_json.c: the control socket's JSON through
 * json-c (building with checked allocations, the wire form, reading). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl_json.h"

/* wire returns the wire form of |v| (a copy to free) and releases |v|. */
static char *wire(json_object *v) {
  size_t len = 0;
  const char *t = cj_write(v, &len);
  char *copy;

  assert_non_null(t);
  assert_int_equal(strlen(t), len);
  copy = strdup(t);
  assert_non_null(copy);
  json_object_put(v);
  return copy;
}

static void expect_wire(json_object *v, const char *want) {
  char *got = wire(v);

  assert_string_equal(got, want);
  free(got);
}

static void expect_double(double d, const char *want) {
  char buf[40];

  cj_format_double(buf, sizeof(buf), d);
  assert_string_equal(buf, want);
}

/* ---------------------------------------------------------------- building */

static void test_doubles(void **state) {
  (void)state;
  expect_double(0.25, "0.25");
  expect_double(0.1, "0.1");
  expect_double(0.1 + 0.2, "0.3"); /* rounded to 15 digits */
  expect_double(-0.0, "-0");
  expect_double(0, "0");
  expect_double(1500, "1500");
  expect_double(1000000, "1000000");
  expect_double(123456789012345, "123456789012345");
  expect_double(1e15, "1e+15");
  expect_double(1.5e20, "1.5e+20");
  expect_double(1e-7, "1e-07");
  expect_double(12.3456, "12.3456");
  expect_double(1.0 / 3, "0.333333333333333");
  assert_false(cj_format_double((char[40]){0}, 40, NAN));
  assert_false(cj_format_double((char[40]){0}, 40, INFINITY));
}

static void test_build(void **state) {
  json_object *o = json_object_new_object(), *a, *s;
  int r = 0;

  (void)state;
  assert_non_null(o);
  r |= cj_add_bool(o, "ok", true);
  r |= cj_add_str(o, "path", "/etc/wtping/a b.conf");
  r |= cj_add_str(o, "none", NULL);
  r |= cj_add_int(o, "neg", -5);
  r |= cj_add_uint(o, "big", UINT64_MAX);
  r |= cj_add_double(o, "d", 1500.0);
  r |= cj_add_double(o, "nan", NAN);
  r |= cj_add_null(o, "n");
  a = cj_add_array(o, "a");
  assert_non_null(a);
  r |= cj_push_double(a, 0.1);
  r |= cj_push_uint(a, 7);
  r |= cj_push_str(a, "x");
  s = cj_push_object(a);
  assert_non_null(s);
  assert_non_null(cj_add_object(o, "empty"));
  assert_int_equal(r, 0);
  expect_wire(o, "{\"ok\":true,\"path\":\"/etc/wtping/a b.conf\",\"none\":null,\"neg\":-5,"
                 "\"big\":18446744073709551615,\"d\":1500,\"nan\":null,\"n\":null,"
                 "\"a\":[0.1,7,\"x\",{}],\"empty\":{}}");
}

static void test_strings(void **state) {
  json_object *o = json_object_new_object();

  (void)state;
  assert_non_null(o);
  assert_int_equal(cj_add_str(o, "q", "a\"b\\c/d\xc3\xa9"), 0);
  /* a lone continuation byte, a truncated sequence, an overlong, a
   * surrogate: each bad byte becomes U+FFFD */
  assert_int_equal(cj_add_str(o, "bad", "x\x80y\xe2\x82z\xc0\xaf\xed\xa0\x80"), 0);
  assert_int_equal(cj_add_str(o, "ctl", "\x01\x1f"), 0);
  expect_wire(o, "{\"q\":\"a\\\"b\\\\c/d\xc3\xa9\",\"bad\":\"x\xef\xbf\xbdy\xef\xbf\xbd"
                 "\xef\xbf\xbdz\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\","
                 "\"ctl\":\"\\u0001\\u001f\"}");
}

static void test_add_to_nothing(void **state) {
  (void)state;
  /* what an earlier failed allocation leaves: every later addition fails */
  assert_int_equal(cj_add_str(NULL, "k", "v"), -1);
  assert_int_equal(cj_add_uint(NULL, "k", 1), -1);
  assert_int_equal(cj_add_double(NULL, "k", 1), -1);
  assert_int_equal(cj_add_null(NULL, "k"), -1);
  assert_null(cj_add_object(NULL, "k"));
  assert_null(cj_add_array(NULL, "k"));
  assert_int_equal(cj_push_str(NULL, "v"), -1);
  assert_int_equal(cj_push_double(NULL, 1), -1);
  assert_null(cj_push_object(NULL));
}

static json_object *parse_ok(const char *s);

static void test_same(void **state) {
  json_object *a = parse_ok("{\"x\":[1,2.5,\"s\"],\"y\":{\"z\":null},\"n\":1500}");
  json_object *b = parse_ok("{\"y\":{\"z\":null},\"n\":1500.0,\"x\":[1,2.5,\"s\"]}");
  json_object *c = parse_ok("{\"y\":{\"z\":null},\"n\":1500,\"x\":[1,2.5,\"t\"]}");
  json_object *d = parse_ok("[18446744073709551615,9223372036854775807]");
  json_object *e = parse_ok("[9223372036854775808,9223372036854775807]");

  (void)state;
  assert_non_null(a);
  assert_non_null(b);
  assert_non_null(c);
  assert_true(cj_same(a, b));
  assert_false(cj_same(a, c));
  assert_false(cj_same(d, e));
  assert_true(cj_same(d, d));
  assert_true(cj_same(NULL, NULL));
  assert_false(cj_same(a, NULL));
  json_object_put(a);
  json_object_put(b);
  json_object_put(c);
  json_object_put(d);
  json_object_put(e);
}

/* ---------------------------------------------------------------- reading */

static json_object *parse_ok(const char *s) {
  bool ok = false;
  char err[128];
  json_object *v = cj_parse(s, strlen(s), &ok, err, sizeof(err));

  if (!ok) {
    fail_msg("'%s' does not parse: %s", s, err);
  }
  return v;
}

/* expect_bad checks that the |len| bytes at |s| are refused with a message
 * that starts with |prefix|. */
static void expect_bad(const char *s, size_t len, const char *prefix) {
  bool ok = true;
  char err[128] = "";
  json_object *v = cj_parse(s, len, &ok, err, sizeof(err));

  if (ok) {
    fail_msg("'%.*s' parsed", (int)len, s);
  }
  assert_null(v);
  if (strncmp(err, prefix, strlen(prefix)) != 0) {
    fail_msg("'%.*s': '%s' does not start with '%s'", (int)len, s, err, prefix);
  }
}

#define BAD(s, prefix) expect_bad(s, sizeof(s) - 1, prefix)

static void test_parse_good(void **state) {
  json_object *v;
  int64_t i;
  double d;
  bool b;
  size_t len;

  (void)state;
  v = parse_ok("123");
  assert_true(cj_int(v, &i));
  assert_int_equal(i, 123);
  json_object_put(v);
  assert_null(parse_ok("null"));
  assert_null(parse_ok(" \t\r\nnull \n"));
  v = parse_ok(" {\"a\" : [ 1 , 2 ] } \n");
  assert_true(cj_is_object(v));
  assert_int_equal(cj_len(cj_get(v, "a")), 2);
  assert_null(cj_at(cj_get(v, "a"), 2));
  assert_null(cj_get(v, "b"));
  assert_null(cj_get(cj_get(v, "a"), "x"));
  json_object_put(v);

  v = parse_ok("{\"s\":\"a\\u0000b\\/\\ud83d\\ude00\",\"t\":true,\"z\":null,\"i\":9007199254740993,"
               "\"u\":18446744073709551615,\"f\":1.0,\"e\":1e3,\"h\":0.5,\"m\":-9223372036854775808}");
  assert_non_null(cj_str(cj_get(v, "s"), &len));
  assert_int_equal(len, 8);
  assert_memory_equal(cj_str(cj_get(v, "s"), NULL), "a\0b/\xf0\x9f\x98\x80", 8);
  assert_null(cj_str(cj_get(v, "t"), NULL));
  assert_true(cj_bool(cj_get(v, "t"), &b) && b);
  assert_false(cj_bool(cj_get(v, "i"), &b));
  assert_null(cj_get(v, "z"));
  assert_true(cj_int(cj_get(v, "i"), &i));
  assert_true(i == 9007199254740993LL);
  assert_false(cj_int(cj_get(v, "u"), &i));
  assert_true(cj_number(cj_get(v, "u"), &d));
  assert_true(d == 18446744073709551615.0);
  assert_true(cj_int(cj_get(v, "f"), &i) && i == 1);
  assert_true(cj_int(cj_get(v, "e"), &i) && i == 1000);
  assert_false(cj_int(cj_get(v, "h"), &i));
  assert_true(cj_number(cj_get(v, "h"), &d) && d == 0.5);
  assert_true(cj_int(cj_get(v, "m"), &i) && i == INT64_MIN);
  assert_false(cj_number(cj_get(v, "s"), &d));
  assert_false(cj_is_array(v));
  json_object_put(v);
}

static void test_parse_bad(void **state) {
  char deep[2 * CJ_MAX_DEPTH + 3];

  (void)state;
  expect_bad("", 0, "at byte 0:");
  BAD("   ", "at byte 3:");
  BAD("{\"a\":1", "at byte 6:");
  BAD("{\"a\":1,}", "at byte ");
  BAD("[1,]", "at byte ");
  BAD("[01]", "at byte ");
  BAD("{\"a\":1} x", "at byte ");
  BAD("{\"a\":1}{}", "at byte ");
  BAD("[1] \0", "at byte ");
  BAD("[\"a\0\"]", "at byte ");
  BAD("[\"\x80\"]", "at byte ");
  BAD("[\"\xc0\xaf\"]", "at byte ");
  BAD("[tru]", "at byte ");
  BAD("{a:1}", "at byte ");
  BAD("[.5]", "at byte ");
  BAD("[+1]", "at byte ");
  BAD("[0x10]", "at byte ");
  BAD("[\"\\x41\"]", "at byte ");
  BAD("[1 2]", "at byte ");
  BAD("/* c */ 1", "at byte ");
  BAD("\xef\xbb\xbf{}", "at byte ");
  /* one level deeper than allowed */
  memset(deep, '[', CJ_MAX_DEPTH + 1);
  memset(deep + CJ_MAX_DEPTH + 1, ']', CJ_MAX_DEPTH + 1);
  expect_bad(deep, 2 * CJ_MAX_DEPTH + 2, "at byte ");
  json_object_put(parse_ok((memset(deep, '[', CJ_MAX_DEPTH),
                            memset(deep + CJ_MAX_DEPTH, ']', CJ_MAX_DEPTH),
                            deep[2 * CJ_MAX_DEPTH] = '\0', deep)));
}

static void test_not_nul_terminated(void **state) {
  /* the span ends before the NUL: "[1]2" cut after "[1]" */
  bool ok;
  char err[64];
  json_object *v = cj_parse("[1]2", 3, &ok, err, sizeof(err));

  (void)state;
  assert_true(ok);
  assert_int_equal(cj_len(v), 1);
  json_object_put(v);
  v = cj_parse("12", 1, &ok, err, sizeof(err));
  assert_true(ok);
  assert_int_equal(json_object_get_int64(v), 1);
  json_object_put(v);
}

static void test_round_trip(void **state) {
  const char *in = "{\"ok\":true,\"s\":\"\\u0001\\t\\n/\xc3\xa9\",\"a\":[0.1,1e-07,-0,1500,"
                   "18446744073709551615],\"o\":{\"n\":null}}";
  json_object *v = parse_ok(in), *back;
  char *text = wire(json_object_get(v));

  (void)state;
  back = parse_ok(text);
  assert_true(cj_same(v, back));
  /* json-c's own escapes for control characters, '/' as it is */
  assert_non_null(strstr(text, "\"\\u0001\\t\\n/\xc3\xa9\""));
  json_object_put(back);
  json_object_put(v);
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_doubles),       cmocka_unit_test(test_build),
      cmocka_unit_test(test_strings),       cmocka_unit_test(test_add_to_nothing),
      cmocka_unit_test(test_same),          cmocka_unit_test(test_parse_good),
      cmocka_unit_test(test_parse_bad),     cmocka_unit_test(test_not_nul_terminated),
      cmocka_unit_test(test_round_trip),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
