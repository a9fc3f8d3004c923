/* Reconnect backoff: exponential with full jitter (AWS architecture blog,
 * "Exponential Backoff And Jitter"), reset after a healthy period. Pure:
 * time and randomness come in as parameters. */
#ifndef WTPING_RECONNECT_H
#define WTPING_RECONNECT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct reconnect {
  uint64_t base_ns;    /* first step's upper bound */
  uint64_t cap_ns;     /* no step waits longer */
  uint64_t healthy_ns; /* connected this long: the next failure starts over */
  unsigned failures;   /* consecutive failures since the last healthy period */
  uint64_t connected_at; /* 0 while not connected */
} reconnect;

/* reconnect_init sets the policy; |healthy_ns| 0 means cap_ns. */
void reconnect_init(reconnect *r, uint64_t base_ns, uint64_t cap_ns, uint64_t healthy_ns);

/* reconnect_connected records a working connection at |now|. */
void reconnect_connected(reconnect *r, uint64_t now);

/* reconnect_next_delay records a failure (an attempt that did not connect,
 * or a connection lost at |now|) and returns how long to wait before the
 * next attempt: uniform in [0, min(cap, base * 2^n)] where n counts the
 * consecutive failures, drawn from |rnd| (64 random bits). A connection
 * that had been up for at least the healthy period resets n first. With
 * |immediate| (the server asked us to come back at once, e.g. a graceful
 * restart) the delay is 0 and n is not increased. */
uint64_t reconnect_next_delay(reconnect *r, uint64_t now, uint64_t rnd, bool immediate);

/* reconnect_next_delay_capped is reconnect_next_delay with the step bounded
 * by |cap_ns| too: for failures that say the server host is up and its
 * process is restarting (ICMP port unreachable), so that the client is
 * back within |cap_ns| of the server being ready. */
uint64_t reconnect_next_delay_capped(reconnect *r, uint64_t now, uint64_t rnd, uint64_t cap_ns);

/* reconnect_step_max returns the upper bound of the next step. */
uint64_t reconnect_step_max(const reconnect *r);

#endif
