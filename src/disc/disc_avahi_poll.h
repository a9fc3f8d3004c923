/* An AvahiPoll (avahi-common/watch.h) on sd-event, so that libavahi-client
 * runs inside the daemons' own event loop: its D-Bus socket becomes an
 * sd-event I/O source and its timeouts CLOCK_REALTIME timers (Avahi gives
 * them as absolute gettimeofday() times). Nothing blocks. */
#ifndef WTPING_DISC_AVAHI_POLL_H
#define WTPING_DISC_AVAHI_POLL_H

#include <avahi-common/watch.h>
#include <systemd/sd-event.h>

typedef struct disc_avahi_poll {
  AvahiPoll api; /* hand &api to avahi_client_new() */
  sd_event *ev;
} disc_avahi_poll;

/* disc_avahi_poll_init sets |p| up on |ev| (not referenced: the loop must
 * outlive every Avahi object made with it). */
void disc_avahi_poll_init(disc_avahi_poll *p, sd_event *ev);

#endif
