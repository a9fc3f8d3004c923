/* The daemon side of the control socket. */
#include "ctl/ctl_server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"

/* reads per readiness callback, so that one client cannot stall others */
#define CTL_READS_PER_EVENT 8
/* accepts per readiness callback */
#define CTL_ACCEPTS_PER_EVENT 16
/* output and reply buffers above this are freed once empty */
#define CTL_KEEP_BUF 65536
/* input discarded before closing, so the peer sees EOF, not a reset */
#define CTL_DRAIN_MAX 65536

typedef struct ctl_client {
  struct ctl_client *prev, *next;
  ctl_server *srv;
  int fd;
  uid_t uid;      /* SO_PEERCRED at accept */
  bool have_uid;  /* uid is known */
  bool closing;   /* no more requests: flush the output, then close */
  sd_event_source *io;
  sd_event_source *timer;
  char *out;      /* replies not yet sent: out[outoff..outlen) */
  size_t outoff, outlen, outcap;
  size_t inlen;   /* bytes in in */
  char in[CTL_LINE_MAX + 1]; /* the longest line and its '\n' */
} ctl_client;

struct ctl_server {
  sd_event *ev;
  int fd;
  char *path;
  dev_t dev; /* the socket file we created */
  ino_t ino;
  sd_event_source *listen_io;
  sd_event_source *pause_timer; /* re-enables listen_io after EMFILE */
  const ctl_command *cmds;
  size_t ncmds;
  void *ud;
  ctl_client *clients;
  size_t nclients;
  size_t max_clients;
  uint64_t refused; /* clients closed at once: max_clients reached */
  uint64_t idle_usec;
  uid_t self;
};

bool ctl_peer_is_admin(uid_t peer, uid_t self) { return peer == 0 || peer == self; }

size_t ctl_server_clients(const ctl_server *s) { return s->nclients; }

void ctl_server_set_max_clients(ctl_server *s, size_t n) { s->max_clients = n ? n : 1; }

uint64_t ctl_server_refused(const ctl_server *s) { return s->refused; }

void ctl_server_set_idle_timeout(ctl_server *s, uint64_t usec) { s->idle_usec = usec; }

/*
 * client_close unlinks |c| from its server, closes it and frees it. Input
 * still queued is read and dropped first (up to CTL_DRAIN_MAX bytes) so that
 * the peer reads our last reply and EOF rather than ECONNRESET.
 */
static void client_close(ctl_client *c) {
  ctl_server *s = c->srv;
  char sink[4096];
  size_t drained = 0;
  ssize_t n;

  while (drained < CTL_DRAIN_MAX) {
    n = recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT);
    if (n <= 0) {
      break;
    }
    drained += (size_t)n;
  }
  if (c->prev) {
    c->prev->next = c->next;
  } else {
    s->clients = c->next;
  }
  if (c->next) {
    c->next->prev = c->prev;
  }
  s->nclients--;
  /* safe inside c's own callbacks: sd-event defers freeing a dispatching
   * source */
  sd_event_source_disable_unref(c->io);
  sd_event_source_disable_unref(c->timer);
  close(c->fd);
  free(c->out);
  free(c);
}

/*
 * client_touch restarts |c|'s idle timer.
 */
static void client_touch(ctl_client *c) {
  if (sd_event_source_set_time_relative(c->timer, c->srv->idle_usec) < 0 ||
      sd_event_source_set_enabled(c->timer, SD_EVENT_ONESHOT) < 0) {
    log_debug("control: cannot restart the idle timer");
  }
}

static int on_client_idle(sd_event_source *es, uint64_t usec, void *ud) {
  ctl_client *c = ud;

  (void)es;
  (void)usec;
  log_debug("control: client idle, closing");
  client_close(c);
  return 0;
}

/*
 * client_append appends the |len| bytes at |p| and a '\n' to |c|'s output.
 * Returns 0 or -1 (no memory).
 */
static int client_append(ctl_client *c, const char *p, size_t len) {
  size_t need, cap;
  char *q;

  if (c->outoff > 0) {
    memmove(c->out, c->out + c->outoff, c->outlen - c->outoff);
    c->outlen -= c->outoff;
    c->outoff = 0;
  }
  need = c->outlen + len + 1;
  if (need > c->outcap) {
    cap = c->outcap ? c->outcap * 2 : 4096;
    if (cap < need) {
      cap = need;
    }
    q = realloc(c->out, cap);
    if (q == NULL) {
      return -1;
    }
    c->out = q;
    c->outcap = cap;
  }
  memcpy(c->out + c->outlen, p, len);
  c->out[c->outlen + len] = '\n';
  c->outlen = need;
  return 0;
}

/*
 * reply_error returns {"ok":false,"error":|msg|}, or NULL when out of
 * memory.
 */
static json_object *reply_error(const char *msg) {
  json_object *r = json_object_new_object();

  if (r == NULL || (cj_add_bool(r, "ok", false) | cj_add_str(r, "error", msg)) != 0) {
    json_object_put(r);
    return NULL;
  }
  return r;
}

/*
 * build_reply returns the reply to the request |line| (|len| bytes, without
 * '\n') from |c|, or NULL when out of memory.
 */
static json_object *build_reply(ctl_client *c, const char *line, size_t len) {
  ctl_server *s = c->srv;
  json_object *r;
  const ctl_command *cmd = NULL;
  ctl_request req;
  const char *perr = NULL;
  char err[256];
  size_t i;

  if (ctl_request_parse(line, len, &req, &perr) != 0) {
    log_debug("control: bad request: %s", perr);
    return reply_error(perr);
  }
  for (i = 0; i < s->ncmds; i++) {
    if (strcmp(s->cmds[i].name, req.cmd) == 0) {
      cmd = &s->cmds[i];
      break;
    }
  }
  if (cmd == NULL) {
    log_debug("control: unknown command '%s'", req.cmd);
    snprintf(err, sizeof(err), "unknown command '%s'", req.cmd);
    return reply_error(err);
  }
  if (cmd->admin && !(c->have_uid && ctl_peer_is_admin(c->uid, s->self))) {
    log_debug("control: '%s' refused to uid %ld", req.cmd, c->have_uid ? (long)c->uid : -1L);
    return reply_error("permission denied");
  }
  r = json_object_new_object();
  if (r == NULL || cj_add_bool(r, "ok", true) != 0) {
    json_object_put(r);
    return NULL;
  }
  err[0] = '\0';
  if (cmd->fn(s->ud, &req, r, err, sizeof(err)) != 0) {
    json_object_put(r);
    return reply_error(err[0] ? err : "command failed");
  }
  return r;
}

/*
 * client_request answers the request |line| (|len| bytes, without '\n'),
 * or with the error |fail| if it is not NULL. Returns 0, or -1 if |c| was
 * closed.
 */
static int client_request(ctl_client *c, const char *line, size_t len, const char *fail) {
  static const char oom[] = "{\"ok\":false,\"error\":\"out of memory\"}";
  static const char too_large[] = "{\"ok\":false,\"error\":\"reply too large\"}";
  json_object *r;
  const char *text = NULL;
  size_t textlen = 0;
  int rc = 0;

  if (c->outlen - c->outoff > CTL_OUT_MAX) {
    log_debug("control: client does not read its replies, closing");
    client_close(c);
    return -1;
  }
  r = fail ? reply_error(fail) : build_reply(c, line, len);
  if (r != NULL) {
    text = cj_write(r, &textlen);
  }
  if (text == NULL) {
    log_err("control: out of memory for a reply");
    text = oom;
    textlen = sizeof(oom) - 1;
  } else if (textlen > CTL_REPLY_MAX - 1) {
    log_warn("control: reply exceeds %d bytes", CTL_REPLY_MAX);
    text = too_large;
    textlen = sizeof(too_large) - 1;
  }
  if (client_append(c, text, textlen) != 0) {
    log_err("control: out of memory for a reply");
    client_close(c);
    rc = -1;
  }
  json_object_put(r);
  return rc;
}

/*
 * client_lines answers every complete line in |c|'s input and keeps the
 * rest. Returns 0, or -1 if |c| was closed.
 */
static int client_lines(ctl_client *c) {
  size_t pos = 0;
  char *nl;

  while (!c->closing && pos < c->inlen &&
         (nl = memchr(c->in + pos, '\n', c->inlen - pos)) != NULL) {
    if (client_request(c, c->in + pos, (size_t)(nl - (c->in + pos)), NULL) != 0) {
      return -1;
    }
    pos = (size_t)(nl - c->in) + 1;
  }
  if (c->closing) {
    c->inlen = 0;
    return 0;
  }
  memmove(c->in, c->in + pos, c->inlen - pos);
  c->inlen -= pos;
  if (c->inlen == sizeof(c->in)) {
    log_debug("control: request longer than %d bytes, closing", CTL_LINE_MAX);
    c->inlen = 0;
    c->closing = true;
    return client_request(c, NULL, 0, "request too long");
  }
  return 0;
}

/*
 * client_read reads and answers what |c| sent. Returns 0, or -1 if |c| was
 * closed.
 */
static int client_read(ctl_client *c) {
  ssize_t n;
  int i;

  for (i = 0; i < CTL_READS_PER_EVENT && !c->closing; i++) {
    n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return 0;
      }
      log_debug("control: recv: %s", strerror(errno));
      client_close(c);
      return -1;
    }
    if (n == 0) {
      /* EOF: a last line without '\n' is still a request */
      if (c->inlen > 0 && client_request(c, c->in, c->inlen, NULL) != 0) {
        return -1;
      }
      c->inlen = 0;
      c->closing = true;
      return 0;
    }
    c->inlen += (size_t)n;
    client_touch(c);
    if (client_lines(c) != 0) {
      return -1;
    }
  }
  return 0;
}

/*
 * client_flush sends what it can of |c|'s output and chooses the events to
 * wait for. Returns 0, or -1 if |c| was closed.
 */
static int client_flush(ctl_client *c) {
  uint32_t events;
  ssize_t n;

  while (c->outoff < c->outlen) {
    n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        break;
      }
      log_debug("control: send: %s", strerror(errno));
      client_close(c);
      return -1;
    }
    c->outoff += (size_t)n;
    client_touch(c);
  }
  if (c->outoff == c->outlen) {
    c->outoff = c->outlen = 0;
    if (c->outcap > CTL_KEEP_BUF) {
      free(c->out);
      c->out = NULL;
      c->outcap = 0;
    }
    if (c->closing) {
      client_close(c);
      return -1;
    }
  }
  events = (c->closing ? 0 : EPOLLIN) | (c->outlen > 0 ? EPOLLOUT : 0);
  if (sd_event_source_set_io_events(c->io, events) < 0) {
    log_debug("control: cannot change the client's events, closing");
    client_close(c);
    return -1;
  }
  return 0;
}

static int on_client_io(sd_event_source *es, int fd, uint32_t revents, void *ud) {
  ctl_client *c = ud;

  (void)es;
  (void)fd;
  if (!c->closing && (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
    if (client_read(c) != 0) {
      return 0;
    }
  }
  client_flush(c);
  return 0;
}

/*
 * client_new starts serving the accepted socket |fd|. Returns 0, or -1
 * (|fd| is closed then).
 */
static int client_new(ctl_server *s, int fd) {
  struct ucred cred;
  socklen_t credlen = sizeof(cred);
  ctl_client *c;

  c = calloc(1, sizeof(*c));
  if (c == NULL) {
    log_err("control: out of memory for a client");
    close(fd);
    return -1;
  }
  c->srv = s;
  c->fd = fd;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &credlen) == 0 &&
      credlen == sizeof(cred)) {
    c->uid = cred.uid;
    c->have_uid = true;
  } else {
    log_debug("control: SO_PEERCRED: %s", strerror(errno));
  }
  if (sd_event_add_io(s->ev, &c->io, fd, EPOLLIN, on_client_io, c) < 0 ||
      sd_event_add_time_relative(s->ev, &c->timer, CLOCK_MONOTONIC, s->idle_usec, 1000,
                                 on_client_idle, c) < 0) {
    log_err("control: cannot watch a client");
    sd_event_source_disable_unref(c->io);
    close(fd);
    free(c);
    return -1;
  }
  c->next = s->clients;
  if (s->clients) {
    s->clients->prev = c;
  }
  s->clients = c;
  s->nclients++;
  log_debug("control: client uid %ld connected (%zu)", c->have_uid ? (long)c->uid : -1L,
            s->nclients);
  return 0;
}

static int on_pause_end(sd_event_source *es, uint64_t usec, void *ud) {
  ctl_server *s = ud;

  (void)es;
  (void)usec;
  if (sd_event_source_set_enabled(s->listen_io, SD_EVENT_ON) < 0) {
    log_err("control: cannot resume accepting");
  }
  return 0;
}

/*
 * pause_accept stops accepting for CTL_ACCEPT_PAUSE_USEC after the process
 * or system ran out of file descriptors, rather than spinning on a
 * listening socket that stays readable.
 */
static void pause_accept(ctl_server *s) {
  int r;

  /* the timer exists since ctl_server_open: making one now could need a
   * descriptor (sd-event's timerfd), which is what ran out */
  r = sd_event_source_set_time_relative(s->pause_timer, CTL_ACCEPT_PAUSE_USEC);
  if (r >= 0) {
    r = sd_event_source_set_enabled(s->pause_timer, SD_EVENT_ONESHOT);
  }
  if (r < 0) {
    log_err("control: cannot pause accepting: %s", strerror(-r));
    return;
  }
  sd_event_source_set_enabled(s->listen_io, SD_EVENT_OFF);
}

static int on_accept(sd_event_source *es, int lfd, uint32_t revents, void *ud) {
  ctl_server *s = ud;
  int i, fd;

  (void)es;
  (void)revents;
  for (i = 0; i < CTL_ACCEPTS_PER_EVENT; i++) {
    fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      switch (errno) {
      case EINTR:
      case ECONNABORTED:
        continue;
      case EAGAIN:
#if EAGAIN != EWOULDBLOCK
      case EWOULDBLOCK:
#endif
        return 0;
      case EMFILE:
      case ENFILE:
      case ENOBUFS:
      case ENOMEM:
        log_warn("control: accept: %s; pausing for 1 s", strerror(errno));
        pause_accept(s);
        return 0;
      default:
        log_warn("control: accept: %s", strerror(errno));
        return 0;
      }
    }
    if (s->nclients >= s->max_clients) {
      log_debug("control: more than %zu clients, closing the new one", s->max_clients);
      s->refused++;
      close(fd);
      continue;
    }
    client_new(s, fd);
  }
  return 0;
}

/*
 * remove_stale removes a socket file left at |path| by a process that is
 * gone. Returns 0 (nothing there any more) or -1 with a message in |err|.
 */
static int remove_stale(const char *path, const struct sockaddr_un *sun, char *err,
                        size_t errlen) {
  struct stat st;
  int fd, r, e;

  if (lstat(path, &st) != 0) {
    if (errno == ENOENT) {
      return 0;
    }
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return -1;
  }
  if (!S_ISSOCK(st.st_mode)) {
    snprintf(err, errlen, "%s: exists and is not a socket", path);
    return -1;
  }
  /* a socket someone still listens on is not stale */
  fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    snprintf(err, errlen, "socket: %s", strerror(errno));
    return -1;
  }
  r = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
  e = errno;
  close(fd);
  if (r == 0 || e == EAGAIN || e == EINPROGRESS) {
    snprintf(err, errlen, "%s: in use by another process", path);
    return -1;
  }
  if (unlink(path) != 0 && errno != ENOENT) {
    snprintf(err, errlen, "%s: unlink: %s", path, strerror(errno));
    return -1;
  }
  return 0;
}

int ctl_server_open(ctl_server **out, sd_event *ev, const char *path, unsigned mode,
                    const ctl_command *cmds, size_t ncmds, void *ud, char *err, size_t errlen) {
  struct sockaddr_un sun;
  struct stat st;
  ctl_server *s;
  mode_t old_umask;
  int fd, r;

  memset(&sun, 0, sizeof(sun));
  sun.sun_family = AF_UNIX;
  if (path[0] == '\0' || strlen(path) >= sizeof(sun.sun_path)) {
    snprintf(err, errlen, "%s: bad control socket path", path);
    return -1;
  }
  memcpy(sun.sun_path, path, strlen(path));
  mode &= 07777;

  s = calloc(1, sizeof(*s));
  if (s == NULL || (s->path = strdup(path)) == NULL) {
    snprintf(err, errlen, "out of memory");
    free(s);
    return -1;
  }
  s->fd = -1;
  if (remove_stale(path, &sun, err, errlen) != 0) {
    goto fail;
  }
  fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    snprintf(err, errlen, "socket: %s", strerror(errno));
    goto fail;
  }
  s->fd = fd;
  /* never more permissive than |mode|, even for a moment */
  old_umask = umask((mode_t)(~mode & 0777));
  if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
    snprintf(err, errlen, "%s: bind: %s", path, strerror(errno));
    umask(old_umask);
    goto fail; /* the file, if any, is not ours */
  }
  umask(old_umask);
  if (lstat(path, &st) != 0) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    goto fail_unlink;
  }
  s->dev = st.st_dev;
  s->ino = st.st_ino;
  if (chmod(path, mode) != 0) {
    snprintf(err, errlen, "%s: chmod: %s", path, strerror(errno));
    goto fail_unlink;
  }
  if (listen(fd, CTL_BACKLOG) != 0) {
    snprintf(err, errlen, "%s: listen: %s", path, strerror(errno));
    goto fail_unlink;
  }
  r = sd_event_add_io(ev, &s->listen_io, fd, EPOLLIN, on_accept, s);
  if (r < 0) {
    snprintf(err, errlen, "%s: sd_event_add_io: %s", path, strerror(-r));
    goto fail_unlink;
  }
  /* made now, armed by pause_accept; the client idle timers share its
   * CLOCK_MONOTONIC timerfd */
  r = sd_event_add_time(ev, &s->pause_timer, CLOCK_MONOTONIC, UINT64_MAX, 1000, on_pause_end, s);
  if (r >= 0) {
    r = sd_event_source_set_enabled(s->pause_timer, SD_EVENT_OFF);
  }
  if (r < 0) {
    snprintf(err, errlen, "%s: sd_event_add_time: %s", path, strerror(-r));
    goto fail_unlink;
  }
  s->ev = sd_event_ref(ev);
  s->cmds = cmds;
  s->ncmds = ncmds;
  s->ud = ud;
  s->idle_usec = CTL_IDLE_TIMEOUT_USEC;
  s->max_clients = CTL_MAX_CLIENTS;
  s->self = geteuid();
  *out = s;
  return 0;

fail_unlink:
  sd_event_source_disable_unref(s->pause_timer);
  sd_event_source_disable_unref(s->listen_io);
  unlink(path);
fail:
  if (s->fd >= 0) {
    close(s->fd);
  }
  free(s->path);
  free(s);
  return -1;
}

void ctl_server_close(ctl_server *s) {
  struct stat st;

  if (s == NULL) {
    return;
  }
  while (s->clients) {
    client_close(s->clients);
  }
  sd_event_source_disable_unref(s->listen_io);
  sd_event_source_disable_unref(s->pause_timer);
  close(s->fd);
  /* leave a socket another instance has put there since alone */
  if (lstat(s->path, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == s->dev &&
      st.st_ino == s->ino) {
    if (unlink(s->path) != 0) {
      log_warn("control: unlink %s: %s", s->path, strerror(errno));
    }
  }
  sd_event_unref(s->ev);
  free(s->path);
  free(s);
}
