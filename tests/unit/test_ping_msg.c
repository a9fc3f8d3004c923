/* Unit tests for ping messages (src/ping/ping_msg.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ping/ping_msg.h"

/* pong_from_ping turns the ping at |buf| into the server's reply in place
   ("ping" -> "pong") and returns its length without any '\n'. */
static size_t pong_from_ping(uint8_t *buf, size_t len) {
  assert_true(len >= 4);
  assert_memory_equal(buf, "ping", 4);
  memcpy(buf, "pong", 4);
  if (len > 0 && buf[len - 1] == '\n') {
    --len;
  }
  return len;
}

/* round_trip writes a ping, checks its bytes against the expected prefix
   |hdr|, |pad| 'x' bytes and the '\n', turns it into a pong and parses
   it back. */
static void round_trip(uint64_t seq, uint64_t ts, size_t pad, bool newline, const char *hdr) {
  size_t want = ping_msg_len(seq, ts, pad, newline);
  size_t hlen = strlen(hdr);
  size_t cap = want + 16;
  uint8_t *buf = malloc(cap);
  uint64_t s = 12345, t = 67890;
  size_t n, i, plen;

  assert_non_null(buf);
  memset(buf, 0xee, cap);

  assert_int_equal(want, hlen + (pad ? 1 + pad : 0) + (newline ? 1 : 0));

  n = ping_msg_write(buf, cap, seq, ts, pad, newline);
  assert_int_equal(n, want);
  assert_memory_equal(buf, hdr, hlen);
  if (pad) {
    assert_int_equal(buf[hlen], ' ');
    for (i = 0; i < pad; ++i) {
      assert_int_equal(buf[hlen + 1 + i], 'x');
    }
  }
  if (newline) {
    assert_int_equal(buf[n - 1], '\n');
  }
  /* Nothing written past the message. */
  assert_int_equal(buf[n], 0xee);

  /* Exactly fitting works, one byte less does not. */
  memset(buf, 0xee, cap);
  assert_int_equal(ping_msg_write(buf, want, seq, ts, pad, newline), want);
  memset(buf, 0xee, cap);
  assert_int_equal(ping_msg_write(buf, want - 1, seq, ts, pad, newline), 0);
  assert_int_equal(buf[0], 0xee);

  n = ping_msg_write(buf, cap, seq, ts, pad, newline);
  plen = pong_from_ping(buf, n);
  assert_int_equal(ping_msg_parse_pong(buf, plen, &s, &t), 0);
  assert_true(s == seq);
  assert_true(t == ts);

  free(buf);
}

static void test_round_trip(void **state) {
  (void)state;

  round_trip(0, 0, 0, false, "ping 0 0");
  round_trip(0, 0, 0, true, "ping 0 0");
  round_trip(UINT64_MAX, UINT64_MAX, 0, false,
             "ping 18446744073709551615 18446744073709551615");
  round_trip(UINT64_MAX, UINT64_MAX, 0, true, "ping 18446744073709551615 18446744073709551615");
  round_trip(0, UINT64_MAX, 1, true, "ping 0 18446744073709551615");
  round_trip(UINT64_MAX, 0, 1, false, "ping 18446744073709551615 0");
  round_trip(7, 1234567890123, 60000, true, "ping 7 1234567890123");
  round_trip(UINT64_MAX, UINT64_MAX, 60000, false,
             "ping 18446744073709551615 18446744073709551615");
  round_trip(10, 99, 1, false, "ping 10 99");
  round_trip(9, 100, 3, true, "ping 9 100");
}

static void test_len(void **state) {
  (void)state;

  assert_int_equal(ping_msg_len(0, 0, 0, false), 8);
  assert_int_equal(ping_msg_len(0, 0, 0, true), 9);
  assert_int_equal(ping_msg_len(0, 0, 1, false), 10);
  assert_int_equal(ping_msg_len(UINT64_MAX, UINT64_MAX, 0, false), PING_MSG_HDR_MAX - 1);
  assert_int_equal(ping_msg_len(UINT64_MAX, UINT64_MAX, 5, true), PING_MSG_HDR_MAX + 5 + 1);
  assert_int_equal(ping_msg_len(10, 9, 0, false), 9);
  assert_int_equal(ping_msg_len(99, 100, 0, false), 11);
}

static void test_exact_bytes(void **state) {
  uint8_t buf[64];
  size_t n;

  (void)state;

  n = ping_msg_write(buf, sizeof(buf), 42, 1000, 0, false);
  assert_int_equal(n, 12);
  assert_memory_equal(buf, "ping 42 1000", 12);

  n = ping_msg_write(buf, sizeof(buf), 42, 1000, 3, true);
  assert_int_equal(n, 17);
  assert_memory_equal(buf, "ping 42 1000 xxx\n", 17);
}

static void test_cap_too_small(void **state) {
  uint8_t buf[64];

  (void)state;

  memset(buf, 0xee, sizeof(buf));
  assert_int_equal(ping_msg_write(buf, 0, 0, 0, 0, false), 0);
  assert_int_equal(ping_msg_write(buf, 7, 0, 0, 0, false), 0);
  assert_int_equal(ping_msg_write(buf, 8, 0, 0, 0, true), 0);
  assert_int_equal(ping_msg_write(buf, 9, 0, 0, 1, false), 0);
  assert_int_equal(ping_msg_write(buf, sizeof(buf), 0, 0, 60000, false), 0);
  assert_int_equal(ping_msg_write(buf, sizeof(buf), 0, 0, SIZE_MAX, false), 0);
  assert_int_equal(ping_msg_write(buf, sizeof(buf), 0, 0, SIZE_MAX - 10, true), 0);
  assert_int_equal(buf[0], 0xee);
  assert_int_equal(ping_msg_write(buf, 8, 0, 0, 0, false), 8);
}

/* parse_ok checks that |s| parses as a pong with |seq| and |ts|. */
static void parse_ok(const char *s, uint64_t seq, uint64_t ts) {
  uint64_t a = 1, b = 1;
  int rv = ping_msg_parse_pong((const uint8_t *)s, strlen(s), &a, &b);

  if (rv != 0) {
    print_error("ping_msg_parse_pong(\"%s\") failed\n", s);
  }
  assert_int_equal(rv, 0);
  assert_true(a == seq);
  assert_true(b == ts);
}

/* parse_bad checks that the |len| bytes at |s| are rejected and the
   outputs left alone. */
static void parse_bad_len(const char *s, size_t len) {
  uint64_t a = 77, b = 88;
  int rv = ping_msg_parse_pong((const uint8_t *)s, len, &a, &b);

  if (rv != -1) {
    print_error("ping_msg_parse_pong(\"%.*s\") accepted\n", (int)len, s);
  }
  assert_int_equal(rv, -1);
  assert_true(a == 77);
  assert_true(b == 88);
}

static void parse_bad(const char *s) { parse_bad_len(s, strlen(s)); }

static void test_parse_ok(void **state) {
  (void)state;

  parse_ok("pong 0 0", 0, 0);
  parse_ok("pong 1 2", 1, 2);
  parse_ok("pong 18446744073709551615 18446744073709551615", UINT64_MAX, UINT64_MAX);
  parse_ok("pong 18446744073709551614 0", UINT64_MAX - 1, 0);
  /* 20 digits with leading zeros. */
  parse_ok("pong 00000000000000000001 00000000000000000002", 1, 2);
  parse_ok("pong 1 2 xxxx", 1, 2);
  parse_ok("pong 1 2 ", 1, 2);
  parse_ok("pong 1 2  anything at all", 1, 2);
  parse_ok("pong 1 2 3 4", 1, 2);
}

static void test_parse_bad(void **state) {
  (void)state;

  parse_bad("");
  parse_bad("pong");
  parse_bad("pong ");
  parse_bad("pong 1");
  parse_bad("pong 1 ");
  parse_bad("pong  1 2");
  parse_bad("pong 1  2");
  parse_bad(" pong 1 2");
  parse_bad("pong1 2");
  parse_bad("pong x 2");
  parse_bad("pong 1 y");
  parse_bad("pong +1 2");
  parse_bad("pong -1 2");
  parse_bad("pong 1 +2");
  parse_bad("pong 0x1 2");
  parse_bad("pong 1 2x");
  parse_bad("pong 1 2\n");
  parse_bad("pong 1 2\tx");
  parse_bad("pong 1,2");
  parse_bad("ping 1 2");
  parse_bad("Pong 1 2");
  parse_bad("pongs 1 2");
  /* 21 digits, even with a small value. */
  parse_bad("pong 000000000000000000001 2");
  parse_bad("pong 1 000000000000000000002");
  parse_bad("pong 100000000000000000000 2");
  /* Just above UINT64_MAX. */
  parse_bad("pong 18446744073709551616 2");
  parse_bad("pong 1 18446744073709551616");
  parse_bad("pong 18446744073709551620 2");
  parse_bad("pong 99999999999999999999 2");
  /* Length limits the parse: the bytes beyond |len| do not count. */
  parse_bad_len("pong 1 2", 7);
  parse_bad_len("pong 1 2", 4);
  parse_bad_len("pong 1 2", 0);
}

static void test_parse_len_bound(void **state) {
  uint64_t a = 0, b = 0;

  (void)state;

  /* A digit beyond |len| is not part of <ts>. */
  assert_int_equal(ping_msg_parse_pong((const uint8_t *)"pong 1 23", 8, &a, &b), 0);
  assert_true(a == 1);
  assert_true(b == 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip),   cmocka_unit_test(test_len),
      cmocka_unit_test(test_exact_bytes),  cmocka_unit_test(test_cap_too_small),
      cmocka_unit_test(test_parse_ok),     cmocka_unit_test(test_parse_bad),
      cmocka_unit_test(test_parse_len_bound),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
