/* Unit tests for src/common/utf8.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "common/utf8.h"

#define V(s) utf8_valid((const uint8_t *)(s), sizeof(s) - 1)

/* An independent reference: decode by bit pattern, then reject overlongs,
 * surrogates and code points above U+10FFFF. */
static bool ref_valid(const uint8_t *p, size_t len) {
  static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
  size_t i = 0, n, k;
  uint32_t cp;

  while (i < len) {
    uint8_t c = p[i];

    if (c < 0x80) {
      n = 1;
      cp = c;
    } else if ((c & 0xe0) == 0xc0) {
      n = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (len - i < n) {
      return false;
    }
    for (k = 1; k < n; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += n;
  }
  return true;
}

static size_t encode_cp(uint8_t *p, uint32_t cp) {
  if (cp < 0x80) {
    p[0] = (uint8_t)cp;
    return 1;
  }
  if (cp < 0x800) {
    p[0] = (uint8_t)(0xc0 | (cp >> 6));
    p[1] = (uint8_t)(0x80 | (cp & 0x3f));
    return 2;
  }
  if (cp < 0x10000) {
    p[0] = (uint8_t)(0xe0 | (cp >> 12));
    p[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
    p[2] = (uint8_t)(0x80 | (cp & 0x3f));
    return 3;
  }
  p[0] = (uint8_t)(0xf0 | (cp >> 18));
  p[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
  p[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
  p[3] = (uint8_t)(0x80 | (cp & 0x3f));
  return 4;
}

static void test_valid(void **state) {
  (void)state;
  assert_true(utf8_valid(NULL, 0));
  assert_true(V(""));
  assert_true(V("bye"));
  assert_true(V("\x00"));
  assert_true(V("\x7f"));
  assert_true(V("\xc2\x80"));         /* U+0080 */
  assert_true(V("\xc3\xa9"));         /* é */
  assert_true(V("\xdf\xbf"));         /* U+07FF */
  assert_true(V("\xe0\xa0\x80"));     /* U+0800 */
  assert_true(V("\xe2\x82\xac"));     /* € */
  assert_true(V("\xed\x9f\xbf"));     /* U+D7FF */
  assert_true(V("\xee\x80\x80"));     /* U+E000 */
  assert_true(V("\xef\xbf\xbf"));     /* U+FFFF */
  assert_true(V("\xf0\x90\x80\x80")); /* U+10000 */
  assert_true(V("\xf0\x9f\x98\x80")); /* 😀 */
  assert_true(V("\xf4\x8f\xbf\xbf")); /* U+10FFFF */
  assert_true(V("a\xc3\xa9z\xe2\x82\xac\xf0\x9f\x98\x80!"));
}

static void test_invalid(void **state) {
  (void)state;
  /* Stray continuation bytes and never-used bytes. */
  assert_false(V("\x80"));
  assert_false(V("\xbf"));
  assert_false(V("a\x80z"));
  assert_false(V("\xf5\x80\x80\x80"));
  assert_false(V("\xf8\x88\x80\x80\x80"));
  assert_false(V("\xfe"));
  assert_false(V("\xff"));
  /* Overlongs. */
  assert_false(V("\xc0\x80"));
  assert_false(V("\xc0\xaf"));
  assert_false(V("\xc1\xbf"));
  assert_false(V("\xe0\x80\x80"));
  assert_false(V("\xe0\x9f\xbf"));
  assert_false(V("\xf0\x80\x80\x80"));
  assert_false(V("\xf0\x8f\xbf\xbf"));
  /* Surrogates. */
  assert_false(V("\xed\xa0\x80")); /* U+D800 */
  assert_false(V("\xed\xbf\xbf")); /* U+DFFF */
  assert_false(V("\xed\xa0\xbd\xed\xb8\x80")); /* CESU-8 pair */
  /* Above U+10FFFF. */
  assert_false(V("\xf4\x90\x80\x80"));
  assert_false(V("\xf7\xbf\xbf\xbf"));
  /* Truncated sequences, also at the end of otherwise valid text. */
  assert_false(V("\xc3"));
  assert_false(V("\xe2\x82"));
  assert_false(V("\xf0\x9f\x98"));
  assert_false(V("ok\xf0\x9f"));
  /* Bad continuation bytes. */
  assert_false(V("\xc3\x41"));
  assert_false(V("\xe2\x41\xac"));
  assert_false(V("\xe2\x82\x41"));
  assert_false(V("\xf0\x9f\x41\x80"));
  assert_false(V("\xf0\x9f\x98\xc0"));
}

static void test_length_is_respected(void **state) {
  static const uint8_t p[] = {'a', 0xe2, 0x82, 0xac};
  (void)state;
  assert_true(utf8_valid(p, 1));
  assert_false(utf8_valid(p, 2));
  assert_false(utf8_valid(p, 3));
  assert_true(utf8_valid(p, 4));
}

static void test_every_code_point(void **state) {
  uint32_t cp;
  (void)state;
  for (cp = 0; cp <= 0x10ffff; ++cp) {
    uint8_t buf[4];
    size_t n = encode_cp(buf, cp);
    bool surrogate = cp >= 0xd800 && cp <= 0xdfff;

    assert_int_equal(utf8_valid(buf, n), !surrogate);
    /* Every overlong (longer) form is rejected. */
    if (n < 4) {
      uint8_t o[4];

      o[0] = (uint8_t)(0xf0 | (cp >> 18));
      o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
      o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
      o[3] = (uint8_t)(0x80 | (cp & 0x3f));
      assert_false(utf8_valid(o, 4));
    }
    if (n < 3) {
      uint8_t o[3];

      o[0] = (uint8_t)(0xe0 | (cp >> 12));
      o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
      o[2] = (uint8_t)(0x80 | (cp & 0x3f));
      assert_false(utf8_valid(o, 3));
    }
    if (n < 2) {
      uint8_t o[2];

      o[0] = (uint8_t)(0xc0 | (cp >> 6));
      o[1] = (uint8_t)(0x80 | (cp & 0x3f));
      assert_false(utf8_valid(o, 2));
    }
  }
}

/* All strings of 1, 2 and 3 bytes against the reference. */
static void test_exhaustive_short(void **state) {
  uint32_t x;
  (void)state;
  for (x = 0; x < (UINT32_C(1) << 24); ++x) {
    uint8_t b[3] = {(uint8_t)(x >> 16), (uint8_t)(x >> 8), (uint8_t)x};

    if (x < 256 && utf8_valid(b + 2, 1) != ref_valid(b + 2, 1)) {
      fail_msg("1 byte %02x", b[2]);
    }
    if (x < 65536 && utf8_valid(b + 1, 2) != ref_valid(b + 1, 2)) {
      fail_msg("2 bytes %02x %02x", b[1], b[2]);
    }
    if (utf8_valid(b, 3) != ref_valid(b, 3)) {
      fail_msg("3 bytes %02x %02x %02x", b[0], b[1], b[2]);
    }
  }
}

/* 4-byte strings: every first two bytes, sampled last two bytes. */
static void test_four_bytes(void **state) {
  static const uint8_t tail[] = {0x00, 0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xff};
  uint32_t x;
  size_t i, j;
  (void)state;
  for (x = 0; x < 65536; ++x) {
    for (i = 0; i < sizeof(tail); ++i) {
      for (j = 0; j < sizeof(tail); ++j) {
        uint8_t b[4] = {(uint8_t)(x >> 8), (uint8_t)x, tail[i], tail[j]};

        if (utf8_valid(b, 4) != ref_valid(b, 4)) {
          fail_msg("4 bytes %02x %02x %02x %02x", b[0], b[1], b[2], b[3]);
        }
      }
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_valid),
      cmocka_unit_test(test_invalid),
      cmocka_unit_test(test_length_is_respected),
      cmocka_unit_test(test_every_code_point),
      cmocka_unit_test(test_exhaustive_short),
      cmocka_unit_test(test_four_bytes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
