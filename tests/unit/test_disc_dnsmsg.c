/* Tests for src/disc/disc_dnsmsg.c: SRV and TXT records out of DNS
 * responses built here byte by byte, whole, truncated and malformed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "disc/disc_dnsmsg.h"

typedef struct msg {
  uint8_t b[1024];
  size_t n;
} msg;

static void u8(msg *m, unsigned v) { m->b[m->n++] = (uint8_t)v; }
static void u16(msg *m, unsigned v) {
  u8(m, v >> 8);
  u8(m, v & 0xff);
}
static void name(msg *m, const char *dotted) {
  while (*dotted) {
    const char *dot = strchr(dotted, '.');
    size_t l = dot ? (size_t)(dot - dotted) : strlen(dotted);
    u8(m, (unsigned)l);
    memcpy(m->b + m->n, dotted, l);
    m->n += l;
    dotted += l + (dot ? 1 : 0);
  }
  u8(m, 0);
}

#define QNAME "_wtping._udp.example.test"

/* header: a response with |an| answers to one question for QNAME/|qtype| */
static void start(msg *m, unsigned qtype, unsigned an) {
  m->n = 0;
  u16(m, 0x1234);
  u16(m, 0x8180);
  u16(m, 1);
  u16(m, an);
  u16(m, 0);
  u16(m, 0);
  name(m, QNAME);
  u16(m, qtype);
  u16(m, 1);
}

/* srv appends an answer; its owner is a pointer to the question (12) */
static void srv(msg *m, unsigned prio, unsigned weight, unsigned port, const char *target) {
  u16(m, 0xc00c);
  u16(m, 33);
  u16(m, 1);
  u16(m, 0);
  u16(m, 60);
  size_t rdlen_at = m->n;
  u16(m, 0);
  u16(m, prio);
  u16(m, weight);
  u16(m, port);
  name(m, target);
  size_t rdlen = m->n - rdlen_at - 2;
  m->b[rdlen_at] = (uint8_t)(rdlen >> 8);
  m->b[rdlen_at + 1] = (uint8_t)rdlen;
}

static void test_two_srv(void **state) {
  (void)state;
  msg m;
  disc_srv_rr rr[4];
  const char *why = NULL;
  start(&m, 33, 2);
  srv(&m, 10, 5, 4433, "a.example.test");
  srv(&m, 20, 0, 4434, "b.example.test");
  assert_int_equal(disc_dnsmsg_srv(m.b, m.n, rr, 4, &why), 2);
  assert_int_equal(rr[0].priority, 10);
  assert_int_equal(rr[0].weight, 5);
  assert_int_equal(rr[0].port, 4433);
  assert_string_equal(rr[0].target, "a.example.test");
  assert_string_equal(rr[1].target, "b.example.test");
  assert_int_equal(rr[1].port, 4434);
  /* the cap: one kept, no error */
  assert_int_equal(disc_dnsmsg_srv(m.b, m.n, rr, 1, &why), 1);
}

static void test_root_target_and_compression(void **state) {
  (void)state;
  msg m;
  disc_srv_rr rr[2];
  const char *why = NULL;
  start(&m, 33, 2);
  srv(&m, 0, 0, 0, "");
  /* a target compressed to a pointer at "example.test" in the question */
  u16(&m, 0xc00c);
  u16(&m, 33);
  u16(&m, 1);
  u16(&m, 0);
  u16(&m, 60);
  u16(&m, 6 + 2 + 2);
  u16(&m, 1);
  u16(&m, 1);
  u16(&m, 4433);
  u8(&m, 1);
  u8(&m, 'x');
  u16(&m, 0xc000 | 25); /* offset of "example" in the question */
  assert_int_equal(disc_dnsmsg_srv(m.b, m.n, rr, 2, &why), 2);
  assert_string_equal(rr[0].target, "");
  assert_true(disc_srv_unavailable(rr, 1));
  assert_string_equal(rr[1].target, "x.example.test");
}

static void test_truncated(void **state) {
  (void)state;
  msg m;
  disc_srv_rr rr[4];
  const char *why = NULL;
  start(&m, 33, 2);
  srv(&m, 10, 5, 4433, "a.example.test");
  srv(&m, 20, 0, 4434, "b.example.test");
  for (size_t cut = 0; cut < m.n; cut++)
    assert_int_equal(disc_dnsmsg_srv(m.b, cut, rr, 4, &why), -1);
}

static void test_malformed(void **state) {
  (void)state;
  msg m;
  disc_srv_rr rr[4];
  disc_txt t;
  const char *why = NULL;
  /* SRV RDATA of 6 bytes: no target at all */
  start(&m, 33, 1);
  u16(&m, 0xc00c);
  u16(&m, 33);
  u16(&m, 1);
  u16(&m, 0);
  u16(&m, 60);
  u16(&m, 6);
  u16(&m, 1);
  u16(&m, 1);
  u16(&m, 1);
  assert_int_equal(disc_dnsmsg_srv(m.b, m.n, rr, 4, &why), -1);
  assert_string_equal(why, "SRV record too short");
  /* a target name that runs on past its RDATA (rdlen one short) */
  size_t rdlen_at = 12 + (strlen(QNAME) + 2) + 4 + 2 + 2 + 2 + 4;
  start(&m, 33, 1);
  srv(&m, 1, 1, 1, "a.test");
  m.b[rdlen_at + 1]--;
  m.n--; /* the message ends where the shorter RDATA ends */
  assert_int_equal(disc_dnsmsg_srv(m.b, m.n, rr, 4, &why), -1);
  /* a compression pointer to itself */
  start(&m, 33, 1);
  u16(&m, 0xc00c);
  u16(&m, 33);
  u16(&m, 1);
  u16(&m, 0);
  u16(&m, 60);
  u16(&m, 8);
  u16(&m, 1);
  u16(&m, 1);
  u16(&m, 1);
  size_t self = m.n;
  u16(&m, 0xc000 | (unsigned)self);
  assert_int_equal(disc_dnsmsg_srv(m.b, m.n, rr, 4, &why), -1);
  assert_string_equal(why, "SRV target name malformed");
  /* garbage */
  uint8_t junk[40];
  memset(junk, 0xff, sizeof(junk));
  assert_int_equal(disc_dnsmsg_srv(junk, sizeof(junk), rr, 4, &why), -1);
  assert_int_equal(disc_dnsmsg_txt(junk, sizeof(junk), &t, &why), -1);
}

static void txt_answer(msg *m, const uint8_t *rdata, size_t len) {
  u16(m, 0xc00c);
  u16(m, 16);
  u16(m, 1);
  u16(m, 0);
  u16(m, 60);
  u16(m, (unsigned)len);
  memcpy(m->b + m->n, rdata, len);
  m->n += len;
}

static void test_txt(void **state) {
  (void)state;
  msg m;
  disc_txt t;
  const char *why = NULL;
  static const uint8_t rd[] = "\x09txtvers=1\x0apath=/echo";
  start(&m, 16, 1);
  txt_answer(&m, rd, sizeof(rd) - 1);
  assert_int_equal(disc_dnsmsg_txt(m.b, m.n, &t, &why), 1);
  assert_string_equal(t.path, "/echo");
  assert_int_equal(t.version, 1);
  /* no TXT answer: defaults */
  start(&m, 16, 0);
  assert_int_equal(disc_dnsmsg_txt(m.b, m.n, &t, &why), 0);
  assert_string_equal(t.path, "/wtping");
  /* a TXT whose string runs past its RDATA */
  static const uint8_t bad[] = "\x09txtvers=1\x0apath=/e";
  start(&m, 16, 1);
  txt_answer(&m, bad, sizeof(bad) - 1);
  assert_int_equal(disc_dnsmsg_txt(m.b, m.n, &t, &why), -1);
  assert_string_equal(why, "TXT record truncated");
  /* SRV answers in a TXT message are skipped, and the other way round */
  start(&m, 16, 1);
  txt_answer(&m, rd, sizeof(rd) - 1);
  disc_srv_rr rr[1];
  assert_int_equal(disc_dnsmsg_srv(m.b, m.n, rr, 1, &why), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_two_srv),   cmocka_unit_test(test_root_target_and_compression),
      cmocka_unit_test(test_truncated), cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_txt),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
