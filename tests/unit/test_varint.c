/* Unit tests for src/common/varint.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "common/varint.h"

typedef struct vector {
  uint64_t v;
  size_t len;
  uint8_t enc[8];
} vector;

/* Every size boundary, plus the RFC 9000 appendix A.1 examples. */
static const vector vectors[] = {
    {0, 1, {0x00}},
    {37, 1, {0x25}},
    {63, 1, {0x3f}},
    {64, 2, {0x40, 0x40}},
    {15293, 2, {0x7b, 0xbd}},
    {16383, 2, {0x7f, 0xff}},
    {16384, 4, {0x80, 0x00, 0x40, 0x00}},
    {494878333, 4, {0x9d, 0x7f, 0x3e, 0x7d}},
    {(UINT64_C(1) << 30) - 1, 4, {0xbf, 0xff, 0xff, 0xff}},
    {UINT64_C(1) << 30, 8, {0xc0, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00}},
    {UINT64_C(151288809941952652), 8, {0xc2, 0x19, 0x7c, 0x5e, 0xff, 0x14, 0xe8, 0x8c}},
    {VARINT_MAX, 8, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
};
#define NVECTORS (sizeof(vectors) / sizeof(vectors[0]))

static void test_len_boundaries(void **state) {
  (void)state;
  assert_int_equal(varint_len(0), 1);
  assert_int_equal(varint_len(63), 1);
  assert_int_equal(varint_len(64), 2);
  assert_int_equal(varint_len(16383), 2);
  assert_int_equal(varint_len(16384), 4);
  assert_int_equal(varint_len((UINT64_C(1) << 30) - 1), 4);
  assert_int_equal(varint_len(UINT64_C(1) << 30), 8);
  assert_int_equal(varint_len(VARINT_MAX), 8);
  assert_int_equal(varint_len(VARINT_MAX + 1), 0);
  assert_int_equal(varint_len(UINT64_MAX), 0);
  assert_true(VARINT_MAX == UINT64_C(4611686018427387903));
}

static void test_encode_vectors(void **state) {
  size_t i;
  (void)state;
  for (i = 0; i < NVECTORS; ++i) {
    uint8_t buf[VARINT_MAXLEN + 1];
    uint8_t *end;

    memset(buf, 0xaa, sizeof(buf));
    assert_int_equal(varint_len(vectors[i].v), vectors[i].len);
    end = varint_encode(buf, vectors[i].v);
    assert_ptr_equal(end, buf + vectors[i].len);
    assert_memory_equal(buf, vectors[i].enc, vectors[i].len);
    assert_int_equal(buf[vectors[i].len], 0xaa); /* nothing written past the end */
  }
}

static void test_decode_vectors(void **state) {
  size_t i;
  (void)state;
  for (i = 0; i < NVECTORS; ++i) {
    uint8_t buf[VARINT_MAXLEN + 2];
    uint64_t out = 12345;

    memcpy(buf, vectors[i].enc, vectors[i].len);
    buf[vectors[i].len] = 0xff; /* trailing bytes are not consumed */
    buf[vectors[i].len + 1] = 0xff;
    assert_int_equal(varint_decode(buf, vectors[i].len, &out), vectors[i].len);
    assert_true(out == vectors[i].v);
    out = 12345;
    assert_int_equal(varint_decode(buf, sizeof(buf), &out), vectors[i].len);
    assert_true(out == vectors[i].v);
  }
}

static void test_decode_non_minimal(void **state) {
  static const uint8_t two0[] = {0x40, 0x00};
  static const uint8_t two37[] = {0x40, 0x25}; /* RFC 9000 A.1 */
  static const uint8_t four63[] = {0x80, 0x00, 0x00, 0x3f};
  static const uint8_t eight1[] = {0xc0, 0, 0, 0, 0, 0, 0, 0x01};
  static const uint8_t eight16383[] = {0xc0, 0, 0, 0, 0, 0, 0x3f, 0xff};
  uint64_t out;
  (void)state;

  assert_int_equal(varint_decode(two0, sizeof(two0), &out), 2);
  assert_true(out == 0);
  assert_int_equal(varint_decode(two37, sizeof(two37), &out), 2);
  assert_true(out == 37);
  assert_int_equal(varint_decode(four63, sizeof(four63), &out), 4);
  assert_true(out == 63);
  assert_int_equal(varint_decode(eight1, sizeof(eight1), &out), 8);
  assert_true(out == 1);
  assert_int_equal(varint_decode(eight16383, sizeof(eight16383), &out), 8);
  assert_true(out == 16383);
}

static void test_decode_truncated(void **state) {
  size_t i, n;
  (void)state;
  for (i = 0; i < NVECTORS; ++i) {
    for (n = 0; n < vectors[i].len; ++n) {
      uint64_t out = 777;

      assert_int_equal(varint_decode(vectors[i].enc, n, &out), 0);
      assert_true(out == 777);
    }
  }
  /* Only the first byte decides the length. */
  {
    static const uint8_t p[] = {0xc0, 0, 0, 0, 0, 0, 0};
    uint64_t out;

    assert_int_equal(varint_decode(p, sizeof(p), &out), 0);
  }
}

static void test_encode_too_large(void **state) {
  uint8_t buf[VARINT_MAXLEN];
  uint64_t bad[] = {VARINT_MAX + 1, UINT64_C(1) << 63, UINT64_MAX};
  size_t i;
  (void)state;
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
    memset(buf, 0xaa, sizeof(buf));
    assert_int_equal(varint_len(bad[i]), 0);
    assert_ptr_equal(varint_encode(buf, bad[i]), buf);
    assert_int_equal(buf[0], 0xaa);
  }
}

static void test_roundtrip(void **state) {
  uint64_t x = UINT64_C(0x9e3779b97f4a7c15);
  int i, shift;
  (void)state;
  for (shift = 0; shift < 62; ++shift) {
    for (i = 0; i < 2000; ++i) {
      uint8_t buf[VARINT_MAXLEN];
      uint64_t v, out = 0;
      size_t n;

      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      v = x >> (shift + 2);
      n = varint_len(v);
      assert_int_not_equal(n, 0);
      assert_ptr_equal(varint_encode(buf, v), buf + n);
      assert_int_equal(varint_decode(buf, n, &out), n);
      assert_true(out == v);
    }
  }
}

static void test_pair_decode(void **state) {
  /* type 0x2b603742 (4 bytes), length 16384 (4 bytes), then junk. */
  static const uint8_t p[] = {0xab, 0x60, 0x37, 0x42, 0x80, 0x00, 0x40, 0x00, 0xee};
  static const uint8_t small[] = {0x04, 0x00};
  uint64_t a = 1, b = 2;
  size_t n;
  (void)state;

  assert_int_equal(varint_pair_decode(p, sizeof(p), &a, &b), 8);
  assert_true(a == 0x2b603742);
  assert_true(b == 16384);
  assert_int_equal(varint_pair_decode(small, sizeof(small), &a, &b), 2);
  assert_true(a == 4);
  assert_true(b == 0);
  for (n = 0; n < 8; ++n) {
    a = 1;
    b = 2;
    assert_int_equal(varint_pair_decode(p, n, &a, &b), 0);
    assert_true(a == 1);
    assert_true(b == 2);
  }
}

static void test_fill(void **state) {
  static const uint8_t two[] = {0x40, 0x41};
  static const uint8_t four[] = {0x80, 0x00, 0x78, 0xae, 0xaa, 0xbb};
  static const uint8_t eight[] = {0xc0, 0, 0, 0, 0xc6, 0x71, 0x70, 0x6a, 0x01};
  uint8_t acc[VARINT_MAXLEN], acclen = 0;
  uint64_t v = 0;
  bool done = true;
  (void)state;

  /* A 2-byte varint a byte at a time. */
  assert_int_equal(varint_fill(acc, &acclen, two, 1, &v, &done), 1);
  assert_false(done);
  assert_int_equal(acclen, 1);
  assert_int_equal(varint_fill(acc, &acclen, two + 1, 1, &v, &done), 1);
  assert_true(done);
  assert_true(v == 0x41);
  assert_int_equal(acclen, 0);

  /* 4 bytes split 3 + 3: the second call uses only what it needs. */
  assert_int_equal(varint_fill(acc, &acclen, four, 3, &v, &done), 3);
  assert_false(done);
  assert_int_equal(varint_fill(acc, &acclen, four + 3, 3, &v, &done), 1);
  assert_true(done);
  assert_true(v == 0x78ae);

  /* 8 bytes at once, followed by more data. */
  assert_int_equal(varint_fill(acc, &acclen, eight, sizeof(eight), &v, &done), 8);
  assert_true(done);
  assert_true(v == 0xc671706a);

  /* A 1-byte varint. */
  assert_int_equal(varint_fill(acc, &acclen, eight + 8, 1, &v, &done), 1);
  assert_true(done && v == 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_len_boundaries),   cmocka_unit_test(test_encode_vectors),
      cmocka_unit_test(test_decode_vectors),   cmocka_unit_test(test_decode_non_minimal),
      cmocka_unit_test(test_decode_truncated), cmocka_unit_test(test_encode_too_large),
      cmocka_unit_test(test_roundtrip),        cmocka_unit_test(test_pair_decode),
      cmocka_unit_test(test_fill),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
