/* Unit tests for src/h3/h3_frame.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "common/varint.h"
#include "h3/h3_error.h"
#include "h3/h3_frame.h"

static void test_reserved_h2(void **state) {
  uint64_t t;
  (void)state;
  for (t = 0; t < 0x40; ++t) {
    int expect = t == 0x02 || t == 0x06 || t == 0x08 || t == 0x09;

    assert_int_equal(h3_frame_reserved_h2(t), expect);
  }
  assert_false(h3_frame_reserved_h2(0x102));
  assert_false(h3_frame_reserved_h2(UINT64_MAX));
}

static void test_grease(void **state) {
  uint64_t n;
  (void)state;
  assert_true(h3_is_grease(0x21));
  assert_true(h3_is_grease(0x40));
  assert_true(h3_is_grease(0x5f));
  assert_true(h3_is_grease(0x7e));
  assert_false(h3_is_grease(0));
  assert_false(h3_is_grease(0x02));
  assert_false(h3_is_grease(0x20));
  assert_false(h3_is_grease(0x22));
  assert_false(h3_is_grease(0x3f));
  assert_false(h3_is_grease(0x41));
  assert_false(h3_is_grease(0x54));
  assert_false(h3_is_grease(H3_FRAME_SETTINGS));
  /* Nothing below 0x21 is GREASE; without the lower bound, unsigned
   * wrap-around would make 0x11 look like one. */
  for (n = 0; n < 0x21; ++n) {
    assert_false(h3_is_grease(n));
  }
  for (n = 0; n < 1000; ++n) {
    assert_true(h3_is_grease(0x1f * n + 0x21));
    assert_false(h3_is_grease(0x1f * n + 0x22));
    assert_false(h3_is_grease(0x1f * n + 0x20));
  }
  n = (VARINT_MAX - 0x21) / 0x1f; /* the largest GREASE value */
  assert_true(h3_is_grease(0x1f * n + 0x21));
  assert_false(h3_is_grease(0x1f * n + 0x22));
}

static void test_hdr_parse(void **state) {
  static const uint8_t settings[] = {0x04, 0x16, 0x01};
  static const uint8_t big[] = {0xab, 0x60, 0x37, 0x42, 0x80, 0x00, 0x40, 0x00};
  static const uint8_t nonmin[] = {0x40, 0x00, 0xc0, 0, 0, 0, 0, 0, 0, 0x05};
  uint64_t type = 99, length = 99;
  (void)state;

  assert_int_equal(h3_frame_hdr_parse(settings, sizeof(settings), &type, &length), 2);
  assert_true(type == H3_FRAME_SETTINGS);
  assert_true(length == 0x16);
  assert_int_equal(h3_frame_hdr_parse(big, sizeof(big), &type, &length), 8);
  assert_true(type == 0x2b603742);
  assert_true(length == 16384);
  assert_int_equal(h3_frame_hdr_parse(nonmin, sizeof(nonmin), &type, &length), 10);
  assert_true(type == H3_FRAME_DATA);
  assert_true(length == 5);
}

static void test_hdr_parse_truncated(void **state) {
  static const uint8_t hdrs[][H3_FRAME_HDR_MAX] = {
      {0x04, 0x16},
      {0xab, 0x60, 0x37, 0x42, 0x80, 0x00, 0x40, 0x00},
      {0x40, 0x01, 0x7f, 0xff},
      {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
       0xff},
  };
  static const size_t lens[] = {2, 8, 4, 16};
  size_t i, n;
  (void)state;

  for (i = 0; i < sizeof(lens) / sizeof(lens[0]); ++i) {
    uint64_t type, length;

    for (n = 0; n < lens[i]; ++n) {
      assert_int_equal(h3_frame_hdr_parse(hdrs[i], n, &type, &length), 0);
    }
    assert_int_equal(h3_frame_hdr_parse(hdrs[i], lens[i], &type, &length), lens[i]);
  }
  {
    uint64_t type, length;

    assert_int_equal(h3_frame_hdr_parse(hdrs[3], 16, &type, &length), 16);
    assert_true(type == VARINT_MAX);
    assert_true(length == VARINT_MAX);
  }
}

static void test_hdr_write(void **state) {
  static const uint8_t e1[] = {0x04, 0x16};
  static const uint8_t e2[] = {0x00, 0x80, 0x00, 0x40, 0x00};
  static const uint8_t e3[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                               0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  uint8_t buf[H3_FRAME_HDR_MAX + 1];
  uint64_t type, length;
  (void)state;

  assert_int_equal(h3_frame_hdr_write(buf, H3_FRAME_SETTINGS, 0x16), sizeof(e1));
  assert_memory_equal(buf, e1, sizeof(e1));
  assert_int_equal(h3_frame_hdr_write(buf, H3_FRAME_DATA, 16384), sizeof(e2));
  assert_memory_equal(buf, e2, sizeof(e2));
  memset(buf, 0xaa, sizeof(buf));
  assert_int_equal(h3_frame_hdr_write(buf, VARINT_MAX, VARINT_MAX), H3_FRAME_HDR_MAX);
  assert_memory_equal(buf, e3, sizeof(e3));
  assert_int_equal(buf[H3_FRAME_HDR_MAX], 0xaa);
  assert_int_equal(h3_frame_hdr_parse(buf, H3_FRAME_HDR_MAX, &type, &length), H3_FRAME_HDR_MAX);
  assert_true(type == VARINT_MAX && length == VARINT_MAX);

  /* Not encodable: nothing written. */
  memset(buf, 0xaa, sizeof(buf));
  assert_int_equal(h3_frame_hdr_write(buf, VARINT_MAX + 1, 0), 0);
  assert_int_equal(h3_frame_hdr_write(buf, 0, UINT64_MAX), 0);
  assert_int_equal(buf[0], 0xaa);
}

static void test_hdr_roundtrip(void **state) {
  static const uint64_t vals[] = {0,     1,     63,         64,         16383,
                                  16384, 65535, 0x3fffffff, 0x40000000, VARINT_MAX};
  size_t i, j;
  (void)state;
  for (i = 0; i < sizeof(vals) / sizeof(vals[0]); ++i) {
    for (j = 0; j < sizeof(vals) / sizeof(vals[0]); ++j) {
      uint8_t buf[H3_FRAME_HDR_MAX];
      uint64_t type, length;
      size_t n = h3_frame_hdr_write(buf, vals[i], vals[j]);

      assert_int_equal(n, varint_len(vals[i]) + varint_len(vals[j]));
      assert_int_equal(h3_frame_hdr_parse(buf, n, &type, &length), n);
      assert_true(type == vals[i]);
      assert_true(length == vals[j]);
    }
  }
}

static void test_goaway_parse(void **state) {
  static const uint8_t zero[] = {0x00};
  static const uint8_t four[] = {0x04};
  static const uint8_t two[] = {0x40, 0x40};
  static const uint8_t nonmin[] = {0x80, 0x00, 0x00, 0x04};
  static const uint8_t max[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  static const uint8_t trailing[] = {0x04, 0x00};
  static const uint8_t truncated[] = {0x40};
  static const uint8_t truncated8[] = {0xc0, 0, 0, 0, 0, 0, 0};
  uint64_t id = 77;
  (void)state;

  assert_int_equal(h3_goaway_parse(zero, sizeof(zero), &id), 0);
  assert_true(id == 0);
  assert_int_equal(h3_goaway_parse(four, sizeof(four), &id), 0);
  assert_true(id == 4);
  assert_int_equal(h3_goaway_parse(two, sizeof(two), &id), 0);
  assert_true(id == 64);
  assert_int_equal(h3_goaway_parse(nonmin, sizeof(nonmin), &id), 0);
  assert_true(id == 4);
  assert_int_equal(h3_goaway_parse(max, sizeof(max), &id), 0);
  assert_true(id == VARINT_MAX);

  id = 77;
  assert_int_equal(h3_goaway_parse(zero, 0, &id), H3_FRAME_ERROR);
  assert_int_equal(h3_goaway_parse(trailing, sizeof(trailing), &id), H3_FRAME_ERROR);
  assert_int_equal(h3_goaway_parse(truncated, sizeof(truncated), &id), H3_FRAME_ERROR);
  assert_int_equal(h3_goaway_parse(truncated8, sizeof(truncated8), &id), H3_FRAME_ERROR);
  assert_int_equal(h3_goaway_parse(nonmin, 3, &id), H3_FRAME_ERROR);
  assert_true(id == 77);
}

static void test_goaway_write(void **state) {
  static const uint8_t e0[] = {0x07, 0x01, 0x00};
  static const uint8_t e1[] = {0x07, 0x04, 0x80, 0x00, 0x40, 0x00};
  static const uint8_t e2[] = {0x07, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  uint8_t buf[H3_FRAME_HDR_MAX + 8];
  uint64_t type, length, id;
  size_t n, h;
  (void)state;

  assert_int_equal(h3_goaway_write(buf, 0), sizeof(e0));
  assert_memory_equal(buf, e0, sizeof(e0));
  assert_int_equal(h3_goaway_write(buf, 16384), sizeof(e1));
  assert_memory_equal(buf, e1, sizeof(e1));
  n = h3_goaway_write(buf, VARINT_MAX);
  assert_int_equal(n, sizeof(e2));
  assert_memory_equal(buf, e2, sizeof(e2));

  h = h3_frame_hdr_parse(buf, n, &type, &length);
  assert_int_equal(h, 2);
  assert_true(type == H3_FRAME_GOAWAY);
  assert_true(length == n - h);
  assert_int_equal(h3_goaway_parse(buf + h, (size_t)length, &id), 0);
  assert_true(id == VARINT_MAX);

  memset(buf, 0xaa, sizeof(buf));
  assert_int_equal(h3_goaway_write(buf, VARINT_MAX + 1), 0);
  assert_int_equal(buf[0], 0xaa);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reserved_h2),  cmocka_unit_test(test_grease),
      cmocka_unit_test(test_hdr_parse),    cmocka_unit_test(test_hdr_parse_truncated),
      cmocka_unit_test(test_hdr_write),    cmocka_unit_test(test_hdr_roundtrip),
      cmocka_unit_test(test_goaway_parse), cmocka_unit_test(test_goaway_write),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
