/* Unit tests for src/common/secret_file.c. */
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

#include "common/secret_file.h"

static void mode_is(unsigned mode, gid_t fgid, gid_t gid, int want, const char *needle) {
  struct stat st;
  char err[512] = "";
  memset(&st, 0, sizeof(st));
  st.st_mode = S_IFREG | mode;
  st.st_gid = fgid;
  int rv = secret_file_mode_ok("/etc/wtping/key.pem", &st, gid, err, sizeof(err));
  if (rv != want)
    print_error("mode %04o gid %u/%u: %d [%s]\n", mode, (unsigned)fgid, (unsigned)gid, rv, err);
  assert_int_equal(rv, want);
  if (needle) {
    if (!strstr(err, needle))
      print_error("[%s] lacks [%s]\n", err, needle);
    assert_non_null(strstr(err, needle));
  }
}

static void test_modes(void **state) {
  (void)state;
  mode_is(0600, 0, 0, 0, NULL);
  mode_is(0400, 5, 7, 0, NULL);
  mode_is(0640, 7, 7, 0, NULL);  /* the service's group */
  mode_is(0660, 7, 7, 0, NULL);
  mode_is(0644, 0, 0, -1, "/etc/wtping/key.pem is readable by all users (mode 0644): run chmod 0600 /etc/wtping/key.pem");
  mode_is(0604, 7, 7, -1, "readable by all users");
  mode_is(0601, 7, 7, -1, "accessible by all users (mode 0601)");
  mode_is(0640, 0, 7, -1, "readable by group 0, which is not the service's group 7 (mode 0640)");
  mode_is(0620, 0, 7, -1, "writable by group 0");
  mode_is(0644, 0, 0, -1, "LoadCredential=");
}

static void test_check_and_resolve(void **state) {
  (void)state;
  char dir[] = "/tmp/wtping-secret.XXXXXX";
  assert_non_null(mkdtemp(dir));
  char f[128], out[256], err[512];
  snprintf(f, sizeof(f), "%s/key", dir);
  FILE *fp = fopen(f, "w");
  assert_non_null(fp);
  fclose(fp);
  assert_int_equal(chmod(f, 0600), 0);
  assert_int_equal(secret_file_check(f, err, sizeof(err)), 0);
  assert_int_equal(chmod(f, 0644), 0);
  assert_int_equal(secret_file_check(f, err, sizeof(err)), -1);
  assert_non_null(strstr(err, "readable by all users"));
  char l[128];
  snprintf(l, sizeof(l), "%s/link", dir);
  assert_int_equal(symlink(f, l), 0);
  assert_int_equal(secret_file_check(l, err, sizeof(err)), -1); /* the target's mode counts */
  assert_int_equal(chmod(f, 0600), 0);
  assert_int_equal(secret_file_check(l, err, sizeof(err)), 0);
  assert_int_equal(secret_file_check("/nonexistent/x", err, sizeof(err)), -1);
  assert_non_null(strstr(err, "cannot read /nonexistent/x"));

  bool cred = true;
  assert_int_equal(secret_file_resolve(NULL, "key", "/etc/k", out, sizeof(out), &cred), 0);
  assert_false(cred);
  assert_string_equal(out, "/etc/k");
  assert_int_equal(secret_file_resolve(dir, "absent", "/etc/k", out, sizeof(out), &cred), 0);
  assert_false(cred);
  assert_string_equal(out, "/etc/k");
  assert_int_equal(secret_file_resolve(dir, "key", "/etc/k", out, sizeof(out), &cred), 0);
  assert_true(cred);
  assert_string_equal(out, f);
  assert_int_equal(secret_file_resolve(NULL, "key", "/etc/k", out, 4, &cred), -1);

  unlink(l);
  unlink(f);
  rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_modes),
      cmocka_unit_test(test_check_and_resolve),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
