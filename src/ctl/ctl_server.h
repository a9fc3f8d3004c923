/* The daemon side of the control socket (docs/control.md) on sd-event.
 *
 * One listening UNIX stream socket; each client sends request lines and
 * gets one JSON line per request, in order. Everything is non-blocking and
 * bounded: CTL_LINE_MAX bytes of input per client, CTL_OUT_MAX bytes of
 * unread replies (plus the reply being added), CTL_MAX_CLIENTS clients, an
 * idle timeout. The server is single-threaded, like sd-event. */
#ifndef WTPING_CTL_SERVER_H
#define WTPING_CTL_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <systemd/sd-event.h>

#include "ctl/ctl_json.h"
#include "ctl/ctl_proto.h"

/* largest reply, its '\n' included */
#define CTL_REPLY_MAX (1024 * 1024)
/* a client with more unread reply bytes than this when its next request is
 * answered is closed */
#define CTL_OUT_MAX (1024 * 1024)
#define CTL_MAX_CLIENTS 32
#define CTL_BACKLOG 16
#define CTL_IDLE_TIMEOUT_USEC (5 * 1000 * 1000)
/* how long accepting pauses after EMFILE/ENFILE */
#define CTL_ACCEPT_PAUSE_USEC (1000 * 1000)

typedef struct ctl_command {
  const char *name; /* the command word */
  bool admin;       /* only for root and the daemon's own uid */
  /* fn adds the members of the reply after "ok":true to the object |out|
   * (with the cj_add_* functions of ctl/ctl_json.h) and returns 0, or
   * returns -1 with a message for the client in |err| ("out of memory"
   * when an addition failed; the members added are dropped). |ud| is
   * ctl_server_open's. |req->cmd| is |name|; fn checks |req->argc| and
   * |req->argv| itself. fn must not call ctl_server_close. */
  int (*fn)(void *ud, const ctl_request *req, json_object *out, char *err, size_t errlen);
} ctl_command;

typedef struct ctl_server ctl_server;

/* ctl_server_open creates the socket |path| with mode |mode| (a stale
 * socket file is replaced; a live one, or any other file, is an error),
 * listens on it and serves the |ncmds| commands |cmds| on |ev|. |cmds| must
 * stay valid until ctl_server_close; |ud| is passed to every fn. Returns 0
 * and sets |*out|, or returns -1 with a message in |err| (nothing is left
 * behind then). */
int ctl_server_open(ctl_server **out, sd_event *ev, const char *path, unsigned mode,
                    const ctl_command *cmds, size_t ncmds, void *ud, char *err, size_t errlen);

/* ctl_server_close closes every client and the socket, unlinks |path| (if
 * it is still the socket this server created) and frees |s|. NULL is a
 * no-op. */
void ctl_server_close(ctl_server *s);

/* ctl_server_clients returns the number of connected clients. */
size_t ctl_server_clients(const ctl_server *s);

/* ctl_server_set_max_clients sets how many clients are served at once
 * (default CTL_MAX_CLIENTS; at least 1); more are accepted and closed at
 * once, and counted: ctl_server_refused. */
void ctl_server_set_max_clients(ctl_server *s, size_t n);
uint64_t ctl_server_refused(const ctl_server *s);

/* ctl_server_set_idle_timeout sets how long a client may stay silent
 * (default CTL_IDLE_TIMEOUT_USEC); it applies from each client's next
 * activity (and to new clients). */
void ctl_server_set_idle_timeout(ctl_server *s, uint64_t usec);

/* ctl_peer_is_admin returns true if a peer with uid |peer| may run admin
 * commands in a daemon whose effective uid is |self|: root or |self|. */
bool ctl_peer_is_admin(uid_t peer, uid_t self);

#endif
