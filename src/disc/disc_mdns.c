#include "disc/disc_mdns.h"

#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <avahi-client/client.h>
#include <avahi-client/lookup.h>
#include <avahi-common/error.h>

#include "common/log.h"
#include "disc/disc_avahi_poll.h"

#define MDNS_MAX_SERVICES 64
/* After a failure a new client is made: at once when avahi-daemon went away
 * (the new client waits for it: AVAHI_CLIENT_NO_FAIL), later when D-Bus
 * itself is not there. */
#define RETRY_USEC (10 * 1000000ull)
#define RECONNECT_USEC (100 * 1000ull) /* a new client after a failure */

typedef struct mdns_service {
  char name[DISC_NAME_MAX];
  unsigned instances; /* (interface, protocol) pairs it is seen on */
  bool resolved;
  bool v4;          /* resolving or resolved over IPv4 (preferred) */
  char domain[DISC_NAME_MAX];
  AvahiServiceResolver *res;
} mdns_service;

struct disc_mdns {
  disc_avahi_poll poll;
  sd_event *ev;
  AvahiClient *client;
  AvahiServiceBrowser *browser;
  sd_event_source *retry, *defer;
  disc_mdns_cb cb;
  void *ud;
  mdns_service svc[MDNS_MAX_SERVICES];
  size_t nsvc;
  bool all_for_now, settled_sent, unavailable_sent, notice_logged;
};

static void start_client(disc_mdns *m);

static mdns_service *find(disc_mdns *m, const char *name) {
  for (size_t i = 0; i < m->nsvc; i++)
    if (strcmp(m->svc[i].name, name) == 0)
      return &m->svc[i];
  return NULL;
}

static void maybe_settled(disc_mdns *m) {
  if (!m->all_for_now || m->settled_sent)
    return;
  for (size_t i = 0; i < m->nsvc; i++)
    if (m->svc[i].res)
      return;
  m->settled_sent = true;
  m->cb(m->ud, DISC_MDNS_SETTLED, NULL);
}

static void unavailable(disc_mdns *m, const char *why) {
  if (!m->notice_logged)
    log_notice("mDNS discovery: Avahi is not available (%s); retrying in the background", why);
  m->notice_logged = true;
  if (!m->unavailable_sent) {
    m->unavailable_sent = true;
    m->cb(m->ud, DISC_MDNS_UNAVAILABLE, NULL);
  }
}

/* forget_all drops the browser and every service, reporting each known one
 * as removed (the daemon that told us about them is gone). */
static void forget_all(disc_mdns *m, bool report) {
  if (m->browser)
    avahi_service_browser_free(m->browser);
  m->browser = NULL;
  for (size_t i = 0; i < m->nsvc; i++) {
    if (m->svc[i].res)
      avahi_service_resolver_free(m->svc[i].res);
    if (report && m->svc[i].resolved) {
      disc_found f = {.source = DISC_SRC_MDNS};
      snprintf(f.name, sizeof(f.name), "%s", m->svc[i].name);
      m->cb(m->ud, DISC_MDNS_REMOVED, &f);
    }
  }
  m->nsvc = 0;
  m->all_for_now = false;
}

static void on_resolved(AvahiServiceResolver *r, AvahiIfIndex iface, AvahiProtocol proto,
                        AvahiResolverEvent event, const char *name, const char *type,
                        const char *domain, const char *host, const AvahiAddress *a,
                        uint16_t port, AvahiStringList *txt, AvahiLookupResultFlags flags,
                        void *ud);

/* resolve starts resolving |s| as seen on (|iface|, |proto|), asking for
 * an address of that protocol (an IPv4 address is usable as it is, a
 * link-local IPv6 one only with its interface). Returns false when the
 * resolver cannot be made. */
static bool resolve(disc_mdns *m, mdns_service *s, AvahiIfIndex iface, AvahiProtocol proto) {
  if (s->res)
    avahi_service_resolver_free(s->res);
  s->v4 = proto == AVAHI_PROTO_INET;
  s->res = avahi_service_resolver_new(m->client, iface, proto, s->name, DISC_SERVICE_TYPE,
                                      s->domain, proto, 0, on_resolved, m);
  return s->res != NULL;
}

static void on_resolved(AvahiServiceResolver *r, AvahiIfIndex iface, AvahiProtocol proto,
                        AvahiResolverEvent event, const char *name, const char *type,
                        const char *domain, const char *host, const AvahiAddress *a,
                        uint16_t port, AvahiStringList *txt, AvahiLookupResultFlags flags,
                        void *ud) {
  (void)proto;
  (void)type;
  (void)domain;
  (void)flags;
  disc_mdns *m = ud;
  mdns_service *s = find(m, name);
  log_debug("mDNS: resolved \"%s\": event %d", name, (int)event);
  if (!s || s->res != r) {
    avahi_service_resolver_free(r);
    return;
  }
  s->res = NULL;
  avahi_service_resolver_free(r);
  if (event != AVAHI_RESOLVER_FOUND) {
    log_info("mDNS: cannot resolve \"%s\": %s", name,
             avahi_strerror(avahi_client_errno(m->client)));
    maybe_settled(m);
    return;
  }
  disc_found f = {.source = DISC_SRC_MDNS, .port = port, .ifindex = iface};
  uint8_t rdata[DISC_TXT_RDATA_MAX];
  disc_txt t;
  const char *why = NULL;
  size_t n = avahi_string_list_serialize(txt, rdata, sizeof(rdata));
  if (disc_txt_parse(rdata, n, &t, &why) != 0) {
    log_info("mDNS: ignoring \"%s\": %s", name, why);
    maybe_settled(m);
    return;
  }
  snprintf(f.name, sizeof(f.name), "%s", name);
  snprintf(f.host, sizeof(f.host), "%s", host);
  avahi_address_snprint(f.addr, sizeof(f.addr), a);
  if (a->proto == AVAHI_PROTO_INET6 && a->data.ipv6.address[0] == 0xfe &&
      (a->data.ipv6.address[1] & 0xc0) == 0x80) {
    char ifname[IF_NAMESIZE];
    size_t l = strlen(f.addr);
    if (if_indextoname((unsigned)iface, ifname) && l + 1 + strlen(ifname) < sizeof(f.addr))
      snprintf(f.addr + l, sizeof(f.addr) - l, "%%%s", ifname); /* link-local: scope */
  }
  snprintf(f.path, sizeof(f.path), "%s", t.path);
  if (t.have_pin)
    snprintf(f.pin, sizeof(f.pin), "%s", t.pin);
  s->resolved = true;
  m->cb(m->ud, DISC_MDNS_FOUND, &f);
  maybe_settled(m);
}

static void on_browse(AvahiServiceBrowser *b, AvahiIfIndex iface, AvahiProtocol proto,
                      AvahiBrowserEvent event, const char *name, const char *type,
                      const char *domain, AvahiLookupResultFlags flags, void *ud) {
  (void)b;
  (void)flags;
  disc_mdns *m = ud;
  mdns_service *s;
  switch (event) {
  case AVAHI_BROWSER_NEW:
    s = find(m, name);
    if (s) {
      s->instances++;
      /* seen over IPv4 too: its IPv4 address is better than a link-local one */
      if (proto == AVAHI_PROTO_INET && !s->v4)
        resolve(m, s, iface, proto);
      return;
    }
    if (m->nsvc >= MDNS_MAX_SERVICES) {
      log_info("mDNS: more than %d services; ignoring \"%s\"", MDNS_MAX_SERVICES, name);
      return;
    }
    s = &m->svc[m->nsvc++];
    memset(s, 0, sizeof(*s));
    snprintf(s->name, sizeof(s->name), "%s", name);
    s->instances = 1;
    snprintf(s->domain, sizeof(s->domain), "%s", domain);
    (void)type; /* we browse one type */
    if (!resolve(m, s, iface, proto)) {
      log_info("mDNS: cannot resolve \"%s\": %s", name,
               avahi_strerror(avahi_client_errno(m->client)));
      m->nsvc--;
    }
    return;
  case AVAHI_BROWSER_REMOVE: {
    s = find(m, name);
    if (!s || --s->instances > 0)
      return;
    bool was_resolved = s->resolved;
    if (s->res)
      avahi_service_resolver_free(s->res);
    *s = m->svc[--m->nsvc];
    if (was_resolved) {
      disc_found f = {.source = DISC_SRC_MDNS, .ifindex = iface};
      snprintf(f.name, sizeof(f.name), "%s", name);
      m->cb(m->ud, DISC_MDNS_REMOVED, &f);
    }
    maybe_settled(m);
    return;
  }
  case AVAHI_BROWSER_ALL_FOR_NOW:
    m->all_for_now = true;
    maybe_settled(m);
    return;
  case AVAHI_BROWSER_CACHE_EXHAUSTED:
    return;
  case AVAHI_BROWSER_FAILURE:
    log_notice("mDNS: browsing failed: %s", avahi_strerror(avahi_client_errno(m->client)));
    forget_all(m, true);
    return;
  }
}

static int on_retry(sd_event_source *es, uint64_t usec, void *ud) {
  (void)es;
  (void)usec;
  start_client(ud);
  return 0;
}

/* schedule_retry makes a new client from the loop after |usec|. */
static void schedule_retry(disc_mdns *m, uint64_t usec) {
  uint64_t now = 0;
  sd_event_now(m->ev, CLOCK_MONOTONIC, &now);
  if (!m->retry)
    sd_event_add_time(m->ev, &m->retry, CLOCK_MONOTONIC, now + usec, 0, on_retry, m);
  else {
    sd_event_source_set_time(m->retry, now + usec);
    sd_event_source_set_enabled(m->retry, SD_EVENT_ONESHOT);
  }
}

static void on_client(AvahiClient *c, AvahiClientState state, void *ud) {
  disc_mdns *m = ud;
  m->client = c; /* also during avahi_client_new(), before it returns */
  switch (state) {
  case AVAHI_CLIENT_S_RUNNING:
    if (m->notice_logged)
      log_notice("mDNS discovery: Avahi is available again");
    m->notice_logged = m->unavailable_sent = false;
    if (!m->browser) {
      m->settled_sent = false;
      m->browser = avahi_service_browser_new(c, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC,
                                             DISC_SERVICE_TYPE, NULL, 0, on_browse, m);
      if (!m->browser)
        log_notice("mDNS: cannot browse: %s", avahi_strerror(avahi_client_errno(c)));
    }
    return;
  case AVAHI_CLIENT_CONNECTING: /* no avahi-daemon (yet): NO_FAIL waits for it */
    forget_all(m, true);
    unavailable(m, "avahi-daemon is not running");
    return;
  case AVAHI_CLIENT_FAILURE:
    forget_all(m, true);
    unavailable(m, avahi_strerror(avahi_client_errno(c)));
    /* the client object is dead: a new one from the loop, later */
    schedule_retry(m, avahi_client_errno(c) == AVAHI_ERR_DISCONNECTED ? RECONNECT_USEC
                                                                       : RETRY_USEC);
    return;
  case AVAHI_CLIENT_S_REGISTERING:
  case AVAHI_CLIENT_S_COLLISION:
    return;
  }
}

static void start_client(disc_mdns *m) {
  int err = 0;
  if (m->client) {
    forget_all(m, false);
    avahi_client_free(m->client);
    m->client = NULL;
  }
  AvahiClient *c = avahi_client_new(&m->poll.api, AVAHI_CLIENT_NO_FAIL, on_client, m, &err);
  if (!c) {
    m->client = NULL;
    unavailable(m, avahi_strerror(err));
    schedule_retry(m, RETRY_USEC);
    return;
  }
  m->client = c;
}

static int on_defer(sd_event_source *es, void *ud) {
  (void)es;
  start_client(ud);
  return 0;
}

disc_mdns *disc_mdns_start(sd_event *ev, disc_mdns_cb cb, void *ud) {
  disc_mdns *m = calloc(1, sizeof(*m));
  if (!m)
    return NULL;
  m->ev = ev;
  m->cb = cb;
  m->ud = ud;
  disc_avahi_poll_init(&m->poll, ev);
  /* the client is made from the loop, so that no callback runs before the
   * caller has |m| */
  if (sd_event_add_defer(ev, &m->defer, on_defer, m) < 0) {
    free(m);
    return NULL;
  }
  sd_event_source_set_enabled(m->defer, SD_EVENT_ONESHOT);
  return m;
}

void disc_mdns_free(disc_mdns *m) {
  if (!m)
    return;
  forget_all(m, false);
  if (m->client)
    avahi_client_free(m->client);
  sd_event_source_disable_unref(m->retry);
  sd_event_source_disable_unref(m->defer);
  free(m);
}
