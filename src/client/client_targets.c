/* What the client daemon does with more than one possible server
 * (docs/discovery.md):
 * - one target at a time (the default, max_targets 1): the server of each
 *   connection cycle is chosen from the target list (client_disc.c: the
 *   configured url, then DNS SRV in RFC 2782 order, then mDNS), looked up
 *   again before every cycle; a failed target is held and the next one is
 *   tried at once; a preferred target whose hold is over is moved back to;
 * - several targets (a "targets" list, or max_targets > 1 with discovery):
 *   one session per target, each a client of its own (connection, pinger,
 *   backoff, statistics) on the daemon's loop; sessions come and go with
 *   the targets discovery finds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-event.h>

#include "client/client_disc.h"
#include "client/client_loop.h"
#include "client/discover.h"
#include "client/report.h"
#include "common/log.h"

#define MAX_SESSIONS (CLIENT_MAX_TARGETS + 1 + CLIENT_MAX_DISCOVERED)
#define BETTER_MIN_NS 1000000000ull /* moving back is checked at most once a second */

static client_disc *disc_of(const client *c) { return c->parent ? c->parent->disc : c->disc; }

/* ------------------------------------------------------------ several */

static void session_free(client *s, bool at_exit) {
  if (s->res) {
    if (at_exit)
      resolver_destroy(s->res);
    else
      resolver_cancel(s->res);
  }
  s->res = NULL;
  client_conn_close(s);
  if (s->pg_ready)
    pinger_free(&s->pg);
  sd_event_source_disable_unref(s->ping_timer);
  sd_event_source_disable_unref(s->backoff_timer);
  sd_event_source_disable_unref(s->finish_timer);
  quic_tls_client_free(&s->tls);
  free(s);
}

/* session_new starts pinging |f| in a session of its own. */
static client *session_new(client *p, const disc_found *f) {
  char err[512];
  client *s = calloc(1, sizeof(*s));
  if (!s)
    return NULL;
  s->o = p->o;
  s->daemon = true;
  s->parent = p;
  s->argc = p->argc;
  s->argv = p->argv;
  s->ev = p->ev;
  s->fd = -1;
  s->target = *f;
  s->have_target = true;
  if (discover_url(f, &s->o.url) != 0) {
    free(s);
    return NULL;
  }
  if (f->pin[0] && s->o.discovery_trust_pins && s->o.npins < QUIC_TLS_MAX_PINS)
    snprintf(s->o.pins[s->o.npins++], sizeof(s->o.pins[0]), "%s", f->pin);
  if (client_tls_setup(s, &s->o, &s->tls, err, sizeof(err)) != 0) {
    log_err("%s: %s", f->name, err);
    free(s);
    return NULL;
  }
  client_apply_settings(s);
  pinger_config pc = client_pinger_config(&s->o);
  if (pinger_init(&s->pg, &pc, &client_pinger_events, s) != 0 ||
      sd_event_add_time(s->ev, &s->ping_timer, CLOCK_MONOTONIC, UINT64_MAX, 1,
                        client_on_ping_timer, s) < 0 ||
      sd_event_add_time(s->ev, &s->backoff_timer, CLOCK_MONOTONIC, UINT64_MAX, 1000,
                        client_on_backoff_timer, s) < 0) {
    s->pg_ready = true; /* pinger_free copes with a failed init */
    session_free(s, false);
    return NULL;
  }
  s->pg_ready = true;
  s->started_ns = client_now_ns();
  log_notice("target %s (%s, %s): pinging", s->o.url.authority, disc_source_name(f->source),
             f->name);
  client_start_cycle(s);
  return s;
}

/* sync_sessions gives every target its session (up to the cap of the list)
 * and ends the sessions of targets that went away. */
static void sync_sessions(client *p) {
  const disc_targets *ts = client_disc_targets(p->disc);
  for (size_t i = 0; i < p->nsessions;) {
    client *s = p->sessions[i];
    if (disc_targets_find(ts, &s->target) >= 0) {
      i++;
      continue;
    }
    log_notice("target %s (%s) is gone: its session ends", s->o.url.authority, s->target.name);
    session_free(s, false);
    p->sessions[i] = p->sessions[--p->nsessions];
  }
  for (size_t i = 0; i < ts->n && p->nsessions < MAX_SESSIONS; i++) {
    bool have = false;
    for (size_t k = 0; k < p->nsessions && !have; k++)
      have = disc_targets_same(&p->sessions[k]->target, &ts->t[i].f);
    if (have)
      continue;
    client *s = session_new(p, &ts->t[i].f);
    if (s)
      p->sessions[p->nsessions++] = s;
  }
  client_notify_status(p);
}

/* ------------------------------------------------------------ one at a time */

static void on_changed(void *ud) {
  client *c = ud;
  if (c->multi) {
    sync_sessions(c);
    return;
  }
  if (c->waiting_disc && (c->state == CS_RESOLVING || c->state == CS_BACKOFF)) {
    sd_event_source_set_enabled(c->backoff_timer, SD_EVENT_OFF);
    client_start_cycle(c); /* the lookup is in, or a server appeared */
  }
}

static uint64_t better_period(const client *c) {
  return c->o.reconnect_max_ns > BETTER_MIN_NS ? c->o.reconnect_max_ns : BETTER_MIN_NS;
}

static int on_better_timer(sd_event_source *es, uint64_t usec, void *ud) {
  client *c = ud;
  uint64_t now = client_now_ns();
  sd_event_source_set_time(es, usec + better_period(c) / 1000);
  if (c->state != CS_CONNECTED || !c->have_target)
    return 0;
  /* SRV records change, and a held target's hold ends: compare again */
  client_disc_refresh(c->disc);
  if (!client_disc_better(c->disc, &c->target, now))
    return 0;
  log_notice("a preferred server is available: leaving %s", c->o.url.authority);
  client_conn_close(c);
  c->reconnects++;
  c->down_since = now;
  client_start_cycle(c);
  return 0;
}

/* on_refresh_timer (several targets): the SRV records are looked up again
 * now and then, so that sessions follow the servers DNS names. */
static int on_refresh_timer(sd_event_source *es, uint64_t usec, void *ud) {
  client *c = ud;
  sd_event_source_set_time(es, usec + better_period(c) / 1000);
  client_disc_refresh(c->disc);
  return 0;
}

int client_targets_choose(client *c) {
  uint64_t now = client_now_ns(), wait = UINT64_MAX;
  disc_found f;
  wt_url url;
  if (!c->disc || c->multi)
    return 0;
  if (!c->disc_refreshed) {
    c->disc_refreshed = true;
    if (client_disc_refresh(c->disc)) { /* on_changed starts the cycle again */
      c->waiting_disc = true;
      c->state = CS_RESOLVING;
      client_notify_status(c);
      return -1;
    }
  }
  c->disc_refreshed = false; /* the next cycle looks up again */
  if (client_disc_pick(c->disc, now, &f, &url, &wait) != 0) {
    uint64_t until = wait == UINT64_MAX ? now + better_period(c) : wait;
    snprintf(c->last_error, sizeof(c->last_error), "%s",
             wait == UINT64_MAX ? "no wtping server found yet (mDNS, DNS SRV)"
                                : "every server known failed recently");
    if (!c->disc_wait_logged)
      log_notice("%s; waiting", c->last_error);
    c->disc_wait_logged = true;
    c->waiting_disc = true; /* a server found meanwhile starts the cycle at once */
    c->state = CS_BACKOFF;
    c->backoff_until = until;
    client_arm(c->backoff_timer, until);
    client_notify_status(c);
    return -1;
  }
  c->waiting_disc = false;
  c->disc_wait_logged = false;
  if (!c->have_target || !disc_targets_same(&c->target, &f))
    log_notice("target %s (%s, %s)", url.authority, disc_source_name(f.source), f.name);
  bool retrust = c->o.discovery_trust_pins &&
                 (!c->have_target || strcmp(f.pin, c->target.pin) != 0);
  c->target = f;
  c->have_target = true;
  c->o.url = url;
  snprintf(c->verify.host, sizeof(c->verify.host), "%s", url.host);
  if (retrust) {
    /* opted in (discovery_trust_pins): this target's published pin counts
     * too, for this target only: the TLS policy is made anew from the
     * settings (no connection uses it between two cycles) */
    quic_tls_client tls;
    char err[256];
    if (client_tls_setup(c, &c->o, &tls, err, sizeof(err)) != 0) {
      log_warn("target %s: %s", url.authority, err);
    } else {
      if (f.pin[0] && quic_tls_client_add_pin(&tls, f.pin, err, sizeof(err)) != 0)
        log_warn("target %s: its published pin is not usable: %s", url.authority, err);
      quic_tls_client_free(&c->tls);
      c->tls = tls;
    }
  }
  return 0;
}

bool client_targets_fallback(client *c, const char *reason) {
  uint64_t now = client_now_ns(), wait;
  disc_found f;
  wt_url url;
  if (!c->disc || c->multi || !c->have_target)
    return false;
  client_disc_failed(c->disc, &c->target, now);
  if (client_disc_pick(c->disc, now, &f, &url, &wait) != 0)
    return false;
  log_notice("%s; trying %s (%s)", reason, url.authority, disc_source_name(f.source));
  snprintf(c->last_error, sizeof(c->last_error), "%s", reason);
  c->disc_refreshed = true; /* just looked up: go on with this list */
  client_start_cycle(c);
  return true;
}

void client_targets_lost(client *c) {
  client_disc *d = disc_of(c);
  if (d && c->have_target && !c->parent)
    client_disc_failed(d, &c->target, client_now_ns());
  if (d && c->parent)
    client_disc_refresh(d); /* a session of several reconnects: look again */
}

void client_targets_connected(client *c) {
  client_disc *d = disc_of(c);
  if (d && c->have_target)
    client_disc_connected(d, &c->target);
}

/* ------------------------------------------------------------ setup */

int client_targets_start(client *c) {
  const client_opts *o = &c->o;
  if (!c->daemon || (!o->discover && o->ntargets == 0))
    return 0;
  c->multi = o->ntargets > 0 || (o->discover && o->max_targets > 1);
  if (c->multi && !(c->sessions = calloc(MAX_SESSIONS, sizeof(*c->sessions))))
    return -1;
  c->disc = client_disc_start(c->ev, o, on_changed, c);
  if (!c->disc)
    return -1;
  if (c->multi) {
    client_disc_refresh(c->disc);
    sync_sessions(c);
  }
  /* one at a time: move back to a preferred target; several: look the
   * SRV records up again now and then */
  if (sd_event_add_time_relative(c->ev, &c->better_timer, CLOCK_MONOTONIC,
                                 better_period(c) / 1000, 1000,
                                 c->multi ? on_refresh_timer : on_better_timer, c) >= 0)
    sd_event_source_set_enabled(c->better_timer, SD_EVENT_ON);
  if (o->discover)
    log_notice("discovery: %s%s%s%s%s, %s", o->discovery_mdns ? "mDNS" : "",
               o->discovery_mdns && o->discovery_dns ? " and " : "",
               o->discovery_dns ? "DNS SRV of _wtping._udp." : "",
               o->discovery_dns ? (o->discovery_domain[0] ? o->discovery_domain : "<search>") : "",
               "", c->multi ? "every server found is pinged" : "one server at a time");
  return 0;
}

void client_targets_stop(client *c, bool at_exit) {
  for (size_t i = 0; i < c->nsessions; i++)
    session_free(c->sessions[i], at_exit);
  c->nsessions = 0;
  free(c->sessions);
  c->sessions = NULL;
  c->better_timer = sd_event_source_disable_unref(c->better_timer);
  client_disc_free(c->disc);
  c->disc = NULL;
  c->multi = false;
  c->have_target = false;
  c->waiting_disc = false;
  c->disc_refreshed = false;
}

void client_targets_finish(client *c) {
  for (size_t i = 0; i < c->nsessions; i++) {
    client_conn_close(c->sessions[i]); /* CONNECTION_CLOSE: the server need not wait */
    c->sessions[i]->state = CS_DONE;
  }
}

const char *client_targets_state(const client *c) {
  size_t up = 0;
  for (size_t i = 0; i < c->nsessions; i++)
    up += c->sessions[i]->state == CS_CONNECTED;
  if (c->state == CS_FINISHING || c->state == CS_DONE)
    return "stopping";
  return up == 0 ? (c->nsessions ? "connecting" : "discovering")
                 : up == c->nsessions ? "connected" : "degraded";
}

void client_targets_status_line(const client *c, char *line, size_t cap) {
  size_t up = 0;
  for (size_t i = 0; i < c->nsessions; i++)
    up += c->sessions[i]->state == CS_CONNECTED;
  snprintf(line, cap, "%s: %zu of %zu target(s) connected", client_targets_state(c), up,
           c->nsessions);
}

bool client_targets_ready(const client *c) {
  for (size_t i = 0; i < c->nsessions; i++)
    if (c->sessions[i]->state == CS_CONNECTED)
      return true;
  return false;
}

/* ------------------------------------------------------------ status */

static int target_row(json_object *a, const client *s, bool current) {
  json_object *o = cj_push_object(a);
  const ping_track *t = &s->pg.track;
  char url[URL_HOST_MAX + URL_PATH_MAX + 16];
  int r = o ? 0 : -1;
  if (!o)
    return -1;
  snprintf(url, sizeof(url), "https://%s%s", s->o.url.authority, s->o.url.path);
  r |= cj_add_str(o, "url", url);
  r |= cj_add_str(o, "source", s->have_target ? disc_source_name(s->target.source) : "configured");
  r |= cj_add_str(o, "name", s->have_target ? s->target.name : url);
  r |= cj_add_str(o, "state", current ? client_state_name(s) : "standby");
  r |= cj_add_str(o, "server", current && s->state == CS_CONNECTED ? s->addr : NULL);
  if (current && s->have_rtt) { /* shaped as the daemon's own rtt_ms */
    json_object *rtt = cj_add_object(o, "rtt_ms");
    r |= rtt ? cj_add_double(rtt, "last", s->last_rtt_ms) : -1;
  } else {
    r |= cj_add_null(o, "rtt_ms");
  }
  r |= cj_add_uint(o, "transmitted", current ? t->transmitted : 0);
  r |= cj_add_uint(o, "received", current ? t->received : 0);
  r |= cj_add_double(o, "loss_percent", current ? report_loss_percent(t) : 0.0);
  r |= cj_add_uint(o, "reconnects", current ? s->reconnects : 0);
  r |= cj_add_str(o, "last_error", current && s->last_error[0] ? s->last_error : NULL);
  return r;
}

/* standby_row: a known target the single session does not talk to now */
static int standby_row(json_object *a, const disc_target *t) {
  json_object *o = cj_push_object(a);
  wt_url url;
  char s[URL_HOST_MAX + URL_PATH_MAX + 16] = "";
  int r = 0;
  if (!o)
    return -1;
  if (discover_url(&t->f, &url) == 0)
    snprintf(s, sizeof(s), "https://%s%s", url.authority, url.path);
  r |= cj_add_str(o, "url", s);
  r |= cj_add_str(o, "source", disc_source_name(t->f.source));
  r |= cj_add_str(o, "name", t->f.name);
  r |= cj_add_str(o, "state", t->failures ? "failed" : "standby");
  r |= cj_add_uint(o, "failures", t->failures);
  return r;
}

int client_targets_status(const client *c, json_object *w) {
  json_object *a;
  int r = 0;
  if (c->multi) { /* the daemon's own members are about all its targets */
    ping_track sum;
    uint64_t reconnects = 0, lost_in_row = 0;
    bool outage = false;
    memset(&sum, 0, sizeof(sum));
    for (size_t i = 0; i < c->nsessions; i++) {
      const client *s = c->sessions[i];
      sum.transmitted += s->pg.track.transmitted;
      sum.received += s->pg.track.received;
      reconnects += s->reconnects;
      lost_in_row += s->lost_in_row;
      outage |= s->stalled;
    }
    r |= cj_add_null(w, "url");
    r |= cj_add_null(w, "server");
    r |= cj_add_str(w, "mode", c->o.mode == CLIENT_MODE_DATAGRAM ? "datagram" : "stream");
    r |= cj_add_null(w, "rtt_ms");
    r |= cj_add_uint(w, "transmitted", sum.transmitted);
    r |= cj_add_uint(w, "received", sum.received);
    r |= cj_add_double(w, "loss_percent", report_loss_percent(&sum));
    r |= cj_add_uint(w, "reconnects", reconnects);
    r |= cj_add_null(w, "last_error");
    r |= cj_add_bool(w, "outage", outage);
    r |= cj_add_uint(w, "lost_in_row", lost_in_row);
    a = cj_add_array(w, "targets");
    if (!a)
      return -1;
    for (size_t i = 0; i < c->nsessions; i++)
      r |= target_row(a, c->sessions[i], true);
    return r;
  }
  a = cj_add_array(w, "targets");
  if (!a)
    return -1;
  r |= target_row(a, c, true);
  if (c->disc) {
    const disc_targets *ts = client_disc_targets(c->disc);
    for (size_t i = 0; i < ts->n; i++)
      if (!c->have_target || !disc_targets_same(&ts->t[i].f, &c->target))
        r |= standby_row(a, &ts->t[i]);
  }
  if (c->have_target) {
    r |= cj_add_str(w, "source", disc_source_name(c->target.source));
  }
  return r;
}

int client_targets_stats(const client *c, json_object *w) {
  json_object *a;
  int r = 0;
  if (!c->multi)
    return 0;
  a = cj_add_array(w, "targets");
  if (!a)
    return -1;
  for (size_t i = 0; i < c->nsessions; i++) {
    const client *s = c->sessions[i];
    json_object *o = cj_push_object(a);
    char url[URL_HOST_MAX + URL_PATH_MAX + 16];
    if (!o)
      return -1;
    snprintf(url, sizeof(url), "https://%s%s", s->o.url.authority, s->o.url.path);
    r |= cj_add_str(o, "url", url);
    r |= cj_add_str(o, "source", disc_source_name(s->target.source));
    r |= cj_add_uint(o, "transmitted", s->pg.track.transmitted);
    r |= cj_add_uint(o, "received", s->pg.track.received);
    r |= cj_add_uint(o, "lost", s->pg.track.lost);
    r |= cj_add_uint(o, "reconnects", s->reconnects);
    r |= cj_add_double(o, "downtime_seconds", (double)s->downtime_total / 1e9);
    r |= cj_add_uint(o, "connected_now", s->state == CS_CONNECTED);
  }
  return r;
}
