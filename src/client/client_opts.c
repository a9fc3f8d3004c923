#include "client/client_opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "client/client_config.h"
#include "config.h"

static void usage(FILE *f) {
  fprintf(f,
          "Usage: wtping-client [OPTIONS] https://HOST[:PORT][/PATH]\n"
          "       wtping-client [-C FILE] [OPTIONS]    (daemon: pings the configured server)\n"
          "       wtping-client --discover [--domain DOMAIN] [-c N] [OPTIONS]\n"
          "Ping a WebTransport server, as ping(8) does.\n"
          "\n"
          "  -C, --config FILE      configuration file (default %s when no URL is given)\n"
          "      --control PATH     control socket in daemon mode (default %s)\n"
          "  -c, --count N          stop after N replies or losses (default: until interrupted)\n"
          "  -i, --interval SEC     seconds between pings (default 1; 0: as soon as answered)\n"
          "  -s, --size BYTES       padding bytes per ping (default 0)\n"
          "  -m, --mode MODE        stream or datagram (default stream)\n"
          "  -W, --timeout SEC      a pong later than this counts as lost; also bounds\n"
          "                         connection setup (default 5)\n"
          "  -w, --deadline SEC     stop after SEC seconds whatever happened\n"
          "  -q, --quiet            only the summary\n"
          "      --json             a machine-readable summary on stdout (implies -q)\n"
          "      --cafile FILE      trust the CA certificate(s) in FILE (PEM)\n"
          "      --pin sha256:B64   accept the server certificate whose SHA-256 is B64\n"
          "      --token-file FILE  send the bearer token in FILE (first line) on CONNECT\n"
          "      --cert FILE --key FILE  client certificate (PEM) and key, for mutual TLS\n"
          "                         (repeatable; as the browser's serverCertificateHashes)\n"
          "  -k, --insecure         do not verify the server certificate\n"
          "      --discover         list the wtping servers found by DNS-SD (mDNS, DNS SRV)\n"
          "                         and exit; with -c N, ping the first one found\n"
          "      --domain DOMAIN    look up SRV/TXT of _wtping._udp.DOMAIN (default: the\n"
          "                         resolver's search domains)\n"
          "  -v, --verbose          log more (repeat for debug)\n"
          "      --quic-debug       ngtcp2's packet-level debug log on stderr\n"
          "      --qlog DIR         write a qlog file per connection into DIR (diagnostics)\n"
          "  -V, --version          print the version and exit\n"
          "  -h, --help             print this help and exit\n"
          "\n"
          "Exit status: 0 when replies came, 1 when none came (or fewer than --count by\n"
          "the --deadline), 2 on other errors.\n",
          CLIENT_DEFAULT_CONFIG, CLIENT_DEFAULT_CONTROL);
}

int client_parse_seconds(const char *s, uint64_t *ns) {
  uint64_t whole = 0, frac = 0, scale = 1000000000ULL;
  const char *p = s;
  bool digits = false;
  while (*p >= '0' && *p <= '9') {
    if (whole > 1000000)
      return -1;
    whole = whole * 10 + (uint64_t)(*p - '0');
    p++;
    digits = true;
  }
  if (*p == '.') {
    p++;
    while (*p >= '0' && *p <= '9') {
      if (scale > 1) {
        scale /= 10;
        frac += (uint64_t)(*p - '0') * scale;
      }
      p++;
      digits = true;
    }
  }
  if (!digits || *p != '\0')
    return -1;
  *ns = whole * 1000000000ULL + frac;
  return 0;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out) {
  char *end;
  errno = 0;
  if (!(*s >= '0' && *s <= '9'))
    return -1;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || v > max)
    return -1;
  *out = v;
  return 0;
}

void client_opts_defaults(client_opts *o) {
  memset(o, 0, sizeof(*o));
  o->interval_ns = 1000000000ULL;
  o->timeout_ns = 5000000000ULL;
  o->mode = CLIENT_MODE_STREAM;
  o->log_level = LOG_NOTICE;
  snprintf(o->control_socket, sizeof(o->control_socket), "%s", CLIENT_DEFAULT_CONTROL);
  o->control_mode = 0660;
  o->idle_timeout_ns = 30000000000ULL;
  o->keepalive_ns = 5000000000ULL;
  o->reconnect_min_ns = 250000000ULL;
  o->reconnect_max_ns = 30000000000ULL;
  o->discovery_mdns = true;
  o->discovery_dns = true;
  o->max_targets = 1;
}

enum { O_JSON = 256, O_CAFILE, O_PIN, O_QDEBUG, O_CONTROL, O_DISCOVER, O_DOMAIN, O_QLOG,
       O_TOKEN_FILE, O_CERT, O_KEY };
static const struct option longopts[] = {
      {"count", required_argument, NULL, 'c'},
      {"interval", required_argument, NULL, 'i'},
      {"size", required_argument, NULL, 's'},
      {"mode", required_argument, NULL, 'm'},
      {"timeout", required_argument, NULL, 'W'},
      {"deadline", required_argument, NULL, 'w'},
      {"quiet", no_argument, NULL, 'q'},
      {"json", no_argument, NULL, O_JSON},
      {"cafile", required_argument, NULL, O_CAFILE},
      {"pin", required_argument, NULL, O_PIN},
      {"insecure", no_argument, NULL, 'k'},
      {"verbose", no_argument, NULL, 'v'},
      {"quic-debug", no_argument, NULL, O_QDEBUG},
      {"qlog", required_argument, NULL, O_QLOG},
      {"version", no_argument, NULL, 'V'},
      {"help", no_argument, NULL, 'h'},
      {"config", required_argument, NULL, 'C'},
      {"control", required_argument, NULL, O_CONTROL},
      {"token-file", required_argument, NULL, O_TOKEN_FILE},
      {"cert", required_argument, NULL, O_CERT},
      {"key", required_argument, NULL, O_KEY},
      {"discover", no_argument, NULL, O_DISCOVER},
      {"domain", required_argument, NULL, O_DOMAIN},
      {NULL, 0, NULL, 0},
};
static const char shortopts[] = ":c:i:s:m:W:w:qkvVhC:";

/* apply_cli applies argv over |o|. |url_required|: one-shot use. */
static int apply_cli(client_opts *o, int argc, char **argv, FILE *out, FILE *err,
                     bool url_required) {
  uint64_t v;
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
    switch (c) {
    case 'c':
      if (parse_u64(optarg, UINT64_MAX / 2, &v) != 0 || v == 0) {
        fprintf(err, "wtping-client: -c: '%s' is not a positive count\n", optarg);
        return CLIENT_OPTS_EXIT_USAGE;
      }
      o->count = v;
      break;
    case 'i':
      if (client_parse_seconds(optarg, &o->interval_ns) != 0) {
        fprintf(err, "wtping-client: -i: '%s' is not a number of seconds\n", optarg);
        return CLIENT_OPTS_EXIT_USAGE;
      }
      break;
    case 's':
      if (parse_u64(optarg, CLIENT_MAX_STREAM_PAD, &v) != 0) {
        fprintf(err, "wtping-client: -s: '%s' is not a size from 0 to %d\n", optarg,
                CLIENT_MAX_STREAM_PAD);
        return CLIENT_OPTS_EXIT_USAGE;
      }
      o->size = (size_t)v;
      break;
    case 'm':
      if (strcmp(optarg, "stream") == 0)
        o->mode = CLIENT_MODE_STREAM;
      else if (strcmp(optarg, "datagram") == 0)
        o->mode = CLIENT_MODE_DATAGRAM;
      else {
        fprintf(err, "wtping-client: -m: mode must be stream or datagram, not '%s'\n", optarg);
        return CLIENT_OPTS_EXIT_USAGE;
      }
      break;
    case 'W':
      if (client_parse_seconds(optarg, &o->timeout_ns) != 0 || o->timeout_ns == 0) {
        fprintf(err, "wtping-client: -W: '%s' is not a positive number of seconds\n", optarg);
        return CLIENT_OPTS_EXIT_USAGE;
      }
      break;
    case 'w':
      if (client_parse_seconds(optarg, &o->deadline_ns) != 0 || o->deadline_ns == 0) {
        fprintf(err, "wtping-client: -w: '%s' is not a positive number of seconds\n", optarg);
        return CLIENT_OPTS_EXIT_USAGE;
      }
      break;
    case 'q':
      o->quiet = true;
      break;
    case O_JSON:
      o->json = true;
      o->quiet = true;
      break;
    case O_CAFILE:
      if (strlen(optarg) >= sizeof(o->cafile)) {
        fprintf(err, "wtping-client: --cafile: path too long\n");
        return CLIENT_OPTS_EXIT_USAGE;
      }
      snprintf(o->cafile, sizeof(o->cafile), "%s", optarg);
      break;
    case O_CERT:
    case O_KEY: {
      char *dst = c == O_CERT ? o->cert_file : o->key_file;
      if (strlen(optarg) >= sizeof(o->cert_file)) {
        fprintf(err, "wtping-client: --%s: path too long\n", c == O_CERT ? "cert" : "key");
        return CLIENT_OPTS_EXIT_USAGE;
      }
      snprintf(dst, sizeof(o->cert_file), "%s", optarg);
      break;
    }
    case O_TOKEN_FILE:
      if (strlen(optarg) >= sizeof(o->token_file)) {
        fprintf(err, "wtping-client: --token-file: path too long\n");
        return CLIENT_OPTS_EXIT_USAGE;
      }
      snprintf(o->token_file, sizeof(o->token_file), "%s", optarg);
      break;
    case 'C':
      break; /* the configuration file was read before */
    case O_CONTROL:
      if ((optarg[0] && optarg[0] != '/') || strlen(optarg) >= sizeof(o->control_socket)) {
        fprintf(err, "wtping-client: --control must be an absolute path or \"\"\n");
        return CLIENT_OPTS_EXIT_USAGE;
      }
      snprintf(o->control_socket, sizeof(o->control_socket), "%s", optarg);
      break;
    case O_PIN: {
      uint8_t tmp[32];
      if (o->npins == QUIC_TLS_MAX_PINS) {
        fprintf(err, "wtping-client: at most %d --pin options\n", QUIC_TLS_MAX_PINS);
        return CLIENT_OPTS_EXIT_USAGE;
      }
      if (quic_tls_pin_parse(optarg, tmp) != 0 || strlen(optarg) >= sizeof(o->pins[0])) {
        fprintf(err, "wtping-client: --pin: '%s' is not sha256:BASE64\n", optarg);
        return CLIENT_OPTS_EXIT_USAGE;
      }
      snprintf(o->pins[o->npins++], sizeof(o->pins[0]), "%s", optarg);
      break;
    }
    case 'k':
      o->insecure = true;
      break;
    case O_DISCOVER:
      o->discover_cli = true;
      break;
    case O_DOMAIN:
      if (!optarg[0] || strlen(optarg) >= sizeof(o->discovery_domain)) {
        fprintf(err, "wtping-client: --domain: '%s' is not a domain name\n", optarg);
        return CLIENT_OPTS_EXIT_USAGE;
      }
      snprintf(o->discovery_domain, sizeof(o->discovery_domain), "%s", optarg);
      break;
    case 'v':
      if (o->log_level < LOG_DEBUG)
        o->log_level++;
      break;
    case O_QDEBUG:
      o->quic_debug = true;
      break;
    case O_QLOG:
      if (strlen(optarg) >= sizeof(o->qlog_dir)) {
        fprintf(err, "wtping-client: --qlog: too long\n");
        return CLIENT_OPTS_EXIT_USAGE;
      }
      snprintf(o->qlog_dir, sizeof(o->qlog_dir), "%s", optarg);
      break;
    case 'V':
      fprintf(out, "wtping-client %s\n", PACKAGE_VERSION);
      return CLIENT_OPTS_EXIT_OK;
    case 'h':
      usage(out);
      return CLIENT_OPTS_EXIT_OK;
    case ':':
      fprintf(err, "wtping-client: option %s needs a value\n", argv[optind - 1]);
      return CLIENT_OPTS_EXIT_USAGE;
    default:
      fprintf(err, "wtping-client: unknown option %s (see --help)\n", argv[optind - 1]);
      return CLIENT_OPTS_EXIT_USAGE;
    }
  }
  if (o->discover_cli && optind < argc) {
    fprintf(err, "wtping-client: --discover finds the server: no URL with it\n");
    return CLIENT_OPTS_EXIT_USAGE;
  }
  if (argc - optind > 1 || (url_required && optind == argc && !o->discover_cli)) {
    fprintf(err, "wtping-client: %s (see --help)\n",
            optind >= argc ? "a URL is required" : "exactly one URL is expected");
    return CLIENT_OPTS_EXIT_USAGE;
  }
  if (optind < argc) {
    const char *why;
    if (url_parse(argv[optind], &o->url, &why) != 0) {
      fprintf(err, "wtping-client: %s: %s\n", argv[optind], why);
      return CLIENT_OPTS_EXIT_USAGE;
    }
    o->have_url = true;
  }
  if (o->insecure && (o->npins || o->cafile[0])) {
    fprintf(err, "wtping-client: -k cannot be combined with --pin or --cafile\n");
    return CLIENT_OPTS_EXIT_USAGE;
  }
  if (!o->cert_file[0] != !o->key_file[0]) {
    fprintf(err, "wtping-client: --cert and --key go together\n");
    return CLIENT_OPTS_EXIT_USAGE;
  }
  return CLIENT_OPTS_RUN;
}

int client_opts_parse(client_opts *o, int argc, char **argv, FILE *out, FILE *err) {
  client_opts_defaults(o);
  return apply_cli(o, argc, argv, out, err, true);
}

int client_settings(client_opts *o, int argc, char **argv, bool *daemon, char *errbuf,
                    size_t errlen) {
  const char *config = NULL;
  bool url_given = false;
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1)
    if (c == 'C')
      config = optarg;
  url_given = optind < argc;
  client_opts_defaults(o);
  if (!config && !url_given && access(CLIENT_DEFAULT_CONFIG, F_OK) == 0)
    config = CLIENT_DEFAULT_CONFIG;
  if (config) {
    if (strlen(config) >= sizeof(o->config_file)) {
      snprintf(errbuf, errlen, "%s: path too long", config);
      return CLIENT_OPTS_EXIT_CONFIG;
    }
    snprintf(o->config_file, sizeof(o->config_file), "%s", config);
    if (client_config_load(config, o, errbuf, errlen) != 0)
      return CLIENT_OPTS_EXIT_CONFIG;
  }
  int r = apply_cli(o, argc, argv, stdout, stderr, false);
  if (r != CLIENT_OPTS_RUN)
    return r;
  if (o->discover_cli) {
    *daemon = false; /* one-shot: list, or ping the first found (-c) */
    return CLIENT_OPTS_RUN;
  }
  if (!o->have_url && o->ntargets == 0 && !o->discover) {
    if (url_given || !config) {
      snprintf(errbuf, errlen, "no server: give a URL, or url in %s",
               config ? config : CLIENT_DEFAULT_CONFIG);
      return CLIENT_OPTS_EXIT_CONFIG;
    }
    o->discover = true; /* a daemon told of no server finds its servers */
  }
  *daemon = !url_given;
  return CLIENT_OPTS_RUN;
}
