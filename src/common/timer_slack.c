#include "common/timer_slack.h"

uint64_t timer_slack_usec(uint64_t t_ns, uint64_t now_ns) {
  if (t_ns == UINT64_MAX)
    return UINT64_MAX;
  if (t_ns > now_ns && t_ns - now_ns > TIMER_SLACK_FAR_NS &&
      t_ns <= UINT64_MAX - TIMER_SLACK_NS) {
    uint64_t r = t_ns % TIMER_SLACK_NS;
    if (r)
      t_ns += TIMER_SLACK_NS - r;
  }
  return t_ns / 1000 + (t_ns % 1000 != 0);
}
