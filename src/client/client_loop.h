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

#endif
