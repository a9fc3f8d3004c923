/* Tests for src/disc/disc_found.c: source names and the listing line, whose
 * names come from the network and are escaped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "disc/disc_found.h"

static void test_names(void **state) {
  (void)state;
  assert_string_equal(disc_source_name(DISC_SRC_CONFIG), "configured");
  assert_string_equal(disc_source_name(DISC_SRC_DNS), "dns-srv");
  assert_string_equal(disc_source_name(DISC_SRC_MDNS), "mdns");
  assert_string_equal(disc_source_name((disc_source)9), "unknown");
}

static void test_line(void **state) {
  (void)state;
  disc_found f = {.source = DISC_SRC_MDNS, .port = 4433};
  char buf[600];
  snprintf(f.name, sizeof(f.name), "wtping on a;b\x1b[31m\\");
  snprintf(f.host, sizeof(f.host), "a.local");
  snprintf(f.path, sizeof(f.path), "/wtping");
  disc_found_line(&f, buf, sizeof(buf));
  assert_string_equal(buf, "mdns;wtping on a\\059b\\027[31m\\092;a.local;-;4433;/wtping");
  snprintf(f.addr, sizeof(f.addr), "192.0.2.1");
  disc_found_line(&f, buf, 12); /* truncated, still terminated */
  assert_true(strlen(buf) < 12);
  disc_found_line(&f, buf, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_names),
      cmocka_unit_test(test_line),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
