/* wtping-client internals: the functions the parts of the run loop call
 * across files. client.c: the run (setup, signals, the one-shot report);
 * client_conn.c: one connection cycle (resolve, connect, events, the end);
 * client_session.c: the session's and the pinger's events;
 * client_daemon.c: what the daemon adds (STATUS=, backoff, reload). */
#ifndef WTPING_CLIENT_LOOP_H
#define WTPING_CLIENT_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "client/client_internal.h"
#include "client/pinger.h"
#include "ctl/ctl_json.h"
#include "wt/wt_conn.h"

/* client.c */
/* client_arm sets |es| to fire at |t_ns| (CLOCK_MONOTONIC), or disables it
 * for UINT64_MAX. */
void client_arm(sd_event_source *es, uint64_t t_ns);
int client_tls_setup(client *c, const client_opts *o, quic_tls_client *tls, char *err,
                     size_t errlen);
void client_apply_settings(client *c);
pinger_config client_pinger_config(const client_opts *o);

/* client_conn.c */
void client_done(client *c);
/* client_fail_run ends a one-shot run with an error (exit status 2). */
void client_fail_run(client *c, const char *reason);
void client_conn_close(client *c);
/* client_begin_finish stops pinging and closes the session politely. */
void client_begin_finish(client *c);
/* client_start_cycle resolves the server's name and tries its addresses. */
void client_start_cycle(client *c);
/* client_after_event runs after every event of a connection. */
void client_after_event(client *c);
int client_on_ping_timer(sd_event_source *es, uint64_t usec, void *ud);

/* client_session.c */
extern const pinger_events client_pinger_events;
extern const wt_app_ops client_app_ops;

/* client_daemon.c */
void client_notify_status(client *c);
int client_on_status_timer(sd_event_source *es, uint64_t usec, void *ud);
int client_on_backoff_timer(sd_event_source *es, uint64_t usec, void *ud);
int client_on_sighup(sd_event_source *es, const struct signalfd_siginfo *si, void *ud);
/* client_cycle_failed: no address of the server could be reached. */
void client_cycle_failed(client *c, const char *reason);
/* client_connection_lost: a working session ended. */
void client_connection_lost(client *c, const char *reason, bool immediate);

/* client_targets.c: discovery and several targets (docs/discovery.md) */
/* client_targets_start sets the daemon's targets up: the target list when
 * it discovers or has a "targets" list, sessions when it pings several.
 * Returns 0, or -1 when out of memory. */
int client_targets_start(client *c);
/* client_targets_stop ends every session and frees the list. */
void client_targets_stop(client *c, bool at_exit);
/* client_targets_choose picks this cycle's server (one target at a time).
 * Returns 0 (c->o.url is set), or -1 when the cycle waits (a lookup, or no
 * server to try now; it starts again by itself). */
int client_targets_choose(client *c);
/* client_targets_fallback: the cycle on this target failed with |reason|;
 * true when another target is being tried at once. */
bool client_targets_fallback(client *c, const char *reason);
/* client_targets_lost: the session on this target ended. */
void client_targets_lost(client *c);
/* client_targets_connected: the session on this target is up. */
void client_targets_connected(client *c);
/* client_targets_finish closes every session's connection (stopping). */
void client_targets_finish(client *c);
/* several targets: the daemon's state and readiness from its sessions */
const char *client_targets_state(const client *c);
bool client_targets_ready(const client *c);
/* client_targets_status_line: the STATUS= line of a daemon of several */
void client_targets_status_line(const client *c, char *line, size_t cap);
/* the "targets" members of status and stats */
int client_targets_status(const client *c, json_object *w);
int client_targets_stats(const client *c, json_object *w);

#endif
