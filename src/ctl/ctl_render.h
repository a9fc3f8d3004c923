/* What wtpctl prints: pure functions from a parsed control-socket reply
 * (docs/control.md) to text. The daemon sends data; these decide how it
 * looks. Missing or mistyped fields print as "-" rather than failing, so
 * an older or newer daemon still gets a useful status. */
#ifndef WTPING_CTL_RENDER_H
#define WTPING_CTL_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ctl/ctl_json.h"

/* ctl_render_status prints the reply to "status" as aligned "Key : value"
 * lines (the server's or the client's set, chosen by "daemon"; the keys of
 * both are as wide) and a last line "wtping-server (pid 123) is
 * running". Returns 0, or -1 with a
 * message in |err| when |reply| is not an object. */
int ctl_render_status(FILE *out, json_object *reply, char *err, size_t errlen);

/* ctl_render_stats prints every counter of a "stats" reply on its own
 * "name : value" line, then the RTT histogram (if any) bucket by bucket. */
int ctl_render_stats(FILE *out, json_object *reply, char *err, size_t errlen);

/* ctl_render_sessions prints a "sessions" reply as a table: ID, PEER, AGE,
 * PINGS, SRTT(ms), MINRTT(ms), CWND; "no sessions" when it is empty. */
int ctl_render_sessions(FILE *out, json_object *reply, char *err, size_t errlen);

/* ctl_render_metrics prints a "stats" reply in the Prometheus text
 * exposition format (version 0.0.4). Metric names are
 * "<daemon>_<counter>" with the daemon's '-' turned into '_'
 * ("wtping_server_pings_stream_total"); counters get "_total" and TYPE
 * counter, gauges (see ctl_metric_is_gauge) TYPE gauge. The RTT histogram
 * becomes the histogram "<daemon>_rtt_seconds" with cumulative buckets.
 * Returns -1 (having printed nothing) when the reply is malformed. */
int ctl_render_metrics(FILE *out, json_object *reply, const char *daemon, char *err,
                       size_t errlen);

/* ctl_metric_is_gauge says whether the counter |name| of a "stats" reply is
 * a gauge: names ending in "_now", starting with "rtt_" or "uptime",
 * "loss_percent", "connections", "backoff_until", and state-like ones
 * ("state", "connected", "draining", "ready", "live"). A name ending in
 * "_total" is always a counter. */
bool ctl_metric_is_gauge(const char *name);

/* ctl_format_duration writes |seconds| as "1h 02m 03s" ("2d 01h 02m 03s",
 * "4m 05s", "7s") into |buf|; "-" when negative or not finite. */
void ctl_format_duration(char *buf, size_t len, double seconds);

#endif
