#include "client/discover.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <systemd/sd-event.h>

#include "client/client.h"
#include "common/log.h"
#include "disc/disc_dns.h"
#include "disc/disc_mdns.h"

typedef struct collect {
  sd_event *ev;
  disc_targets *ts;
  bool mdns_done, dns_done;
  disc_dns *dns;
} collect;

static uint64_t mono_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void maybe_exit(collect *c) {
  if (c->mdns_done && c->dns_done)
    sd_event_exit(c->ev, 0);
}

static void on_mdns(void *ud, disc_mdns_event event, const disc_found *f) {
  collect *c = ud;
  switch (event) {
  case DISC_MDNS_FOUND:
    disc_targets_add_next(c->ts, f, mono_ns());
    return;
  case DISC_MDNS_REMOVED:
    disc_targets_remove(c->ts, DISC_SRC_MDNS, f->name);
    return;
  case DISC_MDNS_SETTLED:
  case DISC_MDNS_UNAVAILABLE:
    c->mdns_done = true;
    maybe_exit(c);
    return;
  }
}

static void on_dns(void *ud, const disc_dns_result *res) {
  collect *c = ud;
  c->dns = NULL;
  if (res->error)
    log_notice("DNS-SD: %s", res->why);
  else if (res->n == 0)
    log_info("DNS-SD: %s", res->why);
  else
    disc_targets_replace(c->ts, DISC_SRC_DNS, res->found, res->n, mono_ns());
  c->dns_done = true;
  maybe_exit(c);
}

static int on_timeout(sd_event_source *es, uint64_t usec, void *ud) {
  (void)es;
  (void)usec;
  collect *c = ud;
  if (!c->mdns_done)
    log_info("mDNS: no complete answer within the timeout");
  sd_event_exit(c->ev, 0);
  return 0;
}

int discover_collect(const client_opts *o, disc_targets *ts, char *err, size_t errlen) {
  collect c = {.ts = ts, .mdns_done = !o->discovery_mdns, .dns_done = !o->discovery_dns};
  disc_mdns *m = NULL;
  sd_event_source *timer = NULL;
  uint64_t seed = 0, now = 0;
  int r = sd_event_new(&c.ev);
  if (r < 0) {
    snprintf(err, errlen, "sd_event_new: %s", strerror(-r));
    return -1;
  }
  if (getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
    seed = mono_ns();
  sd_event_now(c.ev, CLOCK_MONOTONIC, &now);
  sd_event_add_time(c.ev, &timer, CLOCK_MONOTONIC, now + o->timeout_ns / 1000, 0, on_timeout, &c);
  if (o->discovery_mdns && !(m = disc_mdns_start(c.ev, on_mdns, &c)))
    c.mdns_done = true;
  if (o->discovery_dns &&
      !(c.dns = disc_dns_start(c.ev, o->discovery_domain, seed, on_dns, &c))) {
    log_notice("DNS-SD: cannot start the lookup thread");
    c.dns_done = true;
  }
  if (!(c.mdns_done && c.dns_done))
    sd_event_loop(c.ev);
  disc_mdns_free(m);
  disc_dns_cancel(c.dns); /* still asking a slow server: its thread ends on its own */
  sd_event_source_disable_unref(timer);
  sd_event_unref(c.ev);
  return 0;
}

int discover_url(const disc_found *f, wt_url *url) {
  char s[DISC_NAME_MAX + DISC_TXT_PATH_MAX + 32];
  const char *why;
  const char *host = f->host;
  bool v6 = false;
  if (f->source == DISC_SRC_MDNS && f->addr[0] && !strchr(f->addr, '%')) {
    host = f->addr;
    v6 = strchr(f->addr, ':') != NULL;
  }
  snprintf(s, sizeof(s), "https://%s%s%s:%u%s", v6 ? "[" : "", host, v6 ? "]" : "", f->port,
           f->path);
  return url_parse(s, url, &why);
}

/* best_first: the targets of |ts| in the order they would be tried. */
static size_t best_first(const disc_targets *ts, size_t *idx) {
  size_t n = 0;
  for (size_t i = 0; i < ts->n; i++) {
    size_t j = n++;
    while (j > 0 && disc_targets_better_than(&ts->t[i], &ts->t[idx[j - 1]])) {
      idx[j] = idx[j - 1];
      j--;
    }
    idx[j] = i;
  }
  return n;
}

int discover_main(client_opts *o, int argc, char **argv) {
  static disc_targets ts;
  size_t idx[DISC_TARGETS_MAX];
  char err[256];
  disc_targets_init(&ts, DISC_TARGETS_MAX, 1, 1);
  if (discover_collect(o, &ts, err, sizeof(err)) != 0) {
    fprintf(stderr, "wtping-client: %s\n", err);
    return 2;
  }
  size_t n = best_first(&ts, idx);
  if (o->count == 0) {
    for (size_t i = 0; i < n; i++) {
      char line[1400];
      disc_found_line(&ts.t[idx[i]].f, line, sizeof(line));
      printf("%s\n", line);
    }
    if (n == 0)
      fprintf(stderr, "wtping-client: no %s server found\n", DISC_SERVICE_TYPE);
    return n ? 0 : 1;
  }
  for (size_t i = 0; i < n; i++) {
    const disc_found *f = &ts.t[idx[i]].f;
    if (discover_url(f, &o->url) != 0)
      continue;
    o->have_url = true;
    if (f->pin[0] && o->discovery_trust_pins && !o->insecure && o->npins < QUIC_TLS_MAX_PINS)
      snprintf(o->pins[o->npins++], sizeof(o->pins[0]), "%s", f->pin);
    if (!o->quiet)
      printf("found %s \"%s\" by %s\n", o->url.authority, f->name, disc_source_name(f->source));
    return client_run(o, false, argc, argv);
  }
  fprintf(stderr, "wtping-client: no %s server found\n", DISC_SERVICE_TYPE);
  return 1;
}
