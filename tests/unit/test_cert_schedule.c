/* Tests for src/cert/cert_schedule.c with a fake clock: a simulated server
 * that performs every planned action and records what it served. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cert/cert_schedule.h"

#define DAY CERT_DAY_S
#define HOUR 3600
#define T0 1800000000 /* 2027-01-15, an arbitrary wall-clock start */

/* The simulated server: its two slots and counters. */
typedef struct sim {
  cert_schedule_cfg cfg;
  cert_slot cur, next;
  unsigned made_current, made_next, promoted, dropped;
} sim;

/* run performs actions until the plan says NONE; returns wake_at. */
static int64_t run(sim *s, int64_t now) {
  for (int i = 0; i < 8; i++) {
    cert_plan p = cert_schedule_step(&s->cfg, &s->cur, &s->next, now);
    switch (p.action) {
    case CERT_ACT_NONE:
      assert_true(p.wake_at > now);
      return p.wake_at;
    case CERT_ACT_MAKE_CURRENT:
      s->cur = (cert_slot){true, p.not_before, p.not_after};
      s->made_current++;
      break;
    case CERT_ACT_MAKE_NEXT:
      s->next = (cert_slot){true, p.not_before, p.not_after};
      s->made_next++;
      break;
    case CERT_ACT_PROMOTE_NEXT:
      s->cur = s->next;
      s->next.present = false;
      s->promoted++;
      break;
    case CERT_ACT_DROP_NEXT:
      s->next.present = false;
      s->dropped++;
      break;
    }
  }
  fail_msg("the schedule did not settle");
  return 0;
}

static void sim_init(sim *s, int64_t period) {
  *s = (sim){0};
  assert_int_equal(cert_schedule_cfg_init(&s->cfg, period), 0);
}

static void test_cfg_limits(void **state) {
  (void)state;
  cert_schedule_cfg c;
  assert_int_equal(cert_schedule_cfg_init(&c, CERT_PERIOD_DEFAULT_S), 0);
  assert_int_equal(c.period, 6 * DAY);
  assert_int_equal(c.lifetime, 13 * DAY);
  assert_int_equal(c.backdate, HOUR);
  assert_true(c.lifetime <= CERT_BROWSER_MAX_VALIDITY_S);
  assert_int_equal(cert_schedule_cfg_init(&c, CERT_PERIOD_MIN_S), 0);
  assert_int_equal(c.lifetime, 26);
  assert_int_equal(c.backdate, 1);
  assert_int_equal(cert_schedule_cfg_init(&c, CERT_PERIOD_MIN_S - 1), -1);
  assert_int_equal(cert_schedule_cfg_init(&c, CERT_PERIOD_MAX_S + 1), -1);
  assert_int_equal(cert_schedule_cfg_init(&c, 0), -1);
  assert_int_equal(cert_schedule_cfg_init(&c, -5), -1);
  /* every period in range gives a browser-acceptable lifetime that
   * outlasts its serving time */
  for (int64_t p = CERT_PERIOD_MIN_S; p <= CERT_PERIOD_MAX_S; p += 977) {
    assert_int_equal(cert_schedule_cfg_init(&c, p), 0);
    assert_true(c.lifetime <= CERT_BROWSER_MAX_VALIDITY_S);
    assert_true(c.period + c.backdate < c.lifetime);
  }
}

static void test_first_start_makes_current_and_next(void **state) {
  (void)state;
  sim s;
  sim_init(&s, CERT_PERIOD_DEFAULT_S);
  int64_t wake = run(&s, T0);
  assert_int_equal(s.made_current, 1);
  assert_int_equal(s.made_next, 1);
  assert_int_equal(s.cur.not_before, T0 - HOUR);
  assert_int_equal(s.cur.not_after, T0 - HOUR + 13 * DAY);
  /* the next one starts at the switch, 6 days on */
  assert_int_equal(wake, T0 + 6 * DAY);
  assert_int_equal(s.next.not_before, T0 + 6 * DAY - HOUR);
  assert_int_equal(s.next.not_after - s.next.not_before, 13 * DAY);
  /* both hashes are published at once */
  int out[2];
  assert_int_equal(cert_schedule_published(&s.cur, &s.next, T0, out), 2);
  assert_int_equal(out[0], 0);
  assert_int_equal(out[1], 1);
}

static void test_nothing_to_do_between_switches(void **state) {
  (void)state;
  sim s;
  sim_init(&s, CERT_PERIOD_DEFAULT_S);
  run(&s, T0);
  cert_slot cur = s.cur, next = s.next;
  for (int64_t t = T0 + 1; t < T0 + 6 * DAY; t += 7 * HOUR + 13) {
    assert_int_equal(run(&s, t), T0 + 6 * DAY);
    assert_memory_equal(&s.cur, &cur, sizeof(cur));
    assert_memory_equal(&s.next, &next, sizeof(next));
  }
  assert_int_equal(s.made_current + s.made_next, 2);
}

static void test_rotation_over_months(void **state) {
  (void)state;
  sim s;
  sim_init(&s, CERT_PERIOD_DEFAULT_S);
  int64_t now = T0, end = T0 + 120 * DAY;
  int64_t wake = run(&s, now);
  unsigned switches = 0;
  while (wake < end) {
    now = wake;
    cert_slot announced = s.next;
    wake = run(&s, now);
    switches++;
    /* the announced next certificate is the one served now */
    assert_memory_equal(&s.cur, &announced, sizeof(announced));
    /* served only while valid, and valid a whole period on */
    assert_true(s.cur.not_before <= now);
    assert_true(now + s.cfg.period < s.cur.not_after);
    assert_true(s.cur.not_after - s.cur.not_before <= CERT_BROWSER_MAX_VALIDITY_S);
    assert_int_equal(wake - now, 6 * DAY);
  }
  assert_int_equal(switches, 19);
  assert_int_equal(s.promoted, switches);
  assert_int_equal(s.made_current, 1);
  assert_int_equal(s.made_next, switches + 1);
  assert_int_equal(s.dropped, 0);
}

/* A page loaded at any time with the two published hashes keeps working
 * until the switch after next. */
static void test_page_hashes_survive_one_switch(void **state) {
  (void)state;
  sim s;
  sim_init(&s, 60);
  int64_t now = T0;
  run(&s, now);
  for (int64_t t = T0; t < T0 + 600; t += 7) {
    int64_t wake = run(&s, t);
    cert_slot pub[2] = {s.cur, s.next};
    int out[2];
    assert_int_equal(cert_schedule_published(&s.cur, &s.next, t, out), 2);
    /* until wake + period, the served certificate is one of the two */
    for (int64_t u = t; u < wake + s.cfg.period; u += 5) {
      sim later = s;
      run(&later, u);
      assert_true(memcmp(&later.cur, &pub[0], sizeof(pub[0])) == 0 ||
                  memcmp(&later.cur, &pub[1], sizeof(pub[1])) == 0);
    }
  }
}

static void test_long_downtime_expired_on_start(void **state) {
  (void)state;
  sim s;
  sim_init(&s, CERT_PERIOD_DEFAULT_S);
  run(&s, T0);
  /* down for 40 days: both certificates expired */
  int64_t now = T0 + 40 * DAY;
  int64_t wake = run(&s, now);
  assert_int_equal(s.dropped, 1);
  assert_int_equal(s.made_current, 2);
  assert_int_equal(s.cur.not_before, now - HOUR);
  assert_true(s.cur.not_after > now);
  assert_int_equal(s.next.not_before, now + 6 * DAY - HOUR);
  assert_int_equal(wake, now + 6 * DAY);
  int out[2];
  assert_int_equal(cert_schedule_published(&s.cur, &s.next, now, out), 2);
}

static void test_downtime_past_switch_promotes_next(void **state) {
  (void)state;
  sim s;
  sim_init(&s, CERT_PERIOD_DEFAULT_S);
  run(&s, T0);
  cert_slot announced = s.next;
  /* down 8 days: the current one is past its switch, the next one is
   * within its own serving time */
  int64_t wake = run(&s, T0 + 8 * DAY);
  assert_int_equal(s.promoted, 1);
  assert_int_equal(s.made_current, 1);
  assert_memory_equal(&s.cur, &announced, sizeof(announced));
  assert_int_equal(wake, T0 + 12 * DAY);
}

static void test_downtime_past_both_switches(void **state) {
  (void)state;
  sim s;
  sim_init(&s, CERT_PERIOD_DEFAULT_S);
  run(&s, T0);
  /* 12.5 days: the current one still valid but long due, the next one due
   * too: both replaced by a fresh pair */
  int64_t now = T0 + 12 * DAY + 12 * HOUR;
  run(&s, now);
  assert_int_equal(s.promoted, 0);
  assert_int_equal(s.made_current, 2);
  assert_int_equal(s.cur.not_before, now - HOUR);
}

static void test_clock_set_back(void **state) {
  (void)state;
  sim s;
  sim_init(&s, CERT_PERIOD_DEFAULT_S);
  run(&s, T0);
  /* the clock goes back 3 days: nothing held is valid yet */
  int64_t now = T0 - 3 * DAY;
  run(&s, now);
  assert_int_equal(s.made_current, 2);
  assert_true(s.cur.not_before <= now && now < s.cur.not_after);
  assert_int_equal(s.next.not_before, now + 6 * DAY - HOUR);
}

static void test_schedule_change_remakes_next(void **state) {
  (void)state;
  sim s;
  sim_init(&s, CERT_PERIOD_DEFAULT_S);
  run(&s, T0);
  /* restarted with a 1-day period: the current one is now due a day after
   * its start, and the next one (made for a 6-day switch) does not fit */
  assert_int_equal(cert_schedule_cfg_init(&s.cfg, DAY), 0);
  int64_t wake = run(&s, T0 + HOUR);
  assert_true(wake <= T0 + DAY);
  assert_true(s.dropped >= 1);
  assert_true(s.next.not_before <= wake && wake < s.next.not_after);
  assert_int_equal(s.next.not_after - s.next.not_before, s.cfg.lifetime);
}

static void test_too_long_current_is_replaced(void **state) {
  (void)state;
  sim s;
  sim_init(&s, CERT_PERIOD_DEFAULT_S);
  /* a 15-day certificate (browsers refuse it) is never served */
  s.cur = (cert_slot){true, T0 - HOUR, T0 - HOUR + 15 * DAY};
  run(&s, T0);
  assert_int_equal(s.made_current, 1);
  assert_int_equal(s.cur.not_after - s.cur.not_before, 13 * DAY);
}

static void test_published_skips_expired(void **state) {
  (void)state;
  cert_slot cur = {true, T0, T0 + 100}, next = {true, T0 + 50, T0 + 200}, none = {0};
  int out[2];
  assert_int_equal(cert_schedule_published(&cur, &next, T0 + 10, out), 2);
  assert_int_equal(cert_schedule_published(&cur, &next, T0 + 100, out), 1);
  assert_int_equal(out[0], 1);
  assert_int_equal(cert_schedule_published(&cur, &none, T0 + 10, out), 1);
  assert_int_equal(out[0], 0);
  assert_int_equal(cert_schedule_published(&none, &none, T0, out), 0);
  assert_int_equal(cert_schedule_published(&cur, &next, T0 + 200, out), 0);
}

static void test_expiry_state(void **state) {
  (void)state;
  int64_t nb = T0, na = T0 + 90 * DAY, warn = CERT_WARN_BEFORE_S;
  assert_int_equal(cert_expiry_state(nb, na, T0 - 1, warn), CERT_EXPIRY_NOT_YET);
  assert_int_equal(cert_expiry_state(nb, na, T0, warn), CERT_EXPIRY_OK);
  assert_int_equal(cert_expiry_state(nb, na, na - 14 * DAY - 1, warn), CERT_EXPIRY_OK);
  assert_int_equal(cert_expiry_state(nb, na, na - 14 * DAY, warn), CERT_EXPIRY_SOON);
  assert_int_equal(cert_expiry_state(nb, na, na - 1, warn), CERT_EXPIRY_SOON);
  assert_int_equal(cert_expiry_state(nb, na, na, warn), CERT_EXPIRY_EXPIRED);
  /* a 13-day certificate warns in its last quarter, not from the start */
  na = T0 + 13 * DAY;
  assert_int_equal(cert_expiry_state(nb, na, T0 + DAY, warn), CERT_EXPIRY_OK);
  assert_int_equal(cert_expiry_state(nb, na, na - 3 * DAY, warn), CERT_EXPIRY_SOON);
  assert_string_equal(cert_expiry_name(CERT_EXPIRY_SOON), "expires-soon");
  assert_string_equal(cert_expiry_name(CERT_EXPIRY_EXPIRED), "expired");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cfg_limits),
      cmocka_unit_test(test_first_start_makes_current_and_next),
      cmocka_unit_test(test_nothing_to_do_between_switches),
      cmocka_unit_test(test_rotation_over_months),
      cmocka_unit_test(test_page_hashes_survive_one_switch),
      cmocka_unit_test(test_long_downtime_expired_on_start),
      cmocka_unit_test(test_downtime_past_switch_promotes_next),
      cmocka_unit_test(test_downtime_past_both_switches),
      cmocka_unit_test(test_clock_set_back),
      cmocka_unit_test(test_schedule_change_remakes_next),
      cmocka_unit_test(test_too_long_current_is_replaced),
      cmocka_unit_test(test_published_skips_expired),
      cmocka_unit_test(test_expiry_state),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
