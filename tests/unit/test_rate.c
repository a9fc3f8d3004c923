/* Unit tests for src/common/rate.c, with a fake clock. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/rate.h"

#define MS UINT64_C(1000000)
#define S (1000 * MS)

static void test_bucket(void **state) {
  (void)state;
  rate_bucket b = {0};
  uint64_t t = 7 * S;
  for (int i = 0; i < 100; i++)
    assert_true(rate_allow(&b, 100, t)); /* a burst of one second's worth */
  assert_false(rate_allow(&b, 100, t));
  assert_false(rate_allow(&b, 100, t + 9 * MS));
  assert_true(rate_allow(&b, 100, t + 10 * MS)); /* one per 10 ms */
  assert_false(rate_allow(&b, 100, t + 10 * MS));
  assert_false(rate_allow(&b, 100, t - S)); /* the clock went back: nothing */
  assert_false(rate_allow(&b, 100, t + 15 * MS));
  assert_true(rate_allow(&b, 100, t + 20 * MS));
  /* a long pause refills to the burst, not beyond */
  int n = 0;
  while (rate_allow(&b, 100, t + 100 * S))
    n++;
  assert_int_equal(n, 100);
  /* rate 0: no limit */
  rate_bucket c = {0};
  for (int i = 0; i < 100000; i++)
    assert_true(rate_allow(&c, 0, 0));
  /* the largest rate does not overflow */
  rate_bucket d = {0};
  assert_true(rate_allow(&d, UINT32_MAX, 0));
  assert_true(rate_allow(&d, UINT32_MAX, S - 1));
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_bucket)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
