/* wtping-client command-line options (pure parsing; tested). */
#ifndef WTPING_CLIENT_OPTS_H
#define WTPING_CLIENT_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "client/url.h"
#include "quic/quic_tls.h"

typedef enum client_mode { CLIENT_MODE_STREAM, CLIENT_MODE_DATAGRAM } client_mode;

#define CLIENT_DEFAULT_CONFIG SYSCONFDIR "/wtping/client.conf"
#define CLIENT_DEFAULT_CONTROL RUNSTATEDIR "/wtping/client.sock"
#define CLIENT_PATH_MAX 1024
#define CLIENT_MAX_TARGETS 16 /* configured "targets" */
#define CLIENT_MAX_DISCOVERED 64 /* "max_targets" upper bound */

typedef struct client_opts {
  wt_url url;
  bool have_url;
  uint64_t count;       /* 0: until interrupted */
  uint64_t interval_ns; /* 0: next ping as soon as the previous one is answered or lost */
  size_t size;          /* padding bytes in <rest> */
  client_mode mode;
  uint64_t timeout_ns;  /* per ping; also bounds connection setup */
  uint64_t deadline_ns; /* 0: none */
  bool quiet;
  bool json;
  char cafile[CLIENT_PATH_MAX]; /* "" = system trust store */
  char pins[QUIC_TLS_MAX_PINS][64]; /* "sha256:BASE64" */
  size_t npins;
  bool insecure;
  /* the bearer token sent on CONNECT comes from this file (or the systemd
   * credential "token"), never from the command line; "" = none */
  char token_file[CLIENT_PATH_MAX];
  /* mutual TLS: our certificate (chain) and key, for servers that ask */
  char cert_file[CLIENT_PATH_MAX];
  char key_file[CLIENT_PATH_MAX];
  int log_level;
  bool quic_debug;
  char qlog_dir[CLIENT_PATH_MAX]; /* --qlog: one qlog file per connection; "" = off */
  /* daemon mode (a configuration file and no URL on the command line) */
  char config_file[CLIENT_PATH_MAX];
  char control_socket[CLIENT_PATH_MAX];
  unsigned control_mode;
  uint64_t idle_timeout_ns;   /* QUIC idle timeout (default 30 s) */
  uint64_t keepalive_ns;      /* QUIC PING after this much quiet (default 5 s; 0 off) */
  uint64_t reconnect_min_ns;  /* backoff base (default 250 ms) */
  uint64_t reconnect_max_ns;  /* backoff cap (default 30 s) */
  /* discovery (DNS-SD, docs/discovery.md) and several targets */
  bool discover;              /* find servers (mDNS, DNS SRV); implied with no url/targets */
  bool discover_cli;          /* --discover: one-shot listing, or ping the first found */
  bool discovery_mdns;        /* browse _wtping._udp with Avahi (default true) */
  bool discovery_dns;         /* look up SRV+TXT _wtping._udp.<domain> (default true) */
  char discovery_domain[256]; /* "" = the resolver's search domains */
  bool discovery_trust_pins;  /* accept a pin=... from TXT (default false) */
  unsigned max_targets;       /* servers pinged at once (default 1) */
  wt_url targets[CLIENT_MAX_TARGETS]; /* configured servers besides url */
  size_t ntargets;
} client_opts;

enum {
  CLIENT_OPTS_RUN = 0,
  CLIENT_OPTS_EXIT_OK = 1,
  CLIENT_OPTS_EXIT_USAGE = 2,
  CLIENT_OPTS_EXIT_CONFIG = 3
};

/* client_opts_defaults sets every setting to its default. */
void client_opts_defaults(client_opts *o);

/* client_settings composes the settings: defaults, the configuration file
 * (-C FILE; or CLIENT_DEFAULT_CONFIG when no URL is given and it exists),
 * then the command line. |*daemon| is true when no URL was given on the
 * command line (the configured server is pinged forever). Returns
 * CLIENT_OPTS_RUN, _EXIT_OK, _EXIT_USAGE, or _EXIT_CONFIG with the reason in
 * |err|. Called again on reload with the same argv. */
int client_settings(client_opts *o, int argc, char **argv, bool *daemon, char *err,
                    size_t errlen);

/* The longest padding on a stream: the line limit minus the longest
 * "ping <seq> <ts> " prefix. */
#define CLIENT_MAX_STREAM_PAD (65536 - 47)

/* client_opts_parse fills |o| from the defaults and argv (a URL required). Returns CLIENT_OPTS_RUN,
 * CLIENT_OPTS_EXIT_OK (--help/--version printed on stdout) or
 * CLIENT_OPTS_EXIT_USAGE (a one-line reason printed on |err|). */
int client_opts_parse(client_opts *o, int argc, char **argv, FILE *out, FILE *err);

/* client_parse_seconds parses a non-negative decimal number of seconds
 * ("1", "0.2", ".5", "1e-3" is rejected) into ns. Returns 0 or -1. */
int client_parse_seconds(const char *s, uint64_t *ns);

#endif
