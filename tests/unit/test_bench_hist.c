/* bench_hist: bucket mapping, quantiles, merging. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "bench/bench_hist.h"

static void test_index_roundtrip(void **state) {
  (void)state;
  /* every bucket's lower bound maps back to that bucket, bounds increase */
  for (unsigned i = 0; i < BENCH_HIST_BUCKETS; i++) {
    assert_int_equal(bench_hist_index(bench_hist_lower(i)), i);
    if (i)
      assert_true(bench_hist_lower(i) > bench_hist_lower(i - 1));
  }
  assert_int_equal(bench_hist_index(UINT64_MAX), BENCH_HIST_BUCKETS - 1);
  assert_int_equal(bench_hist_index(0), 0);
  assert_int_equal(bench_hist_index(63), 63);
}

static void test_relative_error(void **state) {
  (void)state;
  for (uint64_t v = 1; v < (1ull << 40); v = v * 3 + 1) {
    unsigned i = bench_hist_index(v);
    uint64_t lo = bench_hist_lower(i), hi = bench_hist_lower(i + 1);
    assert_true(lo <= v && v < hi);
    assert_true((double)(hi - lo) <= (double)lo / 32.0 + 1.0);
  }
}

static void test_quantiles(void **state) {
  (void)state;
  bench_hist *h = malloc(sizeof(*h));
  assert_non_null(h);
  bench_hist_init(h);
  assert_int_equal(bench_hist_quantile(h, 0.5), 0);
  for (uint64_t v = 1; v <= 1000; v++)
    bench_hist_add(h, v * 1000); /* 1 us .. 1 ms */
  assert_int_equal(h->n, 1000);
  assert_int_equal(h->min, 1000);
  assert_int_equal(h->max, 1000000);
  uint64_t p50 = bench_hist_quantile(h, 0.5), p99 = bench_hist_quantile(h, 0.99);
  assert_true(p50 > 500000 * 0.96 && p50 < 500000 * 1.04);
  assert_true(p99 > 990000 * 0.96 && p99 < 990000 * 1.04);
  assert_int_equal(bench_hist_quantile(h, 1.0), 1000000);
  assert_int_equal(bench_hist_quantile(h, 0.0), 1000);
  assert_int_equal(bench_hist_quantile(h, 2.0), 1000000); /* clamped */
  free(h);
}

static void test_merge(void **state) {
  (void)state;
  bench_hist *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
  assert_non_null(a);
  assert_non_null(b);
  bench_hist_init(a);
  bench_hist_init(b);
  bench_hist_add(a, 10);
  bench_hist_add(b, 5000);
  bench_hist_add(b, 7);
  bench_hist_merge(a, b);
  assert_int_equal(a->n, 3);
  assert_int_equal(a->min, 7);
  assert_int_equal(a->max, 5000);
  assert_int_equal(bench_hist_quantile(a, 0.5), 10);
  free(a);
  free(b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_index_roundtrip),
      cmocka_unit_test(test_relative_error),
      cmocka_unit_test(test_quantiles),
      cmocka_unit_test(test_merge),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
