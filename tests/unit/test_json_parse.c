/* Unit tests for the strict JSON parser (src/common/json_parse.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json_parse.h"

/* parse_n parses |len| bytes copied into a buffer of exactly that size, so
 * that ASan catches any read past the end. */
static json_value *parse_n(const char *s, size_t len, size_t *erroff, char *err, size_t errlen) {
  char *copy = malloc(len ? len : 1);
  json_value *v;

  assert_non_null(copy);
  memcpy(copy, s, len);
  v = json_parse_at(copy, len, erroff, err, errlen);
  free(copy);
  return v;
}

static json_value *ok_n(const char *s, size_t len) {
  char err[256];
  json_value *v = parse_n(s, len, NULL, err, sizeof(err));

  if (v == NULL) {
    fail_msg("json_parse(%.*s) failed: %s", (int)len, s, err);
  }
  return v;
}

static json_value *ok(const char *s) { return ok_n(s, strlen(s)); }

/* bad_n checks that |s| is rejected at byte |off| with a message
 * containing |msg| (if not NULL). */
static void bad_n(const char *s, size_t len, size_t off, const char *msg) {
  char err[256], want[32];
  size_t erroff = 12345;
  json_value *v = parse_n(s, len, &erroff, err, sizeof(err));

  if (v != NULL) {
    json_free(v);
    fail_msg("json_parse(%.*s) unexpectedly succeeded", (int)len, s);
  }
  if (erroff != off) {
    fail_msg("json_parse(%.*s): error at %zu, want %zu (%s)", (int)len, s, erroff, off, err);
  }
  snprintf(want, sizeof(want), "at byte %zu: ", off);
  if (strncmp(err, want, strlen(want)) != 0) {
    fail_msg("json_parse(%.*s): message '%s' does not start with '%s'", (int)len, s, err, want);
  }
  if (msg != NULL && strstr(err, msg) == NULL) {
    fail_msg("json_parse(%.*s): message '%s' lacks '%s'", (int)len, s, err, msg);
  }
}

static void bad(const char *s, size_t off, const char *msg) { bad_n(s, strlen(s), off, msg); }

static void check_string(const json_value *v, const char *want, size_t wantlen) {
  size_t len = 999;
  const char *s = json_string(v, &len);

  assert_non_null(s);
  assert_int_equal(len, wantlen);
  assert_memory_equal(s, want, wantlen);
  assert_int_equal(s[len], '\0');
}

/* ---------------------------------------------------------------- valid */

static void test_scalars(void **state) {
  json_value *v;
  bool b = false;
  (void)state;

  v = ok("null");
  assert_int_equal(json_type_of(v), JSON_NULL);
  assert_true(json_is_null(v));
  json_free(v);

  v = ok("true");
  assert_int_equal(json_type_of(v), JSON_BOOL);
  assert_true(json_bool(v, &b));
  assert_true(b);
  assert_false(json_is_null(v));
  json_free(v);

  v = ok(" \t\r\nfalse \t\r\n");
  assert_true(json_bool(v, &b));
  assert_false(b);
  json_free(v);

  v = ok("\"hi\"");
  check_string(v, "hi", 2);
  json_free(v);

  v = ok("\"\"");
  check_string(v, "", 0);
  json_free(v);

  v = ok("42");
  assert_int_equal(json_type_of(v), JSON_NUMBER);
  json_free(v);
}

static void test_document(void **state) {
  static const char doc[] =
      "{\"ok\":true,\"daemon\":\"wtping-server\",\"pid\":123,\"uptime\":3723.5,"
      "\"config\":null,\"listen\":[\"0.0.0.0:4433\",\"[::]:4433\"],"
      "\"sessions\":{\"now\":2,\"total\":17},\"empty\":{},\"none\":[]}";
  json_value *v = ok(doc);
  const json_value *a, *o;
  int64_t i = 0;
  double d = 0;
  bool b = false;
  size_t klen = 0;
  (void)state;

  assert_int_equal(json_type_of(v), JSON_OBJECT);
  assert_int_equal(json_object_len(v), 9);
  assert_string_equal(json_object_key(v, 0, &klen), "ok");
  assert_int_equal(klen, 2);
  assert_string_equal(json_object_key(v, 8, NULL), "none");
  assert_null(json_object_key(v, 9, NULL));
  assert_null(json_object_value(v, 9));
  assert_true(json_bool(json_object_value(v, 0), &b));
  assert_true(b);

  check_string(json_get(v, "daemon"), "wtping-server", 13);
  assert_true(json_int(json_get(v, "pid"), &i));
  assert_int_equal(i, 123);
  assert_true(json_number(json_get(v, "uptime"), &d));
  assert_true(d == 3723.5);
  assert_false(json_int(json_get(v, "uptime"), &i));
  assert_true(json_is_null(json_get(v, "config")));
  assert_null(json_get(v, "missing"));

  a = json_get(v, "listen");
  assert_int_equal(json_type_of(a), JSON_ARRAY);
  assert_int_equal(json_array_len(a), 2);
  check_string(json_array_at(a, 0), "0.0.0.0:4433", 12);
  check_string(json_array_at(a, 1), "[::]:4433", 9);
  assert_null(json_array_at(a, 2));

  o = json_get(v, "sessions");
  assert_true(json_int(json_get(o, "now"), &i));
  assert_int_equal(i, 2);
  assert_true(json_int(json_get(o, "total"), &i));
  assert_int_equal(i, 17);

  assert_int_equal(json_object_len(json_get(v, "empty")), 0);
  assert_int_equal(json_type_of(json_get(v, "empty")), JSON_OBJECT);
  assert_int_equal(json_array_len(json_get(v, "none")), 0);
  assert_int_equal(json_type_of(json_get(v, "none")), JSON_ARRAY);
  json_free(v);
}

static void test_accessors_wrong_type(void **state) {
  json_value *v = ok("[1,\"s\",true,null,{\"k\":1},[2]]");
  const json_value *num = json_array_at(v, 0), *str = json_array_at(v, 1);
  const json_value *obj = json_array_at(v, 4);
  double d = 7;
  int64_t i = 7;
  bool b = true;
  size_t len = 7;
  (void)state;

  assert_false(json_bool(num, &b));
  assert_true(b);
  assert_false(json_number(str, &d));
  assert_false(json_int(str, &i));
  assert_true(d == 7 && i == 7);
  assert_null(json_string(num, &len));
  assert_int_equal(len, 7);
  assert_null(json_get(v, "k")); /* an array, not an object */
  assert_non_null(json_get(obj, "k"));
  assert_null(json_get(NULL, "k"));
  assert_null(json_get(obj, NULL));
  assert_int_equal(json_array_len(obj), 0);
  assert_null(json_array_at(obj, 0));
  assert_int_equal(json_object_len(v), 0);
  assert_null(json_object_key(v, 0, NULL));
  assert_null(json_object_value(num, 0));
  assert_int_equal(json_type_of(NULL), JSON_NULL);
  assert_false(json_is_null(NULL));
  assert_false(json_bool(NULL, &b));
  assert_false(json_number(NULL, &d));
  assert_null(json_string(NULL, NULL));
  assert_string_equal(json_type_name(JSON_OBJECT), "object");
  assert_string_equal(json_type_name(JSON_BOOL), "boolean");
  json_free(v);
  json_free(NULL);
}

static void test_strings(void **state) {
  json_value *v;
  (void)state;

  v = ok("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"");
  check_string(v, "\" \\ / \b \f \n \r \t", 15);
  json_free(v);

  v = ok("\"\\u0041\\u00e9\\u00E9\\u20AC\\uFFFF\"");
  check_string(v, "A\xc3\xa9\xc3\xa9\xe2\x82\xac\xef\xbf\xbf", 11);
  json_free(v);

  /* Surrogate pairs, the smallest and the largest. */
  v = ok("\"\\uD83D\\uDE00 \\ud800\\udc00 \\uDBFF\\uDFFF\"");
  check_string(v, "\xf0\x9f\x98\x80 \xf0\x90\x80\x80 \xf4\x8f\xbf\xbf", 14);
  json_free(v);

  /* \u0000 is kept: the length counts it. */
  v = ok("\"a\\u0000b\"");
  check_string(v, "a\0b", 3);
  json_free(v);

  /* Raw UTF-8 of every length, DEL (not a control character in JSON). */
  v = ok("\"\x7f \xc2\x80 \xdf\xbf \xe0\xa0\x80 \xed\x9f\xbf \xee\x80\x80 \xf0\x90\x80\x80 "
         "\xf4\x8f\xbf\xbf\"");
  check_string(v, "\x7f \xc2\x80 \xdf\xbf \xe0\xa0\x80 \xed\x9f\xbf \xee\x80\x80 \xf0\x90\x80\x80 "
                  "\xf4\x8f\xbf\xbf", 29);
  json_free(v);

  /* Keys decode the same way, and "a" and "a\u0000" are different keys. */
  v = ok("{\"\\u00e9\":1,\"a\":2,\"a\\u0000\":3}");
  assert_non_null(json_get(v, "\xc3\xa9"));
  {
    int64_t i = 0;
    size_t klen = 0;

    assert_true(json_int(json_get(v, "a"), &i));
    assert_int_equal(i, 2);
    assert_memory_equal(json_object_key(v, 2, &klen), "a\0", 2);
    assert_int_equal(klen, 2);
  }
  json_free(v);
}

typedef struct num_case {
  const char *text;
  double d;
  bool is_int;
  int64_t i;
} num_case;

static void test_numbers(void **state) {
  static const num_case cases[] = {
      {"0", 0, true, 0},
      {"-0", -0.0, true, 0},
      {"1", 1, true, 1},
      {"-1", -1, true, -1},
      {"123456", 123456, true, 123456},
      {"1.5", 1.5, false, 0},
      {"-2.25", -2.25, false, 0},
      {"0.1", 0.1, false, 0},
      {"1.0", 1.0, true, 1},
      {"1e3", 1000, true, 1000},
      {"1E3", 1000, true, 1000},
      {"1e+3", 1000, true, 1000},
      {"2.5e-3", 0.0025, false, 0},
      {"0e0", 0, true, 0},
      {"0.000", 0, true, 0},
      {"9007199254740993", 9007199254740992.0, true, INT64_C(9007199254740993)},
      {"9223372036854775807", 9223372036854775807.0, true, INT64_MAX},
      {"-9223372036854775808", -9223372036854775808.0, true, INT64_MIN},
      {"9223372036854775808", 9223372036854775808.0, false, 0},
      {"18446744073709551615", 18446744073709551615.0, false, 0},
      {"1e19", 1e19, false, 0},
      {"123456789012345678901234567890", 123456789012345678901234567890.0, false, 0},
      {"1e308", 1e308, false, 0},
      {"1.7976931348623157e308", 1.7976931348623157e308, false, 0},
      {"5e-324", 5e-324, false, 0},
      {"1e-400", 0, true, 0}, /* underflows to zero: accepted */
      {"0.30000000000000004", 0.30000000000000004, false, 0},
  };
  size_t k;
  (void)state;

  for (k = 0; k < sizeof(cases) / sizeof(cases[0]); ++k) {
    json_value *v = ok(cases[k].text);
    double d = -1;
    int64_t i = -1;

    assert_true(json_number(v, &d));
    if (d != cases[k].d || signbit(d) != signbit(cases[k].d)) {
      fail_msg("%s: got %.17g, want %.17g", cases[k].text, d, cases[k].d);
    }
    if (json_int(v, &i) != cases[k].is_int) {
      fail_msg("%s: is_int is %d", cases[k].text, !cases[k].is_int);
    }
    if (cases[k].is_int && i != cases[k].i) {
      fail_msg("%s: int %lld, want %lld", cases[k].text, (long long)i, (long long)cases[k].i);
    }
    json_free(v);
  }

  /* A literal longer than the stack buffer. */
  {
    char buf[400];
    json_value *v;
    double d = 0;

    memset(buf, '0', sizeof(buf));
    buf[1] = '.';
    buf[2] = '5';
    buf[sizeof(buf) - 2] = '1';
    buf[sizeof(buf) - 1] = '\0';
    v = ok(buf); /* 0.5000...0001 */
    assert_true(json_number(v, &d));
    assert_true(d == 0.5);
    json_free(v);
  }
}

static void test_whitespace_and_containers(void **state) {
  json_value *v;
  (void)state;

  v = ok(" { \"a\" : [ 1 , 2 , { } , [ ] ] , \"b\" : { \"c\" : null } } ");
  assert_int_equal(json_array_len(json_get(v, "a")), 4);
  assert_true(json_is_null(json_get(json_get(v, "b"), "c")));
  json_free(v);

  v = ok("[[[]],[[]],{\"x\":[{}]}]");
  assert_int_equal(json_array_len(v), 3);
  json_free(v);
}

static void test_large(void **state) {
  size_t n = 100000, i, len = 0;
  char *s = malloc(n * 2 + 2);
  json_value *v;
  (void)state;

  assert_non_null(s);
  s[len++] = '[';
  for (i = 0; i < n; ++i) {
    s[len++] = (char)('0' + i % 10);
    s[len++] = i + 1 < n ? ',' : ']';
  }
  v = ok_n(s, len);
  assert_int_equal(json_array_len(v), n);
  json_free(v);
  free(s);
}

/* An object of many members (duplicates are found by sorting). */
static void test_large_object(void **state) {
  size_t n = 1000, i, len = 0, cap = n * 16 + 16;
  char *s = malloc(cap);
  json_value *v;
  int64_t x = 0;
  (void)state;

  assert_non_null(s);
  s[len++] = '{';
  for (i = 0; i < n; ++i) {
    len += (size_t)snprintf(s + len, cap - len, "%s\"k%zu\":%zu", i ? "," : "", i, i);
  }
  s[len++] = '}';
  v = ok_n(s, len);
  assert_int_equal(json_object_len(v), n);
  assert_true(json_int(json_get(v, "k999"), &x));
  assert_int_equal(x, 999);
  json_free(v);

  /* The same with "k500" again at the end, and "k7" again before it: the
   * earliest duplicate is reported. */
  {
    size_t k7;

    len -= 1;
    k7 = len + 1;
    len += (size_t)snprintf(s + len, cap - len, ",\"k7\":1,\"k500\":1}");
    bad_n(s, len, k7, "duplicate member name");
  }
  free(s);
}

static void test_size_limit(void **state) {
  size_t n = JSON_MAX_INPUT;
  char *s = malloc(n + 1);
  json_value *v;
  size_t len = 0;
  (void)state;

  assert_non_null(s);
  memset(s, 'x', n + 1);
  s[0] = '"';
  s[n - 1] = '"';
  v = ok_n(s, n);
  json_string(v, &len);
  assert_int_equal(len, n - 2);
  json_free(v);

  s[n - 1] = 'x';
  s[n] = '"';
  bad_n(s, n + 1, JSON_MAX_INPUT, "longer than 1048576 bytes");
  free(s);
}

/* ---------------------------------------------------------------- invalid */

/* Every proper prefix of a valid document whose top level is an object or
 * an array is invalid, with the error at its end. */
static void test_truncated_everywhere(void **state) {
  static const char *docs[] = {
      "{\"ok\":true,\"daemon\":\"wtping-client\",\"rtt_ms\":{\"last\":0.412,\"avg\":5e-1,"
      "\"p99\":-1.25E+2},\"config\":null,\"list\":[1,[false,{}],[]],\"n\":-0}",
      "[\"\\u00e9\\uD83D\\uDE00\\n\\\"\",\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\",0,-12.5e-3]",
      " { \"a\" : [ true , false , null ] } ",
      "[[[[[]]]]]",
      "{}",
      "[]",
  };
  size_t k, n;
  (void)state;

  for (k = 0; k < sizeof(docs) / sizeof(docs[0]); ++k) {
    size_t len = strlen(docs[k]);
    json_value *v = ok_n(docs[k], len);

    json_free(v);
    /* A document with trailing whitespace parses once the value is
     * complete; stop before. */
    while (len > 0 && docs[k][len - 1] == ' ') {
      --len;
    }
    for (n = 0; n < len; ++n) {
      bad_n(docs[k], n, n, "unexpected end of input");
    }
  }
}

static void test_empty(void **state) {
  (void)state;
  bad("", 0, "unexpected end of input");
  bad("   \n\t", 5, "unexpected end of input");
  assert_null(json_parse(NULL, 0, NULL, 0));
}

static void test_trailing_garbage(void **state) {
  (void)state;
  bad("{} x", 3, "expected the end of the document");
  bad("[]]", 2, "unexpected character ']'");
  bad("1 2", 2, "expected the end of the document");
  bad("{}{}", 2, NULL);
  bad("truex", 4, NULL);
  bad("nullnull", 4, NULL);
  bad("\"a\"\"b\"", 3, NULL);
  bad("0x10", 1, NULL);
  bad("1.5.3", 3, NULL);
  bad_n("{}\0", 3, 2, "unexpected byte 0x00");
  bad("[1]\f", 3, "unexpected byte 0x0c"); /* form feed is not whitespace */
  bad("[1,]", 3, "expected a value");
  bad("{\"a\":1,}", 7, "expected a member name");
  bad("[1 2]", 3, "expected ',' or ']'");
  bad("{\"a\":1 \"b\":2}", 7, "expected ',' or '}'");
  bad("{\"a\" 1}", 5, "expected ':'");
  bad("{1:2}", 1, "expected a member name");
  bad("{'a':1}", 1, NULL);
  bad("[,1]", 1, "expected a value");
  bad("\xef\xbb\xbf{}", 0, "unexpected byte 0xef"); /* no byte order mark */
  bad("\xc2\xa0{}", 0, NULL);                       /* no-break space */
  bad("/* c */ {}", 0, NULL);
  bad("[tru]", 4, "invalid literal");
  bad("[nul]", 4, NULL);
  bad("[True]", 1, NULL);
  bad("[undefined]", 1, NULL);
}

static void test_bad_numbers(void **state) {
  (void)state;
  bad("01", 1, "leading zeros");
  bad("-01", 2, "leading zeros");
  bad("00", 1, "leading zeros");
  bad("[00]", 2, "leading zeros");
  bad("[-00.5]", 3, "leading zeros");
  bad("+1", 0, NULL);
  bad(".5", 0, NULL);
  bad("[1.]", 3, "expected a digit after '.'");
  bad("1.e3", 2, NULL);
  bad("[1e]", 3, "exponent");
  bad("[1e+]", 4, "exponent");
  bad("[-]", 2, NULL);
  bad("--1", 1, NULL);
  bad("-a", 1, NULL);
  bad("Infinity", 0, NULL);
  bad("-Infinity", 1, NULL);
  bad("NaN", 0, NULL);
  bad("[1e309]", 1, "out of range");
  bad("[-1e309]", 1, "out of range");
}

static void test_bad_escapes(void **state) {
  (void)state;
  bad("[\"\\x\"]", 2, "invalid escape");
  bad("[\"ab\\U0041\"]", 4, "invalid escape");
  bad("[\"\\a\"]", 2, "invalid escape");
  bad("[\"\\'\"]", 2, "invalid escape");
  bad("[\"\\0\"]", 2, "invalid escape");
  bad("[\"\\ \"]", 2, "invalid escape");
  bad("[\"\\u12G4\"]", 6, "hex digit");
  bad("[\"\\u123\"]", 7, "hex digit");
  bad("[\"\\u\"]", 4, "hex digit");
  bad("[\"\\u-123\"]", 4, "hex digit");
}

static void test_lone_surrogates(void **state) {
  (void)state;
  bad("[\"\\uD800\"]", 2, "unpaired high surrogate \\uD800");
  bad("[\"x\\uDBFFx\"]", 3, "unpaired high surrogate");
  bad("[\"\\uD800\\u0041\"]", 2, "unpaired high surrogate");
  bad("[\"\\uD800\\uD800\"]", 2, "unpaired high surrogate");
  bad("[\"\\uD800\\n\"]", 2, "unpaired high surrogate");
  bad("[\"\\uDC00\"]", 2, "unpaired low surrogate \\uDC00");
  bad("[\"\\uDFFF\\uD800\"]", 2, "unpaired low surrogate");
  bad("[\"\\uD800\\uDBFF\"]", 2, "unpaired high surrogate");
  bad("[\"\\uD800\\uE000\"]", 2, "unpaired high surrogate");
  bad("[\"\\uD800\\uDC0G\"]", 13, "hex digit");
  /* Raw (UTF-8 encoded) surrogates are not UTF-8 either. */
  bad("[\"\xed\xa0\x80\"]", 2, "invalid UTF-8");
}

static void test_control_chars(void **state) {
  char s[8];
  int c;
  (void)state;

  for (c = 0; c < 0x20; ++c) {
    memcpy(s, "[\"a?b\"]", 7);
    s[3] = (char)c;
    bad_n(s, 7, 3, "control character");
  }
  /* Also in member names. */
  bad("{\"a\tb\":1}", 3, "control character 0x09");
  bad_n("{\"a\0\":1}", 8, 3, "control character 0x00");
}

static void test_invalid_utf8(void **state) {
  (void)state;
  bad("[\"\x80\"]", 2, "invalid UTF-8 byte 0x80");
  bad("[\"\xbf\"]", 2, "invalid UTF-8");
  bad("[\"\xc0\x80\"]", 2, "invalid UTF-8");       /* overlong NUL */
  bad("[\"\xc1\xbf\"]", 2, "invalid UTF-8");       /* overlong */
  bad("[\"\xe0\x9f\xbf\"]", 2, "invalid UTF-8");   /* overlong 3 bytes */
  bad("[\"\xf0\x8f\xbf\xbf\"]", 2, "invalid UTF-8"); /* overlong 4 bytes */
  bad("[\"\xf4\x90\x80\x80\"]", 2, "invalid UTF-8"); /* above U+10FFFF */
  bad("[\"\xf5\x80\x80\x80\"]", 2, "invalid UTF-8");
  bad("[\"\xff\"]", 2, "invalid UTF-8");
  bad("[\"\xe2\x82\"]", 2, "invalid UTF-8"); /* cut short by the quote */
  bad("[\"\xc3\"]", 2, "invalid UTF-8");
  bad("[\"\xf0\x9f\x98 \"]", 2, "invalid UTF-8");
  bad("{\"\xc3\":1}", 2, "invalid UTF-8");
}

static void test_depth(void **state) {
  char s[256];
  size_t i, d;
  json_value *v;
  (void)state;

  /* JSON_MAX_DEPTH nested arrays parse... */
  for (d = 0; d < JSON_MAX_DEPTH; ++d) {
    s[d] = '[';
    s[2 * JSON_MAX_DEPTH - 1 - d] = ']';
  }
  v = ok_n(s, 2 * JSON_MAX_DEPTH);
  json_free(v);

  /* ... one more does not, and the error is at the extra bracket. */
  for (d = 0; d <= JSON_MAX_DEPTH; ++d) {
    s[d] = '[';
    s[2 * JSON_MAX_DEPTH + 1 - d] = ']';
  }
  bad_n(s, 2 * JSON_MAX_DEPTH + 2, JSON_MAX_DEPTH, "nesting deeper than 32 levels");

  /* Objects count too: {"a":{"a":...}} */
  {
    size_t len = 0;

    for (i = 0; i <= JSON_MAX_DEPTH; ++i) {
      memcpy(s + len, "{\"a\":", 5);
      len += 5;
    }
    bad_n(s, len, 5 * JSON_MAX_DEPTH, "nesting deeper");
  }

  /* Far too deep: rejected quickly, without recursing. */
  {
    size_t n = 1000000;
    char *big = malloc(n);

    assert_non_null(big);
    memset(big, '[', n);
    bad_n(big, n, JSON_MAX_DEPTH, "nesting deeper");
    free(big);
  }
}

static void test_duplicates(void **state) {
  (void)state;
  bad("{\"a\":1,\"a\":2}", 7, "duplicate member name");
  bad("{\"a\":1,\"b\":2,\"\\u0061\":3}", 13, "duplicate member name");
  bad("[{\"x\":{\"y\":1,\"y\":1}}]", 13, "duplicate member name");
  json_free(ok("[{\"a\":1},{\"a\":1}]"));
}

static void test_error_buffer(void **state) {
  char err[8];
  size_t off = 0;
  (void)state;

  /* A short buffer truncates; none at all is fine. */
  memset(err, 'z', sizeof(err));
  assert_null(json_parse_at("[1,", 3, &off, err, sizeof(err)));
  assert_int_equal(off, 3);
  assert_string_equal(err, "at byte");
  assert_null(json_parse("[1,", 3, NULL, 0));
  {
    char full[128];

    assert_null(json_parse("[1,", 3, full, sizeof(full)));
    assert_string_equal(full, "at byte 3: unexpected end of input");
    assert_null(json_parse("{\"a\":1 x}", 9, full, sizeof(full)));
    assert_string_equal(full, "at byte 7: unexpected character 'x', expected ',' or '}'");
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_scalars),
      cmocka_unit_test(test_document),
      cmocka_unit_test(test_accessors_wrong_type),
      cmocka_unit_test(test_strings),
      cmocka_unit_test(test_numbers),
      cmocka_unit_test(test_whitespace_and_containers),
      cmocka_unit_test(test_large),
      cmocka_unit_test(test_large_object),
      cmocka_unit_test(test_size_limit),
      cmocka_unit_test(test_truncated_everywhere),
      cmocka_unit_test(test_empty),
      cmocka_unit_test(test_trailing_garbage),
      cmocka_unit_test(test_bad_numbers),
      cmocka_unit_test(test_bad_escapes),
      cmocka_unit_test(test_lone_surrogates),
      cmocka_unit_test(test_control_chars),
      cmocka_unit_test(test_invalid_utf8),
      cmocka_unit_test(test_depth),
      cmocka_unit_test(test_duplicates),
      cmocka_unit_test(test_error_buffer),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
