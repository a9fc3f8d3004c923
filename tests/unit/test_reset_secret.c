/* Tests for src/server/reset_secret.c in a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "server/reset_secret.h"

static char dir[] = "/tmp/wtping-secret.XXXXXX";

static int setup(void **state) {
  (void)state;
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
  return system(cmd);
}

static void write_file(const char *path, const char *data, size_t len) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, len, f), len);
  fclose(f);
}

static void test_created_then_reused(void **state) {
  (void)state;
  char path[256], err[256];
  uint8_t a[RESET_SECRET_LEN], b[RESET_SECRET_LEN];
  snprintf(path, sizeof(path), "%s/secret", dir);
  assert_int_equal(reset_secret_load(NULL, path, a, err, sizeof(err)), RESET_SECRET_CREATED);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  assert_int_equal(st.st_size, 32);
  /* a restart reads the same secret */
  assert_int_equal(reset_secret_load(NULL, path, b, err, sizeof(err)), RESET_SECRET_FILE);
  assert_memory_equal(a, b, RESET_SECRET_LEN);
}

static void test_credential_wins(void **state) {
  (void)state;
  char cred[256], path[256], err[256];
  uint8_t a[RESET_SECRET_LEN], b[RESET_SECRET_LEN];
  snprintf(cred, sizeof(cred), "%s/%s", dir, RESET_SECRET_CREDENTIAL);
  snprintf(path, sizeof(path), "%s/other", dir);
  write_file(cred, "0123456789abcdef0123", 20);
  assert_int_equal(reset_secret_load(dir, path, a, err, sizeof(err)),
                   RESET_SECRET_CREDENTIAL_FILE);
  assert_int_equal(access(path, F_OK), -1); /* not created */
  assert_int_equal(reset_secret_load(dir, "", b, err, sizeof(err)), RESET_SECRET_CREDENTIAL_FILE);
  assert_memory_equal(a, b, RESET_SECRET_LEN);
  unlink(cred);
}

static void test_too_short(void **state) {
  (void)state;
  char path[256], err[256];
  uint8_t a[RESET_SECRET_LEN];
  snprintf(path, sizeof(path), "%s/short", dir);
  write_file(path, "tooshort", 8);
  assert_int_equal(reset_secret_load(NULL, path, a, err, sizeof(err)), -1);
  assert_non_null(strstr(err, "has 8"));
}

static void test_ephemeral(void **state) {
  (void)state;
  char err[256];
  uint8_t a[RESET_SECRET_LEN], b[RESET_SECRET_LEN];
  assert_int_equal(reset_secret_load(NULL, "", a, err, sizeof(err)), RESET_SECRET_EPHEMERAL);
  assert_int_equal(reset_secret_load(NULL, NULL, b, err, sizeof(err)), RESET_SECRET_EPHEMERAL);
  assert_memory_not_equal(a, b, RESET_SECRET_LEN);
}

static void test_unwritable(void **state) {
  (void)state;
  char err[256];
  uint8_t a[RESET_SECRET_LEN];
  assert_int_equal(reset_secret_load(NULL, "/nonexistent-dir/secret", a, err, sizeof(err)), -1);
  assert_non_null(strstr(err, "/nonexistent-dir/secret"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_created_then_reused), cmocka_unit_test(test_credential_wins),
      cmocka_unit_test(test_too_short),           cmocka_unit_test(test_ephemeral),
      cmocka_unit_test(test_unwritable),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
