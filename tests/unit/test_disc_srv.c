/* Tests for src/disc/disc_srv.c: RFC 2782 ordering and weighted choice,
 * with scripted and with seeded random numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "disc/disc_srv.h"

typedef struct script {
  const uint32_t *v;
  size_t n, i;
} script;

/* scripted: returns the next scripted number (pairs: high, low word). */
static uint32_t scripted(void *ud) {
  script *s = ud;
  assert_true(s->i < s->n);
  return s->v[s->i++];
}

static disc_srv_rr rr(uint16_t prio, uint16_t weight, const char *target) {
  disc_srv_rr r = {.priority = prio, .weight = weight, .port = 4433};
  snprintf(r.target, sizeof(r.target), "%s", target);
  return r;
}

static void test_priority_first(void **state) {
  (void)state;
  disc_srv_rr v[] = {rr(30, 0, "c"), rr(10, 0, "a"), rr(20, 0, "b")};
  uint64_t seed = 1;
  disc_srv_order(v, 3, disc_rand_xorshift, &seed);
  assert_string_equal(v[0].target, "a");
  assert_string_equal(v[1].target, "b");
  assert_string_equal(v[2].target, "c");
}

static void test_weighted_choice_follows_running_sum(void **state) {
  (void)state;
  /* weights 10, 20, 30 (sum 60): r = 25 picks the second (running sums 10, 30, 60) */
  disc_srv_rr v[] = {rr(1, 10, "a"), rr(1, 20, "b"), rr(1, 30, "c")};
  /* each choice draws 64 bits: high word, low word */
  const uint32_t nums[] = {0, 25, 0, 40};
  script s = {nums, 4, 0};
  disc_srv_order(v, 3, scripted, &s);
  /* first pick b (25 <= 30); remaining a, c (sum 40): r = 40 picks c */
  assert_string_equal(v[0].target, "b");
  assert_string_equal(v[1].target, "c");
  assert_string_equal(v[2].target, "a");
  assert_int_equal(s.i, 4); /* no draw for the last one */
}

static void test_zero_weight_first_in_candidates(void **state) {
  (void)state;
  /* r = 0 picks the first in the candidate list, where weight 0 goes */
  disc_srv_rr v[] = {rr(1, 50, "heavy"), rr(1, 0, "zero")};
  const uint32_t nums[] = {0, 0};
  script s = {nums, 2, 0};
  disc_srv_order(v, 2, scripted, &s);
  assert_string_equal(v[0].target, "zero");
  /* any r > 0 passes the zero-weight record by */
  disc_srv_rr w[] = {rr(1, 50, "heavy"), rr(1, 0, "zero")};
  const uint32_t nums2[] = {0, 1};
  script s2 = {nums2, 2, 0};
  disc_srv_order(w, 2, scripted, &s2);
  assert_string_equal(w[0].target, "heavy");
  assert_string_equal(w[1].target, "zero");
}

static void test_weights_shape_the_distribution(void **state) {
  (void)state;
  uint64_t seed = 0x1234567887654321ull;
  unsigned first[3] = {0};
  const unsigned trials = 20000;
  for (unsigned t = 0; t < trials; t++) {
    disc_srv_rr v[] = {rr(5, 60, "a"), rr(5, 30, "b"), rr(5, 10, "c"), rr(9, 100, "backup")};
    disc_srv_order(v, 4, disc_rand_xorshift, &seed);
    assert_string_equal(v[3].target, "backup"); /* never before a better priority */
    first[v[0].target[0] - 'a']++;
  }
  /* expected 60 %, 30 %, 10 %, within 2 points */
  assert_in_range(first[0], trials * 58 / 100, trials * 62 / 100);
  assert_in_range(first[1], trials * 28 / 100, trials * 32 / 100);
  assert_in_range(first[2], trials * 8 / 100, trials * 12 / 100);
}

static void test_seeded_is_reproducible_and_a_permutation(void **state) {
  (void)state;
  disc_srv_rr a[8], b[8];
  for (int i = 0; i < 8; i++) {
    char name[8];
    snprintf(name, sizeof(name), "h%d", i);
    a[i] = b[i] = rr((uint16_t)(i % 3), (uint16_t)(i * 7), name);
  }
  uint64_t s1 = 42, s2 = 42;
  disc_srv_order(a, 8, disc_rand_xorshift, &s1);
  disc_srv_order(b, 8, disc_rand_xorshift, &s2);
  unsigned seen = 0;
  for (int i = 0; i < 8; i++) {
    assert_string_equal(a[i].target, b[i].target);
    seen |= 1u << (a[i].target[1] - '0');
    if (i)
      assert_true(a[i - 1].priority <= a[i].priority);
  }
  assert_int_equal(seen, 0xff);
}

static void test_all_zero_weights_and_max_weights(void **state) {
  (void)state;
  uint64_t seed = 7;
  disc_srv_rr z[] = {rr(1, 0, "a"), rr(1, 0, "b"), rr(1, 0, "c")};
  disc_srv_order(z, 3, disc_rand_xorshift, &seed);
  /* sum 0: r is always 0 and the order is kept */
  assert_string_equal(z[0].target, "a");
  assert_string_equal(z[2].target, "c");
  disc_srv_rr m[] = {rr(1, 65535, "a"), rr(1, 65535, "b")};
  disc_srv_order(m, 2, disc_rand_xorshift, &seed);
  assert_true(strcmp(m[0].target, m[1].target) != 0);
  disc_srv_order(m, 0, disc_rand_xorshift, &seed); /* empty: nothing happens */
}

static void test_unavailable(void **state) {
  (void)state;
  disc_srv_rr dot[] = {rr(0, 0, "")};
  disc_srv_rr two[] = {rr(0, 0, ""), rr(1, 0, "x")};
  assert_true(disc_srv_unavailable(dot, 1));
  assert_false(disc_srv_unavailable(two, 2));
  assert_false(disc_srv_unavailable(two + 1, 1));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_priority_first),
      cmocka_unit_test(test_weighted_choice_follows_running_sum),
      cmocka_unit_test(test_zero_weight_first_in_candidates),
      cmocka_unit_test(test_weights_shape_the_distribution),
      cmocka_unit_test(test_seeded_is_reproducible_and_a_permutation),
      cmocka_unit_test(test_all_zero_weights_and_max_weights),
      cmocka_unit_test(test_unavailable),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
