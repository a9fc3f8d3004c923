/* Unit tests for src/wt/wt_error.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>

#include "wt/wt_error.h"

static bool grease(uint64_t v) { return v >= 0x21 && (v - 0x21) % 0x1f == 0; }

static void test_vectors(void **state) {
  (void)state;
  assert_true(wt_error_to_h3(0) == UINT64_C(0x52e4a40fa8db));
  assert_true(wt_error_to_h3(0) == WT_H3_ERROR_FIRST);
  assert_true(wt_error_to_h3(1) == UINT64_C(0x52e4a40fa8dc));
  assert_true(wt_error_to_h3(29) == UINT64_C(0x52e4a40fa8f8));
  assert_true(wt_error_to_h3(30) == UINT64_C(0x52e4a40fa8fa));
  assert_true(wt_error_to_h3(255) == UINT64_C(0x52e4a40fa9e2));
  assert_true(wt_error_to_h3(UINT32_MAX) == UINT64_C(0x52e5ac983162));
  assert_true(wt_error_to_h3(UINT32_MAX) == WT_H3_ERROR_LAST);
}

static void test_from_h3_vectors(void **state) {
  uint32_t code = 12345;
  (void)state;

  assert_int_equal(wt_error_from_h3(UINT64_C(0x52e4a40fa8db), &code), 0);
  assert_int_equal(code, 0);
  assert_int_equal(wt_error_from_h3(UINT64_C(0x52e4a40fa8f8), &code), 0);
  assert_int_equal(code, 29);
  assert_int_equal(wt_error_from_h3(UINT64_C(0x52e4a40fa8fa), &code), 0);
  assert_int_equal(code, 30);
  assert_int_equal(wt_error_from_h3(UINT64_C(0x52e4a40fa9e2), &code), 0);
  assert_int_equal(code, 255);
  assert_int_equal(wt_error_from_h3(UINT64_C(0x52e5ac983162), &code), 0);
  assert_true(code == UINT32_MAX);
}

static void test_grease_gap(void **state) {
  uint32_t code = 12345;
  (void)state;

  /* Between 29 (…a8f8) and 30 (…a8fa) sits the GREASE value …a8f9. */
  assert_true(grease(UINT64_C(0x52e4a40fa8f9)));
  assert_int_equal(wt_error_from_h3(UINT64_C(0x52e4a40fa8f9), &code), -1);
  assert_int_equal(code, 12345);
}

static void test_out_of_range(void **state) {
  static const uint64_t bad[] = {0,
                                 0x100,
                                 0x10f,
                                 WT_SESSION_GONE,
                                 WT_BUFFERED_STREAM_REJECTED,
                                 WT_H3_ERROR_FIRST - 1,
                                 WT_H3_ERROR_LAST + 1,
                                 UINT64_MAX};
  size_t i;
  (void)state;

  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
    uint32_t code = 12345;

    assert_int_equal(wt_error_from_h3(bad[i], &code), -1);
    assert_int_equal(code, 12345);
  }
}

static void test_roundtrip(void **state) {
  uint64_t e;
  (void)state;

  for (e = 0; e <= 100000; ++e) {
    uint64_t h = wt_error_to_h3((uint32_t)e);
    uint32_t code = 0;

    assert_false(grease(h));
    assert_int_equal(wt_error_from_h3(h, &code), 0);
    assert_true(code == e);
  }
  for (e = UINT32_MAX - 100000; e <= UINT32_MAX; ++e) {
    uint64_t h = wt_error_to_h3((uint32_t)e);
    uint32_t code = 0;

    assert_false(grease(h));
    assert_int_equal(wt_error_from_h3(h, &code), 0);
    assert_true(code == e);
  }
}

/* Walking the HTTP/3 range from either end: every value is either GREASE
 * (rejected) or the image of the next WebTransport code in order. */
static void test_range_walk(void **state) {
  uint64_t h;
  uint64_t next = 0;
  (void)state;

  for (h = WT_H3_ERROR_FIRST; h < WT_H3_ERROR_FIRST + 200000; ++h) {
    uint32_t code;

    if (grease(h)) {
      assert_int_equal(wt_error_from_h3(h, &code), -1);
      continue;
    }
    assert_int_equal(wt_error_from_h3(h, &code), 0);
    assert_true(code == next);
    assert_true(wt_error_to_h3(code) == h);
    ++next;
  }
  next = UINT32_MAX;
  for (h = WT_H3_ERROR_LAST; h > WT_H3_ERROR_LAST - 200000; --h) {
    uint32_t code;

    if (grease(h)) {
      assert_int_equal(wt_error_from_h3(h, &code), -1);
      continue;
    }
    assert_int_equal(wt_error_from_h3(h, &code), 0);
    assert_true(code == next);
    assert_true(wt_error_to_h3(code) == h);
    --next;
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_vectors),      cmocka_unit_test(test_from_h3_vectors),
      cmocka_unit_test(test_grease_gap),   cmocka_unit_test(test_out_of_range),
      cmocka_unit_test(test_roundtrip),    cmocka_unit_test(test_range_walk),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
