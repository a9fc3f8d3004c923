/* Unit tests for src/h3/h3_settings.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "common/varint.h"
#include "h3/h3_error.h"
#include "h3/h3_frame.h"
#include "h3/h3_settings.h"

/* What Chrome sends (wt-facts 1.2): QPACK_MAX_TABLE_CAPACITY 65536,
 * MAX_FIELD_SECTION_SIZE 16384, QPACK_BLOCKED_STREAMS 100, H3_DATAGRAM 1,
 * H3_DATAGRAM_DRAFT04 1, ENABLE_WEBTRANSPORT 1, and a GREASE id. */
static const uint8_t chrome[] = {
    0x01, 0x80, 0x01, 0x00, 0x00,                   /* 0x1 = 65536 */
    0x06, 0x80, 0x00, 0x40, 0x00,                   /* 0x6 = 16384 */
    0x07, 0x40, 0x64,                               /* 0x7 = 100 */
    0x33, 0x01,                                     /* 0x33 = 1 */
    0x80, 0xff, 0xd2, 0x77, 0x01,                   /* 0xffd277 = 1 */
    0xab, 0x60, 0x37, 0x42, 0x01,                   /* 0x2b603742 = 1 */
    0xc0, 0x00, 0x02, 0x34, 0x56, 0x78, 0x99, 0x91, /* GREASE 0x23456789991 */
    0x9a, 0x3b, 0x2c, 0x1d,                         /* = 0x1a3b2c1d */
};
/* Offsets at which a prefix of |chrome| ends on a pair boundary. */
static const size_t chrome_pairs[] = {0, 5, 10, 13, 15, 20, 25, 37};

static void assert_defaults(const h3_settings *s) {
  assert_true(s->qpack_max_table_capacity == 0);
  assert_true(s->max_field_section_size == UINT64_MAX);
  assert_true(s->qpack_blocked_streams == 0);
  assert_false(s->enable_connect_protocol);
  assert_false(s->h3_datagram);
  assert_false(s->h3_datagram_draft04);
  assert_false(s->enable_webtransport);
  assert_true(s->wt_max_sessions == 0);
}

static void test_chrome(void **state) {
  h3_settings s;
  (void)state;

  assert_true(h3_is_grease(UINT64_C(0x23456789991)));
  memset(&s, 0x55, sizeof(s));
  assert_int_equal(h3_settings_parse(chrome, sizeof(chrome), &s), 0);
  assert_true(s.qpack_max_table_capacity == 65536);
  assert_true(s.max_field_section_size == 16384);
  assert_true(s.qpack_blocked_streams == 100);
  assert_false(s.enable_connect_protocol);
  assert_true(s.h3_datagram);
  assert_true(s.h3_datagram_draft04);
  assert_true(s.enable_webtransport);
  assert_true(s.wt_max_sessions == 0);
  assert_true(h3_settings_supports_wt(&s));
}

static void test_chrome_truncated(void **state) {
  size_t n, k = 0;
  (void)state;
  for (n = 0; n <= sizeof(chrome); ++n) {
    h3_settings s;
    uint64_t rv = h3_settings_parse(chrome, n, &s);

    if (k < sizeof(chrome_pairs) / sizeof(chrome_pairs[0]) && chrome_pairs[k] == n) {
      assert_int_equal(rv, 0);
      ++k;
    } else {
      assert_int_equal(rv, H3_FRAME_ERROR);
    }
  }
  assert_int_equal(k, sizeof(chrome_pairs) / sizeof(chrome_pairs[0]));
}

static void test_empty(void **state) {
  static const uint8_t none[1] = {0};
  h3_settings s;
  (void)state;

  memset(&s, 0x55, sizeof(s));
  assert_int_equal(h3_settings_parse(none, 0, &s), 0);
  assert_defaults(&s);
  assert_false(h3_settings_supports_wt(&s));
}

static void test_duplicates(void **state) {
  static const uint8_t dup_known[] = {0x01, 0x00, 0x06, 0x00, 0x01, 0x00};
  static const uint8_t dup_bool[] = {0x33, 0x01, 0x33, 0x01};
  static const uint8_t dup_nonminimal[] = {0x07, 0x00, 0x40, 0x07, 0x00};
  static const uint8_t dup_grease[] = {0x40, 0x7e, 0x00, 0x40, 0x7e, 0x01};
  static const uint8_t dup_unknown[] = {0x40, 0x99, 0x00, 0x40, 0x99, 0x00};
  static const uint8_t dup_wt[] = {0xc0, 0x00, 0x00, 0x00, 0xc6, 0x71, 0x70, 0x6a, 0x01,
                                   0xc0, 0x00, 0x00, 0x00, 0xc6, 0x71, 0x70, 0x6a, 0x02};
  h3_settings s;
  (void)state;

  assert_int_equal(h3_settings_parse(dup_known, sizeof(dup_known), &s), H3_SETTINGS_ERROR);
  assert_defaults(&s);
  assert_int_equal(h3_settings_parse(dup_bool, sizeof(dup_bool), &s), H3_SETTINGS_ERROR);
  assert_int_equal(h3_settings_parse(dup_nonminimal, sizeof(dup_nonminimal), &s),
                   H3_SETTINGS_ERROR);
  assert_int_equal(h3_settings_parse(dup_grease, sizeof(dup_grease), &s), H3_SETTINGS_ERROR);
  assert_int_equal(h3_settings_parse(dup_unknown, sizeof(dup_unknown), &s), H3_SETTINGS_ERROR);
  assert_int_equal(h3_settings_parse(dup_wt, sizeof(dup_wt), &s), H3_SETTINGS_ERROR);
  /* A single occurrence of each is fine. */
  assert_int_equal(h3_settings_parse(dup_known, 4, &s), 0);
  assert_int_equal(h3_settings_parse(dup_wt, 9, &s), 0);
  assert_true(s.wt_max_sessions == 1);
}

static void test_h2_ids(void **state) {
  uint8_t p[] = {0x21, 0x00, 0x00, 0x00}; /* GREASE pair first */
  uint8_t id;
  h3_settings s;
  (void)state;

  for (id = 0x00; id <= 0x0a; ++id) {
    uint64_t expect = (id >= 0x02 && id <= 0x05) ? H3_SETTINGS_ERROR : 0;

    p[2] = id;
    p[3] = 0x00;
    assert_int_equal(h3_settings_parse(p, sizeof(p), &s), expect);
    /* Also as the first pair. */
    assert_int_equal(h3_settings_parse(p + 2, 2, &s), expect);
  }
  /* Non-minimal 0x02 is still 0x02. */
  {
    static const uint8_t nm[] = {0x40, 0x02, 0x00};

    assert_int_equal(h3_settings_parse(nm, sizeof(nm), &s), H3_SETTINGS_ERROR);
  }
}

static void test_bool_values(void **state) {
  static const uint64_t bools[] = {H3_SETTING_ENABLE_CONNECT_PROTOCOL, H3_SETTING_H3_DATAGRAM,
                                   H3_SETTING_H3_DATAGRAM_DRAFT04,
                                   H3_SETTING_ENABLE_WEBTRANSPORT};
  static const uint64_t values[] = {0, 1, 2, 63, 64, VARINT_MAX};
  size_t i, j;
  (void)state;

  for (i = 0; i < sizeof(bools) / sizeof(bools[0]); ++i) {
    for (j = 0; j < sizeof(values) / sizeof(values[0]); ++j) {
      uint8_t p[16];
      size_t n = (size_t)(varint_encode(varint_encode(p, bools[i]), values[j]) - p);
      h3_settings s;
      bool flag;

      if (values[j] > 1) {
        assert_int_equal(h3_settings_parse(p, n, &s), H3_SETTINGS_ERROR);
        continue;
      }
      assert_int_equal(h3_settings_parse(p, n, &s), 0);
      switch (i) {
      case 0:
        flag = s.enable_connect_protocol;
        break;
      case 1:
        flag = s.h3_datagram;
        break;
      case 2:
        flag = s.h3_datagram_draft04;
        break;
      default:
        flag = s.enable_webtransport;
        break;
      }
      assert_int_equal(flag, values[j] == 1);
    }
  }
  /* Non-boolean settings take any value. */
  {
    static const uint8_t p[] = {0x01, 0x02, 0x07, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    h3_settings s;

    assert_int_equal(h3_settings_parse(p, sizeof(p), &s), 0);
    assert_true(s.qpack_max_table_capacity == 2);
    assert_true(s.qpack_blocked_streams == VARINT_MAX);
  }
}

static void test_truncated_pairs(void **state) {
  static const uint8_t id_only[] = {0x01};
  static const uint8_t value_cut[] = {0x01, 0x40};
  static const uint8_t id_cut[] = {0x80, 0xff, 0xd2};
  static const uint8_t value8_cut[] = {0x33, 0x01, 0x06, 0xc0, 0, 0, 0, 0, 0, 0};
  h3_settings s;
  (void)state;

  assert_int_equal(h3_settings_parse(id_only, sizeof(id_only), &s), H3_FRAME_ERROR);
  assert_int_equal(h3_settings_parse(value_cut, sizeof(value_cut), &s), H3_FRAME_ERROR);
  assert_int_equal(h3_settings_parse(id_cut, sizeof(id_cut), &s), H3_FRAME_ERROR);
  assert_int_equal(h3_settings_parse(value8_cut, sizeof(value8_cut), &s), H3_FRAME_ERROR);
  assert_defaults(&s);
}

/* H3_SETTINGS_MAX_IDS (64) distinct ids are accepted; one more is
 * H3_EXCESSIVE_LOAD (documented in h3_settings.c). */
static void test_many_ids(void **state) {
  uint8_t p[65 * 3];
  size_t i;
  h3_settings s;
  (void)state;

  for (i = 0; i < 65; ++i) {
    p[i * 3] = 0x50; /* unknown ids 0x1000..0x1040 */
    p[i * 3 + 1] = (uint8_t)i;
    p[i * 3 + 2] = 0x00;
  }
  assert_int_equal(h3_settings_parse(p, 64 * 3, &s), 0);
  assert_int_equal(h3_settings_parse(p, 65 * 3, &s), H3_EXCESSIVE_LOAD);
}

static void test_supports_wt(void **state) {
  h3_settings s;
  (void)state;

  memset(&s, 0, sizeof(s));
  assert_false(h3_settings_supports_wt(&s));

  /* draft-02 */
  s.enable_webtransport = true;
  assert_false(h3_settings_supports_wt(&s));
  s.h3_datagram = true;
  assert_true(h3_settings_supports_wt(&s));
  s.h3_datagram = false;
  s.h3_datagram_draft04 = true;
  assert_true(h3_settings_supports_wt(&s));
  s.enable_webtransport = false;
  assert_false(h3_settings_supports_wt(&s));

  /* draft-07 */
  memset(&s, 0, sizeof(s));
  s.wt_max_sessions = 1;
  s.enable_connect_protocol = true;
  s.h3_datagram = true;
  assert_true(h3_settings_supports_wt(&s));
  s.h3_datagram = false;
  s.h3_datagram_draft04 = true; /* draft-07 needs the RFC id */
  assert_false(h3_settings_supports_wt(&s));
  s.h3_datagram = true;
  s.enable_connect_protocol = false;
  assert_false(h3_settings_supports_wt(&s));
  s.enable_connect_protocol = true;
  s.wt_max_sessions = 0;
  assert_false(h3_settings_supports_wt(&s));
}

/* The list wt_conn.c gives h3_conn (after h3_conn's own QPACK pair). */
static size_t write_ours(uint8_t *buf, size_t cap, uint64_t max_sessions) {
  const h3_setting list[] = {
      {H3_SETTING_QPACK_MAX_TABLE_CAPACITY, 0}, {H3_SETTING_QPACK_BLOCKED_STREAMS, 0},
      {H3_SETTING_ENABLE_CONNECT_PROTOCOL, 1},  {H3_SETTING_H3_DATAGRAM, 1},
      {H3_SETTING_ENABLE_WEBTRANSPORT, 1},      {H3_SETTING_WT_MAX_SESSIONS_DRAFT07, max_sessions},
  };
  return h3_settings_write(buf, cap, list, sizeof(list) / sizeof(list[0]));
}

static void test_write_ours(void **state) {
  static const uint8_t expect[] = {
      0x04, 0x16,                                     /* SETTINGS, 22 bytes */
      0x01, 0x00,                                     /* 0x01 = 0 */
      0x07, 0x00,                                     /* 0x07 = 0 */
      0x08, 0x01,                                     /* 0x08 = 1 */
      0x33, 0x01,                                     /* 0x33 = 1 */
      0xab, 0x60, 0x37, 0x42, 0x01,                   /* 0x2b603742 = 1 */
      0xc0, 0x00, 0x00, 0x00, 0xc6, 0x71, 0x70, 0x6a, /* 0xc671706a */
      0x10,                                           /* = 16 */
  };
  uint8_t buf[64];
  uint64_t type, length;
  size_t n, h;
  h3_settings s;
  (void)state;

  memset(buf, 0xaa, sizeof(buf));
  n = write_ours(buf, sizeof(buf), 16);
  assert_int_equal(n, sizeof(expect));
  assert_memory_equal(buf, expect, sizeof(expect));
  assert_int_equal(buf[n], 0xaa);

  h = h3_frame_hdr_parse(buf, n, &type, &length);
  assert_int_equal(h, 2);
  assert_true(type == H3_FRAME_SETTINGS);
  assert_true(length == n - h);
  assert_int_equal(h3_settings_parse(buf + h, (size_t)length, &s), 0);
  assert_true(s.qpack_max_table_capacity == 0);
  assert_true(s.max_field_section_size == UINT64_MAX);
  assert_true(s.qpack_blocked_streams == 0);
  assert_true(s.enable_connect_protocol);
  assert_true(s.h3_datagram);
  assert_false(s.h3_datagram_draft04);
  assert_true(s.enable_webtransport);
  assert_true(s.wt_max_sessions == 16);
  assert_true(h3_settings_supports_wt(&s));

  /* Exactly enough room, one byte short. */
  assert_int_equal(write_ours(buf, sizeof(expect), 16), sizeof(expect));
  memset(buf, 0xaa, sizeof(buf));
  assert_int_equal(write_ours(buf, sizeof(expect) - 1, 16), 0);
  assert_int_equal(write_ours(buf, 0, 16), 0);
  assert_int_equal(buf[0], 0xaa);

  /* Bigger values grow the length field. */
  n = write_ours(buf, sizeof(buf), VARINT_MAX);
  assert_int_equal(n, sizeof(expect) + 7);
  assert_int_equal(buf[1], 0x16 + 7);
  assert_int_equal(h3_settings_parse(buf + 2, n - 2, &s), 0);
  assert_true(s.wt_max_sessions == VARINT_MAX);
  assert_int_equal(write_ours(buf, sizeof(buf), VARINT_MAX + 1), 0);

  /* An empty list is an empty SETTINGS frame. */
  assert_int_equal(h3_settings_write(buf, sizeof(buf), NULL, 0), 2);
  assert_int_equal(buf[0], 0x04);
  assert_int_equal(buf[1], 0x00);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_chrome),      cmocka_unit_test(test_chrome_truncated),
      cmocka_unit_test(test_empty),       cmocka_unit_test(test_duplicates),
      cmocka_unit_test(test_h2_ids),      cmocka_unit_test(test_bool_values),
      cmocka_unit_test(test_truncated_pairs), cmocka_unit_test(test_many_ids),
      cmocka_unit_test(test_supports_wt), cmocka_unit_test(test_write_ours),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
