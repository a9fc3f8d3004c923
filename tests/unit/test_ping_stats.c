/* Unit tests for RTT statistics (src/ping/ping_stats.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ping/ping_stats.h"

#define EPS 1e-9

/* assert_near checks |a| against |b| within |eps| in double precision
   (cmocka's assert_float_equal works in float). */
#define assert_near(a, b, eps) assert_near_at((a), (b), (eps), __FILE__, __LINE__)

static void assert_near_at(double a, double b, double eps, const char *file, int line) {
  if (!(fabs(a - b) <= eps)) {
    print_error("%s:%d: %.17g != %.17g (eps %g)\n", file, line, a, b, eps);
    fail();
  }
}

static void test_empty(void **state) {
  ping_stats_acc a;
  ping_stats_summary s;

  (void)state;

  ping_stats_init(&a);
  assert_null(a.samples);

  memset(&s, 0x5a, sizeof(s));
  ping_stats_summarize(&a, &s);
  assert_true(s.n == 0);
  assert_true(s.min == 0 && s.avg == 0 && s.max == 0 && s.mdev == 0);
  assert_true(s.p50 == 0 && s.p90 == 0 && s.p99 == 0 && s.jitter == 0);

  ping_stats_free(&a);
  /* Freeing twice is harmless. */
  ping_stats_free(&a);
}

static void test_single(void **state) {
  ping_stats_acc a;
  ping_stats_summary s;

  (void)state;

  ping_stats_init(&a);
  assert_int_equal(ping_stats_add(&a, 12.5), 0);
  assert_non_null(a.samples);

  ping_stats_summarize(&a, &s);
  assert_true(s.n == 1);
  assert_near(s.min, 12.5, EPS);
  assert_near(s.avg, 12.5, EPS);
  assert_near(s.max, 12.5, EPS);
  assert_near(s.mdev, 0, EPS);
  assert_near(s.p50, 12.5, EPS);
  assert_near(s.p90, 12.5, EPS);
  assert_near(s.p99, 12.5, EPS);
  assert_near(s.jitter, 0, EPS);

  ping_stats_free(&a);
}

/* add_shuffled adds 1..|n| to |a| in a fixed pseudo-random order, so the
   percentiles cannot come out right by accident of insertion order. */
static void add_shuffled(ping_stats_acc *a, size_t n) {
  size_t i, j;
  double *v = malloc(n * sizeof(v[0]));
  double tmp;
  uint32_t x = 12345;

  assert_non_null(v);
  for (i = 0; i < n; ++i) {
    v[i] = (double)(i + 1);
  }
  for (i = n; i > 1; --i) {
    x = x * 1103515245u + 12345u;
    j = (x >> 8) % i;
    tmp = v[i - 1];
    v[i - 1] = v[j];
    v[j] = tmp;
  }
  for (i = 0; i < n; ++i) {
    assert_int_equal(ping_stats_add(a, v[i]), 0);
  }
  free(v);
}

static void test_one_to_hundred(void **state) {
  ping_stats_acc a;
  ping_stats_summary s;
  size_t i;

  (void)state;

  ping_stats_init(&a);
  for (i = 1; i <= 100; ++i) {
    assert_int_equal(ping_stats_add(&a, (double)i), 0);
  }

  ping_stats_summarize(&a, &s);
  assert_true(s.n == 100);
  assert_near(s.min, 1, EPS);
  assert_near(s.max, 100, EPS);
  assert_near(s.avg, 50.5, EPS);
  /* sqrt((100^2 - 1) / 12) */
  assert_near(s.mdev, sqrt(9999.0 / 12.0), 1e-9);
  assert_near(s.mdev, 28.866, 1e-3);
  assert_near(s.p50, 50, EPS);
  assert_near(s.p90, 90, EPS);
  assert_near(s.p99, 99, EPS);
  assert_near(s.jitter, 1.0, EPS);

  ping_stats_free(&a);
}

static void test_shuffled(void **state) {
  ping_stats_acc a;
  ping_stats_summary s;

  (void)state;

  ping_stats_init(&a);
  add_shuffled(&a, 1000);
  ping_stats_summarize(&a, &s);
  assert_true(s.n == 1000);
  assert_near(s.min, 1, EPS);
  assert_near(s.max, 1000, EPS);
  assert_near(s.avg, 500.5, EPS);
  assert_near(s.p50, 500, EPS);
  assert_near(s.p90, 900, EPS);
  assert_near(s.p99, 990, EPS);
  /* The jitter depends on the order: it is well above 1 here. */
  assert_true(s.jitter > 100);

  ping_stats_free(&a);
}

static void test_jitter_mdev(void **state) {
  ping_stats_acc a;
  ping_stats_summary s;
  const double v[] = {10, 20, 10, 40};
  size_t i;

  (void)state;

  ping_stats_init(&a);
  for (i = 0; i < sizeof(v) / sizeof(v[0]); ++i) {
    assert_int_equal(ping_stats_add(&a, v[i]), 0);
  }

  ping_stats_summarize(&a, &s);
  /* |20-10| + |10-20| + |40-10| = 50 over 3 pairs */
  assert_near(s.jitter, 50.0 / 3.0, EPS);
  assert_near(s.avg, 20, EPS);
  /* E[x^2] = (100 + 400 + 100 + 1600) / 4 = 550; 550 - 400 = 150 */
  assert_near(s.mdev, sqrt(150), EPS);
  /* ranks: ceil(2) = 2 -> 10, ceil(3.6) = 4 -> 40, ceil(3.96) = 4 -> 40 */
  assert_near(s.p50, 10, EPS);
  assert_near(s.p90, 40, EPS);
  assert_near(s.p99, 40, EPS);

  ping_stats_free(&a);
}

static void test_constant_mdev(void **state) {
  ping_stats_acc a;
  ping_stats_summary s;
  size_t i;

  (void)state;

  /* 0.1 is inexact; E[x^2] - E[x]^2 may round below 0 and must not give
     NaN. */
  ping_stats_init(&a);
  for (i = 0; i < 1000; ++i) {
    assert_int_equal(ping_stats_add(&a, 0.1), 0);
  }
  ping_stats_summarize(&a, &s);
  assert_false(isnan(s.mdev));
  assert_true(s.mdev >= 0);
  assert_near(s.mdev, 0, 1e-6);
  assert_near(s.jitter, 0, EPS);

  ping_stats_free(&a);
}

static void test_summarize_keeps_acc(void **state) {
  ping_stats_acc a;
  ping_stats_summary s1, s2;
  double *copy;
  size_t nsamples, next;

  (void)state;

  ping_stats_init(&a);
  add_shuffled(&a, 500);

  copy = malloc(a.nsamples * sizeof(copy[0]));
  assert_non_null(copy);
  memcpy(copy, a.samples, a.nsamples * sizeof(copy[0]));
  nsamples = a.nsamples;
  next = a.next;

  ping_stats_summarize(&a, &s1);
  /* The ring is not sorted in place. */
  assert_memory_equal(copy, a.samples, nsamples * sizeof(copy[0]));
  assert_int_equal(a.nsamples, nsamples);
  assert_int_equal(a.next, next);

  ping_stats_summarize(&a, &s2);
  assert_memory_equal(&s1, &s2, sizeof(s1));

  free(copy);
  ping_stats_free(&a);
}

static void test_ring(void **state) {
  ping_stats_acc a;
  ping_stats_summary s;
  size_t i;

  (void)state;

  ping_stats_init(&a);
  /* Extremes and a block of big values that fall out of the ring. */
  assert_int_equal(ping_stats_add(&a, 0.001), 0);
  assert_int_equal(ping_stats_add(&a, 1e9), 0);
  for (i = 0; i < 5000; ++i) {
    assert_int_equal(ping_stats_add(&a, 1e6), 0);
  }
  for (i = 1; i <= PING_STATS_KEEP; ++i) {
    assert_int_equal(ping_stats_add(&a, (double)i), 0);
  }
  assert_int_equal(a.nsamples, PING_STATS_KEEP);

  ping_stats_summarize(&a, &s);
  assert_true(s.n == 5002 + PING_STATS_KEEP);
  assert_near(s.min, 0.001, EPS);
  assert_near(s.max, 1e9, EPS);
  assert_near(s.p50, PING_STATS_KEEP / 2, EPS);
  assert_near(s.p90, PING_STATS_KEEP / 100 * 90, EPS);
  assert_near(s.p99, PING_STATS_KEEP / 100 * 99, EPS);
  /* The average covers all samples. */
  assert_near(s.avg,
                     (0.001 + 1e9 + 5000 * 1e6 +
                      (double)PING_STATS_KEEP * (PING_STATS_KEEP + 1) / 2) /
                         (5002.0 + PING_STATS_KEEP),
                     1e-6);

  /* Wrap once more by half: the ring now holds KEEP/2+1..KEEP and then
     KEEP/2 copies of 0.5. */
  for (i = 0; i < PING_STATS_KEEP / 2; ++i) {
    assert_int_equal(ping_stats_add(&a, 0.5), 0);
  }
  ping_stats_summarize(&a, &s);
  assert_near(s.min, 0.001, EPS);
  assert_near(s.p50, 0.5, EPS);
  /* rank ceil(0.9 * KEEP) = 90000 -> value 90000 among 50001..100000 */
  assert_near(s.p90, PING_STATS_KEEP / 100 * 90, EPS);

  ping_stats_free(&a);
}

static void test_percentile(void **state) {
  double v[] = {5, 1, 4, 2, 3};
  double one[] = {7};

  (void)state;

  assert_near(ping_stats_percentile(v, 5, 100), 5, EPS);
  /* v is sorted in place now. */
  assert_near(v[0], 1, EPS);
  assert_near(v[4], 5, EPS);
  assert_near(ping_stats_percentile(v, 5, 20), 1, EPS);
  assert_near(ping_stats_percentile(v, 5, 20.1), 2, EPS);
  assert_near(ping_stats_percentile(v, 5, 50), 3, EPS);
  assert_near(ping_stats_percentile(v, 5, 80), 4, EPS);
  assert_near(ping_stats_percentile(v, 5, 80.5), 5, EPS);
  assert_near(ping_stats_percentile(v, 5, 0.0001), 1, EPS);
  assert_near(ping_stats_percentile(one, 1, 50), 7, EPS);
  assert_near(ping_stats_percentile(one, 1, 100), 7, EPS);
  assert_near(ping_stats_percentile(NULL, 0, 50), 0, EPS);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_empty),          cmocka_unit_test(test_single),
      cmocka_unit_test(test_one_to_hundred), cmocka_unit_test(test_shuffled),
      cmocka_unit_test(test_jitter_mdev),    cmocka_unit_test(test_constant_mdev),
      cmocka_unit_test(test_summarize_keeps_acc), cmocka_unit_test(test_ring),
      cmocka_unit_test(test_percentile),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
