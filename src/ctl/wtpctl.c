/* wtpctl: the command-line front end of the control sockets of
 * wtping-server and wtping-client (docs/control.md). Shaped like
 * wireguard-tools' wg: a table of subcommands, one function each. The
 * daemon sends data; ctl_render decides how it looks. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <glob.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl/ctl_cert.h"
#include "ctl/ctl_json.h"
#include "ctl/ctl_client.h"
#include "ctl/ctl_render.h"

/* Exit codes. */
#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2
#define EXIT_NOT_RUNNING 3

/* Where the daemons put their sockets; WTPCTL_RUNDIR overrides it (for
 * tests). */
#define DEFAULT_RUNDIR RUNSTATEDIR "/wtping"

/* The longest -t accepted, in seconds. */
#define TIMEOUT_MAX_S 3600

static const char *prog = "wtpctl";

typedef struct ctl_opts {
  const char *socket; /* -s, or NULL */
  bool json;
  int timeout_ms;
  char rundir[PATH_MAX - 32]; /* room for "/server.sock" */
} ctl_opts;

typedef struct subcommand {
  const char *name;
  int (*fn)(const ctl_opts *o, int argc, char **argv);
  const char *args;
  const char *help;
} subcommand;

static void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void warn(const char *fmt, ...) {
  va_list ap;

  fprintf(stderr, "%s: ", prog);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

/* sanitize copies |s| (|len| bytes) into |buf| with control characters as
 * '?', for messages from the daemon. */
static const char *sanitize(char *buf, size_t buflen, const char *s, size_t len) {
  size_t i;

  for (i = 0; i < len && i + 1 < buflen; ++i) {
    buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
  }
  buf[i] = '\0';
  return buf;
}

/* ---------------------------------------------------------------- talking */

/* How much talking to a daemon may say on stderr. */
typedef enum noise {
  LOUD,
  QUIET_IF_NOT_RUNNING, /* status of every socket: stale ones are no news */
  QUIET                 /* check: the exit code says it all */
} noise;

/* A reply: the line as received and its tree. */
typedef struct reply {
  char *raw;
  size_t len;
  json_object *v;
} reply;

static void reply_free(reply *r) {
  free(r->raw);
  json_object_put(r->v);
  r->raw = NULL;
  r->v = NULL;
}

/* check_reply parses |r|'s line and its "ok". Returns EXIT_OK, or
 * EXIT_FAIL after a message (unless |quiet|): a malformed reply (then
 * |r->v| is NULL) or "ok":false (then |r->v| is the reply). */
static int check_reply(const char *path, const char *request, reply *r, noise quiet) {
  char err[256], msg[512];
  json_object *error;
  bool ok;
  size_t len;

  r->v = cj_parse(r->raw, r->len, &ok, err, sizeof(err));
  if (!ok) {
    if (quiet != QUIET) {
      warn("%s: malformed reply: %s", path, err);
    }
    return EXIT_FAIL;
  }
  if (!cj_bool(cj_get(r->v, "ok"), &ok)) {
    if (quiet != QUIET) {
      warn("%s: malformed reply: no boolean \"ok\"", path);
    }
    json_object_put(r->v);
    r->v = NULL;
    return EXIT_FAIL;
  }
  if (ok) {
    return EXIT_OK;
  }
  if (quiet != QUIET) {
    error = cj_get(r->v, "error");
    if (cj_str(error, &len) != NULL) {
      warn("%s: %s", request, sanitize(msg, sizeof(msg), cj_str(error, NULL), len));
    } else {
      warn("%s: the daemon reported an unspecified error", request);
    }
  }
  return EXIT_FAIL;
}

/* exchange sends |request| over |c| and checks the reply (see
 * check_reply). On transport errors |r->raw| is NULL. */
static int exchange(ctl_conn *c, const char *path, const char *request, reply *r, noise quiet) {
  char err[256];
  ctl_result res;

  memset(r, 0, sizeof(*r));
  res = ctl_exchange(c, request, &r->raw, &r->len, err, sizeof(err));
  if (res != CTL_OK) {
    if (quiet != QUIET) {
      warn("%s: %s", path, err);
    }
    return (int)res;
  }
  return check_reply(path, request, r, quiet);
}

/* open_conn connects to |path|: EXIT_OK, EXIT_NOT_RUNNING or EXIT_FAIL
 * (with a message, as |quiet| allows). */
static int open_conn(const ctl_opts *o, const char *path, ctl_conn **c, noise quiet) {
  char err[256];
  ctl_result res = ctl_connect(c, path, o->timeout_ms, err, sizeof(err));

  if (res != CTL_OK && quiet != QUIET && !(quiet == QUIET_IF_NOT_RUNNING && res == CTL_NOT_RUNNING)) {
    warn("%s: %s", path, err);
  }
  return (int)res;
}

/* call is open_conn, exchange and close. */
static int call(const ctl_opts *o, const char *path, const char *request, reply *r, noise quiet) {
  ctl_conn *c;
  int rc;

  memset(r, 0, sizeof(*r));
  rc = open_conn(o, path, &c, quiet);
  if (rc != EXIT_OK) {
    return rc;
  }
  rc = exchange(c, path, request, r, quiet);
  ctl_close(c);
  return rc;
}

static bool exists(const char *path) {
  struct stat st;

  return lstat(path, &st) == 0;
}

/* pick_socket returns -s, or the server's socket unless only the client's
 * exists. */
static const char *pick_socket(const ctl_opts *o, char *buf, size_t len) {
  char client[PATH_MAX];

  if (o->socket != NULL) {
    return o->socket;
  }
  snprintf(buf, len, "%s/server.sock", o->rundir);
  snprintf(client, sizeof(client), "%s/client.sock", o->rundir);
  if (!exists(buf) && exists(client)) {
    snprintf(buf, len, "%s", client);
  }
  return buf;
}

/* print_raw passes the reply line through (--json). */
static void print_raw(const reply *r) {
  fwrite(r->raw, 1, r->len, stdout);
  fputc('\n', stdout);
}

typedef int (*render_fn)(FILE *out, json_object *v, char *err, size_t errlen);

/* simple_command sends |request| to the one socket and renders the reply
 * with |render| (or prints it as is with --json). */
static int simple_command(const ctl_opts *o, const char *request, render_fn render) {
  char path[PATH_MAX], err[256];
  const char *sock = pick_socket(o, path, sizeof(path));
  reply r;
  int rc = call(o, sock, request, &r, LOUD);

  if (r.v != NULL) {
    if (o->json) {
      print_raw(&r);
    } else if (rc == EXIT_OK && render(stdout, r.v, err, sizeof(err)) != 0) {
      warn("%s: malformed reply: %s", sock, err);
      rc = EXIT_FAIL;
    }
  }
  reply_free(&r);
  return rc;
}

static int no_args(int argc, char **argv) {
  if (argc > 1) {
    warn("%s: unexpected argument '%s'", argv[0], argv[1]);
    return -1;
  }
  return 0;
}

/* ---------------------------------------------------------------- subcommands */

/* cmd_status without -s shows every daemon with a socket in the run
 * directory, like "wg show" shows every interface. When the directory
 * lists nothing (perhaps it may be searched but not read) the two
 * well-known sockets are tried all the same, so that "permission denied"
 * is not taken for "not running". */
static int cmd_status(const ctl_opts *o, int argc, char **argv) {
  char pattern[PATH_MAX * 2 + 8], err[256], server[PATH_MAX], client[PATH_MAX];
  char *fallback[2] = {client, server};
  char **socks;
  const char *s;
  size_t i, nsocks, n = 0, shown = 0;
  glob_t g;
  int rc = EXIT_OK;

  if (no_args(argc, argv) != 0) {
    return EXIT_USAGE;
  }
  if (o->socket != NULL) {
    return simple_command(o, "status", ctl_render_status);
  }
  /* Escape the directory's own metacharacters. */
  for (s = o->rundir; *s != '\0' && n + 8 < sizeof(pattern); ++s) {
    if (strchr("\\*?[", *s) != NULL) {
      pattern[n++] = '\\';
    }
    pattern[n++] = *s;
  }
  snprintf(pattern + n, sizeof(pattern) - n, "/*.sock");

  memset(&g, 0, sizeof(g));
  if (glob(pattern, 0, NULL, &g) == GLOB_NOSPACE) {
    globfree(&g);
    warn("out of memory");
    return EXIT_FAIL;
  }
  /* Other errors (GLOB_ABORTED cannot happen without GLOB_ERR) leave
   * nothing listed. */
  if (g.gl_pathc > 0) {
    socks = g.gl_pathv;
    nsocks = g.gl_pathc;
  } else {
    snprintf(server, sizeof(server), "%s/server.sock", o->rundir);
    snprintf(client, sizeof(client), "%s/client.sock", o->rundir);
    socks = fallback;
    nsocks = 2;
  }

  for (i = 0; i < nsocks; ++i) {
    const char *sock = socks[i];
    reply r;
    int one = call(o, sock, "status", &r, QUIET_IF_NOT_RUNNING);

    if (one == EXIT_NOT_RUNNING) {
      continue; /* a stale socket: that daemon is not running */
    }
    if (one != EXIT_OK) {
      rc = EXIT_FAIL;
      reply_free(&r);
      continue;
    }
    if (o->json) {
      fputs(shown == 0 ? "[" : ",", stdout);
      fwrite(r.raw, 1, r.len, stdout);
    } else {
      if (shown > 0) {
        fputc('\n', stdout);
      }
      if (ctl_render_status(stdout, r.v, err, sizeof(err)) != 0) {
        warn("%s: malformed reply: %s", sock, err);
        rc = EXIT_FAIL;
      }
    }
    ++shown;
    reply_free(&r);
  }
  globfree(&g);

  if (o->json && shown > 0) {
    fputs("]\n", stdout);
  }
  if (shown == 0 && rc == EXIT_OK) {
    warn("no wtping daemon is running");
    return EXIT_NOT_RUNNING;
  }
  return rc;
}

static int cmd_stats(const ctl_opts *o, int argc, char **argv) {
  if (no_args(argc, argv) != 0) {
    return EXIT_USAGE;
  }
  return simple_command(o, "stats", ctl_render_stats);
}

static int cmd_sessions(const ctl_opts *o, int argc, char **argv) {
  if (no_args(argc, argv) != 0) {
    return EXIT_USAGE;
  }
  return simple_command(o, "sessions", ctl_render_sessions);
}

static int render_version(FILE *out, json_object *v, char *err, size_t errlen) {
  const char *daemon = cj_str(cj_get(v, "daemon"), NULL);
  const char *version = cj_str(cj_get(v, "version"), NULL);
  char a[128], b[128];

  if (daemon == NULL || version == NULL) {
    snprintf(err, errlen, "no daemon or version");
    return -1;
  }
  fprintf(out, "%s %s\n", sanitize(a, sizeof(a), daemon, strlen(daemon)),
          sanitize(b, sizeof(b), version, strlen(version)));
  return 0;
}

static int cmd_version(const ctl_opts *o, int argc, char **argv) {
  if (no_args(argc, argv) != 0) {
    return EXIT_USAGE;
  }
  return simple_command(o, "version", render_version);
}

static int render_reload(FILE *out, json_object *v, char *err, size_t errlen) {
  (void)v;
  (void)err;
  (void)errlen;
  fputs("configuration reloaded\n", out);
  return 0;
}

static int cmd_reload(const ctl_opts *o, int argc, char **argv) {
  if (no_args(argc, argv) != 0) {
    return EXIT_USAGE;
  }
  return simple_command(o, "reload", render_reload);
}

static int render_drain(FILE *out, json_object *v, char *err, size_t errlen) {
  (void)v;
  (void)err;
  (void)errlen;
  fputs("draining: sessions were told to go away, new ones are refused\n", out);
  return 0;
}

static int cmd_drain(const ctl_opts *o, int argc, char **argv) {
  if (no_args(argc, argv) != 0) {
    return EXIT_USAGE;
  }
  return simple_command(o, "drain", render_drain);
}

static int render_rebind(FILE *out, json_object *v, char *err, size_t errlen) {
  (void)err;
  (void)errlen;
  int64_t from = 0, to = 0;
  cj_int(cj_get(v, "old_port"), &from);
  cj_int(cj_get(v, "new_port"), &to);
  fprintf(out, "moved from local UDP port %" PRId64 " to %" PRId64 "\n", from, to);
  return 0;
}

static int cmd_rebind(const ctl_opts *o, int argc, char **argv) {
  if (no_args(argc, argv) != 0) {
    return EXIT_USAGE;
  }
  return simple_command(o, "rebind", render_rebind);
}

/* cmd_metrics asks for "version" (the metric prefix) and "stats" on one
 * connection and prints the Prometheus text format. */
static int cmd_metrics(const ctl_opts *o, int argc, char **argv) {
  char path[PATH_MAX], err[256];
  const char *sock = pick_socket(o, path, sizeof(path));
  const char *daemon;
  ctl_conn *c;
  reply ver, st;
  int rc;

  if (no_args(argc, argv) != 0) {
    return EXIT_USAGE;
  }
  rc = open_conn(o, sock, &c, LOUD);
  if (rc != EXIT_OK) {
    return rc;
  }
  rc = exchange(c, sock, "version", &ver, LOUD);
  if (rc == EXIT_OK) {
    rc = exchange(c, sock, "stats", &st, LOUD);
    if (st.v != NULL) {
      daemon = cj_str(cj_get(ver.v, "daemon"), NULL);
      if (o->json) {
        print_raw(&st);
      } else if (rc == EXIT_OK && ctl_render_metrics(stdout, st.v, daemon, err, sizeof(err)) != 0) {
        warn("%s: malformed reply: %s", sock, err);
        rc = EXIT_FAIL;
      }
    }
    reply_free(&st);
  }
  reply_free(&ver);
  ctl_close(c);
  return rc;
}

/* cmd_check prints nothing: 0 yes, 1 no (or any error), 3 not running. */
static int cmd_check(const ctl_opts *o, int argc, char **argv) {
  char path[PATH_MAX];
  const char *what = NULL, *request, *sock;
  reply r;
  bool yes = false;
  int rc;

  if (argc == 2 && strcmp(argv[1], "--ready") == 0) {
    what = "ready";
  } else if (argc == 2 && strcmp(argv[1], "--live") == 0) {
    what = "live";
  }
  if (what == NULL) {
    warn("usage: %s check --ready | --live", prog);
    return EXIT_USAGE;
  }
  request = strcmp(what, "ready") == 0 ? "check ready" : "check live";
  sock = pick_socket(o, path, sizeof(path));
  rc = call(o, sock, request, &r, QUIET);
  if (rc == EXIT_OK && !(cj_bool(cj_get(r.v, what), &yes) && yes)) {
    rc = EXIT_FAIL;
  }
  reply_free(&r);
  return rc;
}

/* cmd_cert: "cert [--json]" (--json also after the command, for scripts). */
static int cmd_cert(const ctl_opts *o, int argc, char **argv) {
  ctl_opts mine = *o;

  if (argc == 2 && strcmp(argv[1], "--json") == 0) {
    mine.json = true;
    --argc;
  }
  if (no_args(argc, argv) != 0) {
    return EXIT_USAGE;
  }
  return simple_command(&mine, "cert", ctl_render_cert);
}

/* cmd_page asks the server for "status" (listen address, path) and "cert"
 * (hashes) on one connection and prints the file:// link to the ping
 * page with them in the fragment. */
static int cmd_page(const ctl_opts *o, int argc, char **argv) {
  char path[PATH_MAX], err[256], link[8192], hostname[256] = "", www[PATH_MAX];
  const char *host = NULL, *wwwdir = WWWDIR, *sock;
  bool json = o->json;
  ctl_conn *c;
  reply st, ce;
  int i, rc;

  for (i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--json") == 0) {
      json = true;
    } else if (strcmp(argv[i], "--host") == 0 && i + 1 < argc) {
      host = argv[++i];
    } else if (strcmp(argv[i], "--www") == 0 && i + 1 < argc) {
      wwwdir = argv[++i];
    } else {
      warn("usage: %s page [--host NAME] [--www DIR] [--json]", prog);
      return EXIT_USAGE;
    }
  }
  if (realpath(wwwdir, www) == NULL) {
    warn("page: %s: %s (the ping page's directory; --www DIR)", wwwdir, strerror(errno));
    return EXIT_FAIL;
  }
  sock = pick_socket(o, path, sizeof(path));
  rc = open_conn(o, sock, &c, LOUD);
  if (rc != EXIT_OK) {
    return rc;
  }
  memset(&ce, 0, sizeof(ce));
  rc = exchange(c, sock, "status", &st, LOUD);
  if (rc == EXIT_OK) {
    rc = exchange(c, sock, "cert", &ce, LOUD);
  }
  ctl_close(c);
  if (rc == EXIT_OK) {
    if (gethostname(hostname, sizeof(hostname) - 1) != 0) {
      hostname[0] = '\0';
    }
    if (ctl_page_link(link, sizeof(link), www, st.v, ce.v, host, hostname, err, sizeof(err)) !=
        0) {
      warn("page: %s", err);
      rc = EXIT_FAIL;
    } else if (json) {
      json_object *j = json_object_new_object();
      const char *text;
      size_t len;

      if (j == NULL || cj_add_str(j, "link", link) != 0 || (text = cj_write(j, &len)) == NULL) {
        warn("out of memory");
        rc = EXIT_FAIL;
      } else {
        printf("%s\n", text);
      }
      json_object_put(j);
    } else {
      printf("%s\n", link);
    }
  }
  reply_free(&st);
  reply_free(&ce);
  return rc;
}

static int cmd_help(const ctl_opts *o, int argc, char **argv);

static const subcommand subcommands[] = {
    {"status", cmd_status, "", "show the daemon's state (without -s: every running daemon)"},
    {"stats", cmd_stats, "", "show every counter"},
    {"sessions", cmd_sessions, "", "list the server's WebTransport sessions"},
    {"metrics", cmd_metrics, "", "print the counters in the Prometheus text format"},
    {"reload", cmd_reload, "", "re-read the configuration and certificates"},
    {"drain", cmd_drain, "", "server: tell every session to go away, refuse new ones"},
    {"rebind", cmd_rebind, "", "client: move to a new UDP port, as a NAT rebinding would"},
    {"check", cmd_check, "--ready|--live", "no output; exit 0 if yes, 1 if not, 3 if not running"},
    {"cert", cmd_cert, "[--json]", "server: current and next certificate, hashes for browsers"},
    {"page", cmd_page, "[--host H] [--www D]", "server: file:// link to the ping page, URL and hashes filled"},
    {"version", cmd_version, "", "show the daemon's name and version"},
    {"help", cmd_help, "", "show this help"},
};

static void usage(FILE *f) {
  size_t i;

  fprintf(f,
          "Usage: %s [-s SOCKET] [--json] [-t SECONDS] COMMAND [ARGS]\n"
          "Talk to the control socket of wtping-server or wtping-client.\n"
          "\n"
          "Options:\n"
          "  -s, --socket SOCKET    the daemon's control socket (default: %s/server.sock,\n"
          "                         or client.sock if only that exists)\n"
          "  -j, --json             print the daemon's JSON reply as is\n"
          "  -t, --timeout SECONDS  give up after SECONDS (default: %d)\n"
          "  -h, --help             show this help\n"
          "  -V, --version          show wtpctl's version\n"
          "\n"
          "Commands:\n",
          prog, DEFAULT_RUNDIR, CTL_TIMEOUT_MS / 1000);
  for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); ++i) {
    char name[64];

    snprintf(name, sizeof(name), "%s %s", subcommands[i].name, subcommands[i].args);
    if (strlen(name) >= 23) { /* a long one: the help on its own line */
      fprintf(f, "  %s\n%25s%s\n", name, "", subcommands[i].help);
    } else {
      fprintf(f, "  %-23s%s\n", name, subcommands[i].help);
    }
  }
  fprintf(f, "\n"
             "Exit status: 0 success, 1 failure (also \"ok\":false replies), 2 usage error,\n"
             "3 the daemon is not running.\n");
}

static int cmd_help(const ctl_opts *o, int argc, char **argv) {
  (void)o;
  (void)argc;
  (void)argv;
  usage(stdout);
  return EXIT_OK;
}

/* parse_timeout reads -t: seconds, fractions allowed, > 0. */
static int parse_timeout(const char *s, int *ms) {
  char *end;
  double d;

  errno = 0;
  d = strtod(s, &end);
  if (errno != 0 || end == s || *end != '\0' || !(d > 0) || d > TIMEOUT_MAX_S) {
    return -1;
  }
  *ms = (int)ceil(d * 1000);
  return 0;
}

/* finish flushes stdout: a full disk or a closed pipe is a failure. */
static int finish(int rc) {
  if (fflush(stdout) != 0 || ferror(stdout)) {
    warn("write error: %s", strerror(errno));
    return EXIT_FAIL;
  }
  return rc;
}

int main(int argc, char **argv) {
  static const struct option longopts[] = {
      {"socket", required_argument, NULL, 's'}, {"json", no_argument, NULL, 'j'},
      {"timeout", required_argument, NULL, 't'}, {"help", no_argument, NULL, 'h'},
      {"version", no_argument, NULL, 'V'},      {NULL, 0, NULL, 0},
  };
  static char *default_argv[] = {(char *)"status", NULL};
  ctl_opts o;
  const char *env;
  size_t i;
  int c;

  memset(&o, 0, sizeof(o));
  o.timeout_ms = CTL_TIMEOUT_MS;
  env = getenv("WTPCTL_RUNDIR");
  if (env == NULL || env[0] == '\0') {
    env = DEFAULT_RUNDIR;
  }
  if (strlen(env) >= sizeof(o.rundir)) {
    warn("WTPCTL_RUNDIR is too long");
    return EXIT_USAGE;
  }
  memcpy(o.rundir, env, strlen(env) + 1);

  /* '+': stop at the command, whose options are its own. */
  while ((c = getopt_long(argc, argv, "+s:jt:hV", longopts, NULL)) != -1) {
    switch (c) {
    case 's':
      o.socket = optarg;
      break;
    case 'j':
      o.json = true;
      break;
    case 't':
      if (parse_timeout(optarg, &o.timeout_ms) != 0) {
        warn("-t %s: want seconds, more than 0 and at most %d", optarg, TIMEOUT_MAX_S);
        return EXIT_USAGE;
      }
      break;
    case 'h':
      usage(stdout);
      return finish(EXIT_OK);
    case 'V':
      printf("%s %s\n", prog, PACKAGE_VERSION);
      return finish(EXIT_OK);
    default:
      usage(stderr);
      return EXIT_USAGE;
    }
  }
  argc -= optind;
  argv += optind;
  if (argc == 0) { /* like "wg" alone: show the status */
    argc = 1;
    argv = default_argv;
  }
  for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); ++i) {
    if (strcmp(argv[0], subcommands[i].name) == 0) {
      return finish(subcommands[i].fn(&o, argc, argv));
    }
  }
  warn("unknown command '%s' (see %s --help)", argv[0], prog);
  return EXIT_USAGE;
}
