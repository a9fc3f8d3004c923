/* Tests for src/cert/cert_store.c in a temporary directory: file modes,
 * atomic writes, reuse after a restart, promotion and damaged files. */
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

#include "cert/cert_store.h"

#define T0 1800000000
#define DAY 86400

static char base[] = "/tmp/wtping-certstore.XXXXXX";
static char dir[300];
static const char *names[] = {"localhost", "127.0.0.1", "::1"};

static int setup(void **state) {
  (void)state;
  return mkdtemp(base) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
  return system(cmd);
}

/* each test gets a fresh, not yet existing store directory */
static int fresh(void **state) {
  (void)state;
  static int n;
  snprintf(dir, sizeof(dir), "%s/store%d", base, n++);
  return 0;
}

static unsigned mode_of(const char *name) {
  char path[400];
  struct stat st;
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  if (stat(path, &st) != 0)
    return 01000; /* absent */
  return st.st_mode & 0777;
}

static void write_text(const char *name, const char *text) {
  char path[400];
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static void test_first_open_makes_ca(void **state) {
  (void)state;
  cert_store s;
  char err[256];
  assert_int_equal(cert_store_open(&s, dir, T0, err, sizeof(err)), 0);
  assert_true(s.ca_created);
  assert_false(s.has[CERT_CUR]);
  assert_false(s.has[CERT_NEXT]);
  struct stat st;
  assert_int_equal(stat(dir, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0700);
  assert_int_equal(mode_of("ca.pem"), 0600);
  assert_int_equal(mode_of("ca.crt"), 0644);
  assert_true(s.ca_info.is_ca);
  assert_true(s.ca_info.ecdsa_p256);
  cert_store_close(&s);
}

static void test_make_reload_reuse(void **state) {
  (void)state;
  cert_store s, r;
  char err[256];
  assert_int_equal(cert_store_open(&s, dir, T0, err, sizeof(err)), 0);
  assert_int_equal(cert_store_make(&s, CERT_CUR, names, 3, T0 - 3600, T0 - 3600 + 13 * DAY, err,
                                   sizeof(err)),
                   0);
  assert_int_equal(cert_store_make(&s, CERT_NEXT, names, 3, T0 + 6 * DAY, T0 + 19 * DAY, err,
                                   sizeof(err)),
                   0);
  assert_int_equal(mode_of("current.pem"), 0600);
  assert_int_equal(mode_of("next.pem"), 0600);
  assert_true(s.info[CERT_CUR].ecdsa_p256);
  assert_true(s.info[CERT_CUR].not_after - s.info[CERT_CUR].not_before <= 14 * DAY);
  /* no temporary files are left behind */
  char cmd[400];
  snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) -eq 4", dir);
  assert_int_equal(system(cmd), 0);
  /* a restart finds the same CA and certificates */
  assert_int_equal(cert_store_open(&r, dir, T0 + DAY, err, sizeof(err)), 0);
  assert_false(r.ca_created);
  assert_memory_equal(r.ca_info.sha256, s.ca_info.sha256, 32);
  assert_true(r.has[CERT_CUR] && r.has[CERT_NEXT]);
  assert_memory_equal(&r.info[CERT_CUR], &s.info[CERT_CUR], sizeof(cert_info));
  assert_memory_equal(&r.info[CERT_NEXT], &s.info[CERT_NEXT], sizeof(cert_info));
  assert_string_equal(r.warning, "");
  cert_store_close(&r);
  cert_store_close(&s);
}

static void test_promote_and_drop(void **state) {
  (void)state;
  cert_store s, r;
  char err[256];
  assert_int_equal(cert_store_open(&s, dir, T0, err, sizeof(err)), 0);
  assert_int_equal(cert_store_promote(&s, err, sizeof(err)), -1); /* nothing to promote */
  assert_int_equal(cert_store_make(&s, CERT_CUR, names, 1, T0, T0 + DAY, err, sizeof(err)), 0);
  assert_int_equal(cert_store_make(&s, CERT_NEXT, names, 1, T0, T0 + DAY, err, sizeof(err)), 0);
  cert_info next = s.info[CERT_NEXT];
  assert_int_equal(cert_store_promote(&s, err, sizeof(err)), 0);
  assert_memory_equal(&s.info[CERT_CUR], &next, sizeof(next));
  assert_false(s.has[CERT_NEXT]);
  assert_int_equal(mode_of("next.pem"), 01000);
  assert_int_equal(mode_of("current.pem"), 0600);
  assert_int_equal(cert_store_open(&r, dir, T0, err, sizeof(err)), 0);
  assert_memory_equal(&r.info[CERT_CUR], &next, sizeof(next));
  assert_false(r.has[CERT_NEXT]);
  cert_store_close(&r);
  assert_int_equal(cert_store_make(&s, CERT_NEXT, names, 1, T0, T0 + DAY, err, sizeof(err)), 0);
  assert_int_equal(cert_store_drop_next(&s, err, sizeof(err)), 0);
  assert_false(s.has[CERT_NEXT]);
  assert_int_equal(mode_of("next.pem"), 01000);
  assert_int_equal(cert_store_drop_next(&s, err, sizeof(err)), 0); /* idempotent */
  cert_store_close(&s);
}

static void test_damaged_leaf_is_ignored(void **state) {
  (void)state;
  cert_store s;
  char err[256];
  assert_int_equal(cert_store_open(&s, dir, T0, err, sizeof(err)), 0);
  assert_int_equal(cert_store_make(&s, CERT_CUR, names, 1, T0, T0 + DAY, err, sizeof(err)), 0);
  cert_store_close(&s);
  write_text("current.pem", "-----BEGIN CERTIFICATE-----\nnot base64\n");
  assert_int_equal(cert_store_open(&s, dir, T0, err, sizeof(err)), 0);
  assert_false(s.has[CERT_CUR]);
  assert_non_null(strstr(s.warning, "current.pem"));
  cert_store_close(&s);
}

static void test_leaf_of_another_ca_is_ignored(void **state) {
  (void)state;
  cert_store s;
  char err[256], path[400];
  assert_int_equal(cert_store_open(&s, dir, T0, err, sizeof(err)), 0);
  assert_int_equal(cert_store_make(&s, CERT_CUR, names, 1, T0, T0 + DAY, err, sizeof(err)), 0);
  cert_store_close(&s);
  /* the administrator removed the CA: a new one is made, the old leaf
   * (signed by the old CA) is not served */
  snprintf(path, sizeof(path), "%s/ca.pem", dir);
  assert_int_equal(unlink(path), 0);
  assert_int_equal(cert_store_open(&s, dir, T0, err, sizeof(err)), 0);
  assert_true(s.ca_created);
  assert_false(s.has[CERT_CUR]);
  assert_non_null(strstr(s.warning, "not signed by the local CA"));
  cert_store_close(&s);
}

static void test_unreadable_ca_is_an_error(void **state) {
  (void)state;
  cert_store s;
  char err[256];
  assert_int_equal(mkdir(dir, 0700), 0);
  write_text("ca.pem", "garbage");
  assert_int_equal(cert_store_open(&s, dir, T0, err, sizeof(err)), -1);
  assert_non_null(strstr(err, "ca.pem"));
  /* and it is left alone */
  assert_int_equal(mode_of("ca.pem") & 0600, 0600);
}

static void test_write_atomic(void **state) {
  (void)state;
  char path[400], err[256];
  assert_int_equal(mkdir(dir, 0700), 0);
  snprintf(path, sizeof(path), "%s/f", dir);
  assert_int_equal(cert_write_atomic(path, "one", 3, 0600, err, sizeof(err)), 0);
  assert_int_equal(cert_write_atomic(path, "second", 6, 0640, err, sizeof(err)), 0);
  assert_int_equal(mode_of("f"), 0640);
  FILE *f = fopen(path, "r");
  char buf[16] = {0};
  assert_non_null(f);
  assert_int_equal(fread(buf, 1, sizeof(buf) - 1, f), 6);
  fclose(f);
  assert_string_equal(buf, "second");
  /* a directory that does not exist: an error, nothing created */
  snprintf(path, sizeof(path), "%s/missing/f", dir);
  assert_int_equal(cert_write_atomic(path, "x", 1, 0600, err, sizeof(err)), -1);
  assert_non_null(strstr(err, "missing"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_first_open_makes_ca, fresh),
      cmocka_unit_test_setup(test_make_reload_reuse, fresh),
      cmocka_unit_test_setup(test_promote_and_drop, fresh),
      cmocka_unit_test_setup(test_damaged_leaf_is_ignored, fresh),
      cmocka_unit_test_setup(test_leaf_of_another_ca_is_ignored, fresh),
      cmocka_unit_test_setup(test_unreadable_ca_is_an_error, fresh),
      cmocka_unit_test_setup(test_write_atomic, fresh),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
