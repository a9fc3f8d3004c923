#include "disc/disc_avahi_poll.h"

#include <stdlib.h>
#include <sys/epoll.h>

struct AvahiWatch {
  sd_event_source *es;
  AvahiWatchCallback cb;
  void *ud;
  AvahiWatchEvent revents; /* of the callback in progress */
};

struct AvahiTimeout {
  disc_avahi_poll *p;
  sd_event_source *es;
  AvahiTimeoutCallback cb;
  void *ud;
};

static uint32_t to_epoll(AvahiWatchEvent e) {
  return (e & AVAHI_WATCH_IN ? EPOLLIN : 0) | (e & AVAHI_WATCH_OUT ? EPOLLOUT : 0) |
         (e & AVAHI_WATCH_ERR ? EPOLLERR : 0) | (e & AVAHI_WATCH_HUP ? EPOLLHUP : 0);
}

static AvahiWatchEvent from_epoll(uint32_t e) {
  return (AvahiWatchEvent)((e & EPOLLIN ? AVAHI_WATCH_IN : 0) |
                           (e & EPOLLOUT ? AVAHI_WATCH_OUT : 0) |
                           (e & EPOLLERR ? AVAHI_WATCH_ERR : 0) |
                           (e & EPOLLHUP ? AVAHI_WATCH_HUP : 0));
}

static int on_io(sd_event_source *es, int fd, uint32_t revents, void *ud) {
  (void)es;
  AvahiWatch *w = ud;
  w->revents = from_epoll(revents);
  w->cb(w, fd, w->revents, w->ud); /* may free w */
  return 0;
}

static AvahiWatch *watch_new(const AvahiPoll *api, int fd, AvahiWatchEvent event,
                             AvahiWatchCallback cb, void *ud) {
  disc_avahi_poll *p = api->userdata;
  AvahiWatch *w = calloc(1, sizeof(*w));
  if (!w)
    return NULL;
  w->cb = cb;
  w->ud = ud;
  if (sd_event_add_io(p->ev, &w->es, fd, to_epoll(event), on_io, w) < 0) {
    free(w);
    return NULL;
  }
  if (event == 0)
    sd_event_source_set_enabled(w->es, SD_EVENT_OFF);
  return w;
}

static void watch_update(AvahiWatch *w, AvahiWatchEvent event) {
  if (event == 0) {
    sd_event_source_set_enabled(w->es, SD_EVENT_OFF);
    return;
  }
  sd_event_source_set_io_events(w->es, to_epoll(event));
  sd_event_source_set_enabled(w->es, SD_EVENT_ON);
}

static AvahiWatchEvent watch_get_events(AvahiWatch *w) { return w->revents; }

static void watch_free(AvahiWatch *w) {
  sd_event_source_disable_unref(w->es);
  free(w);
}

static int on_time(sd_event_source *es, uint64_t usec, void *ud) {
  (void)es;
  (void)usec;
  AvahiTimeout *t = ud;
  sd_event_source_set_enabled(t->es, SD_EVENT_OFF); /* until updated */
  t->cb(t, t->ud); /* may free t */
  return 0;
}

static void timeout_arm(AvahiTimeout *t, const struct timeval *tv) {
  if (!tv) {
    sd_event_source_set_enabled(t->es, SD_EVENT_OFF);
    return;
  }
  uint64_t usec = (uint64_t)tv->tv_sec * 1000000u + (uint64_t)tv->tv_usec;
  sd_event_source_set_time(t->es, usec ? usec : 1);
  sd_event_source_set_enabled(t->es, SD_EVENT_ONESHOT);
}

static AvahiTimeout *timeout_new(const AvahiPoll *api, const struct timeval *tv,
                                 AvahiTimeoutCallback cb, void *ud) {
  disc_avahi_poll *p = api->userdata;
  AvahiTimeout *t = calloc(1, sizeof(*t));
  if (!t)
    return NULL;
  t->p = p;
  t->cb = cb;
  t->ud = ud;
  /* accuracy 1 ms: sd-event's default (250 ms) would slow mDNS probing */
  if (sd_event_add_time(p->ev, &t->es, CLOCK_REALTIME, 1, 1000, on_time, t) < 0) {
    free(t);
    return NULL;
  }
  timeout_arm(t, tv);
  return t;
}

static void timeout_update(AvahiTimeout *t, const struct timeval *tv) { timeout_arm(t, tv); }

static void timeout_free(AvahiTimeout *t) {
  sd_event_source_disable_unref(t->es);
  free(t);
}

void disc_avahi_poll_init(disc_avahi_poll *p, sd_event *ev) {
  p->ev = ev;
  p->api.userdata = p;
  p->api.watch_new = watch_new;
  p->api.watch_update = watch_update;
  p->api.watch_get_events = watch_get_events;
  p->api.watch_free = watch_free;
  p->api.timeout_new = timeout_new;
  p->api.timeout_update = timeout_update;
  p->api.timeout_free = timeout_free;
}
