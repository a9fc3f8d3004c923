#include "common/conn_timer.h"

#include "common/timer_slack.h"

void conn_timer_arm(sd_event_source *es, uint64_t *armed, uint64_t deadline_ns, uint64_t now_ns) {
  if (deadline_ns == UINT64_MAX) {
    if (*armed != UINT64_MAX)
      sd_event_source_set_enabled(es, SD_EVENT_OFF);
    *armed = UINT64_MAX;
    return;
  }
  /* sd-event counts microseconds on CLOCK_MONOTONIC, as we do in ns. */
  uint64_t usec = timer_slack_usec(deadline_ns, now_ns);
  if (usec == *armed)
    return;
  sd_event_source_set_time(es, usec);
  sd_event_source_set_enabled(es, SD_EVENT_ONESHOT);
  *armed = usec;
}
