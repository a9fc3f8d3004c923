/* The commands both daemons answer on their control socket
 * (docs/control.md), written once: "version", "check ready|live", the
 * common members of "status", "reload" and "drain" with their logging and
 * error replies. Each daemon describes itself in a ctl_daemon_ops table
 * and adds only its own commands ("stats", "sessions", "rebind"), in the
 * manner of wireguard-tools' subcommand table. */
#ifndef WTPING_CTL_DAEMON_H
#define WTPING_CTL_DAEMON_H

#include <stdbool.h>
#include <stddef.h>

#include <systemd/sd-event.h>

#include "ctl/ctl_json.h"
#include "ctl/ctl_proto.h"
#include "ctl/ctl_server.h"

/* What "status" says about every daemon. */
typedef struct ctl_daemon_info {
  const char *state;  /* "running", "connected", ... */
  double uptime;      /* seconds since the start */
  const char *config; /* the configuration file, or NULL or "" for none */
} ctl_daemon_info;

typedef struct ctl_daemon_ops {
  const char *name; /* "wtping-server": "daemon" in version and status */
  /* info fills |out| for "status". */
  void (*info)(void *ud, ctl_daemon_info *out);
  /* ready answers "check ready". */
  bool (*ready)(void *ud);
  /* status adds the daemon's own members of "status" after the common
   * ones; returns 0 or -1 (out of memory). NULL: none. */
  int (*status)(void *ud, json_object *out);
  /* reload re-reads the configuration: 0, or -1 with the reason in |err|
   * (the old configuration stays). NULL: no "reload" command. */
  int (*reload)(void *ud, char *err, size_t errlen);
  /* drain tells every session to go away. NULL: no "drain" command. */
  void (*drain)(void *ud);
  /* the daemon's own commands; their fn gets |ud| */
  const ctl_command *cmds;
  size_t ncmds;
} ctl_daemon_ops;

typedef struct ctl_daemon ctl_daemon;

/* ctl_daemon_start opens the control socket |path| (mode |mode|) on |ev|
 * serving the common commands and |ops->cmds| for the daemon |ud|. Like
 * ctl_server_start it is optional: an empty |path| disables it and a
 * failure is logged as a warning. |ops| must outlive the result. Returns
 * the control socket or NULL. */
ctl_daemon *ctl_daemon_start(sd_event *ev, const char *path, unsigned mode,
                             const ctl_daemon_ops *ops, void *ud);

/* ctl_daemon_open is ctl_daemon_start that reports a failure in |err|
 * (|path| must not be empty) instead of logging it. Returns 0 and sets
 * |*out|, or -1. */
int ctl_daemon_open(ctl_daemon **out, sd_event *ev, const char *path, unsigned mode,
                    const ctl_daemon_ops *ops, void *ud, char *err, size_t errlen);

/* ctl_daemon_close closes the socket (see ctl_server_close) and frees
 * |d|. NULL is a no-op. */
void ctl_daemon_close(ctl_daemon *d);

/* ctl_daemon_server returns |d|'s ctl_server (for its tests and limits). */
ctl_server *ctl_daemon_server(ctl_daemon *d);

/* ctl_nomem writes "out of memory" into |err| and returns -1: what a
 * command returns when adding to its reply failed. */
int ctl_nomem(char *err, size_t errlen);

#endif
