/* One connection's wake-up on sd-event: the thin I/O half of timer_slack.h,
 * shared by the server, the client and the load generator. */
#ifndef WTPING_CONN_TIMER_H
#define WTPING_CONN_TIMER_H

#include <stdint.h>

#include <systemd/sd-event.h>

/* conn_timer_arm arms |es| (a CLOCK_MONOTONIC timer source) for the deadline
 * |deadline_ns| seen at |now_ns|, rounded by timer_slack_usec; UINT64_MAX
 * disarms it. |*armed| holds what the source is armed for (UINT64_MAX: off):
 * an unchanged wake-up costs no prioq update and no timerfd_settime. */
void conn_timer_arm(sd_event_source *es, uint64_t *armed, uint64_t deadline_ns, uint64_t now_ns);

#endif
