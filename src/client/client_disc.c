#include "client/client_disc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "client/discover.h"
#include "common/log.h"
#include "disc/disc_dns.h"
#include "disc/disc_mdns.h"

#define HOLD_BASE_NS 1000000000ull /* a failed target is passed over 1 s, 2 s, ... */

struct client_disc {
  sd_event *ev;
  bool mdns_on, dns_on;
  char domain[256];
  disc_mdns *mdns;
  disc_dns *dns;
  disc_targets ts;
  client_disc_changed_cb cb;
  void *ud;
  char dns_note[256]; /* the last lookup's outcome, for status */
  size_t dns_found;
};

static uint64_t now_ns(const client_disc *d) {
  uint64_t usec = 0;
  sd_event_now(d->ev, CLOCK_MONOTONIC, &usec);
  return usec * 1000;
}

static void on_mdns(void *ud, disc_mdns_event event, const disc_found *f) {
  client_disc *d = ud;
  switch (event) {
  case DISC_MDNS_FOUND:
    if (disc_targets_add_next(&d->ts, f, now_ns(d)) < 0)
      log_info("discovery: more servers than max_targets; \"%s\" not used", f->name);
    else
      log_notice("discovery: mDNS found \"%s\" at %s port %u", f->name,
                 f->addr[0] ? f->addr : f->host, f->port);
    break;
  case DISC_MDNS_REMOVED:
    if (disc_targets_remove(&d->ts, DISC_SRC_MDNS, f->name))
      log_notice("discovery: mDNS: \"%s\" is gone", f->name);
    break;
  case DISC_MDNS_SETTLED:
  case DISC_MDNS_UNAVAILABLE:
    break;
  }
  d->cb(d->ud);
}

static void on_dns(void *ud, const disc_dns_result *res) {
  client_disc *d = ud;
  d->dns = NULL;
  d->dns_found = res->n;
  snprintf(d->dns_note, sizeof(d->dns_note), "%s", res->why);
  if (res->error) { /* no answer: what was known stays known */
    log_notice("discovery: DNS SRV: %s", res->why);
    d->cb(d->ud);
    return;
  }
  if (res->n == 0)
    log_info("discovery: DNS SRV: %s", res->why);
  size_t dropped = disc_targets_replace(&d->ts, DISC_SRC_DNS, res->found, res->n, now_ns(d));
  if (dropped)
    log_info("discovery: %zu SRV target(s) over max_targets not used", dropped);
  d->cb(d->ud);
}

/* add_configured puts |url| in the list as a configured target. */
static void add_configured(client_disc *d, const wt_url *url, uint64_t order) {
  disc_found f = {.source = DISC_SRC_CONFIG, .port = url->port};
  snprintf(f.name, sizeof(f.name), "https://%.200s", url->authority);
  snprintf(f.host, sizeof(f.host), "%s", url->host);
  snprintf(f.path, sizeof(f.path), "%.255s", url->path);
  disc_targets_add(&d->ts, &f, order, 0);
}

client_disc *client_disc_start(sd_event *ev, const client_opts *o, client_disc_changed_cb cb,
                               void *ud) {
  client_disc *d = calloc(1, sizeof(*d));
  if (!d)
    return NULL;
  d->ev = ev;
  d->cb = cb;
  d->ud = ud;
  d->mdns_on = o->discover && o->discovery_mdns;
  d->dns_on = o->discover && o->discovery_dns;
  snprintf(d->domain, sizeof(d->domain), "%s", o->discovery_domain);
  uint64_t hold_max = o->reconnect_max_ns > HOLD_BASE_NS ? o->reconnect_max_ns : HOLD_BASE_NS;
  /* Several targets: max_targets caps the discovered ones pinged at once
   * (configured ones always fit). One at a time: the list is what the
   * client falls back on, as long as it can be. */
  bool several = o->ntargets > 0 || o->max_targets > 1;
  disc_targets_init(&d->ts,
                    several ? o->max_targets + (o->have_url ? 1 : 0) + o->ntargets
                            : DISC_TARGETS_MAX,
                    HOLD_BASE_NS, hold_max);
  uint64_t order = 0;
  if (o->have_url)
    add_configured(d, &o->url, order++);
  for (size_t i = 0; i < o->ntargets; i++)
    add_configured(d, &o->targets[i], order++);
  if (d->mdns_on && !(d->mdns = disc_mdns_start(ev, on_mdns, d))) {
    free(d);
    return NULL;
  }
  return d;
}

void client_disc_free(client_disc *d) {
  if (!d)
    return;
  disc_mdns_free(d->mdns);
  disc_dns_cancel(d->dns); /* its thread ends on its own and frees it */
  free(d);
}

bool client_disc_refresh(client_disc *d) {
  uint64_t seed = 0;
  if (!d->dns_on)
    return false;
  if (d->dns)
    return true;
  if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed))
    seed = now_ns(d) | 1;
  d->dns = disc_dns_start(d->ev, d->domain, seed, on_dns, d);
  if (!d->dns)
    log_warn("discovery: cannot start a DNS SRV lookup");
  return d->dns != NULL;
}

bool client_disc_lookup_running(const client_disc *d) { return d->dns != NULL; }

int client_disc_pick(client_disc *d, uint64_t now, disc_found *f, wt_url *url,
                     uint64_t *wait_until) {
  for (;;) {
    int i = disc_targets_pick(&d->ts, now, wait_until);
    if (i < 0)
      return -1;
    *f = d->ts.t[i].f;
    if (discover_url(f, url) == 0)
      return 0;
    log_info("discovery: \"%s\" does not make a usable URL; skipped", f->name);
    disc_targets_failed(&d->ts, (size_t)i, now);
  }
}

void client_disc_failed(client_disc *d, const disc_found *f, uint64_t now) {
  int i = disc_targets_find(&d->ts, f);
  if (i >= 0)
    disc_targets_failed(&d->ts, (size_t)i, now);
}

void client_disc_connected(client_disc *d, const disc_found *f) {
  int i = disc_targets_find(&d->ts, f);
  if (i >= 0)
    disc_targets_connected(&d->ts, (size_t)i);
}

bool client_disc_better(const client_disc *d, const disc_found *f, uint64_t now) {
  int cur = disc_targets_find(&d->ts, f);
  int best = disc_targets_pick(&d->ts, now, NULL);
  if (best < 0 || best == cur)
    return false;
  return cur < 0 || disc_targets_better_than(&d->ts.t[best], &d->ts.t[cur]);
}

const disc_targets *client_disc_targets(const client_disc *d) { return &d->ts; }
