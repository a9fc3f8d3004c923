/* The client end of the control socket: a non-blocking UNIX stream socket
 * driven by poll(2) against one deadline. */
#include "ctl/ctl_client.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct ctl_conn {
  int fd;
  int timeout_ms;
  int64_t deadline_ms; /* CLOCK_MONOTONIC */
  char *buf;           /* bytes received and not yet returned */
  size_t len, cap;
};

/* How long to wait before trying again when the listen backlog is full
 * (a non-blocking connect on a UNIX socket then fails with EAGAIN and
 * offers nothing to poll). */
#define BACKLOG_RETRY_MS 10

static int64_t now_ms(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int remaining_ms(const ctl_conn *c) {
  int64_t r = c->deadline_ms - now_ms();

  return r <= 0 ? 0 : r > INT32_MAX ? INT32_MAX : (int)r;
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;

  if (errlen == 0) {
    return;
  }
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
}

static void timeout_err(const ctl_conn *c, const char *what, char *err, size_t errlen) {
  set_err(err, errlen, "timed out after %.1f s %s", c->timeout_ms / 1000.0, what);
}

/* wait_fd waits until |c| is ready for |events|. Returns 0, or -1 on
 * timeout or error (with |err| set; |what| says what we were waiting
 * for). */
static int wait_fd(ctl_conn *c, short events, const char *what, char *err, size_t errlen) {
  for (;;) {
    struct pollfd pfd = {c->fd, events, 0};
    int ms = remaining_ms(c);
    int rv;

    if (ms == 0) {
      timeout_err(c, what, err, errlen);
      return -1;
    }
    rv = poll(&pfd, 1, ms);
    if (rv > 0) {
      return 0; /* also for POLLERR / POLLHUP: the next call says why */
    }
    if (rv < 0 && errno != EINTR) {
      set_err(err, errlen, "poll: %s", strerror(errno));
      return -1;
    }
  }
}

static ctl_result connect_error(int e, char *err, size_t errlen) {
  if (e == ENOENT || e == ECONNREFUSED) {
    set_err(err, errlen, "not running (%s)", strerror(e));
    return CTL_NOT_RUNNING;
  }
  set_err(err, errlen, "cannot connect: %s", strerror(e));
  return CTL_ERROR;
}

ctl_result ctl_connect(ctl_conn **pc, const char *path, int timeout_ms, char *err, size_t errlen) {
  struct sockaddr_un sun;
  ctl_conn *c;
  ctl_result res;

  *pc = NULL;
  memset(&sun, 0, sizeof(sun));
  sun.sun_family = AF_UNIX;
  if (path[0] == '\0') {
    set_err(err, errlen, "empty socket path");
    return CTL_ERROR;
  }
  if (strlen(path) >= sizeof(sun.sun_path)) {
    set_err(err, errlen, "socket path longer than %zu bytes", sizeof(sun.sun_path) - 1);
    return CTL_ERROR;
  }
  memcpy(sun.sun_path, path, strlen(path));

  c = calloc(1, sizeof(*c));
  if (c == NULL) {
    set_err(err, errlen, "out of memory");
    return CTL_ERROR;
  }
  c->timeout_ms = timeout_ms > 0 ? timeout_ms : CTL_TIMEOUT_MS;
  c->deadline_ms = now_ms() + c->timeout_ms;
  c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0) {
    set_err(err, errlen, "socket: %s", strerror(errno));
    free(c);
    return CTL_ERROR;
  }

  for (;;) {
    int so_err = 0;
    socklen_t so_len = sizeof(so_err);

    if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
      break;
    }
    if (errno == EAGAIN) {
      int ms = remaining_ms(c);

      if (ms == 0) {
        timeout_err(c, "connecting (the daemon's listen queue is full)", err, errlen);
        res = CTL_ERROR;
        goto fail;
      }
      poll(NULL, 0, ms < BACKLOG_RETRY_MS ? ms : BACKLOG_RETRY_MS);
      continue;
    }
    if (errno != EINPROGRESS && errno != EINTR) {
      res = connect_error(errno, err, errlen);
      goto fail;
    }
    if (wait_fd(c, POLLOUT, "connecting", err, errlen) != 0) {
      res = CTL_ERROR;
      goto fail;
    }
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &so_err, &so_len) != 0) {
      so_err = errno;
    }
    if (so_err != 0) {
      res = connect_error(so_err, err, errlen);
      goto fail;
    }
    break;
  }
  *pc = c;
  return CTL_OK;

fail:
  ctl_close(c);
  return res;
}

static ctl_result send_all(ctl_conn *c, const char *p, size_t n, char *err, size_t errlen) {
  while (n > 0) {
    ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);

    if (w >= 0) {
      p += w;
      n -= (size_t)w;
      continue;
    }
    if (errno == EINTR) {
      continue;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (wait_fd(c, POLLOUT, "sending the request", err, errlen) != 0) {
        return CTL_ERROR;
      }
      continue;
    }
    if (errno == EPIPE || errno == ECONNRESET) {
      set_err(err, errlen, "the daemon closed the connection");
    } else {
      set_err(err, errlen, "send: %s", strerror(errno));
    }
    return CTL_ERROR;
  }
  return CTL_OK;
}

/* take_line moves the first line of the buffer (up to the '\n' at |nl|)
 * into a new string. */
static ctl_result take_line(ctl_conn *c, size_t nl, char **reply, size_t *replylen, char *err,
                            size_t errlen) {
  char *line = malloc(nl + 1);

  if (line == NULL) {
    set_err(err, errlen, "out of memory");
    return CTL_ERROR;
  }
  memcpy(line, c->buf, nl);
  line[nl] = '\0';
  c->len -= nl + 1;
  memmove(c->buf, c->buf + nl + 1, c->len);
  *reply = line;
  *replylen = nl;
  return CTL_OK;
}

static ctl_result read_line(ctl_conn *c, char **reply, size_t *replylen, char *err,
                            size_t errlen) {
  size_t scanned = 0;

  for (;;) {
    char *nl = c->len > scanned ? memchr(c->buf + scanned, '\n', c->len - scanned) : NULL;
    ssize_t r;

    if (nl != NULL) {
      return take_line(c, (size_t)(nl - c->buf), reply, replylen, err, errlen);
    }
    scanned = c->len;
    if (c->len >= CTL_REPLY_MAX) {
      set_err(err, errlen, "malformed reply: longer than %u bytes", CTL_REPLY_MAX - 1);
      return CTL_ERROR;
    }
    if (c->cap == c->len) {
      size_t cap = c->cap ? c->cap * 2 : 4096;
      char *b;

      if (cap > CTL_REPLY_MAX) {
        cap = CTL_REPLY_MAX;
      }
      b = realloc(c->buf, cap);
      if (b == NULL) {
        set_err(err, errlen, "out of memory");
        return CTL_ERROR;
      }
      c->buf = b;
      c->cap = cap;
    }
    r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
    if (r > 0) {
      c->len += (size_t)r;
      continue;
    }
    if (r == 0) {
      if (c->len == 0) {
        set_err(err, errlen, "the daemon closed the connection without replying");
      } else {
        set_err(err, errlen, "malformed reply: cut short after %zu bytes", c->len);
      }
      return CTL_ERROR;
    }
    if (errno == EINTR) {
      continue;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (wait_fd(c, POLLIN, "waiting for the reply", err, errlen) != 0) {
        return CTL_ERROR;
      }
      continue;
    }
    if (errno == ECONNRESET) {
      set_err(err, errlen, "the daemon closed the connection without replying");
    } else {
      set_err(err, errlen, "recv: %s", strerror(errno));
    }
    return CTL_ERROR;
  }
}

ctl_result ctl_exchange(ctl_conn *c, const char *request, char **reply, size_t *replylen,
                        char *err, size_t errlen) {
  size_t n = strlen(request);
  char line[CTL_REQUEST_MAX];
  ctl_result res;

  *reply = NULL;
  *replylen = 0;
  if (memchr(request, '\n', n) != NULL) {
    set_err(err, errlen, "request contains a newline");
    return CTL_ERROR;
  }
  if (n + 1 > CTL_REQUEST_MAX) {
    set_err(err, errlen, "request longer than %d bytes", CTL_REQUEST_MAX - 1);
    return CTL_ERROR;
  }
  memcpy(line, request, n);
  line[n] = '\n';
  res = send_all(c, line, n + 1, err, errlen);
  if (res != CTL_OK) {
    return res;
  }
  return read_line(c, reply, replylen, err, errlen);
}

void ctl_close(ctl_conn *c) {
  if (c == NULL) {
    return;
  }
  if (c->fd >= 0) {
    close(c->fd);
  }
  free(c->buf);
  free(c);
}

ctl_result ctl_request(const char *path, const char *request, int timeout_ms, char **reply,
                       size_t *replylen, char *err, size_t errlen) {
  ctl_conn *c;
  ctl_result res;

  *reply = NULL;
  *replylen = 0;
  res = ctl_connect(&c, path, timeout_ms, err, errlen);
  if (res != CTL_OK) {
    return res;
  }
  res = ctl_exchange(c, request, reply, replylen, err, errlen);
  ctl_close(c);
  return res;
}
