/* Tests for src/ctl/ctl_daemon.c, the commands both daemons share: a fake
 * daemon described by a ctl_daemon_ops table, served on a real socket by a
 * real sd-event loop. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "ctl/ctl_daemon.h"

/* The fake daemon. */
typedef struct fake {
  bool ready;
  const char *state;
  const char *config;
  bool status_fails;
  const char *reload_error; /* NULL: reload works */
  int reloads, drains, pokes;
} fake;

typedef struct fixture {
  sd_event *ev;
  ctl_daemon *d;
  fake f;
  char dir[64];
  char path[128];
} fixture;

static void f_info(void *ud, ctl_daemon_info *out) {
  fake *f = ud;

  out->state = f->state;
  out->uptime = 1.5;
  out->config = f->config;
}

static bool f_ready(void *ud) { return ((fake *)ud)->ready; }

static int f_status(void *ud, json_object *out) {
  fake *f = ud;

  if (f->status_fails) {
    return -1;
  }
  return cj_add_str(out, "own", "member") | cj_add_uint(out, "n", 7);
}

static int f_reload(void *ud, char *err, size_t errlen) {
  fake *f = ud;

  f->reloads++;
  if (f->reload_error != NULL) {
    snprintf(err, errlen, "%s", f->reload_error);
    return -1;
  }
  return 0;
}

static void f_drain(void *ud) { ((fake *)ud)->drains++; }

/* cmd_poke is the fake daemon's own command: it gets the daemon's ud. */
static int cmd_poke(void *ud, const ctl_request *req, json_object *out, char *err,
                    size_t errlen) {
  fake *f = ud;

  f->pokes++;
  if (req->argc > 0) {
    snprintf(err, errlen, "poke takes no argument");
    return -1;
  }
  return cj_add_int(out, "pokes", f->pokes) ? ctl_nomem(err, errlen) : 0;
}

static const ctl_command fake_commands[] = {{"poke", false, cmd_poke}};

static const ctl_daemon_ops full_ops = {
    .name = "wtping-test",
    .info = f_info,
    .ready = f_ready,
    .status = f_status,
    .reload = f_reload,
    .drain = f_drain,
    .cmds = fake_commands,
    .ncmds = 1,
};

/* the least a daemon can say: no reload, no drain, no own members */
static const ctl_daemon_ops bare_ops = {
    .name = "wtping-bare",
    .info = f_info,
    .ready = f_ready,
};

static uint64_t now_ms(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ask sends |line| on a new connection and returns the reply line without
 * its '\n' (static; "" when none came within 2 s). */
static const char *ask(fixture *t, const char *line) {
  static char buf[4096];
  struct sockaddr_un sun;
  size_t len = 0;
  uint64_t end = now_ms() + 2000;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

  assert_true(fd >= 0);
  memset(&sun, 0, sizeof(sun));
  sun.sun_family = AF_UNIX;
  memcpy(sun.sun_path, t->path, strlen(t->path));
  assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
  assert_int_equal(send(fd, line, strlen(line), MSG_NOSIGNAL), (ssize_t)strlen(line));
  assert_int_equal(send(fd, "\n", 1, MSG_NOSIGNAL), 1);
  buf[0] = '\0';
  while (now_ms() < end && memchr(buf, '\n', len) == NULL && len < sizeof(buf) - 1) {
    ssize_t n;

    assert_true(sd_event_run(t->ev, 5000) >= 0);
    n = recv(fd, buf + len, sizeof(buf) - 1 - len, MSG_DONTWAIT);
    if (n > 0) {
      len += (size_t)n;
    }
  }
  close(fd);
  buf[len] = '\0';
  if (len > 0 && buf[len - 1] == '\n') {
    buf[len - 1] = '\0';
  }
  return buf;
}

static int open_with(void **state, const ctl_daemon_ops *ops) {
  fixture *t = calloc(1, sizeof(*t));
  char err[256];

  if (t == NULL) {
    return -1;
  }
  t->f.state = "running";
  t->f.config = "/etc/wtping/test.conf";
  snprintf(t->dir, sizeof(t->dir), "/tmp/test_ctl_daemon.XXXXXX");
  if (mkdtemp(t->dir) == NULL || sd_event_new(&t->ev) < 0) {
    free(t);
    return -1;
  }
  snprintf(t->path, sizeof(t->path), "%s/d.sock", t->dir);
  if (ctl_daemon_open(&t->d, t->ev, t->path, 0600, ops, &t->f, err, sizeof(err)) != 0) {
    fprintf(stderr, "ctl_daemon_open: %s\n", err);
    sd_event_unref(t->ev);
    rmdir(t->dir);
    free(t);
    return -1;
  }
  *state = t;
  return 0;
}

static int setup_full(void **state) { return open_with(state, &full_ops); }

static int setup_bare(void **state) { return open_with(state, &bare_ops); }

static int teardown(void **state) {
  fixture *t = *state;
  struct stat st;

  ctl_daemon_close(t->d);
  if (lstat(t->path, &st) == 0) {
    fprintf(stderr, "%s still there after ctl_daemon_close\n", t->path);
    return -1;
  }
  sd_event_unref(t->ev);
  rmdir(t->dir);
  free(t);
  return 0;
}

/* ---------------------------------------------------------------- tests */

static void test_version(void **state) {
  fixture *t = *state;

  assert_string_equal(ask(t, "version"),
                      "{\"ok\":true,\"daemon\":\"wtping-test\",\"version\":\"" PACKAGE_VERSION "\"}");
}

static void test_check(void **state) {
  fixture *t = *state;

  assert_string_equal(ask(t, "check ready"), "{\"ok\":true,\"ready\":false}");
  t->f.ready = true;
  assert_string_equal(ask(t, "check ready"), "{\"ok\":true,\"ready\":true}");
  assert_string_equal(ask(t, "check live"), "{\"ok\":true,\"live\":true}");
  assert_string_equal(ask(t, "check"), "{\"ok\":false,\"error\":\"usage: check ready|live\"}");
  assert_string_equal(ask(t, "check soon"), "{\"ok\":false,\"error\":\"usage: check ready|live\"}");
  assert_string_equal(ask(t, "check ready live"),
                      "{\"ok\":false,\"error\":\"usage: check ready|live\"}");
}

static void test_status(void **state) {
  fixture *t = *state;
  char want[512];

  snprintf(want, sizeof(want),
           "{\"ok\":true,\"daemon\":\"wtping-test\",\"version\":\"" PACKAGE_VERSION "\","
           "\"pid\":%ld,\"state\":\"running\",\"uptime\":1.5,"
           "\"config\":\"/etc/wtping/test.conf\",\"own\":\"member\",\"n\":7}",
           (long)getpid());
  assert_string_equal(ask(t, "status"), want);
  /* no configuration file is null, and the state is the daemon's */
  t->f.config = "";
  t->f.state = "draining";
  snprintf(want, sizeof(want),
           "{\"ok\":true,\"daemon\":\"wtping-test\",\"version\":\"" PACKAGE_VERSION "\","
           "\"pid\":%ld,\"state\":\"draining\",\"uptime\":1.5,\"config\":null,"
           "\"own\":\"member\",\"n\":7}",
           (long)getpid());
  assert_string_equal(ask(t, "status"), want);
  t->f.config = NULL;
  assert_non_null(strstr(ask(t, "status"), "\"config\":null"));
  /* the daemon's part failing drops the whole reply */
  t->f.status_fails = true;
  assert_string_equal(ask(t, "status"), "{\"ok\":false,\"error\":\"out of memory\"}");
}

static void test_reload(void **state) {
  fixture *t = *state;

  assert_string_equal(ask(t, "reload"), "{\"ok\":true,\"reloaded\":true}");
  t->f.reload_error = "/etc/x.conf:3: listen: bad address";
  assert_string_equal(ask(t, "reload"),
                      "{\"ok\":false,\"error\":\"/etc/x.conf:3: listen: bad address\"}");
  assert_int_equal(t->f.reloads, 2);
}

static void test_drain(void **state) {
  fixture *t = *state;

  assert_string_equal(ask(t, "drain"), "{\"ok\":true,\"draining\":true}");
  assert_int_equal(t->f.drains, 1);
}

static void test_own_command(void **state) {
  fixture *t = *state;

  assert_string_equal(ask(t, "poke"), "{\"ok\":true,\"pokes\":1}");
  assert_string_equal(ask(t, "poke"), "{\"ok\":true,\"pokes\":2}");
  assert_string_equal(ask(t, "poke x"), "{\"ok\":false,\"error\":\"poke takes no argument\"}");
  assert_string_equal(ask(t, "prod"), "{\"ok\":false,\"error\":\"unknown command 'prod'\"}");
  assert_string_equal(ask(t, "Poke"), "{\"ok\":false,\"error\":\"invalid character in request\"}");
}

static void test_bare(void **state) {
  fixture *t = *state;
  char want[512];

  /* no reload, drain or own commands: they are unknown */
  assert_string_equal(ask(t, "reload"), "{\"ok\":false,\"error\":\"unknown command 'reload'\"}");
  assert_string_equal(ask(t, "drain"), "{\"ok\":false,\"error\":\"unknown command 'drain'\"}");
  assert_string_equal(ask(t, "poke"), "{\"ok\":false,\"error\":\"unknown command 'poke'\"}");
  snprintf(want, sizeof(want),
           "{\"ok\":true,\"daemon\":\"wtping-bare\",\"version\":\"" PACKAGE_VERSION "\","
           "\"pid\":%ld,\"state\":\"running\",\"uptime\":1.5,"
           "\"config\":\"/etc/wtping/test.conf\"}",
           (long)getpid());
  assert_string_equal(ask(t, "status"), want);
  assert_int_equal(t->f.reloads + t->f.drains, 0);
}

static void test_start_optional(void **state) {
  sd_event *ev = NULL;
  fake f = {0};

  (void)state;
  assert_true(sd_event_new(&ev) >= 0);
  /* an empty path disables the socket; a bad one is a warning, not fatal */
  assert_null(ctl_daemon_start(ev, "", 0600, &full_ops, &f));
  assert_null(ctl_daemon_start(ev, "/nonexistent-dir/x.sock", 0600, &full_ops, &f));
  ctl_daemon_close(NULL);
  sd_event_unref(ev);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_version, setup_full, teardown),
      cmocka_unit_test_setup_teardown(test_check, setup_full, teardown),
      cmocka_unit_test_setup_teardown(test_status, setup_full, teardown),
      cmocka_unit_test_setup_teardown(test_reload, setup_full, teardown),
      cmocka_unit_test_setup_teardown(test_drain, setup_full, teardown),
      cmocka_unit_test_setup_teardown(test_own_command, setup_full, teardown),
      cmocka_unit_test_setup_teardown(test_bare, setup_bare, teardown),
      cmocka_unit_test(test_start_optional),
  };

  log_init("test_ctl_daemon", LOG_CRIT);
  return cmocka_run_group_tests(tests, NULL, NULL);
}
