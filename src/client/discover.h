/* wtping-client --discover: DNS-SD discovery on a loop of its own, for the
 * one-shot listing ("as avahi-browse does") and for "ping the first server
 * found" (-c N). The daemon uses the same sources on its own loop. */
#ifndef WTPING_CLIENT_DISCOVER_H
#define WTPING_CLIENT_DISCOVER_H

#include <stdio.h>

#include "client/client_opts.h"
#include "client/url.h"
#include "disc/disc_targets.h"

/* discover_collect runs the sources enabled in |o| (mDNS, DNS SRV) until
 * each has given its first answers, or at most |o|->timeout_ns, and puts
 * what they found into |ts|, best first. Returns 0, or -1 with |err| when
 * the loop cannot be set up. */
int discover_collect(const client_opts *o, disc_targets *ts, char *err, size_t errlen);

/* discover_url makes the URL to ping |f| with: the numeric address for an
 * mDNS result that has one (".local" names need nss-mdns to resolve), else
 * its host name, with its port and path. Returns 0, or -1 when it does not
 * make a valid URL. */
int discover_url(const disc_found *f, wt_url *url);

/* discover_main is wtping-client --discover: without a count, print one
 * line per server found (disc_found_line: source;name;host;address;port;
 * path) and return 0 when at least one was found, else 1; with -c N, ping
 * the first one found as a one-shot run would. 2 on errors. */
int discover_main(client_opts *o, int argc, char **argv);

#endif
