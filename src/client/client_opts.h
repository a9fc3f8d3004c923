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

typedef struct client_opts {
  wt_url url;
  uint64_t count;       /* 0: until interrupted */
  uint64_t interval_ns; /* 0: next ping as soon as the previous one is answered or lost */
  size_t size;          /* padding bytes in <rest> */
  client_mode mode;
  uint64_t timeout_ns;  /* per ping; also bounds connection setup */
  uint64_t deadline_ns; /* 0: none */
  bool quiet;
  bool json;
  const char *cafile;
  const char *pins[QUIC_TLS_MAX_PINS];
  size_t npins;
  bool insecure;
  int log_level;
  bool quic_debug;
} client_opts;

enum { CLIENT_OPTS_RUN = 0, CLIENT_OPTS_EXIT_OK = 1, CLIENT_OPTS_EXIT_USAGE = 2 };

/* The longest padding on a stream: the line limit minus the longest
 * "ping <seq> <ts> " prefix. */
#define CLIENT_MAX_STREAM_PAD (65536 - 47)

/* client_opts_parse fills |o| from argv. Returns CLIENT_OPTS_RUN,
 * CLIENT_OPTS_EXIT_OK (--help/--version printed on stdout) or
 * CLIENT_OPTS_EXIT_USAGE (a one-line reason printed on |err|). */
int client_opts_parse(client_opts *o, int argc, char **argv, FILE *out, FILE *err);

/* client_parse_seconds parses a non-negative decimal number of seconds
 * ("1", "0.2", ".5", "1e-3" is rejected) into ns. Returns 0 or -1. */
int client_parse_seconds(const char *s, uint64_t *ns);

#endif
