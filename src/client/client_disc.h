/* The client daemon's view of its servers: the configured ones (url,
 * targets) and, with discovery on, those found by mDNS (Avahi, continuous
 * browsing) and by DNS SRV (looked up again whenever asked: on every
 * reconnect). Wraps src/disc on the daemon's loop; the choice of a target
 * (preference, fallback, holds after failures) is disc_targets'. Never
 * blocks: the DNS lookups run in a thread (disc_dns), Avahi talks to the
 * loop through disc_avahi_poll. */
#ifndef WTPING_CLIENT_DISC_H
#define WTPING_CLIENT_DISC_H

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "client/client_opts.h"
#include "client/url.h"
#include "disc/disc_targets.h"

typedef struct client_disc client_disc;

/* client_disc_changed_cb: the set of targets changed (found, removed, a
 * lookup finished). */
typedef void (*client_disc_changed_cb)(void *ud);

/* client_disc_start makes the target list from |o| (url and targets as
 * configured targets; mDNS and DNS SRV when o->discover), starting mDNS
 * browsing at once. Returns NULL when out of memory. */
client_disc *client_disc_start(sd_event *ev, const client_opts *o, client_disc_changed_cb cb,
                               void *ud);

/* client_disc_free stops everything; no more callbacks. */
void client_disc_free(client_disc *d);

/* client_disc_refresh starts a new DNS SRV lookup unless one is running or
 * DNS discovery is off. Returns true when one is (now) running: the caller
 * waits for the changed callback before picking. */
bool client_disc_refresh(client_disc *d);

/* client_disc_lookup_running: a DNS lookup is in flight. */
bool client_disc_lookup_running(const client_disc *d);

/* client_disc_pick chooses the target to try at |now| (disc_targets_pick)
 * and fills |f| and |url| (discover_url). Returns 0, or -1 when none can be
 * tried now: |*wait_until| is then when a hold ends (UINT64_MAX: no target
 * known at all). */
int client_disc_pick(client_disc *d, uint64_t now, disc_found *f, wt_url *url,
                     uint64_t *wait_until);

/* client_disc_failed: the attempt on |f| failed, or its connection was
 * lost, at |now|: it is held, and the next pick falls back. */
void client_disc_failed(client_disc *d, const disc_found *f, uint64_t now);

/* client_disc_connected: |f| works (its failures are forgotten). */
void client_disc_connected(client_disc *d, const disc_found *f);

/* client_disc_better: is a target preferred to |f| available at |now|
 * (the client then moves back to it)? */
bool client_disc_better(const client_disc *d, const disc_found *f, uint64_t now);

/* client_disc_targets: the current list (for status). */
const disc_targets *client_disc_targets(const client_disc *d);

#endif
