/* qlog_file: names, creation, writes, FIN, errors. */
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

#include "common/qlog_file.h"

static void test_name(void **state) {
  (void)state;
  char out[64];
  const uint8_t id[] = {0x00, 0xab, 0x12, 0xff};
  assert_int_equal(qlog_file_name(out, sizeof(out), "/tmp/q", id, sizeof(id), "server"), 0);
  assert_string_equal(out, "/tmp/q/00ab12ff.server.sqlog");
  assert_int_equal(qlog_file_name(out, 10, "/tmp/q", id, sizeof(id), "server"), -1);
  assert_int_equal(qlog_file_name(out, sizeof(out), "/tmp/q", id, 0, "server"), -1);
  uint8_t big[21] = {0};
  assert_int_equal(qlog_file_name(out, sizeof(out), "/tmp/q", big, sizeof(big), "x"), -1);
}

static void read_file(const char *path, char *buf, size_t cap) {
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  size_t n = fread(buf, 1, cap - 1, f);
  buf[n] = '\0';
  fclose(f);
}

static void test_write_fin(void **state) {
  (void)state;
  char dir[] = "/tmp/test_qlog_XXXXXX";
  assert_non_null(mkdtemp(dir));
  const uint8_t id[] = {1, 2, 3, 4, 5, 6, 7, 8};
  char err[256], path[256], buf[256];
  qlog_file *q = qlog_file_open(dir, id, sizeof(id), "client", err, sizeof(err));
  assert_non_null(q);
  qlog_file_write(q, "\x1e{\"a\":1}\n", 9, false);
  qlog_file_write(q, "\x1e{\"b\":2}\n", 9, true);
  qlog_file_write(q, "after fin", 9, false); /* ignored */
  snprintf(path, sizeof(path), "%s/0102030405060708.client.sqlog", dir);
  read_file(path, buf, sizeof(buf));
  assert_string_equal(buf, "\x1e{\"a\":1}\n\x1e{\"b\":2}\n");
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0640);
  /* the same connection again: the file is not overwritten */
  assert_null(qlog_file_open(dir, id, sizeof(id), "client", err, sizeof(err)));
  assert_non_null(strstr(err, "File exists"));
  qlog_file_close(q);
  unlink(path);
  rmdir(dir);
}

static void test_close_without_fin(void **state) {
  (void)state;
  char dir[] = "/tmp/test_qlog_XXXXXX";
  assert_non_null(mkdtemp(dir));
  const uint8_t id[] = {0xaa};
  char err[256], path[256], buf[64];
  qlog_file *q = qlog_file_open(dir, id, sizeof(id), "server", err, sizeof(err));
  assert_non_null(q);
  qlog_file_write(q, "x", 1, false);
  qlog_file_close(q); /* flushes */
  qlog_file_close(NULL);
  snprintf(path, sizeof(path), "%s/aa.server.sqlog", dir);
  read_file(path, buf, sizeof(buf));
  assert_string_equal(buf, "x");
  unlink(path);
  rmdir(dir);
}

static void test_missing_dir(void **state) {
  (void)state;
  const uint8_t id[] = {1};
  char err[256];
  assert_null(qlog_file_open("/nonexistent/dir", id, 1, "server", err, sizeof(err)));
  assert_non_null(strstr(err, "/nonexistent/dir/01.server.sqlog"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_name),
      cmocka_unit_test(test_write_fin),
      cmocka_unit_test(test_close_without_fin),
      cmocka_unit_test(test_missing_dir),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
