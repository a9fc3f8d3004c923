/* Tests for src/client/client_opts.c: option parsing of wtping-client. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "client/client_opts.h"

static FILE *devnull;

static int parse(client_opts *o, const char *line) {
  char buf[1024];
  char *argv[32];
  int argc = 0;
  snprintf(buf, sizeof(buf), "wtping-client %s", line);
  for (char *t = strtok(buf, " "); t && argc < 31; t = strtok(NULL, " "))
    argv[argc++] = t;
  argv[argc] = NULL;
  /* the URL must outlive buf for nothing: url_parse copies */
  return client_opts_parse(o, argc, argv, devnull, devnull);
}

static void test_defaults(void **state) {
  (void)state;
  client_opts o;
  assert_int_equal(parse(&o, "https://localhost"), CLIENT_OPTS_RUN);
  assert_int_equal(o.count, 0);
  assert_int_equal(o.interval_ns, 1000000000ULL);
  assert_int_equal(o.timeout_ns, 5000000000ULL);
  assert_int_equal(o.deadline_ns, 0);
  assert_int_equal(o.size, 0);
  assert_int_equal(o.mode, CLIENT_MODE_STREAM);
  assert_false(o.quiet);
  assert_false(o.json);
  assert_false(o.insecure);
  assert_string_equal(o.url.host, "localhost");
  assert_int_equal(o.url.port, 4433);
  assert_string_equal(o.url.path, "/wtping");
}

static void test_all_options(void **state) {
  (void)state;
  client_opts o;
  assert_int_equal(parse(&o, "-c 5 -i 0.25 -s 1000 -m datagram -W 2.5 -w 10 -q "
                             "--cafile ca.pem https://[::1]:9/x"),
                   CLIENT_OPTS_RUN);
  assert_int_equal(o.count, 5);
  assert_int_equal(o.interval_ns, 250000000ULL);
  assert_int_equal(o.size, 1000);
  assert_int_equal(o.mode, CLIENT_MODE_DATAGRAM);
  assert_int_equal(o.timeout_ns, 2500000000ULL);
  assert_int_equal(o.deadline_ns, 10000000000ULL);
  assert_true(o.quiet);
  assert_string_equal(o.cafile, "ca.pem");
  assert_string_equal(o.url.host, "::1");
  assert_int_equal(o.url.port, 9);
  assert_string_equal(o.url.path, "/x");
}

static void test_long_options(void **state) {
  (void)state;
  client_opts o;
  assert_int_equal(parse(&o, "--count 3 --interval 0 --size 60000 --mode stream --json "
                             "--pin sha256:0gXBs2g03JHDdK+mmxdqpChQ1O9b9lvg4f/7LCjn+ko= "
                             "https://h"),
                   CLIENT_OPTS_RUN);
  assert_int_equal(o.count, 3);
  assert_int_equal(o.interval_ns, 0);
  assert_int_equal(o.size, 60000);
  assert_true(o.json);
  assert_true(o.quiet); /* --json implies -q */
  assert_int_equal(o.npins, 1);
}

static void test_bad_values(void **state) {
  (void)state;
  client_opts o;
  const char *bad[] = {
      "-c 0 https://h",          "-c -1 https://h",        "-c x https://h",
      "-i -1 https://h",         "-i 1e3 https://h",       "-i . https://h",
      "-s 65536 https://h",      "-s -5 https://h",        "-m tcp https://h",
      "-W 0 https://h",          "-w 0 https://h",         "--pin sha256:xyz https://h",
      "--pin md5:AAAA https://h", "http://h",              "https://h:0",
      "",                        "https://a https://b",    "--bogus https://h",
      "-k --cafile x https://h", "-c",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    int rv = parse(&o, bad[i]);
    if (rv != CLIENT_OPTS_EXIT_USAGE)
      fail_msg("accepted: %s", bad[i]);
  }
}

static void test_help_version(void **state) {
  (void)state;
  client_opts o;
  assert_int_equal(parse(&o, "--help"), CLIENT_OPTS_EXIT_OK);
  assert_int_equal(parse(&o, "-V"), CLIENT_OPTS_EXIT_OK);
}

static void test_seconds(void **state) {
  (void)state;
  uint64_t ns;
  assert_int_equal(client_parse_seconds("1", &ns), 0);
  assert_int_equal(ns, 1000000000ULL);
  assert_int_equal(client_parse_seconds("0.001", &ns), 0);
  assert_int_equal(ns, 1000000ULL);
  assert_int_equal(client_parse_seconds(".5", &ns), 0);
  assert_int_equal(ns, 500000000ULL);
  assert_int_equal(client_parse_seconds("2.", &ns), 0);
  assert_int_equal(ns, 2000000000ULL);
  assert_int_equal(client_parse_seconds("0.0000000019", &ns), 0);
  assert_int_equal(ns, 1);
  assert_int_equal(client_parse_seconds("", &ns), -1);
  assert_int_equal(client_parse_seconds("1s", &ns), -1);
  assert_int_equal(client_parse_seconds("-1", &ns), -1);
  assert_int_equal(client_parse_seconds("99999999999", &ns), -1);
}

int main(void) {
  devnull = fopen("/dev/null", "w");
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_defaults),    cmocka_unit_test(test_all_options),
      cmocka_unit_test(test_long_options), cmocka_unit_test(test_bad_values),
      cmocka_unit_test(test_help_version), cmocka_unit_test(test_seconds),
  };
  int rv = cmocka_run_group_tests(tests, NULL, NULL);
  fclose(devnull);
  return rv;
}
