/* Tests for src/disc/disc_targets.c: target bookkeeping with a fake clock:
 * dedupe, cap, preference, fallback after failures and the way back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "disc/disc_targets.h"

#define S 1000000000ull

static disc_found mk(disc_source src, const char *name, const char *host, const char *addr,
                     uint16_t port) {
  disc_found f = {.source = src, .port = port};
  snprintf(f.name, sizeof(f.name), "%s", name);
  snprintf(f.host, sizeof(f.host), "%s", host);
  snprintf(f.addr, sizeof(f.addr), "%s", addr);
  snprintf(f.path, sizeof(f.path), "/wtping");
  return f;
}

static void test_dedupe(void **state) {
  (void)state;
  disc_targets ts;
  disc_targets_init(&ts, 8, 1 * S, 30 * S);
  disc_found a = mk(DISC_SRC_MDNS, "A", "a.local", "192.0.2.1", 4433);
  disc_found a6 = mk(DISC_SRC_MDNS, "A", "a.local", "", 4433);
  disc_found b = mk(DISC_SRC_DNS, "_wtping._udp.example.test", "A.Local", "", 4433);
  disc_found other_port = mk(DISC_SRC_MDNS, "A2", "a.local", "192.0.2.1", 4434);
  assert_int_equal(disc_targets_add_next(&ts, &a, 0), 0);
  assert_int_equal(disc_targets_add_next(&ts, &a, 1), 0); /* again: same */
  assert_int_equal(disc_targets_add_next(&ts, &a6, 1), 0); /* same host name */
  assert_int_equal(ts.n, 1);
  /* found by DNS too (host names compare without case): one target, DNS speaks for it */
  assert_int_equal(disc_targets_add(&ts, &b, 0, 2), 0);
  assert_int_equal(ts.n, 1);
  assert_int_equal(ts.t[0].f.source, DISC_SRC_DNS);
  assert_int_equal(ts.t[0].sources, 1u << DISC_SRC_DNS | 1u << DISC_SRC_MDNS);
  assert_int_equal(disc_targets_add_next(&ts, &other_port, 3), 1);
  assert_int_equal(ts.n, 2);
}

static void test_cap(void **state) {
  (void)state;
  disc_targets ts;
  disc_targets_init(&ts, 2, 1 * S, 30 * S);
  disc_found f[3] = {mk(DISC_SRC_MDNS, "a", "a", "192.0.2.1", 1),
                     mk(DISC_SRC_MDNS, "b", "b", "192.0.2.2", 1),
                     mk(DISC_SRC_MDNS, "c", "c", "192.0.2.3", 1)};
  assert_int_equal(disc_targets_add_next(&ts, &f[0], 0), 0);
  assert_int_equal(disc_targets_add_next(&ts, &f[1], 0), 1);
  assert_int_equal(disc_targets_add_next(&ts, &f[2], 0), -1);
  assert_int_equal(ts.dropped, 1);
  /* a known one is still updated at the cap */
  assert_int_equal(disc_targets_add_next(&ts, &f[1], 5), 1);
  assert_int_equal(ts.t[1].seen_ns, 5);
  /* one goes, the third fits */
  assert_true(disc_targets_remove(&ts, DISC_SRC_MDNS, "a"));
  assert_int_equal(disc_targets_add_next(&ts, &f[2], 6), 1);
  disc_targets_init(&ts, 0, 0, 0); /* clamped */
  assert_int_equal(ts.cap, 1);
  disc_targets_init(&ts, 1000, 0, 0);
  assert_int_equal(ts.cap, DISC_TARGETS_MAX);
}

static void test_preference(void **state) {
  (void)state;
  disc_targets ts;
  disc_targets_init(&ts, 8, 1 * S, 30 * S);
  disc_found m = mk(DISC_SRC_MDNS, "m", "m.local", "192.0.2.9", 1);
  disc_found d[2] = {mk(DISC_SRC_DNS, "q", "d1", "192.0.2.1", 1),
                     mk(DISC_SRC_DNS, "q", "d2", "192.0.2.2", 1)};
  disc_found c = mk(DISC_SRC_CONFIG, "https://c", "c", "", 1);
  disc_targets_add_next(&ts, &m, 0);
  assert_int_equal(disc_targets_pick(&ts, 0, NULL), 0);
  disc_targets_replace(&ts, DISC_SRC_DNS, d, 2, 0);
  assert_string_equal(ts.t[disc_targets_pick(&ts, 0, NULL)].f.host, "d1");
  disc_targets_add(&ts, &c, 0, 0);
  assert_string_equal(ts.t[disc_targets_pick(&ts, 0, NULL)].f.host, "c");
}

static void test_fallback_and_return(void **state) {
  (void)state;
  disc_targets ts;
  uint64_t wait = 0;
  disc_targets_init(&ts, 8, 1 * S, 8 * S);
  disc_found d[2] = {mk(DISC_SRC_DNS, "q", "best", "", 1), mk(DISC_SRC_DNS, "q", "backup", "", 1)};
  disc_targets_replace(&ts, DISC_SRC_DNS, d, 2, 0);
  int best = disc_targets_pick(&ts, 0, &wait);
  assert_string_equal(ts.t[best].f.host, "best");
  assert_int_equal(wait, 0);
  /* the best fails at t=10: the backup is next, for 1 s */
  disc_targets_failed(&ts, (size_t)best, 10 * S);
  int i = disc_targets_pick(&ts, 10 * S, NULL);
  assert_string_equal(ts.t[i].f.host, "backup");
  disc_targets_connected(&ts, (size_t)i);
  assert_string_equal(ts.t[disc_targets_pick(&ts, 10 * S + S - 1, NULL)].f.host, "backup");
  /* its hold is over: the best is picked again (the client moves back) */
  assert_string_equal(ts.t[disc_targets_pick(&ts, 11 * S, NULL)].f.host, "best");
  /* it fails again: held 2 s, then 4, 8, 8 (the cap) */
  uint64_t now = 11 * S;
  uint64_t expect[] = {2 * S, 4 * S, 8 * S, 8 * S};
  for (size_t k = 0; k < 4; k++) {
    disc_targets_failed(&ts, (size_t)best, now);
    assert_int_equal(ts.t[best].hold_until, now + expect[k]);
    now += expect[k];
  }
  /* both held: nothing to pick, and when the first hold ends */
  disc_targets_failed(&ts, (size_t)best, now);
  disc_targets_failed(&ts, 1, now);
  assert_int_equal(disc_targets_pick(&ts, now, &wait), -1);
  assert_int_equal(wait, now + 1 * S); /* the backup had one failure */
  /* success forgets the failures */
  disc_targets_connected(&ts, (size_t)best);
  assert_int_equal(ts.t[best].failures, 0);
  assert_int_equal(disc_targets_pick(&ts, now, NULL), best);
  /* nothing known */
  disc_targets_init(&ts, 8, 1 * S, 8 * S);
  assert_int_equal(disc_targets_pick(&ts, 0, &wait), -1);
  assert_int_equal(wait, UINT64_MAX);
}

static void test_replace_keeps_history(void **state) {
  (void)state;
  disc_targets ts;
  disc_targets_init(&ts, 8, 1 * S, 8 * S);
  disc_found d[3] = {mk(DISC_SRC_DNS, "q", "a", "", 1), mk(DISC_SRC_DNS, "q", "b", "", 1),
                     mk(DISC_SRC_DNS, "q", "c", "", 1)};
  disc_found m = mk(DISC_SRC_MDNS, "m", "m", "", 1);
  disc_targets_replace(&ts, DISC_SRC_DNS, d, 3, 0);
  disc_targets_add_next(&ts, &m, 0);
  disc_targets_failed(&ts, 1, 0); /* b */
  /* the next answer: c first, b, and no a (a new weighted order) */
  disc_found again[2] = {d[2], d[1]};
  assert_int_equal(disc_targets_replace(&ts, DISC_SRC_DNS, again, 2, 5 * S), 0);
  assert_int_equal(ts.n, 3); /* b, c, m */
  int b = disc_targets_find(&ts, &d[1]);
  assert_true(b >= 0);
  assert_int_equal(ts.t[b].failures, 1);
  assert_int_equal(disc_targets_find(&ts, &d[0]), -1);
  assert_true(disc_targets_find(&ts, &m) >= 0); /* another source's target stays */
  assert_string_equal(ts.t[disc_targets_pick(&ts, 0, NULL)].f.host, "c");
  /* an empty answer removes them all */
  disc_targets_replace(&ts, DISC_SRC_DNS, NULL, 0, 6 * S);
  assert_int_equal(ts.n, 1);
}

static void test_remove_with_two_sources(void **state) {
  (void)state;
  disc_targets ts;
  disc_targets_init(&ts, 8, 1 * S, 8 * S);
  disc_found m = mk(DISC_SRC_MDNS, "srv", "h", "192.0.2.5", 1);
  disc_found d = mk(DISC_SRC_DNS, "q", "h.example.test", "192.0.2.5", 1);
  disc_targets_add_next(&ts, &m, 0);
  disc_targets_add(&ts, &d, 0, 0);
  assert_int_equal(ts.t[0].f.source, DISC_SRC_DNS);
  /* mDNS removes by instance name, which the DNS record does not carry */
  assert_false(disc_targets_remove(&ts, DISC_SRC_MDNS, "q"));
  assert_false(disc_targets_remove(&ts, DISC_SRC_MDNS, "nope"));
  disc_targets_replace(&ts, DISC_SRC_DNS, NULL, 0, 1);
  assert_int_equal(ts.n, 1);
  assert_int_equal(ts.t[0].f.source, DISC_SRC_MDNS);
  assert_int_equal(ts.t[0].sources, 1u << DISC_SRC_MDNS);
  /* mDNS removal by name */
  disc_targets_add_next(&ts, &m, 2);
  assert_true(disc_targets_remove(&ts, DISC_SRC_MDNS, "srv"));
  assert_int_equal(ts.n, 0);
}

static void test_mdns_instance_moves(void **state) {
  (void)state;
  disc_targets ts;
  disc_targets_init(&ts, 8, 1 * S, 8 * S);
  /* first resolved to a link-local address, then to its IPv4 address */
  disc_found ll = mk(DISC_SRC_MDNS, "wtping on a", "a.local", "fe80::1%veth0", 4433);
  disc_found v4 = mk(DISC_SRC_MDNS, "wtping on a", "a.local", "192.0.2.1", 4433);
  disc_found other = mk(DISC_SRC_MDNS, "wtping on b", "b.local", "192.0.2.2", 4433);
  assert_int_equal(disc_targets_add_next(&ts, &ll, 0), 0);
  assert_int_equal(disc_targets_add_next(&ts, &other, 0), 1);
  assert_int_equal(disc_targets_add_next(&ts, &v4, 1), 0);
  assert_int_equal(ts.n, 2);
  assert_string_equal(ts.t[0].f.addr, "192.0.2.1");
  assert_int_equal(ts.t[0].order, 0); /* keeps its place */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_dedupe),
      cmocka_unit_test(test_cap),
      cmocka_unit_test(test_preference),
      cmocka_unit_test(test_fallback_and_return),
      cmocka_unit_test(test_replace_keeps_history),
      cmocka_unit_test(test_remove_with_two_sources),
      cmocka_unit_test(test_mdns_instance_moves),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
