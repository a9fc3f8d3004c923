/* Tests for src/ctl/ctl_server.c: a real sd-event loop, a real socket, real
 * clients. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "ctl/ctl_server.h"

#define MS 1000ULL

typedef struct fixture {
  sd_event *ev;
  ctl_server *srv;
  char dir[64];
  char path[128];
  int adm_calls;
} fixture;

/* A test client: a non-blocking socket and what it has read so far. */
typedef struct client {
  int fd;
  char *buf;
  size_t len, cap;
  bool eof;   /* the server closed (EOF or ECONNRESET) */
} client;

/* Commands. */

static int cmd_echo(void *ud, const ctl_request *req, json_object *out, char *err, size_t errlen) {
  size_t i;
  json_object *args;
  int r;

  (void)ud;
  r = cj_add_uint(out, "argc", req->argc);
  args = cj_add_array(out, "args");
  r |= args == NULL;
  for (i = 0; i < req->argc; i++) {
    r |= cj_push_str(args, req->argv[i]);
  }
  if (r != 0) {
    snprintf(err, errlen, "out of memory");
  }
  return r ? -1 : 0;
}

static int cmd_adm(void *ud, const ctl_request *req, json_object *out, char *err, size_t errlen) {
  fixture *t = ud;

  (void)req;
  (void)err;
  (void)errlen;
  t->adm_calls++;
  return cj_add_bool(out, "admin", true) ? -1 : 0;
}

static int cmd_fail(void *ud, const ctl_request *req, json_object *out, char *err, size_t errlen) {
  (void)ud;
  (void)req;
  (void)cj_add_str(out, "dropped", "x");
  snprintf(err, errlen, "it failed");
  return -1;
}

/* cmd_bad fails without saying why */
static int cmd_bad(void *ud, const ctl_request *req, json_object *out, char *err, size_t errlen) {
  (void)ud;
  (void)req;
  (void)err;
  (void)errlen;
  (void)cj_add_str(out, "dropped", "y");
  return -1;
}

/* cmd_big writes a reply of about |argv[0]| KiB. */
static int cmd_big(void *ud, const ctl_request *req, json_object *out, char *err, size_t errlen) {
  size_t n = req->argc ? (size_t)atoi(req->argv[0]) * 1024 : 1024;
  char *s = malloc(n);
  json_object *v;

  (void)ud;
  if (s == NULL) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  memset(s, 'x', n);
  v = cj_string(s, n);
  free(s);
  if (v == NULL || json_object_object_add(out, "data", v) != 0) {
    json_object_put(v);
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  return 0;
}

static const ctl_command commands[] = {
    {"echo", false, cmd_echo}, {"adm", true, cmd_adm}, {"fail", false, cmd_fail},
    {"bad", false, cmd_bad},   {"big", false, cmd_big},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* Helpers. */

static uint64_t now_usec(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* set_sun fills |sun| with |path|; returns 0, or -1 if it is too long. */
static int set_sun(struct sockaddr_un *sun, const char *path) {
  size_t n = strlen(path);

  memset(sun, 0, sizeof(*sun));
  sun->sun_family = AF_UNIX;
  if (n >= sizeof(sun->sun_path)) {
    return -1;
  }
  memcpy(sun->sun_path, path, n);
  return 0;
}

static int cl_connect_path(const char *path) {
  struct sockaddr_un sun;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

  assert_true(fd >= 0);
  assert_int_equal(set_sun(&sun, path), 0);
  assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
  return fd;
}

static void cl_open(fixture *t, client *c) {
  memset(c, 0, sizeof(*c));
  c->fd = cl_connect_path(t->path);
}

static void cl_close(client *c) {
  if (c->fd >= 0) {
    close(c->fd);
  }
  c->fd = -1;
  free(c->buf);
  c->buf = NULL;
  c->len = c->cap = 0;
}

static void cl_send(client *c, const char *s, size_t n) {
  ssize_t r = send(c->fd, s, n, MSG_NOSIGNAL);

  assert_int_equal(r, (ssize_t)n);
}

#define SEND(c, lit) cl_send(c, lit, sizeof(lit) - 1)

/* cl_pump reads whatever is there without blocking. */
static void cl_pump(client *c) {
  ssize_t n;

  for (;;) {
    if (c->cap - c->len < 65536) {
      c->cap = c->cap ? c->cap * 2 : 65536;
      c->buf = realloc(c->buf, c->cap);
      assert_non_null(c->buf);
    }
    n = recv(c->fd, c->buf + c->len, c->cap - c->len - 1, MSG_DONTWAIT);
    if (n > 0) {
      c->len += (size_t)n;
      continue;
    }
    if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      c->eof = true;
    }
    return;
  }
}

/* cl_line runs the loop until |c| has a complete line (or |ms| pass) and
 * returns it (malloc'ed, without '\n'), or NULL. */
static char *cl_line(fixture *t, client *c, unsigned ms) {
  uint64_t end = now_usec() + ms * MS;
  char *nl, *line;
  size_t n;

  for (;;) {
    cl_pump(c);
    nl = c->len ? memchr(c->buf, '\n', c->len) : NULL;
    if (nl) {
      n = (size_t)(nl - c->buf);
      line = malloc(n + 1);
      assert_non_null(line);
      memcpy(line, c->buf, n);
      line[n] = '\0';
      memmove(c->buf, nl + 1, c->len - n - 1);
      c->len -= n + 1;
      return line;
    }
    if (c->eof || now_usec() > end) {
      return NULL;
    }
    assert_true(sd_event_run(t->ev, 5 * MS) >= 0);
  }
}

/* expect_line checks the next reply on |c|. */
static void expect_line(fixture *t, client *c, const char *want) {
  char *line = cl_line(t, c, 2000);
  bool ok;

  if (line == NULL) {
    print_error("no reply, want %s\n", want);
    fail();
  }
  ok = strcmp(line, want) == 0;
  if (!ok) {
    print_error("got %s\nwant %s\n", line, want);
  }
  free(line);
  if (!ok) {
    fail();
  }
}

/* wait_eof runs the loop until the server closed |c|. */
static bool wait_eof(fixture *t, client *c, unsigned ms) {
  uint64_t end = now_usec() + ms * MS;

  for (;;) {
    cl_pump(c);
    if (c->eof) {
      return true;
    }
    if (now_usec() > end) {
      return false;
    }
    assert_true(sd_event_run(t->ev, 5 * MS) >= 0);
  }
}

/* run_for runs the loop for |ms|. */
static void run_for(fixture *t, unsigned ms) {
  uint64_t end = now_usec() + ms * MS;

  while (now_usec() < end) {
    assert_true(sd_event_run(t->ev, 5 * MS) >= 0);
  }
}

/* wait_clients runs the loop until the server has |n| clients. */
static void wait_clients(fixture *t, size_t n) {
  uint64_t end = now_usec() + 2000 * MS;

  while (ctl_server_clients(t->srv) != n) {
    if (now_usec() > end) {
      print_error("%zu clients, want %zu\n", ctl_server_clients(t->srv), n);
      fail();
    }
    assert_true(sd_event_run(t->ev, 5 * MS) >= 0);
  }
}

static int setup(void **state) {
  fixture *t = calloc(1, sizeof(*t));
  char err[256];

  if (t == NULL) {
    return -1;
  }
  snprintf(t->dir, sizeof(t->dir), "/tmp/test_ctl.XXXXXX");
  if (mkdtemp(t->dir) == NULL) {
    free(t);
    return -1;
  }
  snprintf(t->path, sizeof(t->path), "%s/ctl.sock", t->dir);
  if (sd_event_new(&t->ev) < 0) {
    rmdir(t->dir);
    free(t);
    return -1;
  }
  if (ctl_server_open(&t->srv, t->ev, t->path, 0600, commands, NCOMMANDS, t, err,
                      sizeof(err)) != 0) {
    fprintf(stderr, "ctl_server_open: %s\n", err);
    sd_event_unref(t->ev);
    rmdir(t->dir);
    free(t);
    return -1;
  }
  *state = t;
  return 0;
}

static int teardown(void **state) {
  fixture *t = *state;
  struct stat st;

  ctl_server_close(t->srv);
  /* the socket file goes with the server */
  if (lstat(t->path, &st) == 0 || errno != ENOENT) {
    fprintf(stderr, "%s still there after ctl_server_close\n", t->path);
    return -1;
  }
  sd_event_unref(t->ev);
  if (rmdir(t->dir) != 0) {
    fprintf(stderr, "rmdir %s: %s\n", t->dir, strerror(errno));
    return -1;
  }
  free(t);
  return 0;
}

/* Tests. */

static void test_peer_is_admin(void **state) {
  (void)state;
  assert_true(ctl_peer_is_admin(0, 0));
  assert_true(ctl_peer_is_admin(0, 998));
  assert_true(ctl_peer_is_admin(998, 998));
  assert_false(ctl_peer_is_admin(1000, 998));
  assert_false(ctl_peer_is_admin(998, 0));
  assert_false(ctl_peer_is_admin(65534, 0));
  assert_false(ctl_peer_is_admin((uid_t)-1, 998));
}

static void test_good(void **state) {
  fixture *t = *state;
  client c;

  cl_open(t, &c);
  SEND(&c, "echo\n");
  expect_line(t, &c, "{\"ok\":true,\"argc\":0,\"args\":[]}");
  SEND(&c, "echo a b.c 1 x-y\n");
  expect_line(t, &c, "{\"ok\":true,\"argc\":4,\"args\":[\"a\",\"b.c\",\"1\",\"x-y\"]}");
  SEND(&c, "echo crlf\r\n");
  expect_line(t, &c, "{\"ok\":true,\"argc\":1,\"args\":[\"crlf\"]}");
  assert_int_equal(ctl_server_clients(t->srv), 1);
  cl_close(&c);
  wait_clients(t, 0);
}

static void test_errors(void **state) {
  fixture *t = *state;
  client c;

  cl_open(t, &c);
  SEND(&c, "nope\n");
  expect_line(t, &c, "{\"ok\":false,\"error\":\"unknown command 'nope'\"}");
  SEND(&c, "Echo\n");
  expect_line(t, &c, "{\"ok\":false,\"error\":\"invalid character in request\"}");
  SEND(&c, "\n");
  expect_line(t, &c, "{\"ok\":false,\"error\":\"empty request\"}");
  SEND(&c, "echo  a\n");
  expect_line(t, &c, "{\"ok\":false,\"error\":\"double space in request\"}");
  SEND(&c, "echo 1 2 3 4 5\n");
  expect_line(t, &c, "{\"ok\":false,\"error\":\"too many arguments\"}");
  SEND(&c, "fail\n");
  expect_line(t, &c, "{\"ok\":false,\"error\":\"it failed\"}");
  SEND(&c, "bad\n");
  expect_line(t, &c, "{\"ok\":false,\"error\":\"command failed\"}");
  /* 1100 KiB does not fit in a 1 MiB reply */
  SEND(&c, "big 1100\n");
  expect_line(t, &c, "{\"ok\":false,\"error\":\"reply too large\"}");
  /* the connection survives all of them */
  SEND(&c, "echo still\n");
  expect_line(t, &c, "{\"ok\":true,\"argc\":1,\"args\":[\"still\"]}");
  cl_close(&c);
}

static void test_big_reply(void **state) {
  fixture *t = *state;
  client c;
  char *line;

  /* the largest reply that fits: 1 MiB with its '\n' */
  cl_open(t, &c);
  SEND(&c, "big 1023\necho after\n");
  line = cl_line(t, &c, 5000);
  assert_non_null(line);
  assert_int_equal(strlen(line), 1023 * 1024 + strlen("{\"ok\":true,\"data\":\"\"}"));
  assert_memory_equal(line, "{\"ok\":true,\"data\":\"xxx", 22);
  free(line);
  expect_line(t, &c, "{\"ok\":true,\"argc\":1,\"args\":[\"after\"]}");
  cl_close(&c);
}

static void test_pipelined(void **state) {
  fixture *t = *state;
  client c;
  char req[64 * 12], want[64];
  size_t n = 0;
  int i;

  cl_open(t, &c);
  SEND(&c, "echo 1\necho 2\n");
  expect_line(t, &c, "{\"ok\":true,\"argc\":1,\"args\":[\"1\"]}");
  expect_line(t, &c, "{\"ok\":true,\"argc\":1,\"args\":[\"2\"]}");

  /* many in one write, errors among them, still one reply each in order */
  for (i = 0; i < 60; i++) {
    n += (size_t)snprintf(req + n, sizeof(req) - n, i % 7 ? "echo %d\n" : "x%d y\n", i);
  }
  cl_send(&c, req, n);
  for (i = 0; i < 60; i++) {
    if (i % 7) {
      snprintf(want, sizeof(want), "{\"ok\":true,\"argc\":1,\"args\":[\"%d\"]}", i);
    } else {
      snprintf(want, sizeof(want), "{\"ok\":false,\"error\":\"unknown command 'x%d'\"}", i);
    }
    expect_line(t, &c, want);
  }
  cl_close(&c);
}

static void test_split(void **state) {
  fixture *t = *state;
  client c;
  char *line;

  cl_open(t, &c);
  SEND(&c, "ec");
  run_for(t, 20);
  SEND(&c, "ho sp");
  line = cl_line(t, &c, 50);
  assert_null(line);
  SEND(&c, "lit");
  run_for(t, 20);
  /* the end of one request and all of the next in one write */
  SEND(&c, "\necho next\ne");
  expect_line(t, &c, "{\"ok\":true,\"argc\":1,\"args\":[\"split\"]}");
  expect_line(t, &c, "{\"ok\":true,\"argc\":1,\"args\":[\"next\"]}");
  SEND(&c, "cho last\n");
  expect_line(t, &c, "{\"ok\":true,\"argc\":1,\"args\":[\"last\"]}");
  cl_close(&c);
}

static void test_too_long(void **state) {
  fixture *t = *state;
  client c;
  char buf[CTL_LINE_MAX + 100];

  /* exactly CTL_LINE_MAX bytes + '\n': a parse error, connection kept */
  cl_open(t, &c);
  memset(buf, 'a', sizeof(buf));
  buf[CTL_LINE_MAX] = '\n';
  cl_send(&c, buf, CTL_LINE_MAX + 1);
  expect_line(t, &c, "{\"ok\":false,\"error\":\"word too long in request\"}");
  SEND(&c, "echo ok\n");
  expect_line(t, &c, "{\"ok\":true,\"argc\":1,\"args\":[\"ok\"]}");

  /* one byte more: error, then the server closes */
  buf[CTL_LINE_MAX] = 'a';
  buf[CTL_LINE_MAX + 1] = '\n';
  cl_send(&c, buf, CTL_LINE_MAX + 2);
  expect_line(t, &c, "{\"ok\":false,\"error\":\"request too long\"}");
  assert_true(wait_eof(t, &c, 2000));
  assert_int_equal(c.len, 0);
  wait_clients(t, 0);
  cl_close(&c);

  /* a long line without any newline, and requests after it: no reply to
   * those */
  cl_open(t, &c);
  memset(buf, 'b', sizeof(buf));
  cl_send(&c, buf, sizeof(buf));
  SEND(&c, "\necho ignored\n");
  expect_line(t, &c, "{\"ok\":false,\"error\":\"request too long\"}");
  assert_true(wait_eof(t, &c, 2000));
  assert_int_equal(c.len, 0);
  cl_close(&c);
  wait_clients(t, 0);
}

static void test_half_close(void **state) {
  fixture *t = *state;
  client c;

  /* the reply still comes after the client shut down its sending side;
   * a last line without '\n' is answered too */
  cl_open(t, &c);
  SEND(&c, "echo a\necho b");
  assert_int_equal(shutdown(c.fd, SHUT_WR), 0);
  expect_line(t, &c, "{\"ok\":true,\"argc\":1,\"args\":[\"a\"]}");
  expect_line(t, &c, "{\"ok\":true,\"argc\":1,\"args\":[\"b\"]}");
  assert_true(wait_eof(t, &c, 2000));
  wait_clients(t, 0);
  cl_close(&c);

  /* a client that leaves before its reply is simply dropped */
  cl_open(t, &c);
  SEND(&c, "echo gone\n");
  cl_close(&c);
  run_for(t, 30);
  wait_clients(t, 0);
}

static void test_max_clients(void **state) {
  fixture *t = *state;
  client c[CTL_MAX_CLIENTS + 2];
  int i;

  for (i = 0; i < CTL_MAX_CLIENTS; i++) {
    cl_open(t, &c[i]);
    /* never more than the backlog waiting at once */
    if (i % 8 == 7) {
      wait_clients(t, (size_t)i + 1);
    }
  }
  wait_clients(t, CTL_MAX_CLIENTS);
  cl_open(t, &c[CTL_MAX_CLIENTS]);
  assert_true(wait_eof(t, &c[CTL_MAX_CLIENTS], 2000));
  assert_int_equal(ctl_server_clients(t->srv), CTL_MAX_CLIENTS);
  assert_int_equal(ctl_server_refused(t->srv), 1);
  cl_close(&c[CTL_MAX_CLIENTS]);
  /* the others still work */
  SEND(&c[0], "echo first\n");
  SEND(&c[CTL_MAX_CLIENTS - 1], "echo last\n");
  expect_line(t, &c[0], "{\"ok\":true,\"argc\":1,\"args\":[\"first\"]}");
  expect_line(t, &c[CTL_MAX_CLIENTS - 1], "{\"ok\":true,\"argc\":1,\"args\":[\"last\"]}");
  /* one leaves, a new one gets its place */
  cl_close(&c[5]);
  wait_clients(t, CTL_MAX_CLIENTS - 1);
  cl_open(t, &c[CTL_MAX_CLIENTS + 1]);
  SEND(&c[CTL_MAX_CLIENTS + 1], "echo new\n");
  expect_line(t, &c[CTL_MAX_CLIENTS + 1], "{\"ok\":true,\"argc\":1,\"args\":[\"new\"]}");
  assert_int_equal(ctl_server_clients(t->srv), CTL_MAX_CLIENTS);
  for (i = 0; i < CTL_MAX_CLIENTS + 2; i++) {
    if (i != 5 && i != CTL_MAX_CLIENTS) {
      cl_close(&c[i]);
    }
  }
  wait_clients(t, 0);
}

/* control_clients: a smaller limit, set after opening. */
static void test_set_max_clients(void **state) {
  fixture *t = *state;
  client c[3];

  ctl_server_set_max_clients(t->srv, 2);
  cl_open(t, &c[0]);
  cl_open(t, &c[1]);
  wait_clients(t, 2);
  cl_open(t, &c[2]);
  assert_true(wait_eof(t, &c[2], 2000));
  assert_int_equal(ctl_server_clients(t->srv), 2);
  assert_int_equal(ctl_server_refused(t->srv), 1);
  SEND(&c[1], "echo ok\n");
  expect_line(t, &c[1], "{\"ok\":true,\"argc\":1,\"args\":[\"ok\"]}");
  for (int i = 0; i < 3; i++)
    cl_close(&c[i]);
  wait_clients(t, 0);
}

static void test_idle_timeout(void **state) {
  fixture *t = *state;
  client idle, busy;
  uint64_t start, took;
  int i;

  ctl_server_set_idle_timeout(t->srv, 200 * MS);
  start = now_usec();
  cl_open(t, &idle);
  cl_open(t, &busy);
  wait_clients(t, 2);
  /* the busy one sends a request every 50 ms for 500 ms */
  for (i = 0; i < 10; i++) {
    SEND(&busy, "echo busy\n");
    expect_line(t, &busy, "{\"ok\":true,\"argc\":1,\"args\":[\"busy\"]}");
    run_for(t, 50);
    if (i == 1) {
      /* 100 ms on, the idle one is still there */
      cl_pump(&idle);
      assert_false(idle.eof);
    }
  }
  assert_true(wait_eof(t, &idle, 2000));
  took = now_usec() - start;
  assert_true(took >= 200 * MS);
  cl_pump(&busy);
  assert_false(busy.eof);
  assert_int_equal(ctl_server_clients(t->srv), 1);
  /* once the busy one is silent, it goes too */
  assert_true(wait_eof(t, &busy, 2000));
  wait_clients(t, 0);
  cl_close(&idle);
  cl_close(&busy);
}

static void test_default_idle_timeout(void **state) {
  fixture *t = *state;
  client c;
  uint64_t start = now_usec();

  cl_open(t, &c);
  wait_clients(t, 1);
  run_for(t, 300);
  cl_pump(&c);
  assert_false(c.eof);
  assert_true(wait_eof(t, &c, 7000));
  assert_true(now_usec() - start >= 5000 * MS);
  assert_true(now_usec() - start < 6000 * MS);
  cl_close(&c);
}

static void test_slow_reader(void **state) {
  fixture *t = *state;
  client c, other;
  int i;

  cl_open(t, &c);
  cl_open(t, &other);
  wait_clients(t, 2);
  /* 512 KiB replies the client never reads: closed once more than 1 MiB
   * waits when the next request comes */
  for (i = 0; i < 16 && ctl_server_clients(t->srv) == 2; i++) {
    (void)send(c.fd, "big 512\n", 8, MSG_NOSIGNAL);
    run_for(t, 20);
    /* c never reads; the other one is served all along */
    SEND(&other, "echo other\n");
    expect_line(t, &other, "{\"ok\":true,\"argc\":1,\"args\":[\"other\"]}");
  }
  assert_int_equal(ctl_server_clients(t->srv), 1);
  /* not before the unread replies passed 1 MiB */
  assert_true(i >= 3);
  cl_close(&c);
  cl_close(&other);
  wait_clients(t, 0);
}

static void test_admin(void **state) {
  fixture *t = *state;
  client c;
  pid_t pid;
  int status;

  /* we are root (or the server's own uid): allowed */
  cl_open(t, &c);
  SEND(&c, "adm\n");
  expect_line(t, &c, "{\"ok\":true,\"admin\":true}");
  assert_int_equal(t->adm_calls, 1);
  cl_close(&c);

  if (geteuid() != 0) {
    return;
  }
  /* a socket connected by another uid (the credentials are the
   * connecting process's): refused */
  assert_int_equal(chmod(t->dir, 0711), 0);
  assert_int_equal(chmod(t->path, 0666), 0);
  memset(&c, 0, sizeof(c));
  c.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  assert_true(c.fd >= 0);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    struct sockaddr_un sun;

    if (set_sun(&sun, t->path) != 0 || setgroups(0, NULL) != 0 || setresgid(65534, 65534, 65534) != 0 ||
        setresuid(65534, 65534, 65534) != 0) {
      _exit(2);
    }
    _exit(connect(c.fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 ? 0 : 1);
  }
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  SEND(&c, "adm\n");
  expect_line(t, &c, "{\"ok\":false,\"error\":\"permission denied\"}");
  assert_int_equal(t->adm_calls, 1);
  /* read-only commands are still open to it */
  SEND(&c, "echo me\n");
  expect_line(t, &c, "{\"ok\":true,\"argc\":1,\"args\":[\"me\"]}");
  cl_close(&c);
  assert_int_equal(chmod(t->dir, 0700), 0);
}

static void test_socket_file(void **state) {
  fixture *t = *state;
  struct stat st;
  char path[160], err[256];
  ctl_server *s2 = NULL;
  int fd;
  struct sockaddr_un sun;
  mode_t old_umask;
  FILE *f;

  /* mode as asked */
  assert_int_equal(lstat(t->path, &st), 0);
  assert_true(S_ISSOCK(st.st_mode));
  assert_int_equal(st.st_mode & 07777, 0600);

  /* another mode, whatever the umask */
  snprintf(path, sizeof(path), "%s/other.sock", t->dir);
  old_umask = umask(0077);
  assert_int_equal(ctl_server_open(&s2, t->ev, path, 0660, commands, NCOMMANDS, t, err,
                                   sizeof(err)), 0);
  umask(old_umask);
  assert_int_equal(lstat(path, &st), 0);
  assert_int_equal(st.st_mode & 07777, 0660);

  /* a live socket is not taken over */
  err[0] = '\0';
  assert_int_equal(ctl_server_open(&s2, t->ev, t->path, 0600, commands, NCOMMANDS, t, err,
                                   sizeof(err)), -1);
  assert_non_null(strstr(err, "in use"));
  assert_int_equal(lstat(t->path, &st), 0);
  ctl_server_close(s2);
  assert_int_equal(lstat(path, &st), -1);
  assert_int_equal(errno, ENOENT);

  /* a stale socket (bound, nobody listening) is replaced */
  fd = socket(AF_UNIX, SOCK_STREAM, 0);
  assert_true(fd >= 0);
  assert_int_equal(set_sun(&sun, path), 0);
  assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
  close(fd);
  assert_int_equal(ctl_server_open(&s2, t->ev, path, 0640, commands, NCOMMANDS, t, err,
                                   sizeof(err)), 0);
  assert_int_equal(lstat(path, &st), 0);
  assert_int_equal(st.st_mode & 07777, 0640);
  ctl_server_close(s2);
  assert_int_equal(lstat(path, &st), -1);

  /* a file that is not a socket is left alone */
  f = fopen(path, "w");
  assert_non_null(f);
  fclose(f);
  err[0] = '\0';
  assert_int_equal(ctl_server_open(&s2, t->ev, path, 0600, commands, NCOMMANDS, t, err,
                                   sizeof(err)), -1);
  assert_non_null(strstr(err, "not a socket"));
  assert_int_equal(lstat(path, &st), 0);
  assert_true(S_ISREG(st.st_mode));
  assert_int_equal(unlink(path), 0);

  /* a missing directory fails cleanly */
  snprintf(path, sizeof(path), "%s/nodir/x.sock", t->dir);
  assert_int_equal(ctl_server_open(&s2, t->ev, path, 0600, commands, NCOMMANDS, t, err,
                                   sizeof(err)), -1);
  assert_non_null(strstr(err, "bind"));

  /* a path longer than sun_path */
  memset(path, 'p', sizeof(path) - 1);
  path[0] = '/';
  path[sizeof(path) - 1] = '\0';
  assert_int_equal(ctl_server_open(&s2, t->ev, path, 0600, commands, NCOMMANDS, t, err,
                                   sizeof(err)), -1);
}

static void test_close_with_clients(void **state) {
  fixture *t = *state;
  client c[3];
  char err[256];
  struct stat st;
  int i;

  for (i = 0; i < 3; i++) {
    cl_open(t, &c[i]);
  }
  SEND(&c[0], "echo partial");
  SEND(&c[1], "big 900\n");
  wait_clients(t, 3);
  run_for(t, 20);
  ctl_server_close(t->srv);
  assert_int_equal(lstat(t->path, &st), -1);
  assert_int_equal(errno, ENOENT);
  /* every client sees the end */
  for (i = 0; i < 3; i++) {
    do {
      c[i].len = 0;
      cl_pump(&c[i]);
    } while (!c[i].eof);
    cl_close(&c[i]);
  }
  /* reopen so that teardown has a server to close */
  assert_int_equal(ctl_server_open(&t->srv, t->ev, t->path, 0600, commands, NCOMMANDS, t, err,
                                   sizeof(err)), 0);
}

static void test_emfile(void **state) {
  fixture *t = *state;
  struct rlimit old, low;
  client c;
  int probe, r, i, dispatched = 0;

  /* connect first, then leave no descriptor for accept */
  cl_open(t, &c);
  assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
  probe = open("/dev/null", O_RDONLY | O_CLOEXEC);
  assert_true(probe >= 0);
  close(probe);
  low = old;
  low.rlim_cur = (rlim_t)probe;
  assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
  /* the accept fails once, then the listening socket is off: the loop
   * sleeps instead of spinning */
  for (i = 0; i < 10; i++) {
    r = sd_event_run(t->ev, 20 * MS);
    assert_true(r >= 0);
    dispatched += r;
  }
  assert_int_equal(dispatched, 1);
  assert_int_equal(ctl_server_clients(t->srv), 0);
  assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
  /* within about 1 s accepting resumes and the client is served */
  SEND(&c, "echo back\n");
  expect_line(t, &c, "{\"ok\":true,\"argc\":1,\"args\":[\"back\"]}");
  assert_int_equal(ctl_server_clients(t->srv), 1);
  cl_close(&c);
  wait_clients(t, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_peer_is_admin),
      cmocka_unit_test_setup_teardown(test_good, setup, teardown),
      cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_big_reply, setup, teardown),
      cmocka_unit_test_setup_teardown(test_pipelined, setup, teardown),
      cmocka_unit_test_setup_teardown(test_split, setup, teardown),
      cmocka_unit_test_setup_teardown(test_too_long, setup, teardown),
      cmocka_unit_test_setup_teardown(test_half_close, setup, teardown),
      cmocka_unit_test_setup_teardown(test_max_clients, setup, teardown),
      cmocka_unit_test_setup_teardown(test_set_max_clients, setup, teardown),
      cmocka_unit_test_setup_teardown(test_idle_timeout, setup, teardown),
      cmocka_unit_test_setup_teardown(test_slow_reader, setup, teardown),
      cmocka_unit_test_setup_teardown(test_admin, setup, teardown),
      cmocka_unit_test_setup_teardown(test_socket_file, setup, teardown),
      cmocka_unit_test_setup_teardown(test_close_with_clients, setup, teardown),
      cmocka_unit_test_setup_teardown(test_emfile, setup, teardown),
      cmocka_unit_test_setup_teardown(test_default_idle_timeout, setup, teardown),
  };

  if (getenv("CTL_TEST_DEBUG")) {
    log_init("test_ctl_server", LOG_DEBUG);
  } else {
    log_init("test_ctl_server", LOG_CRIT);
  }
  return cmocka_run_group_tests(tests, NULL, NULL);
}
