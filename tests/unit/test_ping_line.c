/* Unit tests for src/ping/ping_line.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ping/ping_line.h"

#define UNKNOWN_LEN (sizeof(PING_UNKNOWN_REPLY) - 1)

/* reply checks the stream reply to |in| (|inlen| bytes) is |want|. */
static void check_reply(const char *in, size_t inlen, const char *want, size_t wantlen) {
  uint8_t out[256];
  size_t cap;

  assert_int_equal(ping_reply_len((const uint8_t *)in, inlen), wantlen);

  memset(out, 0xee, sizeof(out));
  assert_int_equal(ping_reply_write((const uint8_t *)in, inlen, out, sizeof(out)), wantlen);
  assert_memory_equal(out, want, wantlen);
  assert_int_equal(out[wantlen], 0xee);

  /* Exactly enough room works; one byte less writes nothing. */
  memset(out, 0xee, sizeof(out));
  assert_int_equal(ping_reply_write((const uint8_t *)in, inlen, out, wantlen), wantlen);
  assert_memory_equal(out, want, wantlen);
  for (cap = 0; cap < wantlen; ++cap) {
    memset(out, 0xee, sizeof(out));
    assert_int_equal(ping_reply_write((const uint8_t *)in, inlen, out, cap), 0);
    assert_int_equal(out[0], 0xee);
  }
}

#define REPLY(IN, WANT) check_reply((IN), sizeof(IN) - 1, (WANT), sizeof(WANT) - 1)

static void test_reply_ping(void **state) {
  (void)state;
  REPLY("ping", "pong\n");
  REPLY("ping hello", "pong hello\n");
  REPLY("ping hello world  ", "pong hello world  \n");
  REPLY("ping ", "pong \n");
  REPLY("ping  x", "pong  x\n");
  REPLY("ping ping", "pong ping\n");
  REPLY("ping \xff\x01\r", "pong \xff\x01\r\n");
  /* The rest is copied byte for byte, NULs included. */
  REPLY("ping a\0b", "pong a\0b\n");
}

static void test_reply_unknown(void **state) {
  (void)state;
  assert_int_equal(UNKNOWN_LEN, 22);
  REPLY("pingx", PING_UNKNOWN_REPLY);
  REPLY("PING", PING_UNKNOWN_REPLY);
  REPLY("Ping", PING_UNKNOWN_REPLY);
  REPLY("", PING_UNKNOWN_REPLY);
  REPLY("pin", PING_UNKNOWN_REPLY);
  REPLY("p", PING_UNKNOWN_REPLY);
  REPLY(" ping", PING_UNKNOWN_REPLY);
  REPLY("pong", PING_UNKNOWN_REPLY);
  REPLY("ping\r", PING_UNKNOWN_REPLY);
  REPLY("ping\tx", PING_UNKNOWN_REPLY);
  REPLY("pingpong", PING_UNKNOWN_REPLY);
  assert_int_equal(ping_reply_len(NULL, 0), UNKNOWN_LEN);
}

static void test_reply_long_line(void **state) {
  uint8_t *in = malloc(PING_LINE_MAX), *out = malloc(PING_LINE_MAX + 1);

  (void)state;
  assert_non_null(in);
  assert_non_null(out);
  memset(in, 'z', PING_LINE_MAX);
  memcpy(in, "ping ", 5);
  assert_int_equal(ping_reply_len(in, PING_LINE_MAX), PING_LINE_MAX + 1);
  assert_int_equal(ping_reply_write(in, PING_LINE_MAX, out, PING_LINE_MAX + 1),
                   PING_LINE_MAX + 1);
  assert_memory_equal(out, "pong ", 5);
  assert_memory_equal(out + 5, in + 5, PING_LINE_MAX - 5);
  assert_int_equal(out[PING_LINE_MAX], '\n');
  assert_int_equal(ping_reply_write(in, PING_LINE_MAX, out, PING_LINE_MAX), 0);
  free(in);
  free(out);
}

static void check_datagram(const char *in, size_t inlen, long want, const char *wantout) {
  uint8_t out[128];
  size_t cap;

  memset(out, 0xee, sizeof(out));
  assert_int_equal(ping_datagram_reply((const uint8_t *)in, inlen, out, sizeof(out)), want);
  if (want < 0) {
    assert_int_equal(out[0], 0xee);
    return;
  }
  assert_memory_equal(out, wantout, (size_t)want);
  assert_int_equal(out[want], 0xee);

  assert_int_equal(ping_datagram_reply((const uint8_t *)in, inlen, out, (size_t)want), want);
  for (cap = 0; cap < (size_t)want; ++cap) {
    memset(out, 0xee, sizeof(out));
    assert_int_equal(ping_datagram_reply((const uint8_t *)in, inlen, out, cap), -1);
    assert_int_equal(out[0], 0xee);
  }
}

#define DGRAM(IN, WANT) check_datagram((IN), sizeof(IN) - 1, (long)sizeof(WANT) - 1, (WANT))
#define DGRAM_DROP(IN) check_datagram((IN), sizeof(IN) - 1, -1, NULL)

static void test_datagram(void **state) {
  (void)state;
  DGRAM("ping", "pong");
  DGRAM("ping 1234", "pong 1234");
  DGRAM("ping ", "pong ");
  DGRAM("ping a\nb\0c", "pong a\nb\0c");
  DGRAM_DROP("");
  DGRAM_DROP("pin");
  DGRAM_DROP("pingx");
  DGRAM_DROP("PING");
  DGRAM_DROP("pong");
  DGRAM_DROP("ping\n");
  assert_int_equal(ping_datagram_reply(NULL, 0, NULL, 0), -1);
}

/* ---------------------------------------------------------- assembler */

#define MAX_LINES 64

typedef struct lines {
  size_t n;
  uint8_t *line[MAX_LINES];
  size_t len[MAX_LINES];
  const uint8_t *ptr[MAX_LINES]; /* where the callback saw the line */
  size_t stop_at;                /* 1-based line number to stop at */
  int stop_rv;
} lines;

static int on_line(void *ud, const uint8_t *line, size_t len) {
  lines *l = ud;

  assert_true(l->n < MAX_LINES);
  l->line[l->n] = malloc(len ? len : 1);
  assert_non_null(l->line[l->n]);
  if (len) {
    memcpy(l->line[l->n], line, len); /* ASan checks the whole line */
  }
  /* No '\n' inside a line. */
  assert_null(memchr(line, '\n', len));
  l->len[l->n] = len;
  l->ptr[l->n] = line;
  ++l->n;
  if (l->stop_at && l->n == l->stop_at) {
    return l->stop_rv;
  }
  return 0;
}

static void lines_free(lines *l) {
  size_t i;

  for (i = 0; i < l->n; ++i) {
    free(l->line[i]);
  }
  memset(l, 0, sizeof(*l));
}

static void assert_line(const lines *l, size_t i, const char *want) {
  assert_true(i < l->n);
  assert_int_equal(l->len[i], strlen(want));
  assert_memory_equal(l->line[i], want, l->len[i]);
}

#define FEED_STR(PL, S, L) ping_lines_feed((PL), (const uint8_t *)(S), sizeof(S) - 1, on_line, (L))

static void test_lines_one_chunk(void **state) {
  static const char data[] = "ping\nping a b\n\nfoo\n";
  ping_lines pl;
  lines l = {0};

  (void)state;
  ping_lines_init(&pl);
  assert_int_equal(FEED_STR(&pl, data, &l), 0);
  assert_int_equal(l.n, 4);
  assert_line(&l, 0, "ping");
  assert_line(&l, 1, "ping a b");
  assert_line(&l, 2, "");
  assert_line(&l, 3, "foo");
  /* Passed straight from |data|, not copied. */
  assert_ptr_equal(l.ptr[0], (const uint8_t *)data);
  assert_ptr_equal(l.ptr[1], (const uint8_t *)data + 5);
  assert_ptr_equal(l.ptr[3], (const uint8_t *)data + 15);
  assert_int_equal(ping_lines_pending(&pl), 0);
  /* Nothing buffered, nothing allocated. */
  assert_null(pl.buf);
  lines_free(&l);
  ping_lines_free(&pl);
}

static void test_lines_zero_length(void **state) {
  ping_lines pl;
  lines l = {0};

  (void)state;
  ping_lines_init(&pl);
  assert_int_equal(FEED_STR(&pl, "\n\n\n", &l), 0);
  assert_int_equal(l.n, 3);
  assert_int_equal(l.len[0] + l.len[1] + l.len[2], 0);
  assert_int_equal(ping_lines_feed(&pl, (const uint8_t *)"", 0, on_line, &l), 0);
  assert_int_equal(ping_lines_feed(&pl, NULL, 0, on_line, &l), 0);
  assert_int_equal(l.n, 3);
  lines_free(&l);
  ping_lines_free(&pl);
}

static void test_lines_byte_by_byte(void **state) {
  static const char data[] = "ping hello\n\nping\nxyz";
  ping_lines pl;
  lines l = {0};
  size_t i, pending = 0;

  (void)state;
  ping_lines_init(&pl);
  for (i = 0; i < sizeof(data) - 1; ++i) {
    size_t before = l.n;

    assert_int_equal(ping_lines_feed(&pl, (const uint8_t *)data + i, 1, on_line, &l), 0);
    if (data[i] == '\n') {
      assert_int_equal(l.n, before + 1);
      pending = 0;
    } else {
      assert_int_equal(l.n, before);
      ++pending;
    }
    assert_int_equal(ping_lines_pending(&pl), pending);
  }
  assert_int_equal(l.n, 3);
  assert_line(&l, 0, "ping hello");
  assert_line(&l, 1, "");
  assert_line(&l, 2, "ping");
  /* An unterminated last line stays pending. */
  assert_int_equal(ping_lines_pending(&pl), 3);
  lines_free(&l);
  ping_lines_free(&pl);
  assert_null(pl.buf);
  assert_int_equal(ping_lines_pending(&pl), 0);
}

static void test_lines_split(void **state) {
  ping_lines pl;
  lines l = {0};

  (void)state;
  ping_lines_init(&pl);
  assert_int_equal(FEED_STR(&pl, "ping he", &l), 0);
  assert_int_equal(l.n, 0);
  assert_int_equal(ping_lines_pending(&pl), 7);
  assert_int_equal(FEED_STR(&pl, "llo\nping\nping", &l), 0);
  assert_int_equal(l.n, 2);
  assert_line(&l, 0, "ping hello");
  assert_line(&l, 1, "ping");
  assert_int_equal(ping_lines_pending(&pl), 4);
  assert_int_equal(FEED_STR(&pl, " x", &l), 0);
  assert_int_equal(FEED_STR(&pl, "\n", &l), 0);
  assert_int_equal(l.n, 3);
  assert_line(&l, 2, "ping x");
  assert_int_equal(ping_lines_pending(&pl), 0);
  lines_free(&l);
  ping_lines_free(&pl);
}

static void test_lines_stop(void **state) {
  ping_lines pl;
  lines l = {0};

  (void)state;
  ping_lines_init(&pl);
  l.stop_at = 2;
  l.stop_rv = 42;
  assert_int_equal(FEED_STR(&pl, "a\nb\nc\n", &l), 42);
  assert_int_equal(l.n, 2);
  assert_line(&l, 1, "b");
  lines_free(&l);
  ping_lines_free(&pl);

  /* Stopping on a line completed from the buffer. */
  ping_lines_init(&pl);
  l.stop_at = 1;
  l.stop_rv = -7;
  assert_int_equal(FEED_STR(&pl, "ab", &l), 0);
  assert_int_equal(FEED_STR(&pl, "c\nd\n", &l), -7);
  assert_int_equal(l.n, 1);
  assert_line(&l, 0, "abc");
  assert_int_equal(ping_lines_pending(&pl), 0);
  lines_free(&l);
  ping_lines_free(&pl);
}

static uint8_t *make_line(size_t len, int nl) {
  uint8_t *p = malloc(len + 1);

  assert_non_null(p);
  memset(p, 'x', len);
  if (len >= 5) {
    memcpy(p, "ping ", 5);
  }
  p[len] = nl ? '\n' : 'x';
  return p;
}

static void test_lines_max_one_chunk(void **state) {
  ping_lines pl;
  lines l = {0};
  uint8_t *p;

  (void)state;
  /* Exactly PING_LINE_MAX bytes plus '\n': fine, not copied. */
  p = make_line(PING_LINE_MAX, 1);
  ping_lines_init(&pl);
  assert_int_equal(ping_lines_feed(&pl, p, PING_LINE_MAX + 1, on_line, &l), 0);
  assert_int_equal(l.n, 1);
  assert_int_equal(l.len[0], PING_LINE_MAX);
  assert_ptr_equal(l.ptr[0], p);
  assert_null(pl.buf);
  lines_free(&l);
  ping_lines_free(&pl);

  /* Exactly PING_LINE_MAX bytes, no '\n' yet: buffered. */
  ping_lines_init(&pl);
  assert_int_equal(ping_lines_feed(&pl, p, PING_LINE_MAX, on_line, &l), 0);
  assert_int_equal(ping_lines_pending(&pl), PING_LINE_MAX);
  assert_true(pl.cap <= PING_LINE_MAX);
  assert_int_equal(ping_lines_feed(&pl, (const uint8_t *)"\n", 1, on_line, &l), 0);
  assert_int_equal(l.n, 1);
  assert_int_equal(l.len[0], PING_LINE_MAX);
  assert_memory_equal(l.line[0], p, PING_LINE_MAX);
  lines_free(&l);
  /* One more byte after a full buffer: too long before any '\n'. */
  assert_int_equal(ping_lines_feed(&pl, p, PING_LINE_MAX, on_line, &l), 0);
  assert_int_equal(ping_lines_feed(&pl, (const uint8_t *)"x\n", 2, on_line, &l),
                   PING_LINES_TOO_LONG);
  assert_int_equal(l.n, 0);
  ping_lines_free(&pl);
  free(p);

  /* PING_LINE_MAX + 1 bytes with '\n' in one chunk. */
  p = make_line(PING_LINE_MAX + 1, 1);
  ping_lines_init(&pl);
  assert_int_equal(ping_lines_feed(&pl, p, PING_LINE_MAX + 2, on_line, &l),
                   PING_LINES_TOO_LONG);
  assert_int_equal(l.n, 0);
  ping_lines_free(&pl);

  /* ... and without the '\n': refused at once, nothing buffered. */
  ping_lines_init(&pl);
  assert_int_equal(ping_lines_feed(&pl, p, PING_LINE_MAX + 1, on_line, &l),
                   PING_LINES_TOO_LONG);
  assert_int_equal(ping_lines_pending(&pl), 0);
  assert_null(pl.buf);
  ping_lines_free(&pl);

  /* Good lines before the long one are still delivered. */
  {
    uint8_t *q = malloc(PING_LINE_MAX + 8);

    assert_non_null(q);
    memcpy(q, "ping\n", 5);
    memcpy(q + 5, p, PING_LINE_MAX + 2);
    ping_lines_init(&pl);
    assert_int_equal(ping_lines_feed(&pl, q, PING_LINE_MAX + 7, on_line, &l),
                     PING_LINES_TOO_LONG);
    assert_int_equal(l.n, 1);
    assert_line(&l, 0, "ping");
    lines_free(&l);
    ping_lines_free(&pl);
    free(q);
  }
  free(p);
}

static void test_lines_max_pieces(void **state) {
  ping_lines pl;
  lines l = {0};
  uint8_t *p = make_line(PING_LINE_MAX + 1, 0);
  size_t off, step;

  (void)state;
  /* PING_LINE_MAX bytes in uneven pieces, then '\n'. */
  ping_lines_init(&pl);
  for (off = 0, step = 1; off < PING_LINE_MAX; off += step, step = step * 3 + 1) {
    if (step > PING_LINE_MAX - off) {
      step = PING_LINE_MAX - off;
    }
    assert_int_equal(ping_lines_feed(&pl, p + off, step, on_line, &l), 0);
    assert_int_equal(ping_lines_pending(&pl), off + step);
    assert_true(pl.cap >= pl.len && pl.cap <= PING_LINE_MAX);
  }
  assert_int_equal(ping_lines_feed(&pl, (const uint8_t *)"\nping\n", 6, on_line, &l), 0);
  assert_int_equal(l.n, 2);
  assert_int_equal(l.len[0], PING_LINE_MAX);
  assert_memory_equal(l.line[0], p, PING_LINE_MAX);
  assert_line(&l, 1, "ping");
  lines_free(&l);
  ping_lines_free(&pl);

  /* PING_LINE_MAX + 1 bytes byte by byte: the last byte is refused. */
  ping_lines_init(&pl);
  for (off = 0; off < PING_LINE_MAX; ++off) {
    assert_int_equal(ping_lines_feed(&pl, p + off, 1, on_line, &l), 0);
  }
  assert_int_equal(pl.cap, PING_LINE_MAX);
  assert_int_equal(ping_lines_feed(&pl, p + off, 1, on_line, &l), PING_LINES_TOO_LONG);
  assert_int_equal(l.n, 0);
  ping_lines_free(&pl);
  free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reply_ping),
      cmocka_unit_test(test_reply_unknown),
      cmocka_unit_test(test_reply_long_line),
      cmocka_unit_test(test_datagram),
      cmocka_unit_test(test_lines_one_chunk),
      cmocka_unit_test(test_lines_zero_length),
      cmocka_unit_test(test_lines_byte_by_byte),
      cmocka_unit_test(test_lines_split),
      cmocka_unit_test(test_lines_stop),
      cmocka_unit_test(test_lines_max_one_chunk),
      cmocka_unit_test(test_lines_max_pieces),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
