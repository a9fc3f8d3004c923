/* Unit tests for src/client/client_token.c. */
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

#include "client/client_token.h"

static char dir[] = "/tmp/wtping-ctoken.XXXXXX";

static void put(const char *name, const char *text, unsigned mode) {
  char p[128];
  snprintf(p, sizeof(p), "%s/%s", dir, name);
  FILE *f = fopen(p, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
  assert_int_equal(chmod(p, mode), 0);
}

static void test_load(void **state) {
  (void)state;
  char out[CLIENT_AUTHORIZATION_MAX], err[512], p[128];
  assert_non_null(mkdtemp(dir));

  assert_int_equal(client_token_load(NULL, "", out, err, sizeof(err)), 0);
  assert_string_equal(out, "");

  put("t", "# mine\n  abcdefghijklmnop0123 \nsecond-token-ignored\n", 0600);
  snprintf(p, sizeof(p), "%s/t", dir);
  assert_int_equal(client_token_load(NULL, p, out, err, sizeof(err)), 0);
  assert_string_equal(out, "Bearer abcdefghijklmnop0123");

  put("open", "abcdefghijklmnop0123\n", 0644);
  snprintf(p, sizeof(p), "%s/open", dir);
  assert_int_equal(client_token_load(NULL, p, out, err, sizeof(err)), -1);
  assert_non_null(strstr(err, "readable by all users"));

  put("bad", "\nshort\n", 0600);
  snprintf(p, sizeof(p), "%s/bad", dir);
  assert_int_equal(client_token_load(NULL, p, out, err, sizeof(err)), -1);
  assert_non_null(strstr(err, "bad:2: not a token"));
  assert_string_equal(out, "");

  put("empty", "# nothing\n", 0600);
  snprintf(p, sizeof(p), "%s/empty", dir);
  assert_int_equal(client_token_load(NULL, p, out, err, sizeof(err)), -1);
  assert_non_null(strstr(err, "no token in the file"));

  /* the credential "token" wins; its mode is systemd's business */
  put("token", "ZZZZZZZZZZZZZZZZZZZZ==\n", 0644);
  assert_int_equal(client_token_load(dir, p, out, err, sizeof(err)), 0);
  assert_string_equal(out, "Bearer ZZZZZZZZZZZZZZZZZZZZ==");

  const char *names[] = {"t", "open", "bad", "empty", "token"};
  for (size_t i = 0; i < 5; i++) {
    snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
    unlink(p);
  }
  rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_load)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
