/* mDNS / DNS-SD browsing of _wtping._udp on the local link through
 * avahi-daemon (libavahi-client over D-Bus), on the caller's sd-event loop.
 * Each service instance is resolved (address, port, TXT) and reported once
 * however many interfaces and protocols it is seen on; its removal is
 * reported when the last of them goes. When avahi-daemon restarts the
 * browser comes back by itself (AVAHI_CLIENT_NO_FAIL); without D-Bus or
 * Avahi, browsing is off with one notice in the log and retried later. */
#ifndef WTPING_DISC_MDNS_H
#define WTPING_DISC_MDNS_H

#include <stdbool.h>

#include <systemd/sd-event.h>

#include "disc/disc_found.h"

typedef enum disc_mdns_event {
  DISC_MDNS_FOUND,       /* |f| is complete */
  DISC_MDNS_REMOVED,     /* |f->name| (and |f->ifindex|) only */
  DISC_MDNS_SETTLED,     /* the first answers are in (avahi's ALL_FOR_NOW and
                            every resolution done): |f| is NULL */
  DISC_MDNS_UNAVAILABLE, /* Avahi cannot be reached now: |f| is NULL */
} disc_mdns_event;

typedef void (*disc_mdns_cb)(void *ud, disc_mdns_event event, const disc_found *f);
typedef struct disc_mdns disc_mdns;

/* disc_mdns_start starts browsing on |ev|; |cb| is called from the loop
 * (never from within disc_mdns_start). Returns NULL only when out of
 * memory. */
disc_mdns *disc_mdns_start(sd_event *ev, disc_mdns_cb cb, void *ud);

/* disc_mdns_free stops browsing (no more callbacks) and frees |m|. */
void disc_mdns_free(disc_mdns *m);

#endif
