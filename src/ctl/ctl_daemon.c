/* The control commands both daemons share. */
#include "ctl/ctl_daemon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"

/* version, check, status, reload, drain */
#define COMMON_COMMANDS 5

struct ctl_daemon {
  const ctl_daemon_ops *ops;
  void *ud;
  ctl_server *srv;
  size_t ncmds;
  ctl_command cmds[]; /* the common ones, then ops->cmds */
};

int ctl_nomem(char *err, size_t errlen) {
  snprintf(err, errlen, "out of memory");
  return -1;
}

static int cmd_version(void *ud, const ctl_request *req, json_object *out, char *err,
                       size_t errlen) {
  ctl_daemon *d = ud;

  (void)req;
  if ((cj_add_str(out, "daemon", d->ops->name) | cj_add_str(out, "version", PACKAGE_VERSION)) !=
      0) {
    return ctl_nomem(err, errlen);
  }
  return 0;
}

static int cmd_check(void *ud, const ctl_request *req, json_object *out, char *err,
                     size_t errlen) {
  ctl_daemon *d = ud;
  int r;

  if (req->argc == 1 && strcmp(req->argv[0], "ready") == 0) {
    r = cj_add_bool(out, "ready", d->ops->ready(d->ud));
  } else if (req->argc == 1 && strcmp(req->argv[0], "live") == 0) {
    r = cj_add_bool(out, "live", true); /* we are answering from the loop */
  } else {
    snprintf(err, errlen, "usage: check ready|live");
    return -1;
  }
  return r != 0 ? ctl_nomem(err, errlen) : 0;
}

static int cmd_status(void *ud, const ctl_request *req, json_object *out, char *err,
                      size_t errlen) {
  ctl_daemon *d = ud;
  ctl_daemon_info info = {.state = "running", .uptime = 0, .config = NULL};
  int r = 0;

  (void)req;
  d->ops->info(d->ud, &info);
  r |= cj_add_str(out, "daemon", d->ops->name);
  r |= cj_add_str(out, "version", PACKAGE_VERSION);
  r |= cj_add_int(out, "pid", (int64_t)getpid());
  r |= cj_add_str(out, "state", info.state);
  r |= cj_add_double(out, "uptime", info.uptime);
  r |= cj_add_str(out, "config", info.config && info.config[0] ? info.config : NULL);
  if (d->ops->status != NULL) {
    r |= d->ops->status(d->ud, out);
  }
  return r != 0 ? ctl_nomem(err, errlen) : 0;
}

static int cmd_reload(void *ud, const ctl_request *req, json_object *out, char *err,
                      size_t errlen) {
  ctl_daemon *d = ud;

  (void)req;
  log_notice("reload requested on the control socket");
  if (d->ops->reload(d->ud, err, errlen) != 0) {
    log_err("reload failed, keeping the old configuration: %s", err);
    return -1;
  }
  return cj_add_bool(out, "reloaded", true) != 0 ? ctl_nomem(err, errlen) : 0;
}

static int cmd_drain(void *ud, const ctl_request *req, json_object *out, char *err,
                     size_t errlen) {
  ctl_daemon *d = ud;

  (void)req;
  d->ops->drain(d->ud);
  return cj_add_bool(out, "draining", true) != 0 ? ctl_nomem(err, errlen) : 0;
}

/* cmd_own passes one of the daemon's own commands on, with its |ud|. */
static int cmd_own(void *ud, const ctl_request *req, json_object *out, char *err,
                   size_t errlen) {
  ctl_daemon *d = ud;
  size_t i;

  for (i = 0; i < d->ops->ncmds; i++) {
    if (strcmp(d->ops->cmds[i].name, req->cmd) == 0) {
      return d->ops->cmds[i].fn(d->ud, req, out, err, errlen);
    }
  }
  snprintf(err, errlen, "unknown command '%s'", req->cmd);
  return -1;
}

int ctl_daemon_open(ctl_daemon **out, sd_event *ev, const char *path, unsigned mode,
                    const ctl_daemon_ops *ops, void *ud, char *err, size_t errlen) {
  ctl_daemon *d;
  size_t i, n = 0;

  if (ops->ncmds > 64) {
    snprintf(err, errlen, "too many commands");
    return -1;
  }
  d = calloc(1, sizeof(*d) + (COMMON_COMMANDS + ops->ncmds) * sizeof(ctl_command));
  if (d == NULL) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  d->ops = ops;
  d->ud = ud;
  d->cmds[n++] = (ctl_command){"version", false, cmd_version};
  d->cmds[n++] = (ctl_command){"check", false, cmd_check};
  d->cmds[n++] = (ctl_command){"status", false, cmd_status};
  if (ops->reload != NULL) {
    d->cmds[n++] = (ctl_command){"reload", true, cmd_reload};
  }
  if (ops->drain != NULL) {
    d->cmds[n++] = (ctl_command){"drain", true, cmd_drain};
  }
  for (i = 0; i < ops->ncmds; i++) {
    d->cmds[n++] = (ctl_command){ops->cmds[i].name, ops->cmds[i].admin, cmd_own};
  }
  d->ncmds = n;
  if (ctl_server_open(&d->srv, ev, path, mode, d->cmds, d->ncmds, d, err, errlen) != 0) {
    free(d);
    return -1;
  }
  *out = d;
  return 0;
}

ctl_daemon *ctl_daemon_start(sd_event *ev, const char *path, unsigned mode,
                             const ctl_daemon_ops *ops, void *ud) {
  ctl_daemon *d = NULL;
  char err[512];

  if (path == NULL || path[0] == '\0') {
    return NULL;
  }
  if (ctl_daemon_open(&d, ev, path, mode, ops, ud, err, sizeof(err)) != 0) {
    log_warn("control socket disabled: %s", err);
    return NULL;
  }
  log_info("control socket %s", path);
  return d;
}

void ctl_daemon_close(ctl_daemon *d) {
  if (d == NULL) {
    return;
  }
  ctl_server_close(d->srv);
  free(d);
}

ctl_server *ctl_daemon_server(ctl_daemon *d) { return d->srv; }
