/* Unit tests for src/ctl/ctl_proto.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "ctl/ctl_proto.h"

/* PARSE parses the string literal |s| (its length, not strlen). */
#define PARSE(s, req, err) ctl_request_parse(s, sizeof(s) - 1, req, err)

static void expect_fail(const char *line, size_t len, const char *want) {
  ctl_request req;
  const char *err = NULL;

  assert_int_equal(ctl_request_parse(line, len, &req, &err), -1);
  assert_non_null(err);
  assert_string_equal(err, want);
}

#define FAIL(s, want) expect_fail(s, sizeof(s) - 1, want)

static void test_good(void **state) {
  ctl_request req;
  const char *err = NULL;

  (void)state;
  assert_int_equal(PARSE("status", &req, &err), 0);
  assert_string_equal(req.cmd, "status");
  assert_int_equal(req.argc, 0);

  assert_int_equal(PARSE("check ready", &req, &err), 0);
  assert_string_equal(req.cmd, "check");
  assert_int_equal(req.argc, 1);
  assert_string_equal(req.argv[0], "ready");

  assert_int_equal(PARSE("a b.c d_e f-g 0123456789", &req, &err), 0);
  assert_string_equal(req.cmd, "a");
  assert_int_equal(req.argc, 4);
  assert_string_equal(req.argv[0], "b.c");
  assert_string_equal(req.argv[1], "d_e");
  assert_string_equal(req.argv[2], "f-g");
  assert_string_equal(req.argv[3], "0123456789");
  assert_null(err);
}

static void test_line_endings(void **state) {
  ctl_request req;
  const char *err = NULL;

  (void)state;
  assert_int_equal(PARSE("version\r", &req, &err), 0);
  assert_string_equal(req.cmd, "version");
  assert_int_equal(PARSE("version\n", &req, &err), 0);
  assert_string_equal(req.cmd, "version");
  assert_int_equal(PARSE("check live\r\n", &req, &err), 0);
  assert_string_equal(req.argv[0], "live");
  assert_int_equal(req.argc, 1);
  /* only one of each, and only at the end */
  FAIL("version\r\r", "invalid character in request");
  FAIL("version\n\n", "invalid character in request");
  FAIL("version\n\r", "invalid character in request");
  FAIL("ver\rsion", "invalid character in request");
  FAIL("\r", "empty request");
  FAIL("\r\n", "empty request");
  FAIL("\n", "empty request");
}

static void test_truncated(void **state) {
  ctl_request req;
  const char *err = NULL;
  const char line[] = "check ready";

  (void)state;
  /* only |len| bytes count, no NUL needed */
  assert_int_equal(ctl_request_parse(line, 5, &req, &err), 0);
  assert_string_equal(req.cmd, "check");
  assert_int_equal(req.argc, 0);
  assert_int_equal(ctl_request_parse(line, 7, &req, &err), 0);
  assert_string_equal(req.argv[0], "r");
  assert_int_equal(req.argc, 1);
  expect_fail(line, 6, "trailing space in request");
  expect_fail(line, 0, "empty request");
  assert_int_equal(ctl_request_parse("xy", 1, &req, &err), 0);
  assert_string_equal(req.cmd, "x");
}

static void test_oversized(void **state) {
  ctl_request req;
  const char *err = NULL;
  char word[CTL_WORD_MAX + 2];
  char line[CTL_LINE_MAX + 3];
  size_t i;

  (void)state;
  /* longest word */
  memset(word, 'w', CTL_WORD_MAX);
  assert_int_equal(ctl_request_parse(word, CTL_WORD_MAX, &req, &err), 0);
  assert_int_equal(strlen(req.cmd), CTL_WORD_MAX);
  /* one more */
  memset(word, 'w', CTL_WORD_MAX + 1);
  expect_fail(word, CTL_WORD_MAX + 1, "word too long in request");
  memcpy(line, "cmd ", 4);
  memset(line + 4, 'a', CTL_WORD_MAX + 1);
  expect_fail(line, 4 + CTL_WORD_MAX + 1, "word too long in request");

  /* too many arguments */
  FAIL("a 1 2 3 4 5", "too many arguments");

  /* CTL_LINE_MAX bytes get to the word check; one more does not */
  memset(line, 'a', CTL_LINE_MAX + 1);
  expect_fail(line, CTL_LINE_MAX, "word too long in request");
  expect_fail(line, CTL_LINE_MAX + 1, "request too long");
  /* a full-length line of valid words */
  for (i = 0; i < CTL_LINE_MAX; i++) {
    line[i] = (i % 64 == 63) ? ' ' : 'a';
  }
  line[CTL_LINE_MAX - 1] = 'a';
  expect_fail(line, CTL_LINE_MAX, "too many arguments");
  /* five 63-byte words plus spaces = 319 bytes: fine */
  assert_int_equal(ctl_request_parse(line, 5 * 64 - 1, &req, &err), 0);
  assert_int_equal(req.argc, 4);
  assert_int_equal(strlen(req.argv[3]), CTL_WORD_MAX);
  /* CTL_LINE_MAX + "\r\n" is still too long */
  memset(line, 'a', CTL_LINE_MAX);
  line[CTL_LINE_MAX] = '\r';
  line[CTL_LINE_MAX + 1] = '\n';
  expect_fail(line, CTL_LINE_MAX + 2, "request too long");
  /* and "\r\n" on CTL_LINE_MAX - 1 bytes is not */
  line[CTL_LINE_MAX - 1] = '\r';
  line[CTL_LINE_MAX] = '\n';
  expect_fail(line, CTL_LINE_MAX + 1, "word too long in request");
}

static void test_malformed(void **state) {
  (void)state;
  FAIL("", "empty request");
  FAIL(" status", "leading space in request");
  FAIL("status ", "trailing space in request");
  FAIL(" ", "leading space in request");
  FAIL("check  ready", "double space in request");
  FAIL("Status", "invalid character in request");
  FAIL("check\tready", "invalid character in request");
  FAIL("check ready!", "invalid character in request");
  FAIL("st\0tus", "invalid character in request");
  FAIL("caf\xc3\xa9", "invalid character in request");
  FAIL("a/b", "invalid character in request");
  FAIL("a'b", "invalid character in request");
  FAIL("status\r ", "trailing space in request");
  FAIL("status \r", "trailing space in request");
  FAIL("a\r b", "invalid character in request");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_good),         cmocka_unit_test(test_line_endings),
      cmocka_unit_test(test_truncated),    cmocka_unit_test(test_oversized),
      cmocka_unit_test(test_malformed),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
