/* Unit tests for src/server/source_limit.c, with a fake clock. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "server/source_limit.h"

#define MS UINT64_C(1000000)
#define S (1000 * MS)

static const uint8_t hkey[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static source_key key_of(const char *addr) {
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof(ss));
  source_key k;
  if (strchr(addr, ':')) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
    a->sin6_family = AF_INET6;
    assert_int_equal(inet_pton(AF_INET6, addr, &a->sin6_addr), 1);
  } else {
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;
    a->sin_family = AF_INET;
    assert_int_equal(inet_pton(AF_INET, addr, &a->sin_addr), 1);
  }
  assert_int_equal(source_key_from_addr((struct sockaddr *)&ss, &k), 0);
  return k;
}

static void test_keys(void **state) {
  (void)state;
  source_key a = key_of("2001:db8:1:2:aaaa::1"), b = key_of("2001:db8:1:2:bbbb::9"),
             c = key_of("2001:db8:1:3::1"), d = key_of("192.0.2.1"), e = key_of("::ffff:192.0.2.1"),
             f = key_of("192.0.2.2");
  assert_memory_equal(&a, &b, sizeof(a)); /* same /64 */
  assert_memory_not_equal(&a, &c, sizeof(a));
  assert_memory_equal(&d, &e, sizeof(d)); /* v4-mapped is IPv4 */
  assert_memory_not_equal(&d, &f, sizeof(d));
  struct sockaddr sa = {.sa_family = AF_UNIX};
  assert_int_equal(source_key_from_addr(&sa, &a), -1);
}

static void test_conns_per_source(void **state) {
  (void)state;
  source_limit sl;
  assert_int_equal(source_limit_init(&sl, 16, hkey, 3, 0), 0);
  source_key a = key_of("192.0.2.1"), b = key_of("192.0.2.2");
  for (int i = 0; i < 3; i++)
    assert_int_equal(source_limit_admit(&sl, &a, 0), SOURCE_OK);
  assert_int_equal(source_limit_admit(&sl, &a, 0), SOURCE_TOO_MANY_CONNS);
  assert_int_equal(source_limit_admit(&sl, &b, 0), SOURCE_OK); /* another source is not hurt */
  assert_int_equal(source_limit_conns(&sl, &a), 3);
  source_limit_release(&sl, &a);
  assert_int_equal(source_limit_admit(&sl, &a, 0), SOURCE_OK);
  source_limit_set(&sl, 0, 0); /* no limit */
  for (int i = 0; i < 100; i++)
    assert_int_equal(source_limit_admit(&sl, &a, 0), SOURCE_OK);
  source_limit_free(&sl);
}

static void test_handshake_rate(void **state) {
  (void)state;
  source_limit sl;
  assert_int_equal(source_limit_init(&sl, 16, hkey, 0, 10), 0);
  source_key a = key_of("2001:db8::1"), b = key_of("2001:db8:0:1::1");
  uint64_t t = 5 * S;
  for (int i = 0; i < 10; i++)
    assert_int_equal(source_limit_admit(&sl, &a, t), SOURCE_OK);
  assert_int_equal(source_limit_admit(&sl, &a, t), SOURCE_TOO_FAST);
  assert_int_equal(source_limit_admit(&sl, &b, t), SOURCE_OK);
  /* 100 ms later: one token back */
  assert_int_equal(source_limit_admit(&sl, &a, t + 100 * MS), SOURCE_OK);
  assert_int_equal(source_limit_admit(&sl, &a, t + 100 * MS), SOURCE_TOO_FAST);
  /* 50 ms: half a token, not enough */
  assert_int_equal(source_limit_admit(&sl, &a, t + 150 * MS), SOURCE_TOO_FAST);
  assert_int_equal(source_limit_admit(&sl, &a, t + 200 * MS), SOURCE_OK);
  /* the burst never exceeds one second's worth */
  t += 100 * S;
  for (int i = 0; i < 10; i++)
    assert_int_equal(source_limit_admit(&sl, &a, t), SOURCE_OK);
  assert_int_equal(source_limit_admit(&sl, &a, t), SOURCE_TOO_FAST);
  /* a clock that goes back does not mint tokens */
  assert_int_equal(source_limit_admit(&sl, &a, t - S), SOURCE_TOO_FAST);
  assert_int_equal(source_limit_admit(&sl, &a, t + 50 * MS), SOURCE_TOO_FAST);
  source_limit_free(&sl);
}

static void test_table_full(void **state) {
  (void)state;
  source_limit sl;
  assert_int_equal(source_limit_init(&sl, 2, hkey, 0, 5), 0);
  source_key a = key_of("192.0.2.1"), b = key_of("192.0.2.2"), c = key_of("192.0.2.3");
  assert_int_equal(source_limit_admit(&sl, &a, 0), SOURCE_OK);
  assert_int_equal(source_limit_admit(&sl, &b, 0), SOURCE_OK);
  assert_int_equal(source_limit_admit(&sl, &c, 0), SOURCE_TABLE_FULL);
  /* a source whose connection ended and whose bucket refilled is forgotten */
  source_limit_release(&sl, &a);
  assert_int_equal(source_limit_admit(&sl, &c, 500 * MS), SOURCE_TABLE_FULL);
  assert_int_equal(source_limit_admit(&sl, &c, S), SOURCE_OK);
  assert_int_equal(source_limit_conns(&sl, &a), 0);
  assert_string_equal(source_verdict_str(SOURCE_TOO_FAST), "handshakes per second per source");
  source_limit_free(&sl);
}

/* Many sources: each gets its own entry (the probe window finds room while
 * the table is not crowded), and the counts stay per source. */
static void test_many(void **state) {
  (void)state;
  source_limit sl;
  assert_int_equal(source_limit_init(&sl, 2048, hkey, 2, 0), 0);
  char a[32];
  for (int i = 0; i < 1000; i++) {
    snprintf(a, sizeof(a), "10.%d.%d.1", i / 256, i % 256);
    source_key k = key_of(a);
    assert_int_equal(source_limit_admit(&sl, &k, 0), SOURCE_OK);
    assert_int_equal(source_limit_admit(&sl, &k, 0), SOURCE_OK);
  }
  for (int i = 0; i < 1000; i++) {
    snprintf(a, sizeof(a), "10.%d.%d.1", i / 256, i % 256);
    source_key k = key_of(a);
    assert_int_equal(source_limit_conns(&sl, &k), 2);
    assert_int_equal(source_limit_admit(&sl, &k, 0), SOURCE_TOO_MANY_CONNS);
  }
  source_limit_free(&sl);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_keys), cmocka_unit_test(test_conns_per_source),
      cmocka_unit_test(test_handshake_rate), cmocka_unit_test(test_table_full),
      cmocka_unit_test(test_many),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
