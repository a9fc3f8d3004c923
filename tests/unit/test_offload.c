/* Tests for src/common/offload.c: a real sd-event loop and real threads.
 * The slow job makes real certificates (cert/cert_store: key generation,
 * atomic writes with fsync) and then sleeps, standing in for a slow disk;
 * the loop must keep running its timers all the while. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "cert/cert_store.h"
#include "common/offload.h"

#define SLOW_MS 400  /* how long the job blocks its thread */
#define TICK_MS 10   /* the loop's timer while it runs */

typedef struct job {
  /* set before the start, read by the worker */
  char dir[64];
  unsigned sleep_ms;
  pthread_t loop_thread;
  /* written by the worker, read by done after the join */
  bool worked;
  bool on_other_thread;
  bool signals_blocked;
  int store_rc;
  char err[256];
  /* loop side */
  sd_event *ev;
  int done_calls;
  bool done_on_loop_thread;
  unsigned ticks_at_done;
  unsigned *ticks;
  int chain; /* done starts another job while > 0 */
} job;

static void sleep_ms(unsigned ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0)
    ;
}

static void work(void *arg) {
  job *j = arg;
  j->on_other_thread = !pthread_equal(pthread_self(), j->loop_thread);
  sigset_t cur;
  pthread_sigmask(SIG_SETMASK, NULL, &cur);
  j->signals_blocked = sigismember(&cur, SIGTERM) == 1 && sigismember(&cur, SIGHUP) == 1 &&
                       sigismember(&cur, SIGINT) == 1;
  if (j->dir[0]) {
    /* the certificate work of a rotation: a CA, a leaf, fsyncs */
    cert_store st;
    const char *names[] = {"localhost"};
    int64_t now = (int64_t)time(NULL);
    j->store_rc = cert_store_open(&st, j->dir, now, j->err, sizeof(j->err));
    if (j->store_rc == 0) {
      j->store_rc = cert_store_make(&st, CERT_CUR, names, 1, now, now + 3600, j->err,
                                    sizeof(j->err));
      cert_store_close(&st);
    }
  }
  sleep_ms(j->sleep_ms);
  j->worked = true;
}

static void done(void *arg) {
  job *j = arg;
  j->done_calls++;
  j->done_on_loop_thread = pthread_equal(pthread_self(), j->loop_thread);
  j->ticks_at_done = j->ticks ? *j->ticks : 0;
  if (j->chain > 0) {
    j->chain--;
    j->worked = false;
    assert_non_null(offload_start(j->ev, work, done, j));
    return;
  }
  sd_event_exit(j->ev, 0);
}

static int on_tick(sd_event_source *es, uint64_t usec, void *ud) {
  unsigned *ticks = ud;
  (*ticks)++;
  sd_event_source_set_time(es, usec + TICK_MS * 1000);
  return 0;
}

static int on_deadline(sd_event_source *es, uint64_t usec, void *ud) {
  (void)es;
  (void)usec;
  (void)ud;
  fail_msg("the job did not come back within 10 s");
  return 0;
}

static uint64_t mono_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* run_loop runs |j| with a TICK_MS timer beside it until done exits. */
static void run_loop(job *j, unsigned *ticks) {
  sd_event_source *tick, *deadline;
  uint64_t now = mono_us();
  assert_true(sd_event_add_time(j->ev, &tick, CLOCK_MONOTONIC, now + TICK_MS * 1000, 0, on_tick,
                                ticks) >= 0);
  sd_event_source_set_enabled(tick, SD_EVENT_ON);
  assert_true(sd_event_add_time(j->ev, &deadline, CLOCK_MONOTONIC, now + 10000000, 0,
                                on_deadline, NULL) >= 0);
  assert_true(sd_event_loop(j->ev) >= 0);
  sd_event_source_disable_unref(tick);
  sd_event_source_disable_unref(deadline);
}

static void job_init(job *j, unsigned sleep_for, unsigned *ticks) {
  memset(j, 0, sizeof(*j));
  assert_true(sd_event_new(&j->ev) >= 0);
  j->loop_thread = pthread_self();
  j->sleep_ms = sleep_for;
  j->ticks = ticks;
}

static void rm_store(const char *dir) {
  const char *files[] = {"ca.pem", "ca.crt", "current.pem", "next.pem"};
  char p[128];
  for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
    snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
    unlink(p);
  }
  rmdir(dir);
}

/* The loop keeps ticking while a slow certificate job runs, and done comes
 * back on the loop's thread with the job's results. */
static void test_loop_runs_during_slow_job(void **state) {
  (void)state;
  job j;
  unsigned ticks = 0;
  job_init(&j, SLOW_MS, &ticks);
  char tmpl[] = "/tmp/test_offload.XXXXXX";
  assert_non_null(mkdtemp(tmpl));
  snprintf(j.dir, sizeof(j.dir), "%s/certs", tmpl);

  uint64_t t0 = mono_us();
  offload *o = offload_start(j.ev, work, done, &j);
  uint64_t start_us = mono_us() - t0;
  assert_non_null(o);
  assert_true(start_us < 50000); /* offload_start does not wait for the work */
  assert_false(j.done_calls);
  run_loop(&j, &ticks);

  assert_int_equal(j.done_calls, 1);
  assert_true(j.worked);
  assert_true(j.on_other_thread);
  assert_true(j.done_on_loop_thread);
  assert_true(j.signals_blocked);
  if (j.store_rc != 0)
    fail_msg("certificate job: %s", j.err);
  /* SLOW_MS / TICK_MS = 40 ticks if the loop never stalled; a loop that ran
   * the job itself would have had none. Allow for a busy machine. */
  printf("# %u ticks of %d ms while a %d ms job ran\n", j.ticks_at_done, TICK_MS, SLOW_MS);
  assert_true(j.ticks_at_done >= SLOW_MS / TICK_MS / 4);
  char crt[128];
  snprintf(crt, sizeof(crt), "%s/current.pem", j.dir);
  assert_int_equal(access(crt, R_OK), 0);
  rm_store(j.dir);
  rmdir(tmpl);
  sd_event_unref(j.ev);
}

/* done may start the next job: three in a row, one at a time. */
static void test_done_starts_another(void **state) {
  (void)state;
  job j;
  unsigned ticks = 0;
  job_init(&j, 20, &ticks);
  j.chain = 2;
  assert_non_null(offload_start(j.ev, work, done, &j));
  run_loop(&j, &ticks);
  assert_int_equal(j.done_calls, 3);
  assert_true(j.worked);
  sd_event_unref(j.ev);
}

/* At exit, while the job runs: destroy waits for it, done is not called,
 * nothing leaks (ASan) and nothing races (TSan). */
static void test_destroy_while_running(void **state) {
  (void)state;
  job j;
  job_init(&j, 200, NULL);
  offload *o = offload_start(j.ev, work, done, &j);
  assert_non_null(o);
  offload_destroy(o);
  assert_true(j.worked); /* joined */
  assert_int_equal(j.done_calls, 0);
  /* the loop has nothing left to call */
  assert_int_equal(sd_event_run(j.ev, 0), 0);
  assert_int_equal(j.done_calls, 0);
  offload_destroy(NULL);
  sd_event_unref(j.ev);
}

/* Destroy after the job finished but before the loop saw it. */
static void test_destroy_after_finish(void **state) {
  (void)state;
  job j;
  job_init(&j, 0, NULL);
  offload *o = offload_start(j.ev, work, done, &j);
  assert_non_null(o);
  sleep_ms(50);
  offload_destroy(o);
  assert_true(j.worked);
  assert_int_equal(sd_event_run(j.ev, 0), 0);
  assert_int_equal(j.done_calls, 0);
  sd_event_unref(j.ev);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_loop_runs_during_slow_job),
      cmocka_unit_test(test_done_starts_another),
      cmocka_unit_test(test_destroy_while_running),
      cmocka_unit_test(test_destroy_after_finish),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
