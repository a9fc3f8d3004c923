/* Tests for src/client/reconnect.c and src/ping/ping_hist.c with a fake
 * clock and chosen random numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "client/reconnect.h"
#include "ping/ping_hist.h"

#define MS 1000000ULL
#define S 1000000000ULL

static void test_steps_double_until_cap(void **state) {
  (void)state;
  reconnect r;
  reconnect_init(&r, 250 * MS, 30 * S, 0);
  uint64_t expect[] = {250 * MS, 500 * MS, 1 * S, 2 * S, 4 * S, 8 * S, 16 * S, 30 * S, 30 * S};
  for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
    assert_int_equal(reconnect_step_max(&r), expect[i]);
    /* the largest random number gives the step's upper bound */
    assert_int_equal(reconnect_next_delay(&r, 100 * S, expect[i], false), expect[i]);
  }
}

static void test_full_jitter_range(void **state) {
  (void)state;
  reconnect r;
  reconnect_init(&r, 250 * MS, 30 * S, 0);
  assert_int_equal(reconnect_next_delay(&r, 0, 0, false), 0);
  uint64_t d = reconnect_next_delay(&r, 0, UINT64_MAX - 7, false);
  assert_true(d <= 500 * MS);
  for (uint64_t rnd = 0; rnd < 100000; rnd += 997) {
    reconnect_init(&r, 250 * MS, 30 * S, 0);
    for (int i = 0; i < 20; i++)
      assert_true(reconnect_next_delay(&r, 0, rnd * 1234567ULL, false) <= 30 * S);
  }
}

static void test_healthy_period_resets(void **state) {
  (void)state;
  reconnect r;
  reconnect_init(&r, 1 * S, 60 * S, 10 * S);
  for (int i = 0; i < 4; i++)
    reconnect_next_delay(&r, 0, 0, false);
  assert_int_equal(reconnect_step_max(&r), 16 * S);
  /* a short connection does not reset */
  reconnect_connected(&r, 100 * S);
  reconnect_next_delay(&r, 105 * S, 0, false);
  assert_int_equal(reconnect_step_max(&r), 32 * S);
  /* a healthy one does */
  reconnect_connected(&r, 200 * S);
  /* after the reset the step is base (1 s): the delay is rnd % (1 s + 1) */
  assert_int_equal(reconnect_next_delay(&r, 210 * S, 2 * (S + 1) + 5, false), 5);
  assert_int_equal(reconnect_step_max(&r), 2 * S);
}

static void test_immediate(void **state) {
  (void)state;
  reconnect r;
  reconnect_init(&r, 1 * S, 60 * S, 0);
  reconnect_next_delay(&r, 0, 0, false);
  reconnect_next_delay(&r, 0, 0, false);
  uint64_t before = reconnect_step_max(&r);
  assert_int_equal(reconnect_next_delay(&r, 0, 12345, true), 0);
  assert_int_equal(reconnect_step_max(&r), before);
}

static void test_capped(void **state) {
  (void)state;
  reconnect r;
  reconnect_init(&r, 250 * MS, 30 * S, 0);
  for (int i = 0; i < 10; i++) /* deep into the backoff */
    reconnect_next_delay(&r, 0, 0, false);
  assert_int_equal(reconnect_step_max(&r), 30 * S);
  /* a refusal (the process restarts) retries within the cap */
  for (uint64_t rnd = 0; rnd < 5000000000ULL; rnd += 123456789ULL)
    assert_true(reconnect_next_delay_capped(&r, 0, rnd, 1 * S) <= 1 * S);
  assert_int_equal(reconnect_next_delay_capped(&r, 0, 1 * S, 1 * S), 1 * S);
  /* the cap does not shorten a step that is already below it */
  reconnect_init(&r, 250 * MS, 30 * S, 0);
  assert_int_equal(reconnect_next_delay_capped(&r, 0, 250 * MS + 1 + 7, 1 * S), 7);
}

static void test_degenerate_config(void **state) {
  (void)state;
  reconnect r;
  reconnect_init(&r, 0, 0, 0);
  assert_int_equal(reconnect_step_max(&r), 1);
  reconnect_init(&r, 5 * S, 1 * S, 0); /* cap below base: the base wins */
  assert_int_equal(reconnect_step_max(&r), 5 * S);
  reconnect_init(&r, 1, UINT64_MAX, 0);
  for (int i = 0; i < 100; i++)
    reconnect_next_delay(&r, 0, 42, false);
  assert_int_equal(reconnect_step_max(&r), UINT64_MAX);
}

static void test_hist(void **state) {
  (void)state;
  ping_hist h = {0};
  ping_hist_add(&h, 0.05);
  ping_hist_add(&h, 0.1);  /* on the bound: that bucket */
  ping_hist_add(&h, 0.11);
  ping_hist_add(&h, 999);
  ping_hist_add(&h, 5000); /* above every bound */
  assert_int_equal(h.counts[0], 2);
  assert_int_equal(h.counts[1], 1);
  assert_int_equal(h.counts[PING_HIST_BUCKETS - 1], 1);
  assert_int_equal(h.counts[PING_HIST_BUCKETS], 1);
  assert_int_equal(h.count, 5);
  assert_true(h.sum_ms > 5999.25 && h.sum_ms < 5999.27);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_steps_double_until_cap), cmocka_unit_test(test_full_jitter_range),
      cmocka_unit_test(test_healthy_period_resets),  cmocka_unit_test(test_immediate),
      cmocka_unit_test(test_capped),                 cmocka_unit_test(test_degenerate_config),      cmocka_unit_test(test_hist),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
