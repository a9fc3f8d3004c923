/* When to wake up for a connection's deadline. A deadline far away (loss
 * detection ~ max_ack_delay + PTO, idle, keep-alive) moves with every packet
 * sent; re-arming the loop's timer each time costs a timerfd_settime per
 * packet. Rounding such deadlines up to a whole millisecond lets the timer
 * stay put while they move within it; near deadlines (pacing, ACK delay,
 * the closing period's end) stay exact. Pure. */
#ifndef WTPING_TIMER_SLACK_H
#define WTPING_TIMER_SLACK_H

#include <stdint.h>

/* Deadlines further than this from now get rounded up. */
#define TIMER_SLACK_FAR_NS (5 * 1000 * 1000ull)
#define TIMER_SLACK_NS (1000 * 1000ull)

/* timer_slack_usec returns the wake-up time in microseconds (as sd-event
 * counts them) for deadline |t_ns| seen at |now_ns|, never earlier than
 * the deadline. UINT64_MAX stays UINT64_MAX. */
uint64_t timer_slack_usec(uint64_t t_ns, uint64_t now_ns);

#endif
