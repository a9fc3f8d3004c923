#include "server/server_opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "common/addr.h"
#include "common/log.h"
#include "config.h"

static void usage(FILE *f) {
  fprintf(f,
          "Usage: wtping-server [OPTIONS]\n"
          "A WebTransport (HTTP/3) ping server.\n"
          "\n"
          "  -l, --listen ADDR:PORT   listen here (repeatable; default [::]:%d, dual-stack)\n"
          "      --cert FILE          TLS certificate chain (PEM)\n"
          "      --key FILE           TLS private key (PEM)\n"
          "  -p, --path PATH          WebTransport path (default %s)\n"
          "      --idle-timeout SEC   QUIC idle timeout (default 30)\n"
          "      --max-connections N  concurrent QUIC connections (default 4096)\n"
          "      --max-sessions N     WebTransport sessions per connection (default 4)\n"
          "  -v, --verbose            log more (repeat for debug)\n"
          "      --quic-debug         ngtcp2's packet-level debug log on stderr\n"
          "  -V, --version            print the version and exit\n"
          "  -h, --help               print this help and exit\n",
          SERVER_DEFAULT_PORT, SERVER_DEFAULT_PATH);
}

static int parse_uint(const char *opt, const char *s, unsigned min, unsigned max, unsigned *out) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (errno || end == s || *end || s[0] == '-' || v < min || v > max) {
    fprintf(stderr, "wtping-server: %s: '%s' is not a number from %u to %u\n", opt, s, min, max);
    return -1;
  }
  *out = (unsigned)v;
  return 0;
}

int server_opts_parse(server_opts *o, int argc, char **argv) {
  enum { O_CERT = 256, O_KEY, O_IDLE, O_MAXCONN, O_MAXSESS, O_QDEBUG };
  static const struct option longopts[] = {
      {"listen", required_argument, NULL, 'l'},
      {"cert", required_argument, NULL, O_CERT},
      {"key", required_argument, NULL, O_KEY},
      {"path", required_argument, NULL, 'p'},
      {"idle-timeout", required_argument, NULL, O_IDLE},
      {"max-connections", required_argument, NULL, O_MAXCONN},
      {"max-sessions", required_argument, NULL, O_MAXSESS},
      {"verbose", no_argument, NULL, 'v'},
      {"quic-debug", no_argument, NULL, O_QDEBUG},
      {"version", no_argument, NULL, 'V'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  memset(o, 0, sizeof(*o));
  o->path = SERVER_DEFAULT_PATH;
  o->idle_timeout_s = 30;
  o->max_connections = 4096;
  o->max_sessions = 4;
  o->log_level = LOG_INFO;

  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "l:p:vVh", longopts, NULL)) != -1) {
    switch (c) {
    case 'l': {
      if (o->nlisten == SERVER_MAX_LISTEN) {
        fprintf(stderr, "wtping-server: at most %d --listen addresses\n", SERVER_MAX_LISTEN);
        return OPTS_EXIT_USAGE;
      }
      const char *err;
      server_listen *l = &o->listen[o->nlisten];
      if (addr_parse(optarg, SERVER_DEFAULT_PORT, &l->addr, &l->addrlen, &err) != 0) {
        fprintf(stderr, "wtping-server: --listen %s: %s\n", optarg, err);
        return OPTS_EXIT_USAGE;
      }
      o->nlisten++;
      break;
    }
    case O_CERT:
      o->cert_file = optarg;
      break;
    case O_KEY:
      o->key_file = optarg;
      break;
    case 'p':
      if (optarg[0] != '/') {
        fprintf(stderr, "wtping-server: --path must start with '/'\n");
        return OPTS_EXIT_USAGE;
      }
      o->path = optarg;
      break;
    case O_IDLE:
      if (parse_uint("--idle-timeout", optarg, 1, 3600, &o->idle_timeout_s) != 0)
        return OPTS_EXIT_USAGE;
      break;
    case O_MAXCONN:
      if (parse_uint("--max-connections", optarg, 1, 1000000, &o->max_connections) != 0)
        return OPTS_EXIT_USAGE;
      break;
    case O_MAXSESS:
      if (parse_uint("--max-sessions", optarg, 1, 1024, &o->max_sessions) != 0)
        return OPTS_EXIT_USAGE;
      break;
    case 'v':
      if (o->log_level < LOG_DEBUG)
        o->log_level++;
      break;
    case O_QDEBUG:
      o->quic_debug = true;
      break;
    case 'V':
      printf("wtping-server %s\n", PACKAGE_VERSION);
      return OPTS_EXIT_OK;
    case 'h':
      usage(stdout);
      return OPTS_EXIT_OK;
    default:
      usage(stderr);
      return OPTS_EXIT_USAGE;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "wtping-server: unexpected argument '%s'\n", argv[optind]);
    return OPTS_EXIT_USAGE;
  }
  if (!o->cert_file || !o->key_file) {
    fprintf(stderr, "wtping-server: --cert and --key are required\n");
    return OPTS_EXIT_USAGE;
  }
  if (o->nlisten == 0) {
    const char *err;
    addr_parse("[::]", SERVER_DEFAULT_PORT, &o->listen[0].addr, &o->listen[0].addrlen, &err);
    o->nlisten = 1;
  }
  return OPTS_RUN;
}
