#include "disc/disc_advertise.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <avahi-client/client.h>
#include <avahi-client/publish.h>
#include <avahi-common/alternative.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>

#include "common/log.h"
#include "disc/disc_avahi_poll.h"
#include "disc/disc_found.h"
#include "disc/disc_txt.h"

/* After a failure a new client is made: at once when avahi-daemon went away
 * (the new client waits for it: AVAHI_CLIENT_NO_FAIL), later when D-Bus
 * itself is not there. */
#define RETRY_USEC (10 * 1000000ull)
#define RECONNECT_USEC (100 * 1000ull)

struct disc_advertise {
  disc_avahi_poll poll;
  sd_event *ev;
  AvahiClient *client;
  AvahiEntryGroup *group;
  sd_event_source *retry, *defer;
  char name[DISC_NAME_MAX]; /* in use; "" until the host name is known */
  char want_name[DISC_NAME_MAX]; /* configured; "" = derived from the host name */
  uint16_t port;
  uint8_t txt[512];
  size_t txtlen;
  bool withdrawn, established, notice_logged;
  const char *state;
};

static void start_client(disc_advertise *a);

static int encode(disc_advertise *a, const disc_advertise_config *cfg) {
  uint8_t buf[sizeof(a->txt)];
  int n = disc_txt_build(cfg->path && cfg->path[0] ? cfg->path : DISC_DEFAULT_PATH, cfg->pin, buf,
                         sizeof(buf));
  if (n < 0 || (cfg->name && strlen(cfg->name) >= sizeof(a->want_name)))
    return -1;
  memcpy(a->txt, buf, (size_t)n);
  a->txtlen = (size_t)n;
  a->port = cfg->port;
  snprintf(a->want_name, sizeof(a->want_name), "%s", cfg->name ? cfg->name : "");
  return 0;
}

static void drop_group(disc_advertise *a) {
  if (a->group)
    avahi_entry_group_free(a->group);
  a->group = NULL;
  a->established = false;
}

static void publish(disc_advertise *a);

static void on_group(AvahiEntryGroup *g, AvahiEntryGroupState state, void *ud) {
  disc_advertise *a = ud;
  if (g != a->group && a->group)
    return;
  switch (state) {
  case AVAHI_ENTRY_GROUP_ESTABLISHED:
    a->established = true;
    a->state = "established";
    log_notice("mDNS: advertising \"%s\" (%s, port %u)", a->name, DISC_SERVICE_TYPE, a->port);
    return;
  case AVAHI_ENTRY_GROUP_COLLISION: {
    char *alt = avahi_alternative_service_name(a->name);
    if (alt) {
      log_notice("mDNS: the name \"%s\" is taken; trying \"%s\"", a->name, alt);
      snprintf(a->name, sizeof(a->name), "%s", alt);
      avahi_free(alt);
    }
    avahi_entry_group_reset(g);
    a->established = false;
    publish(a);
    return;
  }
  case AVAHI_ENTRY_GROUP_FAILURE:
    log_notice("mDNS: advertising failed: %s",
               avahi_strerror(avahi_client_errno(avahi_entry_group_get_client(g))));
    a->state = "unavailable";
    return;
  case AVAHI_ENTRY_GROUP_UNCOMMITED:
  case AVAHI_ENTRY_GROUP_REGISTERING:
    return;
  }
}

/* publish (re)fills the entry group and commits it. */
static void publish(disc_advertise *a) {
  AvahiStringList *txt = NULL;
  if (a->withdrawn || !a->client || avahi_client_get_state(a->client) != AVAHI_CLIENT_S_RUNNING)
    return;
  if (!a->name[0]) {
    const char *host = avahi_client_get_host_name(a->client);
    if (a->want_name[0])
      snprintf(a->name, sizeof(a->name), "%s", a->want_name);
    else
      snprintf(a->name, sizeof(a->name), "wtping on %s", host ? host : "localhost");
  }
  if (!a->group) {
    a->group = avahi_entry_group_new(a->client, on_group, a);
    if (!a->group) {
      log_notice("mDNS: cannot advertise: %s", avahi_strerror(avahi_client_errno(a->client)));
      a->state = "unavailable";
      return;
    }
  }
  avahi_entry_group_reset(a->group);
  if (avahi_string_list_parse(a->txt, a->txtlen, &txt) < 0) {
    a->state = "unavailable";
    return;
  }
  int r = avahi_entry_group_add_service_strlst(a->group, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC, 0,
                                               a->name, DISC_SERVICE_TYPE, NULL, NULL, a->port,
                                               txt);
  avahi_string_list_free(txt);
  if (r == AVAHI_ERR_COLLISION) {
    on_group(a->group, AVAHI_ENTRY_GROUP_COLLISION, a);
    return;
  }
  if (r < 0 || (r = avahi_entry_group_commit(a->group)) < 0) {
    log_notice("mDNS: cannot advertise \"%s\": %s", a->name, avahi_strerror(r));
    a->state = "unavailable";
    return;
  }
  a->state = "registering";
}

static int on_retry(sd_event_source *es, uint64_t usec, void *ud) {
  (void)es;
  (void)usec;
  start_client(ud);
  return 0;
}

/* schedule_retry makes a new client from the loop after |usec|. */
static void schedule_retry(disc_advertise *a, uint64_t usec) {
  uint64_t now = 0;
  sd_event_now(a->ev, CLOCK_MONOTONIC, &now);
  if (!a->retry)
    sd_event_add_time(a->ev, &a->retry, CLOCK_MONOTONIC, now + usec, 0, on_retry, a);
  else {
    sd_event_source_set_time(a->retry, now + usec);
    sd_event_source_set_enabled(a->retry, SD_EVENT_ONESHOT);
  }
}

static void unavailable(disc_advertise *a, const char *why) {
  a->state = "waiting for avahi-daemon";
  if (!a->notice_logged)
    log_notice("mDNS: not advertising for now: %s (it will be once Avahi is available)", why);
  a->notice_logged = true;
}

static void on_client(AvahiClient *c, AvahiClientState state, void *ud) {
  disc_advertise *a = ud;
  a->client = c; /* also during avahi_client_new() */
  switch (state) {
  case AVAHI_CLIENT_S_RUNNING:
    if (a->notice_logged)
      log_notice("mDNS: Avahi is available again");
    a->notice_logged = false;
    publish(a);
    return;
  case AVAHI_CLIENT_S_COLLISION: /* the host name changes: register again after */
  case AVAHI_CLIENT_S_REGISTERING:
    if (a->group)
      avahi_entry_group_reset(a->group);
    a->established = false;
    return;
  case AVAHI_CLIENT_CONNECTING: /* avahi-daemon went away; NO_FAIL waits for it */
    drop_group(a);
    unavailable(a, "avahi-daemon is not running");
    return;
  case AVAHI_CLIENT_FAILURE:
    drop_group(a);
    unavailable(a, avahi_strerror(avahi_client_errno(c)));
    schedule_retry(a, avahi_client_errno(c) == AVAHI_ERR_DISCONNECTED ? RECONNECT_USEC
                                                                       : RETRY_USEC);
    return;
  }
}

static void start_client(disc_advertise *a) {
  int err = 0;
  drop_group(a);
  if (a->client)
    avahi_client_free(a->client);
  a->client = NULL;
  if (a->withdrawn)
    return;
  AvahiClient *c = avahi_client_new(&a->poll.api, AVAHI_CLIENT_NO_FAIL, on_client, a, &err);
  a->client = c;
  if (!c) {
    unavailable(a, avahi_strerror(err));
    schedule_retry(a, RETRY_USEC);
  }
}

static int on_defer(sd_event_source *es, void *ud) {
  (void)es;
  start_client(ud);
  return 0;
}

disc_advertise *disc_advertise_start(sd_event *ev, const disc_advertise_config *cfg) {
  disc_advertise *a = calloc(1, sizeof(*a));
  if (!a)
    return NULL;
  a->ev = ev;
  a->state = "waiting for avahi-daemon";
  disc_avahi_poll_init(&a->poll, ev);
  if (encode(a, cfg) != 0 || sd_event_add_defer(ev, &a->defer, on_defer, a) < 0) {
    free(a);
    return NULL;
  }
  sd_event_source_set_enabled(a->defer, SD_EVENT_ONESHOT);
  return a;
}

int disc_advertise_update(disc_advertise *a, const disc_advertise_config *cfg) {
  disc_advertise t = *a;
  if (encode(&t, cfg) != 0)
    return -1;
  bool same = t.port == a->port && t.txtlen == a->txtlen &&
              memcmp(t.txt, a->txt, t.txtlen) == 0 && strcmp(t.want_name, a->want_name) == 0;
  if (same)
    return 0;
  if (strcmp(t.want_name, a->want_name) != 0)
    a->name[0] = '\0'; /* a new name: derive it again */
  memcpy(a->txt, t.txt, t.txtlen);
  a->txtlen = t.txtlen;
  a->port = t.port;
  memcpy(a->want_name, t.want_name, sizeof(a->want_name));
  a->established = false;
  publish(a);
  return 0;
}

void disc_advertise_withdraw(disc_advertise *a) {
  if (!a || a->withdrawn)
    return;
  a->withdrawn = true;
  if (a->group && a->established)
    log_notice("mDNS: withdrawing \"%s\"", a->name);
  drop_group(a); /* freeing the group unregisters it (goodbye packets) */
  a->state = "withdrawn";
}

const char *disc_advertise_state(const disc_advertise *a) { return a ? a->state : "off"; }

const char *disc_advertise_name(const disc_advertise *a) { return a ? a->name : ""; }

void disc_advertise_free(disc_advertise *a) {
  if (!a)
    return;
  disc_advertise_withdraw(a);
  if (a->client)
    avahi_client_free(a->client);
  sd_event_source_disable_unref(a->retry);
  sd_event_source_disable_unref(a->defer);
  free(a);
}
