/* Unit tests for src/wt/wt_stream.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "common/varint.h"
#include "wt/wt_stream.h"

static void test_hdr_parse(void **state) {
  static const uint8_t bidi[] = {0x40, 0x41, 0x00, 'h', 'i'};
  static const uint8_t uni[] = {0x40, 0x54, 0x00};
  static const uint8_t sess4[] = {0x40, 0x41, 0x04};
  static const uint8_t sess64[] = {0x40, 0x54, 0x40, 0x40};
  uint64_t type = 0, sid = 99;
  (void)state;

  assert_int_equal(wt_stream_hdr_parse(bidi, sizeof(bidi), &type, &sid), 3);
  assert_true(type == WT_STREAM_SIGNAL_BIDI);
  assert_true(sid == 0);
  assert_int_equal(wt_stream_hdr_parse(uni, sizeof(uni), &type, &sid), 3);
  assert_true(type == WT_STREAM_TYPE_UNI);
  assert_true(sid == 0);
  assert_int_equal(wt_stream_hdr_parse(sess4, sizeof(sess4), &type, &sid), 3);
  assert_true(type == WT_STREAM_SIGNAL_BIDI);
  assert_true(sid == 4);
  assert_int_equal(wt_stream_hdr_parse(sess64, sizeof(sess64), &type, &sid), 4);
  assert_true(type == WT_STREAM_TYPE_UNI);
  assert_true(sid == 64);
}

static void test_hdr_parse_non_minimal(void **state) {
  static const uint8_t four[] = {0x80, 0x00, 0x00, 0x41, 0x40, 0x00};
  static const uint8_t eight[] = {0xc0, 0, 0, 0, 0, 0, 0, 0x54, 0xc0, 0, 0, 0, 0, 0, 0, 0x08};
  uint64_t type, sid;
  (void)state;

  assert_int_equal(wt_stream_hdr_parse(four, sizeof(four), &type, &sid), 6);
  assert_true(type == WT_STREAM_SIGNAL_BIDI);
  assert_true(sid == 0);
  assert_int_equal(wt_stream_hdr_parse(eight, sizeof(eight), &type, &sid), WT_STREAM_HDR_MAX);
  assert_true(type == WT_STREAM_TYPE_UNI);
  assert_true(sid == 8);
}

static void test_hdr_parse_truncated(void **state) {
  static const uint8_t bidi[] = {0x40, 0x41, 0x00};
  static const uint8_t uni[] = {0x40, 0x54, 0x80, 0x00, 0x40, 0x00};
  static const uint8_t eight[] = {0xc0, 0, 0, 0, 0, 0, 0, 0x54, 0xc0, 0, 0, 0, 0, 0, 0, 0x08};
  uint64_t type, sid;
  size_t n;
  (void)state;

  for (n = 0; n < sizeof(bidi); ++n) {
    assert_int_equal(wt_stream_hdr_parse(bidi, n, &type, &sid), 0);
  }
  for (n = 0; n < sizeof(uni); ++n) {
    assert_int_equal(wt_stream_hdr_parse(uni, n, &type, &sid), 0);
  }
  for (n = 0; n < sizeof(eight); ++n) {
    assert_int_equal(wt_stream_hdr_parse(eight, n, &type, &sid), 0);
  }
  assert_int_equal(wt_stream_hdr_parse(uni, sizeof(uni), &type, &sid), 6);
  assert_true(sid == 16384);
}

static void test_hdr_write(void **state) {
  static const uint8_t e1[] = {0x40, 0x41, 0x00};
  static const uint8_t e2[] = {0x40, 0x54, 0x08};
  static const uint8_t e3[] = {0x40, 0x41, 0x80, 0x00, 0x40, 0x00};
  uint8_t buf[WT_STREAM_HDR_MAX + 1];
  uint64_t type, sid;
  size_t n;
  (void)state;

  memset(buf, 0xaa, sizeof(buf));
  assert_int_equal(wt_stream_hdr_write(buf, WT_STREAM_SIGNAL_BIDI, 0), sizeof(e1));
  assert_memory_equal(buf, e1, sizeof(e1));
  assert_int_equal(buf[sizeof(e1)], 0xaa);
  assert_int_equal(wt_stream_hdr_write(buf, WT_STREAM_TYPE_UNI, 8), sizeof(e2));
  assert_memory_equal(buf, e2, sizeof(e2));
  assert_int_equal(wt_stream_hdr_write(buf, WT_STREAM_SIGNAL_BIDI, 16384), sizeof(e3));
  assert_memory_equal(buf, e3, sizeof(e3));

  n = wt_stream_hdr_write(buf, WT_STREAM_TYPE_UNI, VARINT_MAX - 3);
  assert_int_equal(n, 10);
  assert_int_equal(wt_stream_hdr_parse(buf, n, &type, &sid), n);
  assert_true(type == WT_STREAM_TYPE_UNI);
  assert_true(sid == VARINT_MAX - 3);

  memset(buf, 0xaa, sizeof(buf));
  assert_int_equal(wt_stream_hdr_write(buf, WT_STREAM_SIGNAL_BIDI, VARINT_MAX + 1), 0);
  assert_int_equal(wt_stream_hdr_write(buf, UINT64_MAX, 0), 0);
  assert_int_equal(buf[0], 0xaa);
}

static void test_session_id_valid(void **state) {
  uint64_t id;
  (void)state;
  for (id = 0; id < 64; ++id) {
    assert_int_equal(wt_session_id_valid(id), id % 4 == 0);
  }
  assert_true(wt_session_id_valid(VARINT_MAX - 3));
  assert_false(wt_session_id_valid(VARINT_MAX));
  assert_false(wt_session_id_valid(VARINT_MAX + 1)); /* % 4 == 0 but no stream id */
  assert_false(wt_session_id_valid(UINT64_MAX - 3));
}

static void test_datagram_parse(void **state) {
  static const uint8_t ping[] = {0x00, 0x70, 0x69, 0x6e, 0x67};
  static const uint8_t q1_empty[] = {0x01};
  static const uint8_t nonmin[] = {0x40, 0x01, 'x'};
  static const uint8_t q64[] = {0x40, 0x40, 'y', 'z'};
  static const uint8_t qmax[] = {0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
  uint64_t sid = 99;
  const uint8_t *payload = NULL;
  size_t plen = 99;
  (void)state;

  assert_int_equal(wt_datagram_parse(ping, sizeof(ping), &sid, &payload, &plen), 0);
  assert_true(sid == 0);
  assert_ptr_equal(payload, ping + 1);
  assert_int_equal(plen, 4);
  assert_memory_equal(payload, "ping", 4);

  assert_int_equal(wt_datagram_parse(q1_empty, sizeof(q1_empty), &sid, &payload, &plen), 0);
  assert_true(sid == 4);
  assert_int_equal(plen, 0);

  assert_int_equal(wt_datagram_parse(nonmin, sizeof(nonmin), &sid, &payload, &plen), 0);
  assert_true(sid == 4);
  assert_ptr_equal(payload, nonmin + 2);
  assert_int_equal(plen, 1);

  assert_int_equal(wt_datagram_parse(q64, sizeof(q64), &sid, &payload, &plen), 0);
  assert_true(sid == 256);
  assert_int_equal(plen, 2);

  /* The largest quarter stream id, 2^60 - 1. */
  assert_int_equal(wt_datagram_parse(qmax, sizeof(qmax), &sid, &payload, &plen), 0);
  assert_true(sid == VARINT_MAX - 3);
  assert_int_equal(plen, 1);
}

static void test_datagram_parse_errors(void **state) {
  static const uint8_t too_big[] = {0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}; /* 2^60 */
  static const uint8_t max[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  static const uint8_t trunc2[] = {0x40};
  static const uint8_t trunc8[] = {0xc0, 0, 0, 0, 0, 0, 0};
  uint64_t sid = 99;
  const uint8_t *payload;
  size_t plen;
  (void)state;

  assert_int_equal(wt_datagram_parse(trunc2, 0, &sid, &payload, &plen), -1);
  assert_int_equal(wt_datagram_parse(trunc2, sizeof(trunc2), &sid, &payload, &plen), -1);
  assert_int_equal(wt_datagram_parse(trunc8, sizeof(trunc8), &sid, &payload, &plen), -1);
  assert_int_equal(wt_datagram_parse(too_big, sizeof(too_big), &sid, &payload, &plen), -1);
  assert_int_equal(wt_datagram_parse(max, sizeof(max), &sid, &payload, &plen), -1);
  assert_true(sid == 99);
}

static void test_datagram_hdr_write(void **state) {
  static const uint64_t sids[] = {0, 4, 252, 256, 65532, 65536, VARINT_MAX - 3};
  static const size_t lens[] = {1, 1, 1, 2, 2, 4, 8};
  uint8_t buf[VARINT_MAXLEN + 1];
  size_t i;
  (void)state;

  assert_int_equal(wt_datagram_hdr_write(buf, 0), 1);
  assert_int_equal(buf[0], 0x00);
  assert_int_equal(wt_datagram_hdr_write(buf, 4), 1);
  assert_int_equal(buf[0], 0x01);
  assert_int_equal(wt_datagram_hdr_write(buf, 256), 2);
  assert_int_equal(buf[0], 0x40);
  assert_int_equal(buf[1], 0x40);

  for (i = 0; i < sizeof(sids) / sizeof(sids[0]); ++i) {
    uint64_t sid;
    const uint8_t *payload;
    size_t plen, n;

    memset(buf, 0xaa, sizeof(buf));
    n = wt_datagram_hdr_write(buf, sids[i]);
    assert_int_equal(n, lens[i]);
    assert_int_equal(buf[n], 0xaa);
    assert_int_equal(wt_datagram_parse(buf, n + 1, &sid, &payload, &plen), 0);
    assert_true(sid == sids[i]);
    assert_ptr_equal(payload, buf + n);
    assert_int_equal(plen, 1);
  }

  /* Not a session id: nothing written. */
  memset(buf, 0xaa, sizeof(buf));
  assert_int_equal(wt_datagram_hdr_write(buf, 1), 0);
  assert_int_equal(wt_datagram_hdr_write(buf, 6), 0);
  assert_int_equal(wt_datagram_hdr_write(buf, VARINT_MAX + 1), 0);
  assert_int_equal(buf[0], 0xaa);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hdr_parse),
      cmocka_unit_test(test_hdr_parse_non_minimal),
      cmocka_unit_test(test_hdr_parse_truncated),
      cmocka_unit_test(test_hdr_write),
      cmocka_unit_test(test_session_id_valid),
      cmocka_unit_test(test_datagram_parse),
      cmocka_unit_test(test_datagram_parse_errors),
      cmocka_unit_test(test_datagram_hdr_write),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
