/* Tests for src/common/default_path.c in a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/default_path.h"

static char tmp[] = "/tmp/wtping-defpath.XXXXXX";

static int setup(void **state) {
  (void)state;
  return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
  return system(cmd);
}

static void test_default_in_missing_dir(void **state) {
  (void)state;
  char def[256], dir[256], want[256];
  snprintf(def, sizeof(def), "%s/no/such/dir/server.sock", tmp);
  snprintf(want, sizeof(want), "%s/no/such/dir", tmp);
  assert_true(default_path_dir_missing(def, def, dir, sizeof(dir)));
  assert_string_equal(dir, want);
}

static void test_default_in_existing_dir(void **state) {
  (void)state;
  char def[256], dir[256];
  snprintf(def, sizeof(def), "%s/server.sock", tmp);
  assert_false(default_path_dir_missing(def, def, dir, sizeof(dir)));
}

static void test_dir_is_a_file(void **state) {
  (void)state;
  char file[256], def[256], dir[256];
  snprintf(file, sizeof(file), "%s/file", tmp);
  FILE *f = fopen(file, "w");
  assert_non_null(f);
  fclose(f);
  snprintf(def, sizeof(def), "%s/reset-secret", file);
  assert_true(default_path_dir_missing(def, def, dir, sizeof(dir)));
  assert_string_equal(dir, file);
}

static void test_chosen_path_is_not_checked(void **state) {
  (void)state;
  char def[256], chosen[256], dir[256];
  snprintf(def, sizeof(def), "%s/missing/a.sock", tmp);
  snprintf(chosen, sizeof(chosen), "%s/missing/b.sock", tmp);
  /* the user asked for it: the daemon reports the real error instead */
  assert_false(default_path_dir_missing(chosen, def, dir, sizeof(dir)));
}

static void test_empty_and_odd_paths(void **state) {
  (void)state;
  char dir[64];
  assert_false(default_path_dir_missing("", "", dir, sizeof(dir)));
  assert_false(default_path_dir_missing(NULL, "/x/y", dir, sizeof(dir)));
  assert_false(default_path_dir_missing("/x/y", NULL, dir, sizeof(dir)));
  assert_false(default_path_dir_missing("relative", "relative", dir, sizeof(dir)));
  assert_false(default_path_dir_missing("/server.sock", "/server.sock", dir, sizeof(dir)));
}

static void test_dir_too_long_for_buffer(void **state) {
  (void)state;
  char dir[8];
  memset(dir, 'x', sizeof(dir));
  const char *p = "/a-long-missing-directory/server.sock";
  assert_false(default_path_dir_missing(p, p, dir, sizeof(dir)));
  assert_false(default_path_dir_missing(p, p, dir, 0));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_default_in_missing_dir),
      cmocka_unit_test(test_default_in_existing_dir),
      cmocka_unit_test(test_dir_is_a_file),
      cmocka_unit_test(test_chosen_path_is_not_checked),
      cmocka_unit_test(test_empty_and_odd_paths),
      cmocka_unit_test(test_dir_too_long_for_buffer),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
