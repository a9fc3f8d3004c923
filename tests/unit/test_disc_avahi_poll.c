/* Tests for src/disc/disc_avahi_poll.c: the AvahiPoll adapter on a real
 * sd-event loop, with a pipe for the watches and CLOCK_REALTIME timeouts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "disc/disc_avahi_poll.h"

typedef struct seen {
  int calls;
  AvahiWatchEvent events;
  int fd;
  bool free_self;
  const AvahiPoll *api;
} seen;

static void on_watch(AvahiWatch *w, int fd, AvahiWatchEvent ev, void *ud) {
  seen *s = ud;
  s->calls++;
  s->events = ev;
  s->fd = fd;
  assert_int_equal(s->api->watch_get_events(w), ev);
  if (s->free_self)
    s->api->watch_free(w); /* Avahi frees watches from their callbacks */
}

static void on_timeout(AvahiTimeout *t, void *ud) {
  seen *s = ud;
  s->calls++;
  if (s->free_self)
    s->api->timeout_free(t);
}

/* run_once runs one iteration of the loop without waiting long */
static void run_once(sd_event *ev) { assert_true(sd_event_run(ev, 50000) >= 0); }

static void test_watch(void **state) {
  (void)state;
  sd_event *ev;
  disc_avahi_poll p;
  int fds[2];
  assert_int_equal(sd_event_new(&ev), 0);
  disc_avahi_poll_init(&p, ev);
  assert_int_equal(pipe(fds), 0);
  seen s = {.api = &p.api};
  AvahiWatch *w = p.api.watch_new(&p.api, fds[0], AVAHI_WATCH_IN, on_watch, &s);
  assert_non_null(w);
  run_once(ev);
  assert_int_equal(s.calls, 0); /* nothing to read */
  assert_int_equal(write(fds[1], "x", 1), 1);
  run_once(ev);
  assert_int_equal(s.calls, 1);
  assert_int_equal(s.events, AVAHI_WATCH_IN);
  assert_int_equal(s.fd, fds[0]);
  /* no events wanted: no callback although readable */
  p.api.watch_update(w, 0);
  run_once(ev);
  assert_int_equal(s.calls, 1);
  /* the write end's watch: writable at once; freed from its callback */
  seen o = {.api = &p.api, .free_self = true};
  assert_non_null(p.api.watch_new(&p.api, fds[1], AVAHI_WATCH_OUT, on_watch, &o));
  run_once(ev);
  assert_int_equal(o.calls, 1);
  assert_int_equal(o.events, AVAHI_WATCH_OUT);
  run_once(ev);
  assert_int_equal(o.calls, 1);
  /* IN again: still readable */
  p.api.watch_update(w, AVAHI_WATCH_IN);
  run_once(ev);
  assert_int_equal(s.calls, 2);
  p.api.watch_free(w);
  close(fds[0]);
  close(fds[1]);
  sd_event_unref(ev);
}

static void test_timeout(void **state) {
  (void)state;
  sd_event *ev;
  disc_avahi_poll p;
  struct timeval now, later;
  assert_int_equal(sd_event_new(&ev), 0);
  disc_avahi_poll_init(&p, ev);
  gettimeofday(&now, NULL);
  seen s = {.api = &p.api};
  /* in the past: fires at the next iteration, once */
  AvahiTimeout *t = p.api.timeout_new(&p.api, &now, on_timeout, &s);
  assert_non_null(t);
  run_once(ev);
  assert_int_equal(s.calls, 1);
  run_once(ev);
  assert_int_equal(s.calls, 1);
  /* re-armed 20 ms ahead: not before, then once */
  gettimeofday(&later, NULL);
  later.tv_usec += 20000;
  if (later.tv_usec >= 1000000) {
    later.tv_sec++;
    later.tv_usec -= 1000000;
  }
  p.api.timeout_update(t, &later);
  assert_true(sd_event_run(ev, 0) >= 0);
  assert_int_equal(s.calls, 1);
  for (int i = 0; i < 20 && s.calls == 1; i++)
    run_once(ev);
  assert_int_equal(s.calls, 2);
  /* NULL disarms */
  p.api.timeout_update(t, &now);
  p.api.timeout_update(t, NULL);
  run_once(ev);
  assert_int_equal(s.calls, 2);
  p.api.timeout_free(t);
  /* NULL at creation: disarmed; freed from its own callback */
  seen f = {.api = &p.api, .free_self = true};
  AvahiTimeout *u = p.api.timeout_new(&p.api, NULL, on_timeout, &f);
  run_once(ev);
  assert_int_equal(f.calls, 0);
  p.api.timeout_update(u, &now);
  run_once(ev);
  assert_int_equal(f.calls, 1);
  sd_event_unref(ev);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_watch),
      cmocka_unit_test(test_timeout),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
