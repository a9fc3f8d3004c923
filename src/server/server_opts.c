#include "server/server_opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "common/addr.h"
#include "common/log.h"
#include "config.h"
#include "cert/cert_schedule.h"
#include "server/server_config.h"

static void usage(FILE *f) {
  fprintf(f,
          "Usage: wtping-server [OPTIONS]\n"
          "A WebTransport (HTTP/3) ping server.\n"
          "\n"
          "  -c, --config FILE        configuration file (default %s, if it exists)\n"
          "  -t, --test-config        check the configuration and the certificate, then exit\n"
          "  -l, --listen ADDR:PORT   listen here (repeatable; default [::]:%d, dual-stack)\n"
          "      --cert FILE          TLS certificate chain (PEM)\n"
          "      --key FILE           TLS private key (PEM)\n"
          "      --cert-mode MODE     file (--cert/--key) or self-rotating (own short-lived\n"
          "                           certificates for browsers; --cert wins)\n"
          "      --cert-dir DIR       where self-rotating certificates are kept\n"
          "                           (default %s)\n"
          "      --cert-rotation SEC  self-rotating: a new certificate every SEC seconds\n"
          "                           (default and maximum 518400 = 6 days; less is for tests)\n"
          "  -p, --path PATH          WebTransport path (default %s)\n"
          "      --idle-timeout SEC   QUIC idle timeout (default 30)\n"
          "      --max-connections N  concurrent QUIC connections (default 4096)\n"
          "      --max-sessions N     WebTransport sessions per connection (default 4)\n"
          "      --control PATH       control socket (default %s; \"\" disables it)\n"
          "      --reset-secret FILE  stateless reset secret, kept across restarts\n"
          "                           (default %s; \"\" for a new one each run)\n"
          "      --advertise          publish the server by DNS-SD (mDNS, through Avahi)\n"
          "  -v, --verbose            log more (repeat for debug)\n"
          "      --quic-debug         ngtcp2's packet-level debug log on stderr\n"
          "      --qlog DIR           write a qlog file per connection into DIR (diagnostics)\n"
          "  -V, --version            print the version and exit\n"
          "  -h, --help               print this help and exit\n",
          SERVER_DEFAULT_CONFIG, SERVER_DEFAULT_PORT, SERVER_DEFAULT_CERT_DIR, SERVER_DEFAULT_PATH,
          SERVER_DEFAULT_CONTROL,
          SERVER_DEFAULT_RESET_SECRET);
}

void server_opts_defaults(server_opts *o) {
  memset(o, 0, sizeof(*o));
  const char *err;
  addr_parse("[::]", SERVER_DEFAULT_PORT, &o->listen[0].addr, &o->listen[0].addrlen, &err);
  o->nlisten = 1;
  snprintf(o->path, sizeof(o->path), "%s", SERVER_DEFAULT_PATH);
  snprintf(o->control_socket, sizeof(o->control_socket), "%s", SERVER_DEFAULT_CONTROL);
  o->control_mode = 0660;
  snprintf(o->reset_secret, sizeof(o->reset_secret), "%s", SERVER_DEFAULT_RESET_SECRET);
  o->idle_timeout_s = 30;
  o->max_connections = 4096;
  o->max_sessions = 4;
  o->max_connections_per_source = 64;
  o->handshakes_per_second = 20;
  o->handshake_timeout_s = 10;
  o->max_streams = 100;
  o->stream_buffer = 256 * 1024;
  o->connection_buffer = 1024 * 1024;
  o->datagrams_per_second = 2000;
  o->retry = SERVER_RETRY_AUTO;
  o->control_clients = 32;
  o->retry_threshold = 64;
  o->log_level = LOG_INFO;
  o->cert_mode = SERVER_CERT_FILE;
  snprintf(o->cert_dir, sizeof(o->cert_dir), "%s", SERVER_DEFAULT_CERT_DIR);
  o->cert_rotation_s = CERT_PERIOD_DEFAULT_S;
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

static int copy_arg(const char *opt, char *dst, size_t cap, const char *src) {
  if (strlen(src) >= cap) {
    fprintf(stderr, "wtping-server: %s: too long\n", opt);
    return -1;
  }
  memcpy(dst, src, strlen(src) + 1);
  return 0;
}

enum { O_CERT = 256, O_KEY, O_IDLE, O_MAXCONN, O_MAXSESS, O_QDEBUG, O_CONTROL, O_SECRET,
       O_CERT_MODE, O_CERT_DIR, O_CERT_ROTATION, O_ADVERTISE, O_QLOG };
static const struct option longopts[] = {
    {"config", required_argument, NULL, 'c'},
    {"advertise", no_argument, NULL, O_ADVERTISE},
    {"test-config", no_argument, NULL, 't'},
    {"listen", required_argument, NULL, 'l'},
    {"cert", required_argument, NULL, O_CERT},
    {"key", required_argument, NULL, O_KEY},
    {"cert-mode", required_argument, NULL, O_CERT_MODE},
    {"cert-dir", required_argument, NULL, O_CERT_DIR},
    {"cert-rotation", required_argument, NULL, O_CERT_ROTATION},
    {"path", required_argument, NULL, 'p'},
    {"idle-timeout", required_argument, NULL, O_IDLE},
    {"max-connections", required_argument, NULL, O_MAXCONN},
    {"max-sessions", required_argument, NULL, O_MAXSESS},
    {"control", required_argument, NULL, O_CONTROL},
    {"reset-secret", required_argument, NULL, O_SECRET},
    {"verbose", no_argument, NULL, 'v'},
    {"quic-debug", no_argument, NULL, O_QDEBUG},
    {"qlog", required_argument, NULL, O_QLOG},
    {"version", no_argument, NULL, 'V'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};
static const char shortopts[] = "c:tl:p:vVh";

/* apply_cli applies the command line over |o| (after the file). */
static int apply_cli(server_opts *o, int argc, char **argv) {
  bool listen_given = false;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
    switch (c) {
    case 'c':
    case 't':
      break; /* handled by the prescan */
    case 'l': {
      if (!listen_given) {
        o->nlisten = 0; /* the command line replaces the file's list */
        listen_given = true;
      }
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
      if (copy_arg("--cert", o->cert_file, sizeof(o->cert_file), optarg) != 0)
        return OPTS_EXIT_USAGE;
      break;
    case O_KEY:
      if (copy_arg("--key", o->key_file, sizeof(o->key_file), optarg) != 0)
        return OPTS_EXIT_USAGE;
      break;
    case O_CERT_MODE:
      if (server_cert_mode_parse(optarg, &o->cert_mode) != 0) {
        fprintf(stderr, "wtping-server: --cert-mode: '%s' is not file or self-rotating\n", optarg);
        return OPTS_EXIT_USAGE;
      }
      break;
    case O_CERT_DIR:
      if (optarg[0] != '/') {
        fprintf(stderr, "wtping-server: --cert-dir must be an absolute path\n");
        return OPTS_EXIT_USAGE;
      }
      if (copy_arg("--cert-dir", o->cert_dir, sizeof(o->cert_dir) - 32, optarg) != 0)
        return OPTS_EXIT_USAGE;
      break;
    case O_CERT_ROTATION:
      if (parse_uint("--cert-rotation", optarg, CERT_PERIOD_MIN_S, CERT_PERIOD_MAX_S,
                     &o->cert_rotation_s) != 0)
        return OPTS_EXIT_USAGE;
      break;
    case 'p':
      if (optarg[0] != '/') {
        fprintf(stderr, "wtping-server: --path must start with '/'\n");
        return OPTS_EXIT_USAGE;
      }
      if (copy_arg("--path", o->path, sizeof(o->path), optarg) != 0)
        return OPTS_EXIT_USAGE;
      break;
    case O_CONTROL:
      if (optarg[0] != '\0' && optarg[0] != '/') {
        fprintf(stderr, "wtping-server: --control must be an absolute path or \"\"\n");
        return OPTS_EXIT_USAGE;
      }
      if (copy_arg("--control", o->control_socket, sizeof(o->control_socket), optarg) != 0)
        return OPTS_EXIT_USAGE;
      break;
    case O_SECRET:
      if (optarg[0] != '\0' && optarg[0] != '/') {
        fprintf(stderr, "wtping-server: --reset-secret must be an absolute path or \"\"\n");
        return OPTS_EXIT_USAGE;
      }
      if (copy_arg("--reset-secret", o->reset_secret, sizeof(o->reset_secret), optarg) != 0)
        return OPTS_EXIT_USAGE;
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
    case O_ADVERTISE:
      o->advertise = true;
      break;
    case O_QLOG:
      if (copy_arg("--qlog", o->qlog_dir, sizeof(o->qlog_dir), optarg) != 0)
        return OPTS_EXIT_USAGE;
      break;
    default:
      usage(stderr);
      return OPTS_EXIT_USAGE;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "wtping-server: unexpected argument '%s'\n", argv[optind]);
    return OPTS_EXIT_USAGE;
  }
  return OPTS_RUN;
}

int server_settings(server_opts *o, int argc, char **argv, bool *test_only, char *err,
                    size_t errlen) {
  const char *config = NULL;
  *test_only = false;
  int c;
  optind = 1;
  opterr = 0; /* the second pass reports */
  while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
    switch (c) {
    case 'c':
      config = optarg;
      break;
    case 't':
      *test_only = true;
      break;
    case 'V':
      printf("wtping-server %s\n", PACKAGE_VERSION);
      return OPTS_EXIT_OK;
    case 'h':
      usage(stdout);
      return OPTS_EXIT_OK;
    default:
      break;
    }
  }
  opterr = 1;
  server_opts_defaults(o);
  if (!config && access(SERVER_DEFAULT_CONFIG, F_OK) == 0)
    config = SERVER_DEFAULT_CONFIG;
  if (config) {
    if (copy_arg("--config", o->config_file, sizeof(o->config_file), config) != 0)
      return OPTS_EXIT_USAGE;
    if (server_config_load(config, o, err, errlen) != 0)
      return OPTS_EXIT_CONFIG;
  }
  int r = apply_cli(o, argc, argv);
  if (r != OPTS_RUN)
    return r;
  /* a configured certificate file always wins over self-rotating */
  o->cert_self = o->cert_mode == SERVER_CERT_SELF_ROTATING && !o->cert_file[0] && !o->key_file[0];
  if (o->cert_self) {
    snprintf(o->cert_file, sizeof(o->cert_file), "%.*s/current.pem", SERVER_PATH_MAX - 32,
             o->cert_dir);
    memcpy(o->key_file, o->cert_file, sizeof(o->key_file));
    return OPTS_RUN;
  }
  if (!o->cert_file[0] || !o->key_file[0]) {
    snprintf(err, errlen,
             "no certificate: give --cert and --key, or certificate and key in %s "
             "(or certificate_mode = \"self-rotating\")",
             config ? config : SERVER_DEFAULT_CONFIG);
    return OPTS_EXIT_CONFIG;
  }
  return OPTS_RUN;
}
