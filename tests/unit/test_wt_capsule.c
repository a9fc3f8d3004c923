/* Unit tests for src/wt/wt_capsule.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "common/utf8.h"
#include "common/varint.h"
#include "wt/wt_capsule.h"

static void test_hdr_parse(void **state) {
  static const uint8_t close_hdr[] = {0x68, 0x43, 0x07, 0x00};
  static const uint8_t big[] = {0xc0, 0, 0, 0, 0, 0, 0x78, 0xae, 0xc0, 0, 0, 0, 0, 0, 0, 0};
  uint64_t type = 1, length = 1;
  size_t n;
  (void)state;

  assert_int_equal(wt_capsule_hdr_parse(close_hdr, sizeof(close_hdr), &type, &length), 3);
  assert_true(type == WT_CAPSULE_CLOSE_SESSION);
  assert_true(length == 7);
  assert_int_equal(wt_capsule_hdr_parse(big, sizeof(big), &type, &length), WT_CAPSULE_HDR_MAX);
  assert_true(type == WT_CAPSULE_DRAIN_SESSION);
  assert_true(length == 0);

  for (n = 0; n < 3; ++n) {
    assert_int_equal(wt_capsule_hdr_parse(close_hdr, n, &type, &length), 0);
  }
  for (n = 0; n < WT_CAPSULE_HDR_MAX; ++n) {
    assert_int_equal(wt_capsule_hdr_parse(big, n, &type, &length), 0);
  }
}

static void test_close_bytes(void **state) {
  static const uint8_t expect[] = {0x68, 0x43, 0x07, 0x00, 0x00, 0x00, 0x07, 0x62, 0x79, 0x65};
  uint8_t buf[WT_CAPSULE_CLOSE_MAX];
  (void)state;

  memset(buf, 0xaa, sizeof(buf));
  assert_int_equal(wt_capsule_close_write(buf, sizeof(buf), 7, "bye", 3), sizeof(expect));
  assert_memory_equal(buf, expect, sizeof(expect));
  assert_int_equal(buf[sizeof(expect)], 0xaa);

  /* Exactly enough room; one byte short writes nothing. */
  assert_int_equal(wt_capsule_close_write(buf, sizeof(expect), 7, "bye", 3), sizeof(expect));
  memset(buf, 0xaa, sizeof(buf));
  assert_int_equal(wt_capsule_close_write(buf, sizeof(expect) - 1, 7, "bye", 3), 0);
  assert_int_equal(buf[0], 0xaa);
}

static void test_close_parse(void **state) {
  static const uint8_t value[] = {0x00, 0x00, 0x00, 0x07, 0x62, 0x79, 0x65};
  static const uint8_t be[] = {0xde, 0xad, 0xbe, 0xef};
  uint32_t code = 0;
  const uint8_t *reason = NULL;
  size_t reasonlen = 99;
  (void)state;

  assert_int_equal(wt_capsule_close_parse(value, sizeof(value), &code, &reason, &reasonlen), 0);
  assert_int_equal(code, 7);
  assert_ptr_equal(reason, value + 4);
  assert_int_equal(reasonlen, 3);
  assert_memory_equal(reason, "bye", 3);

  /* Empty reason; big-endian code. */
  assert_int_equal(wt_capsule_close_parse(be, sizeof(be), &code, &reason, &reasonlen), 0);
  assert_true(code == UINT32_C(0xdeadbeef));
  assert_int_equal(reasonlen, 0);
}

static void test_close_short_value(void **state) {
  static const uint8_t value[] = {0x00, 0x00, 0x00, 0x07};
  uint32_t code;
  const uint8_t *reason;
  size_t reasonlen, n;
  (void)state;

  for (n = 0; n < 4; ++n) {
    assert_int_equal(wt_capsule_close_parse(value, n, &code, &reason, &reasonlen), -1);
  }
  assert_int_equal(wt_capsule_close_parse(value, 4, &code, &reason, &reasonlen), 0);
}

static void test_close_empty_reason(void **state) {
  static const uint8_t expect[] = {0x68, 0x43, 0x04, 0x00, 0x00, 0x01, 0x00};
  uint8_t buf[WT_CAPSULE_CLOSE_MAX];
  uint64_t type, length;
  uint32_t code;
  const uint8_t *reason;
  size_t reasonlen, n, h;
  (void)state;

  n = wt_capsule_close_write(buf, sizeof(buf), 256, NULL, 0);
  assert_int_equal(n, sizeof(expect));
  assert_memory_equal(buf, expect, sizeof(expect));
  assert_int_equal(wt_capsule_close_write(buf, sizeof(buf), 256, "", 0), sizeof(expect));

  h = wt_capsule_hdr_parse(buf, n, &type, &length);
  assert_int_equal(h, 3);
  assert_true(type == WT_CAPSULE_CLOSE_SESSION);
  assert_true(length == 4);
  assert_int_equal(wt_capsule_close_parse(buf + h, (size_t)length, &code, &reason, &reasonlen),
                   0);
  assert_int_equal(code, 256);
  assert_int_equal(reasonlen, 0);
}

static void test_close_reason_limit(void **state) {
  uint8_t value[4 + WT_CLOSE_REASON_MAX + 1];
  uint32_t code;
  const uint8_t *reason;
  size_t reasonlen;
  (void)state;

  memset(value, 0, 4);
  memset(value + 4, 'x', sizeof(value) - 4);
  assert_int_equal(
      wt_capsule_close_parse(value, 4 + WT_CLOSE_REASON_MAX, &code, &reason, &reasonlen), 0);
  assert_int_equal(reasonlen, WT_CLOSE_REASON_MAX);
  assert_int_equal(
      wt_capsule_close_parse(value, 4 + WT_CLOSE_REASON_MAX + 1, &code, &reason, &reasonlen), -1);
}

static void test_close_invalid_utf8(void **state) {
  static const char *bad[] = {"\xff", "\xc0\x80", "\xed\xa0\x80", "ok\xe2\x82", "\xf4\x90\x80\x80"};
  size_t i;
  (void)state;

  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
    uint8_t value[16] = {0, 0, 0, 1};
    size_t n = strlen(bad[i]);
    uint32_t code;
    const uint8_t *reason;
    size_t reasonlen;

    memcpy(value + 4, bad[i], n);
    assert_int_equal(wt_capsule_close_parse(value, 4 + n, &code, &reason, &reasonlen), -1);
  }
  {
    static const uint8_t good[] = {0, 0, 0, 1, 0xe2, 0x82, 0xac};
    uint32_t code;
    const uint8_t *reason;
    size_t reasonlen;

    assert_int_equal(wt_capsule_close_parse(good, sizeof(good), &code, &reason, &reasonlen), 0);
    assert_int_equal(reasonlen, 3);
  }
}

/* Writes a CLOSE with |reason| and checks that it parses back with a reason
 * of |expect_len| bytes equal to the start of |reason|. */
static void write_and_check(const char *reason, size_t len, size_t expect_len) {
  uint8_t buf[WT_CAPSULE_CLOSE_MAX];
  uint64_t type, length;
  uint32_t code;
  const uint8_t *r;
  size_t rlen, n, h;

  n = wt_capsule_close_write(buf, sizeof(buf), 0x12345678, reason, len);
  assert_int_not_equal(n, 0);
  h = wt_capsule_hdr_parse(buf, n, &type, &length);
  assert_int_not_equal(h, 0);
  assert_true(type == WT_CAPSULE_CLOSE_SESSION);
  assert_true(h + length == n);
  assert_int_equal(wt_capsule_close_parse(buf + h, (size_t)length, &code, &r, &rlen), 0);
  assert_true(code == 0x12345678);
  assert_int_equal(rlen, expect_len);
  assert_memory_equal(r, reason, expect_len);
}

static void test_close_write_truncates(void **state) {
  static char s[2 * WT_CLOSE_REASON_MAX];
  static const char *seq[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
  size_t i, start;
  (void)state;

  /* ASCII: 1024 kept as is, 1025 and more cut to 1024. */
  memset(s, 'a', sizeof(s));
  write_and_check(s, WT_CLOSE_REASON_MAX, WT_CLOSE_REASON_MAX);
  write_and_check(s, WT_CLOSE_REASON_MAX + 1, WT_CLOSE_REASON_MAX);
  write_and_check(s, sizeof(s), WT_CLOSE_REASON_MAX);
  {
    uint8_t buf[WT_CAPSULE_CLOSE_MAX];

    /* 2-byte type, 2-byte length (1028), 4-byte code, 1024 reason. */
    assert_int_equal(wt_capsule_close_write(buf, sizeof(buf), 0, s, sizeof(s)),
                     2 + 2 + 4 + WT_CLOSE_REASON_MAX);
    assert_int_equal(buf[2], 0x44);
    assert_int_equal(buf[3], 0x04);
  }

  /* A 2-, 3- or 4-byte sequence at every position around the limit. */
  for (i = 0; i < 3; ++i) {
    size_t slen = strlen(seq[i]);

    for (start = WT_CLOSE_REASON_MAX - 4; start <= WT_CLOSE_REASON_MAX; ++start) {
      size_t expect;

      memset(s, 'a', sizeof(s));
      memcpy(s + start, seq[i], slen);
      /* The sequence is dropped whole if it does not fit in 1024. */
      expect = start + slen <= WT_CLOSE_REASON_MAX ? WT_CLOSE_REASON_MAX : start;
      write_and_check(s, sizeof(s), expect);
      assert_true(utf8_valid((const uint8_t *)s, expect));
    }
  }

  /* All 3-byte characters: 341 fit (1023 bytes). */
  for (i = 0; i + 3 <= sizeof(s); i += 3) {
    memcpy(s + i, "\xe2\x82\xac", 3);
  }
  write_and_check(s, i, 1023);
  /* All 4-byte characters: 256 fit exactly. */
  for (i = 0; i + 4 <= sizeof(s); i += 4) {
    memcpy(s + i, "\xf0\x9f\x98\x80", 4);
  }
  write_and_check(s, i, 1024);
}

static void test_drain(void **state) {
  /* 0x78ae > 16383: a 4-byte varint. */
  static const uint8_t expect[] = {0x80, 0x00, 0x78, 0xae, 0x00};
  uint8_t buf[8];
  uint64_t type = 1, length = 1;
  (void)state;

  memset(buf, 0xaa, sizeof(buf));
  assert_int_equal(wt_capsule_drain_write(buf, sizeof(buf)), sizeof(expect));
  assert_memory_equal(buf, expect, sizeof(expect));
  assert_int_equal(buf[sizeof(expect)], 0xaa);
  assert_int_equal(wt_capsule_hdr_parse(buf, sizeof(expect), &type, &length), sizeof(expect));
  assert_true(type == WT_CAPSULE_DRAIN_SESSION);
  assert_true(length == 0);

  assert_int_equal(wt_capsule_drain_write(buf, sizeof(expect)), sizeof(expect));
  memset(buf, 0xaa, sizeof(buf));
  assert_int_equal(wt_capsule_drain_write(buf, sizeof(expect) - 1), 0);
  assert_int_equal(wt_capsule_drain_write(buf, 0), 0);
  assert_int_equal(buf[0], 0xaa);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hdr_parse),          cmocka_unit_test(test_close_bytes),
      cmocka_unit_test(test_close_parse),        cmocka_unit_test(test_close_short_value),
      cmocka_unit_test(test_close_empty_reason), cmocka_unit_test(test_close_reason_limit),
      cmocka_unit_test(test_close_invalid_utf8), cmocka_unit_test(test_close_write_truncates),
      cmocka_unit_test(test_drain),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
