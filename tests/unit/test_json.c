/* Unit tests for src/common/json.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"

#define BIG (1024 * 1024)

/* check_str writes |len| bytes at |s| as a lone string and compares. */
static void check_str(const char *s, size_t len, const char *want) {
  jw w;

  jw_init(&w, BIG);
  jw_strn(&w, s, len);
  assert_true(jw_ok(&w));
  if (strcmp(jw_data(&w), want) != 0 || jw_len(&w) != strlen(want)) {
    print_error("got %s, want %s\n", jw_data(&w), want);
    jw_free(&w);
    fail();
  }
  jw_free(&w);
}

#define S(lit, want) check_str(lit, sizeof(lit) - 1, want)

static void check_double(double v, const char *want) {
  jw w;

  jw_init(&w, BIG);
  jw_double(&w, v);
  assert_true(jw_ok(&w));
  if (strcmp(jw_data(&w), want) != 0) {
    print_error("%.17g: got %s, want %s\n", v, jw_data(&w), want);
    jw_free(&w);
    fail();
  }
  jw_free(&w);
}

static void test_empty(void **state) {
  jw w;

  (void)state;
  jw_init(&w, 10);
  assert_string_equal(jw_data(&w), "");
  assert_int_equal(jw_len(&w), 0);
  assert_true(jw_ok(&w));
  jw_free(&w);
  jw_free(&w); /* twice is harmless */
}

static void test_escaping(void **state) {
  (void)state;
  S("", "\"\"");
  S("abc", "\"abc\"");
  S("a\"b", "\"a\\\"b\"");
  S("a\\b", "\"a\\\\b\"");
  S("/", "\"/\"");
  S("\n\r\t\b\f", "\"\\u000a\\u000d\\u0009\\u0008\\u000c\"");
  S("\x01\x1f", "\"\\u0001\\u001f\"");
  S("a\0b", "\"a\\u0000b\"");
  S("\x7f", "\"\x7f\"");
  /* valid UTF-8 passes through: é, €, U+10FFFF, U+2028 */
  S("\xc3\xa9", "\"\xc3\xa9\"");
  S("\xe2\x82\xac", "\"\xe2\x82\xac\"");
  S("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");
  S("\xe2\x80\xa8", "\"\xe2\x80\xa8\"");
}

static void test_invalid_utf8(void **state) {
  (void)state;
  /* lone continuation, bad lead, truncated sequences */
  S("\x80", "\"\xef\xbf\xbd\"");
  S("a\xff" "b", "\"a\xef\xbf\xbd" "b\"");
  S("\xc3", "\"\xef\xbf\xbd\"");
  S("\xe2\x82", "\"\xef\xbf\xbd\xef\xbf\xbd\"");
  /* overlong '/', surrogate U+D800, above U+10FFFF: one U+FFFD per byte */
  S("\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\"");
  S("\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
  S("\xf4\x90\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
  /* a bad byte does not swallow the valid character after it */
  S("\xc3\xc3\xa9", "\"\xef\xbf\xbd\xc3\xa9\"");
  /* control character after a bad byte still escaped */
  S("\xe2\n", "\"\xef\xbf\xbd\\u000a\"");
}

static void test_str_null(void **state) {
  jw w;

  (void)state;
  jw_init(&w, BIG);
  jw_arr_begin(&w);
  jw_str(&w, NULL);
  jw_str(&w, "x");
  jw_arr_end(&w);
  assert_true(jw_ok(&w));
  assert_string_equal(jw_data(&w), "[null,\"x\"]");
  jw_free(&w);
}

static void test_nesting_commas(void **state) {
  jw w;

  (void)state;
  jw_init(&w, BIG);
  jw_obj_begin(&w);
  jw_kv_bool(&w, "ok", true);
  jw_kv_str(&w, "s", "v");
  jw_key(&w, "a");
  jw_arr_begin(&w);
  jw_int(&w, 1);
  jw_obj_begin(&w);
  jw_obj_end(&w);
  jw_arr_begin(&w);
  jw_arr_end(&w);
  jw_obj_begin(&w);
  jw_kv_null(&w, "n");
  jw_kv_bool(&w, "f", false);
  jw_obj_end(&w);
  jw_null(&w);
  jw_arr_end(&w);
  jw_key(&w, "o");
  jw_obj_begin(&w);
  jw_kv_int(&w, "i", -5);
  jw_kv_uint(&w, "u", 7);
  jw_kv_double(&w, "d", 1.5);
  jw_obj_end(&w);
  jw_kv_str(&w, "k\"ey", "\x01");
  jw_obj_end(&w);
  assert_true(jw_ok(&w));
  assert_string_equal(jw_data(&w), "{\"ok\":true,\"s\":\"v\",\"a\":[1,{},[],{\"n\":null,\"f\":false},"
                                   "null],\"o\":{\"i\":-5,\"u\":7,\"d\":1.5},\"k\\\"ey\":\"\\u0001\"}");
  jw_free(&w);
}

static void test_reset(void **state) {
  jw w;

  (void)state;
  jw_init(&w, BIG);
  jw_obj_begin(&w);
  jw_kv_int(&w, "a", 1);
  jw_reset(&w);
  assert_string_equal(jw_data(&w), "");
  jw_arr_begin(&w);
  jw_int(&w, 2);
  jw_arr_end(&w);
  assert_true(jw_ok(&w));
  assert_string_equal(jw_data(&w), "[2]");
  /* reset clears sticky errors too */
  jw_arr_end(&w);
  assert_false(jw_ok(&w));
  jw_reset(&w);
  assert_true(jw_ok(&w));
  jw_int(&w, 3);
  assert_string_equal(jw_data(&w), "3");
  jw_free(&w);
}

static void test_integers(void **state) {
  jw w;

  (void)state;
  jw_init(&w, BIG);
  jw_arr_begin(&w);
  jw_int(&w, 0);
  jw_int(&w, -1);
  jw_int(&w, INT64_MIN);
  jw_int(&w, INT64_MAX);
  jw_uint(&w, 0);
  jw_uint(&w, UINT64_MAX);
  jw_arr_end(&w);
  assert_true(jw_ok(&w));
  assert_string_equal(jw_data(&w), "[0,-1,-9223372036854775808,9223372036854775807,0,"
                                   "18446744073709551615]");
  jw_free(&w);
}

static void test_doubles(void **state) {
  (void)state;
  check_double(0.0, "0");
  check_double(-0.0, "-0");
  check_double(1.0, "1");
  check_double(1.5, "1.5");
  check_double(-2.25, "-2.25");
  check_double(0.1, "0.1");
  check_double(0.1 + 0.2, "0.3");
  check_double(1.0 / 3.0, "0.333333333333333");
  check_double(123456.789, "123456.789");
  check_double(1500.0, "1500");
  check_double(1e6, "1000000");
  check_double(-1e6, "-1000000");
  check_double(123456789012345.0, "123456789012345");
  check_double(1e14, "100000000000000");
  check_double(1e15, "1e+15");
  check_double(0.0001, "0.0001");
  check_double(0.00001, "1e-05");
  check_double(1234567.0, "1234567");
  check_double(1e-7, "1e-07");
  check_double(1.5e20, "1.5e+20");
  check_double(1e300, "1e+300");
  check_double(NAN, "null");
  check_double(INFINITY, "null");
  check_double(-INFINITY, "null");
}

static void test_misuse(void **state) {
  jw w;

  (void)state;
  jw_init(&w, BIG);

  /* a value in an object without a key */
  jw_obj_begin(&w);
  jw_int(&w, 1);
  assert_false(jw_ok(&w));
  assert_true(w.error);
  assert_false(w.overflow);

  /* a key in an array */
  jw_reset(&w);
  jw_arr_begin(&w);
  jw_key(&w, "k");
  assert_true(w.error);

  /* a key at the top level */
  jw_reset(&w);
  jw_key(&w, "k");
  assert_true(w.error);

  /* two keys in a row */
  jw_reset(&w);
  jw_obj_begin(&w);
  jw_key(&w, "a");
  jw_key(&w, "b");
  assert_true(w.error);

  /* ending an object after a key */
  jw_reset(&w);
  jw_obj_begin(&w);
  jw_key(&w, "a");
  jw_obj_end(&w);
  assert_true(w.error);

  /* mismatched and unbalanced ends */
  jw_reset(&w);
  jw_obj_begin(&w);
  jw_arr_end(&w);
  assert_true(w.error);
  jw_reset(&w);
  jw_obj_end(&w);
  assert_true(w.error);

  /* a second top-level value */
  jw_reset(&w);
  jw_int(&w, 1);
  assert_true(jw_ok(&w));
  jw_int(&w, 2);
  assert_true(w.error);
  assert_string_equal(jw_data(&w), "1");

  /* nothing is written after an error */
  jw_reset(&w);
  jw_arr_begin(&w);
  jw_key(&w, "k");
  jw_int(&w, 1);
  jw_arr_end(&w);
  assert_string_equal(jw_data(&w), "[");
  jw_free(&w);
}

static void test_depth_limit(void **state) {
  jw w;
  int i;
  char want[2 * JW_MAX_DEPTH + 1];

  (void)state;
  jw_init(&w, BIG);
  for (i = 0; i < JW_MAX_DEPTH; i++) {
    jw_arr_begin(&w);
  }
  for (i = 0; i < JW_MAX_DEPTH; i++) {
    jw_arr_end(&w);
  }
  assert_true(jw_ok(&w));
  memset(want, '[', JW_MAX_DEPTH);
  memset(want + JW_MAX_DEPTH, ']', JW_MAX_DEPTH);
  want[2 * JW_MAX_DEPTH] = '\0';
  assert_string_equal(jw_data(&w), want);

  jw_reset(&w);
  for (i = 0; i < JW_MAX_DEPTH; i++) {
    jw_obj_begin(&w);
    jw_key(&w, "k");
  }
  assert_true(jw_ok(&w));
  jw_obj_begin(&w); /* level 17 */
  assert_false(jw_ok(&w));
  assert_true(w.error);
  assert_int_equal(jw_len(&w), (size_t)JW_MAX_DEPTH * 5);
  jw_free(&w);
}

static void test_overflow_at_limit(void **state) {
  jw w;

  (void)state;
  /* [1,2] is exactly 5 bytes */
  jw_init(&w, 5);
  jw_arr_begin(&w);
  jw_int(&w, 1);
  jw_int(&w, 2);
  jw_arr_end(&w);
  assert_true(jw_ok(&w));
  assert_string_equal(jw_data(&w), "[1,2]");
  jw_free(&w);

  /* one byte less: the closing bracket does not fit */
  jw_init(&w, 4);
  jw_arr_begin(&w);
  jw_int(&w, 1);
  jw_int(&w, 2);
  assert_true(jw_ok(&w));
  jw_arr_end(&w);
  assert_false(jw_ok(&w));
  assert_true(w.overflow);
  assert_false(w.error);
  assert_string_equal(jw_data(&w), "[1,2");
  /* sticky: nothing more is written, even what would fit */
  jw_reset(&w);
  jw_int(&w, 12345);
  assert_true(w.overflow);
  assert_string_equal(jw_data(&w), "");
  jw_reset(&w);
  assert_true(jw_ok(&w));
  jw_int(&w, 1234);
  assert_true(jw_ok(&w));
  assert_string_equal(jw_data(&w), "1234");
  jw_free(&w);

  /* a number is written whole or not at all */
  jw_init(&w, 3);
  jw_int(&w, 1234);
  assert_true(w.overflow);
  assert_string_equal(jw_data(&w), "");
  jw_free(&w);

  /* maximum 0 */
  jw_init(&w, 0);
  jw_null(&w);
  assert_true(w.overflow);
  assert_string_equal(jw_data(&w), "");
  jw_free(&w);
}

static void test_overflow_string(void **state) {
  jw w;
  char *big;
  size_t i, n = 100000;

  (void)state;
  /* a long string grows the buffer past its first size and fits exactly */
  big = malloc(n);
  assert_non_null(big);
  for (i = 0; i < n; i++) {
    big[i] = (char)('a' + i % 26);
  }
  jw_init(&w, n + 2);
  jw_strn(&w, big, n);
  assert_true(jw_ok(&w));
  assert_int_equal(jw_len(&w), n + 2);
  assert_int_equal(jw_data(&w)[0], '"');
  assert_memory_equal(jw_data(&w) + 1, big, n);
  assert_int_equal(jw_data(&w)[n + 1], '"');
  jw_free(&w);

  /* one byte short: overflow, the text never exceeds the maximum */
  jw_init(&w, n + 1);
  jw_strn(&w, big, n);
  assert_true(w.overflow);
  assert_true(jw_len(&w) <= n + 1);
  jw_free(&w);

  /* an escape is not split */
  jw_init(&w, 4);
  jw_str(&w, "a\x01");
  assert_true(w.overflow);
  assert_string_equal(jw_data(&w), "\"a");
  jw_free(&w);
  free(big);
}

static void test_key_escaping(void **state) {
  jw w;

  (void)state;
  jw_init(&w, BIG);
  jw_obj_begin(&w);
  jw_kv_int(&w, "a\\b\n", 1);
  jw_kv_double(&w, "nan", NAN);
  jw_obj_end(&w);
  assert_true(jw_ok(&w));
  assert_string_equal(jw_data(&w), "{\"a\\\\b\\u000a\":1,\"nan\":null}");
  jw_free(&w);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_empty),
      cmocka_unit_test(test_escaping),
      cmocka_unit_test(test_invalid_utf8),
      cmocka_unit_test(test_str_null),
      cmocka_unit_test(test_nesting_commas),
      cmocka_unit_test(test_reset),
      cmocka_unit_test(test_integers),
      cmocka_unit_test(test_doubles),
      cmocka_unit_test(test_misuse),
      cmocka_unit_test(test_depth_limit),
      cmocka_unit_test(test_overflow_at_limit),
      cmocka_unit_test(test_overflow_string),
      cmocka_unit_test(test_key_escaping),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
