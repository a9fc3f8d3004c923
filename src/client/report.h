/* What wtping-client prints: a line per pong and the ping(8)-style
 * summary, as text or JSON. Pure formatting over the counters. */
#ifndef WTPING_REPORT_H
#define WTPING_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "ping/ping_stats.h"
#include "ping/ping_track.h"

typedef struct report_run {
  const char *host;    /* as given in the URL */
  const char *address; /* the address used, "" if none was reached */
  const char *mode;    /* "stream" or "datagram" */
  uint64_t elapsed_ns;
  uint64_t unknown;    /* replies that were not ours */
  const char *error;   /* why the run ended early, or NULL */
} report_run;

/* report_pong prints "pong from HOST (ADDR): seq=N size=B time=X ms". */
void report_pong(FILE *f, const char *host, const char *addr, uint64_t seq, size_t bytes,
                 double ms);

/* report_summary prints the ping(8)-style summary. */
void report_summary(FILE *f, const report_run *r, const ping_track *t, const ping_stats_acc *s);

/* report_json prints one JSON object with the same numbers. */
void report_json(FILE *f, const report_run *r, const ping_track *t, const ping_stats_acc *s);

/* report_loss_percent returns the percentage of transmitted pings without a
 * timely reply (0 when none was sent). */
double report_loss_percent(const ping_track *t);

#endif
