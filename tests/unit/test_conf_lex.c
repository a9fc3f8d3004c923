/* Unit tests for the lexical pre-check of configuration text
   (src/common/conf_lex.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "common/conf_lex.h"

/* check runs conf_lex_check on |s| and compares the result, and for a
 * problem its offset (|want_off|) and line. */
static void check(const char *s, conf_lex_result want, size_t want_off, unsigned want_line) {
  size_t off = 12345;
  unsigned line = 12345;
  conf_lex_result r = conf_lex_check(s, strlen(s), &off, &line);
  if (r != want)
    print_error("for [%s]: got %d, want %d\n", s, (int)r, (int)want);
  assert_int_equal(r, want);
  if (want != CONF_LEX_OK) {
    assert_int_equal(off, want_off);
    assert_int_equal(line, want_line);
  }
}

static void test_valid(void **state) {
  (void)state;
  check("", CONF_LEX_OK, 0, 0);
  check("a = \"x\";", CONF_LEX_OK, 0, 0);
  check("a : \"x\"", CONF_LEX_OK, 0, 0);
  check("a = \"x\" \"y\" /* c */ \"z\";", CONF_LEX_OK, 0, 0);
  check("a = [\"x\", \"y\",];\nb = (\"x\", 1, (\"y\"));", CONF_LEX_OK, 0, 0);
  check("g = { a = \"x\"; b = [\"y\"]; };", CONF_LEX_OK, 0, 0);
  check("a = \"\\\"\"; b = \"\\\\\";", CONF_LEX_OK, 0, 0);
  check("# \"x\"\n// \"y\"\n/* \"z\" */ a = 1;", CONF_LEX_OK, 0, 0);
  check("a = \"unterminated\n", CONF_LEX_OK, 0, 0);
  check("a = 1; b@c = 2;", CONF_LEX_OK, 0, 0); /* garbage is libconfig's to refuse */
  check("a = \"x@include\";", CONF_LEX_OK, 0, 0);
}

static void test_stray(void **state) {
  (void)state;
  check("\"\"", CONF_LEX_STRAY_STRING, 0, 1);
  check("\"x\"", CONF_LEX_STRAY_STRING, 0, 1);
  check("a = 1;\n\n  \"x\";", CONF_LEX_STRAY_STRING, 10, 3);
  check("a = 1, \"x\"", CONF_LEX_STRAY_STRING, 7, 1);
  check("g = { a = \"x\", \"y\" };", CONF_LEX_STRAY_STRING, 15, 1);
  check("g = { \"y\" };", CONF_LEX_STRAY_STRING, 6, 1);
  check("a = (\"x\") \"y\";", CONF_LEX_STRAY_STRING, 10, 1);
  check("a \"x\";", CONF_LEX_STRAY_STRING, 2, 1);
  /* lines inside strings and comments count */
  check("a = \"x\ny\";\n/*\n*/\"z\"", CONF_LEX_STRAY_STRING, 16, 4);
  /* an escaped quote does not end a string */
  check("a = \"\\\"\" ; \"b\"", CONF_LEX_STRAY_STRING, 11, 1);
  /* the first stray string is reported */
  check("a = 1; \"x\"; \"y\"", CONF_LEX_STRAY_STRING, 7, 1);
}

static void test_include(void **state) {
  (void)state;
  check("@include \"x.conf\"\n", CONF_LEX_INCLUDE, 0, 1);
  check("a = 1;\n  \t@include \"x\"", CONF_LEX_INCLUDE, 10, 2);
  check("a = 1; @include \"x\"", CONF_LEX_STRAY_STRING, 16, 1);
}

static void test_depth(void **state) {
  (void)state;
  char buf[4 + CONF_LEX_MAX_DEPTH + 2];
  memcpy(buf, "a = ", 4);
  memset(buf + 4, '(', CONF_LEX_MAX_DEPTH);
  buf[4 + CONF_LEX_MAX_DEPTH] = '\0';
  check(buf, CONF_LEX_OK, 0, 0);
  buf[4 + CONF_LEX_MAX_DEPTH] = '[';
  buf[4 + CONF_LEX_MAX_DEPTH + 1] = '\0';
  check(buf, CONF_LEX_TOO_DEEP, 4 + CONF_LEX_MAX_DEPTH, 1);
  /* closers beyond the openers are libconfig's to refuse, not ours */
  check("a = 1; ))) ; b = \"x\"", CONF_LEX_OK, 0, 0);
}

static void test_bytes(void **state) {
  (void)state;
  /* a NUL or any other byte inside the span is just another byte */
  static const char s[] = "a = \"x\0y\";\0\"z\"";
  size_t off;
  unsigned line;
  assert_int_equal(conf_lex_check(s, sizeof(s) - 1, &off, &line), CONF_LEX_STRAY_STRING);
  assert_int_equal(off, 11);
  assert_int_equal(conf_lex_check(s, 0, &off, &line), CONF_LEX_OK);
  /* a comment opener cut at the end of the span */
  assert_int_equal(conf_lex_check("a = 1; /", 8, &off, &line), CONF_LEX_OK);
  assert_int_equal(conf_lex_check("a = \"\\", 6, &off, &line), CONF_LEX_OK);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_valid),   cmocka_unit_test(test_stray), cmocka_unit_test(test_include),
      cmocka_unit_test(test_depth),   cmocka_unit_test(test_bytes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
