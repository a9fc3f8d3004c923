/* Unit tests for src/common/token_file.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/token_file.h"

typedef struct seen {
  char tok[8][64];
  size_t n;
} seen;

static int collect(void *ud, const char *t, size_t len, const char **why) {
  seen *s = ud;
  if (len >= 64 || s->n == 8) {
    *why = "too long";
    return -1;
  }
  memcpy(s->tok[s->n], t, len);
  s->tok[s->n][len] = '\0';
  s->n++;
  return 0;
}

static long parse(const char *text, size_t len, seen *s, unsigned *line, const char **why) {
  memset(s, 0, sizeof(*s));
  *line = 0;
  *why = NULL;
  return token_file_parse(text, len, collect, s, line, why);
}

static void test_parse(void **state) {
  (void)state;
  seen s;
  unsigned line;
  const char *why;
  static const char ok[] = "# tokens\n\n  first-token \r\n\tsecond\t\n#x y z\nthird";
  assert_int_equal(parse(ok, sizeof(ok) - 1, &s, &line, &why), 3);
  assert_string_equal(s.tok[0], "first-token");
  assert_string_equal(s.tok[1], "second");
  assert_string_equal(s.tok[2], "third");
  assert_int_equal(parse("", 0, &s, &line, &why), 0);
  assert_int_equal(parse("\n\n# only comments\n", 18, &s, &line, &why), 0);

  static const char two[] = "a\nb c\n";
  assert_int_equal(parse(two, sizeof(two) - 1, &s, &line, &why), -1);
  assert_int_equal(line, 2);
  assert_string_equal(why, "one token per line");
  static const char nul[] = "a\n\nb\0c\n";
  assert_int_equal(parse(nul, sizeof(nul) - 1, &s, &line, &why), -1);
  assert_int_equal(line, 3);
  assert_string_equal(why, "a NUL byte");
  char big[100];
  memset(big, 'x', sizeof(big));
  assert_int_equal(parse(big, sizeof(big), &s, &line, &why), -1);
  assert_int_equal(line, 1);
  assert_string_equal(why, "too long");
}

static void test_read(void **state) {
  (void)state;
  char path[] = "/tmp/wtping-tokens.XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, "tok\n", 4), 4);
  close(fd);
  char err[512];
  size_t len = 0;
  assert_int_equal(chmod(path, 0600), 0);
  char *t = token_file_read(path, 0, &len, err, sizeof(err));
  assert_non_null(t);
  assert_int_equal(len, 4);
  assert_string_equal(t, "tok\n");
  token_file_wipe(t, len);
  assert_int_equal(chmod(path, 0644), 0);
  assert_null(token_file_read(path, 0, &len, err, sizeof(err)));
  assert_non_null(strstr(err, "readable by all users"));
  /* a credential is systemd's copy: its mode is not ours to judge */
  t = token_file_read(path, 1, &len, err, sizeof(err));
  assert_non_null(t);
  token_file_wipe(t, len);
  unlink(path);
  assert_null(token_file_read(path, 1, &len, err, sizeof(err)));
  assert_non_null(strstr(err, "cannot read"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse),
      cmocka_unit_test(test_read),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
