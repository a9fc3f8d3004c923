/* timer_slack: near deadlines exact, far ones rounded up to 1 ms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/timer_slack.h"

static void test_near_exact(void **state) {
  (void)state;
  uint64_t now = 1000000000ull;
  assert_int_equal(timer_slack_usec(now + 1500, now), (now + 1500) / 1000 + 1); /* ns rounded up to us */
  assert_int_equal(timer_slack_usec(now + 2000, now), (now + 2000) / 1000);
  assert_int_equal(timer_slack_usec(now + TIMER_SLACK_FAR_NS, now),
                   (now + TIMER_SLACK_FAR_NS) / 1000);
  assert_int_equal(timer_slack_usec(now - 5, now), (now - 5) / 1000 + 1); /* past: as is */
}

static void test_far_rounded(void **state) {
  (void)state;
  uint64_t now = 1000000000ull;
  /* 26.3 ms away: 27 ms after the last whole ms */
  uint64_t t = now + 26300000ull;
  assert_int_equal(timer_slack_usec(t, now), (now + 27000000ull) / 1000);
  /* deadlines that move within one ms map to the same wake-up */
  assert_int_equal(timer_slack_usec(t + 100000, now + 100000), timer_slack_usec(t, now));
  /* never earlier than the deadline; a whole ms stays */
  assert_int_equal(timer_slack_usec(now + 30000000ull, now), (now + 30000000ull) / 1000);
  for (uint64_t d = TIMER_SLACK_FAR_NS + 1; d < 40000000ull; d += 77777)
    assert_true(timer_slack_usec(now + d, now) * 1000 >= now + d);
}

static void test_infinite(void **state) {
  (void)state;
  assert_true(timer_slack_usec(UINT64_MAX, 5) == UINT64_MAX);
  assert_true(timer_slack_usec(UINT64_MAX - 1, 0) == (UINT64_MAX - 1) / 1000 + 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_near_exact),
      cmocka_unit_test(test_far_rounded),
      cmocka_unit_test(test_infinite),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
