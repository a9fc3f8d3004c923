/* Rendering of control-socket replies, in the manner of chronyc tracking
 * (aligned "Key : value" lines) and ntpctl (the daemon sends numbers, the
 * tool decides how they look). */
#include "ctl/ctl_render.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The width of the keys of "status": the longest of both daemons' sets
 * ("Sent/received/loss"), so that they line up when shown together. */
#define STATUS_KEY_WIDTH 18

/* The widest counter name "stats" pads to; longer ones stick out. */
#define STATS_KEY_WIDTH_MAX 40

/* A cell of the sessions table, or a formatted number. */
#define CELL_LEN 128

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;

  if (errlen == 0) {
    return;
  }
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
}

/* ---------------------------------------------------------------- values */

/* fmt_double writes the shortest of %.15g and %.17g that reads back as
 * |d|: 0.1 stays "0.1". */
static void fmt_double(char *buf, size_t len, double d) {
  snprintf(buf, len, "%.15g", d);
  if (strtod(buf, NULL) != d) {
    snprintf(buf, len, "%.17g", d);
  }
}

/* fmt_derived writes a value computed from the daemon's (milliseconds
 * turned into seconds) to 15 significant digits: 49.1 / 1000 is
 * "0.0491", not "0.049100000000000005". */
static void fmt_derived(char *buf, size_t len, double d) { snprintf(buf, len, "%.15g", d); }

/* fmt_number writes the number |v| (integers exactly), or "-". */
static const char *fmt_number(char *buf, size_t len, json_object *v) {
  int64_t i;
  double d;

  if (cj_int(v, &i)) {
    snprintf(buf, len, "%" PRId64, i);
  } else if (cj_number(v, &d)) {
    fmt_double(buf, len, d);
  } else {
    snprintf(buf, len, "-");
  }
  return buf;
}

/* fmt_fixed writes the number |v| with |prec| decimals, or "-". */
static const char *fmt_fixed(char *buf, size_t len, json_object *v, int prec) {
  double d;

  if (cj_number(v, &d)) {
    snprintf(buf, len, "%.*f", prec, d);
  } else {
    snprintf(buf, len, "-");
  }
  return buf;
}

/* put_str prints the |len| bytes at |s|, control characters as '?': a
 * daemon's error message cannot move the cursor. */
static void put_str(FILE *out, const char *s, size_t len) {
  size_t i;

  for (i = 0; i < len; ++i) {
    unsigned char c = (unsigned char)s[i];

    fputc(c < 0x20 || c == 0x7f ? '?' : c, out);
  }
}

/* put_json_str prints the string |v|, or |dflt| when |v| is not one. */
static void put_json_str(FILE *out, json_object *v, const char *dflt) {
  size_t len;
  const char *s = cj_str(v, &len);

  if (s == NULL) {
    fputs(dflt, out);
  } else {
    put_str(out, s, len);
  }
}

static void key(FILE *out, const char *k) { fprintf(out, "%-*s : ", STATUS_KEY_WIDTH, k); }

static void kv_str(FILE *out, const char *k, json_object *v, const char *dflt) {
  key(out, k);
  put_json_str(out, v, dflt);
  fputc('\n', out);
}

static void kv_num(FILE *out, const char *k, json_object *v) {
  char buf[CELL_LEN];

  key(out, k);
  fprintf(out, "%s\n", fmt_number(buf, sizeof(buf), v));
}

void ctl_format_duration(char *buf, size_t len, double seconds) {
  uint64_t s, d;
  unsigned h, m, sec;

  if (!isfinite(seconds) || seconds < 0 || seconds >= 1e18) {
    snprintf(buf, len, "-");
    return;
  }
  s = (uint64_t)seconds;
  d = s / 86400;
  h = (unsigned)(s / 3600 % 24);
  m = (unsigned)(s / 60 % 60);
  sec = (unsigned)(s % 60);
  if (d > 0) {
    snprintf(buf, len, "%" PRIu64 "d %02uh %02um %02us", d, h, m, sec);
  } else if (h > 0) {
    snprintf(buf, len, "%uh %02um %02us", h, m, sec);
  } else if (m > 0) {
    snprintf(buf, len, "%um %02us", m, sec);
  } else {
    snprintf(buf, len, "%us", sec);
  }
}

/* ---------------------------------------------------------------- status */

/* status_common prints the lines both daemons share. */
static void status_common(FILE *out, json_object *r, const char *daemon) {
  json_object *state = cj_get(r, "state");
  char buf[CELL_LEN];
  double d;

  key(out, "Daemon");
  fprintf(out, "%s\n", daemon);
  kv_str(out, "Version", cj_get(r, "version"), "-");
  kv_num(out, "PID", cj_get(r, "pid"));

  key(out, "State");
  if (cj_str(state, NULL) != NULL && strcmp(cj_str(state, NULL), "backoff") == 0) {
    if (cj_number(cj_get(r, "backoff_until"), &d)) {
      fprintf(out, "backing off for %.1f s\n", d < 0 ? 0.0 : d);
    } else {
      fputs("backing off\n", out);
    }
  } else {
    put_json_str(out, state, "-");
    fputc('\n', out);
  }

  key(out, "Uptime");
  if (!cj_number(cj_get(r, "uptime"), &d)) {
    d = -1;
  }
  ctl_format_duration(buf, sizeof(buf), d);
  fprintf(out, "%s\n", buf);

  kv_str(out, "Config", cj_get(r, "config"), "none");
}

/* status_certificate prints the server's certificate line, when the daemon
 * sends one: its mode and end, and a warning near or past it. */
static void status_certificate(FILE *out, json_object *cert) {
  const char *expiry = cj_str(cj_get(cert, "expiry"), NULL);

  if (!cj_is_object(cert)) {
    return;
  }
  key(out, "Certificate");
  put_json_str(out, cj_get(cert, "mode"), "-");
  fputs(", expires ", out);
  put_json_str(out, cj_get(cert, "not_after"), "-");
  if (cj_get(cert, "next_switch") != NULL) {
    fputs(", next switch ", out);
    put_json_str(out, cj_get(cert, "next_switch"), "-");
  }
  if (expiry != NULL && strcmp(expiry, "expires-soon") == 0) {
    fputs(" (WARNING: expires soon, replace it and reload)", out);
  } else if (expiry != NULL && strcmp(expiry, "expired") == 0) {
    fputs(" (WARNING: expired, clients refuse it)", out);
  } else if (expiry != NULL && strcmp(expiry, "not-yet-valid") == 0) {
    fputs(" (WARNING: not valid yet, check the clock)", out);
  }
  fputc('\n', out);
}

static void status_server(FILE *out, json_object *r) {
  json_object *listen = cj_get(r, "listen");
  json_object *sessions = cj_get(r, "sessions");
  json_object *pings = cj_get(r, "pings");
  json_object *errors = cj_get(r, "errors");
  char a[CELL_LEN], b[CELL_LEN], c[CELL_LEN], d[CELL_LEN];
  size_t i, n = cj_len(listen);

  key(out, "Listen");
  if (n == 0) {
    fputc('-', out);
  }
  for (i = 0; i < n; ++i) {
    if (i > 0) {
      fputs(", ", out);
    }
    put_json_str(out, cj_at(listen, i), "-");
  }
  fputc('\n', out);

  kv_str(out, "Path", cj_get(r, "path"), "-");
  status_certificate(out, cj_get(r, "certificate"));
  kv_num(out, "Connections", cj_get(r, "connections"));

  key(out, "Sessions");
  fprintf(out, "%s now / %s total\n", fmt_number(a, sizeof(a), cj_get(sessions, "now")),
          fmt_number(b, sizeof(b), cj_get(sessions, "total")));

  key(out, "Pings answered");
  fprintf(out, "%s stream / %s datagram\n", fmt_number(a, sizeof(a), cj_get(pings, "stream")),
          fmt_number(b, sizeof(b), cj_get(pings, "datagram")));

  key(out, "Errors");
  fprintf(out, "%s unknown lines, %s datagrams dropped, %s streams reset, %s packets dropped\n",
          fmt_number(a, sizeof(a), cj_get(errors, "unknown_lines")),
          fmt_number(b, sizeof(b), cj_get(errors, "datagrams_dropped")),
          fmt_number(c, sizeof(c), cj_get(errors, "streams_reset")),
          fmt_number(d, sizeof(d), cj_get(errors, "packets_dropped")));

  json_object *adv = cj_get(r, "advertise");
  if (cj_is_object(adv)) {
    key(out, "DNS-SD");
    put_json_str(out, cj_get(adv, "state"), "-");
    if (cj_str(cj_get(adv, "name"), NULL) != NULL) {
      fputs(" \"", out);
      put_json_str(out, cj_get(adv, "name"), "");
      fputc('"', out);
    }
    fputc('\n', out);
  }
}

/* status_targets prints the client's "targets" rows (issue 11): one line
 * each, state, received/transmitted, source, URL, and the last error. */
static void status_targets(FILE *out, json_object *ts) {
  char a[CELL_LEN], b[CELL_LEN];
  size_t i, n;

  if (!cj_is_array(ts) || (n = json_object_array_length(ts)) == 0) {
    return;
  }
  key(out, "Targets");
  fprintf(out, "%zu\n", n);
  for (i = 0; i < n; ++i) {
    json_object *t = json_object_array_get_idx(ts, i);
    json_object *e = cj_get(t, "last_error");

    fputs("  ", out);
    put_json_str(out, cj_get(t, "state"), "-");
    fprintf(out, " %s/%s ", fmt_number(a, sizeof(a), cj_get(t, "received")),
            fmt_number(b, sizeof(b), cj_get(t, "transmitted")));
    put_json_str(out, cj_get(t, "source"), "-");
    fputc(' ', out);
    put_json_str(out, cj_get(t, "url"), "-");
    if (cj_str(e, NULL) != NULL) {
      fputs(" (", out);
      put_json_str(out, e, "");
      fputc(')', out);
    }
    fputc('\n', out);
  }
}

static void status_client(FILE *out, json_object *r) {
  json_object *rtt = cj_get(r, "rtt_ms");
  char a[CELL_LEN], b[CELL_LEN], c[CELL_LEN];
  double down, longest;

  kv_str(out, "Server URL", cj_get(r, "url"), "-");
  kv_str(out, "Server address", cj_get(r, "server"), "none");
  kv_str(out, "Mode", cj_get(r, "mode"), "-");

  key(out, "RTT last/avg/p99");
  if (cj_is_object(rtt)) {
    fprintf(out, "%s / %s / %s ms\n", fmt_fixed(a, sizeof(a), cj_get(rtt, "last"), 3),
            fmt_fixed(b, sizeof(b), cj_get(rtt, "avg"), 3),
            fmt_fixed(c, sizeof(c), cj_get(rtt, "p99"), 3));
  } else {
    fputs("no reply yet\n", out);
  }

  key(out, "Sent/received/loss");
  fprintf(out, "%s / %s / %s%%\n", fmt_number(a, sizeof(a), cj_get(r, "transmitted")),
          fmt_number(b, sizeof(b), cj_get(r, "received")),
          fmt_fixed(c, sizeof(c), cj_get(r, "loss_percent"), 1));

  kv_num(out, "Reconnects", cj_get(r, "reconnects"));
  key(out, "Downtime");
  if (!cj_number(cj_get(r, "downtime"), &down)) {
    fputs("-\n", out);
  } else if (!cj_number(cj_get(r, "longest_outage"), &longest)) {
    fprintf(out, "%.1f s\n", down);
  } else {
    fprintf(out, "%.1f s (longest outage %.1f s)\n", down, longest);
  }
  kv_str(out, "Last error", cj_get(r, "last_error"), "none");
  status_targets(out, cj_get(r, "targets"));
}

int ctl_render_status(FILE *out, json_object *reply, char *err, size_t errlen) {
  const char *daemon = cj_str(cj_get(reply, "daemon"), NULL);
  char pid[CELL_LEN];

  if (!cj_is_object(reply)) {
    set_err(err, errlen, "the reply is not an object");
    return -1;
  }
  if (daemon == NULL || daemon[0] == '\0' || strspn(daemon, "abcdefghijklmnopqrstuvwxyz-_") !=
                                                 strlen(daemon)) {
    daemon = "wtping daemon";
  }
  status_common(out, reply, daemon);
  if (strcmp(daemon, "wtping-server") == 0) {
    status_server(out, reply);
  } else if (strcmp(daemon, "wtping-client") == 0) {
    status_client(out, reply);
  }
  fprintf(out, "%s (pid %s) is running\n", daemon,
          fmt_number(pid, sizeof(pid), cj_get(reply, "pid")));
  return 0;
}

/* ---------------------------------------------------------------- histogram */

typedef struct histogram {
  json_object *bounds, *counts;
  size_t n; /* bounds; counts has n + 1 */
  double sum_ms;
} histogram;

/* get_histogram checks "rtt_histogram" of |reply|: 0 with |*h| filled, 1
 * when there is none (absent or null), -1 when it is malformed. */
static int get_histogram(json_object *reply, histogram *h, char *err, size_t errlen) {
  json_object *v = cj_get(reply, "rtt_histogram");
  size_t i;
  double prev = -INFINITY;

  if (v == NULL) {
    return 1;
  }
  h->bounds = cj_get(v, "bounds_ms");
  h->counts = cj_get(v, "counts");
  h->n = cj_len(h->bounds);
  if (!cj_is_array(h->bounds) || !cj_is_array(h->counts) ||
      cj_len(h->counts) != h->n + 1 || !cj_number(cj_get(v, "sum_ms"), &h->sum_ms)) {
    set_err(err, errlen, "malformed rtt_histogram");
    return -1;
  }
  for (i = 0; i < h->n; ++i) {
    double b;

    if (!cj_number(cj_at(h->bounds, i), &b) || !(b > prev)) {
      set_err(err, errlen, "malformed rtt_histogram: bounds_ms not increasing numbers");
      return -1;
    }
    prev = b;
  }
  for (i = 0; i <= h->n; ++i) {
    int64_t c;

    if (!cj_int(cj_at(h->counts, i), &c) || c < 0) {
      set_err(err, errlen, "malformed rtt_histogram: counts not non-negative integers");
      return -1;
    }
  }
  return 0;
}

static uint64_t hist_count(const histogram *h, size_t i) {
  int64_t c = 0;

  cj_int(cj_at(h->counts, i), &c);
  return (uint64_t)c;
}

static double hist_bound(const histogram *h, size_t i) {
  double b = 0;

  cj_number(cj_at(h->bounds, i), &b);
  return b;
}

/* ---------------------------------------------------------------- stats */

static json_object *get_counters(json_object *reply, char *err, size_t errlen) {
  json_object *counters = cj_get(reply, "counters");

  if (!cj_is_object(counters)) {
    set_err(err, errlen, "the reply has no counters");
    return NULL;
  }
  return counters;
}

/* fmt_value writes a counter's value: a number, true/false, a string, or
 * "-". */
static void put_value(FILE *out, json_object *v) {
  char buf[CELL_LEN];
  bool b;

  if (cj_bool(v, &b)) {
    fputs(b ? "true" : "false", out);
  } else if (cj_str(v, NULL) != NULL) {
    put_json_str(out, v, "-");
  } else {
    fputs(fmt_number(buf, sizeof(buf), v), out);
  }
}

int ctl_render_stats(FILE *out, json_object *reply, char *err, size_t errlen) {
  json_object *counters = get_counters(reply, err, errlen);
  histogram h;
  int hv;
  size_t i, w = 0;

  if (counters == NULL) {
    return -1;
  }
  hv = get_histogram(reply, &h, err, errlen);
  if (hv < 0) {
    return -1;
  }
  /* members in the order of the reply */
  json_object_object_foreach(counters, name, value) {
    size_t len = strlen(name);

    (void)value;
    if (len > w) {
      w = len;
    }
  }
  if (w > STATS_KEY_WIDTH_MAX) {
    w = STATS_KEY_WIDTH_MAX;
  }
  json_object_object_foreach(counters, k, v) {
    size_t len = strlen(k);

    put_str(out, k, len);
    fprintf(out, "%*s : ", len < w ? (int)(w - len) : 0, "");
    put_value(out, v);
    fputc('\n', out);
  }

  if (hv == 0) {
    char label[64], num[32]; /* "%.17g" needs at most 24 */
    uint64_t total = 0;

    fputs("RTT histogram:\n", out);
    for (i = 0; i <= h.n; ++i) {
      fmt_double(num, sizeof(num), hist_bound(&h, i < h.n ? i : h.n - 1));
      if (i < h.n) {
        snprintf(label, sizeof(label), "<= %s ms", num);
      } else if (h.n > 0) {
        snprintf(label, sizeof(label), "> %s ms", num);
      } else {
        snprintf(label, sizeof(label), "all");
      }
      fprintf(out, "  %-12s : %" PRIu64 "\n", label, hist_count(&h, i));
      total += hist_count(&h, i);
    }
    fmt_double(num, sizeof(num), h.sum_ms);
    fprintf(out, "  %-12s : %" PRIu64 "\n", "count", total);
    fprintf(out, "  %-12s : %s ms\n", "sum", num);
  }
  return 0;
}

/* ---------------------------------------------------------------- sessions */

enum {
  COL_ID,
  COL_PEER,
  COL_AGE,
  COL_PINGS,
  COL_SRTT,
  COL_MINRTT,
  COL_CWND,
  COL_AUTH,
  COL_ORIGIN,
  NCOLS
};

static const char *const col_names[NCOLS] = {"ID",       "PEER",       "AGE",  "PINGS", "SRTT(ms)",
                                             "MINRTT(ms)", "CWND", "AUTH", "ORIGIN"};

/* text_cell copies the string |v| into |buf|, control characters replaced,
 * or "-" when absent. */
static void text_cell(char *buf, size_t len, json_object *v) {
  size_t i, n;
  const char *p = cj_str(v, &n);

  if (p == NULL) {
    snprintf(buf, len, "-");
    return;
  }
  for (i = 0; i < n && i + 1 < len; ++i) {
    buf[i] = (unsigned char)p[i] < 0x20 || p[i] == 0x7f ? '?' : p[i];
  }
  buf[i] = '\0';
}

/* fmt_age writes a session's age compactly: "1.5s", "4m05s", "1h02m",
 * "2d01h". */
static void fmt_age(char *buf, size_t len, json_object *v) {
  double d;
  uint64_t s;

  if (!cj_number(v, &d) || !(d >= 0) || d >= 1e18) {
    snprintf(buf, len, "-");
    return;
  }
  s = (uint64_t)d;
  if (d < 60) {
    snprintf(buf, len, "%.1fs", d);
  } else if (s < 3600) {
    snprintf(buf, len, "%um%02us", (unsigned)(s / 60), (unsigned)(s % 60));
  } else if (s < 86400) {
    snprintf(buf, len, "%uh%02um", (unsigned)(s / 3600), (unsigned)(s / 60 % 60));
  } else {
    snprintf(buf, len, "%" PRIu64 "d%02uh", s / 86400, (unsigned)(s / 3600 % 24));
  }
}

/* session_cell writes column |col| of the session |s|, control characters
 * of the peer replaced. */
static void session_cell(char *buf, size_t len, json_object *s, int col) {
  switch (col) {
  case COL_ID:
    fmt_number(buf, len, cj_get(s, "id"));
    break;
  case COL_PEER:
    text_cell(buf, len, cj_get(s, "peer"));
    break;
  case COL_AUTH:
    text_cell(buf, len, cj_get(s, "auth"));
    break;
  case COL_ORIGIN:
    text_cell(buf, len, cj_get(s, "origin"));
    break;
  case COL_AGE:
    fmt_age(buf, len, cj_get(s, "age"));
    break;
  case COL_PINGS:
    fmt_number(buf, len, cj_get(s, "pings"));
    break;
  case COL_SRTT:
    fmt_fixed(buf, len, cj_get(s, "srtt_ms"), 3);
    break;
  case COL_MINRTT:
    fmt_fixed(buf, len, cj_get(s, "min_rtt_ms"), 3);
    break;
  default:
    fmt_number(buf, len, cj_get(s, "cwnd"));
    break;
  }
}

/* put_cell prints one cell padded to |w|: text to the left, the numbers
 * to the right; two spaces between columns, none after the last (text). */
static void put_cell(FILE *out, int col, const char *text, int w) {
  if (col + 1 == NCOLS) {
    fprintf(out, "%s\n", text);
  } else if (col == COL_ID || col == COL_PEER || col == COL_AUTH) {
    fprintf(out, "%-*s  ", w, text);
  } else {
    fprintf(out, "%*s  ", w, text);
  }
}

int ctl_render_sessions(FILE *out, json_object *reply, char *err, size_t errlen) {
  json_object *list = cj_get(reply, "sessions");
  char cell[CELL_LEN];
  int w[NCOLS], col;
  size_t i, n = cj_len(list);
  bool truncated = false;

  if (!cj_is_array(list)) {
    set_err(err, errlen, "the reply has no sessions list");
    return -1;
  }
  cj_bool(cj_get(reply, "truncated"), &truncated);
  if (n == 0) {
    fputs("no sessions\n", out);
    return 0;
  }
  /* Two passes, so that nothing is stored: measure, then print. */
  for (col = 0; col < NCOLS; ++col) {
    w[col] = (int)strlen(col_names[col]);
  }
  for (i = 0; i < n; ++i) {
    for (col = 0; col < NCOLS; ++col) {
      int len;

      session_cell(cell, sizeof(cell), cj_at(list, i), col);
      len = (int)strlen(cell);
      if (len > w[col]) {
        w[col] = len;
      }
    }
  }
  for (col = 0; col < NCOLS; ++col) {
    put_cell(out, col, col_names[col], w[col]);
  }
  for (i = 0; i < n; ++i) {
    for (col = 0; col < NCOLS; ++col) {
      session_cell(cell, sizeof(cell), cj_at(list, i), col);
      put_cell(out, col, cell, w[col]);
    }
  }
  if (truncated) {
    fprintf(out, "(only the first %zu sessions are listed)\n", n);
  }
  return 0;
}

/* ---------------------------------------------------------------- metrics */

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);

  return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool starts_with(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool ctl_metric_is_gauge(const char *name) {
  static const char *const exact[] = {"loss_percent", "connections", "backoff_until", "state",
                                      "connected",    "draining",    "ready",         "live"};
  size_t i;

  if (ends_with(name, "_total")) {
    return false;
  }
  if (ends_with(name, "_now") || starts_with(name, "rtt_") || starts_with(name, "uptime") ||
      ends_with(name, "_state") || starts_with(name, "state_")) {
    return true;
  }
  for (i = 0; i < sizeof(exact) / sizeof(exact[0]); ++i) {
    if (strcmp(name, exact[i]) == 0) {
      return true;
    }
  }
  return false;
}

typedef struct metric_help {
  const char *counter, *help;
} metric_help;

/* The known counters (docs/control.md: the fields of "status" flattened
 * with '_'); others get a generic HELP. */
static const metric_help helps[] = {
    {"connections", "QUIC connections open now."},
    {"connections_now", "QUIC connections open now."},
    {"connections_total", "QUIC connections accepted since the start."},
    {"sessions_now", "WebTransport sessions open now."},
    {"sessions_total", "WebTransport sessions accepted since the start."},
    {"pings_stream", "Pings answered on streams."},
    {"pings_datagram", "Pings answered in datagrams."},
    {"errors_unknown_lines", "Lines received that were not pings."},
    {"errors_datagrams_dropped", "Datagrams dropped."},
    {"errors_streams_reset", "Streams reset."},
    {"errors_packets_dropped", "UDP packets dropped."},
    {"refused_connections", "Initials dropped: max_connections reached."},
    {"refused_connections_per_source", "Initials dropped: max_connections_per_source."},
    {"refused_handshake_rate", "Initials dropped: handshakes_per_second of one source."},
    {"refused_source_table", "Initials dropped: the per-source table was full."},
    {"refused_client_cert", "Connections closed: client certificate not allowed."},
    {"refused_access", "Session requests refused (401/403): origin or bearer token."},
    {"datagrams_rate_limited", "Datagram pings dropped: datagrams_per_second of a session."},
    {"handshakes_half_open", "Connections whose handshake has not completed."},
    {"retries_sent", "Retry packets sent (address validation)."},
    {"retry_tokens_invalid", "Initials dropped: invalid or expired Retry token."},
    {"refused_control_clients", "Control-socket clients closed at once: control_clients reached."},
    {"transmitted", "Pings sent."},
    {"received", "Pongs received."},
    {"loss_percent", "Pings without a timely reply, in percent."},
    {"reconnects", "Reconnections to the server."},
    {"lost", "Pings without a timely reply."},
    {"duplicates", "Duplicate pongs received."},
    {"late", "Pongs received after their ping was counted lost."},
    {"downtime_seconds", "Seconds spent without a connection to the server."},
    {"connected_now", "1 while connected to the server, else 0."},
    {"rtt_ms_last", "Round-trip time of the last pong, in milliseconds."},
    {"rtt_ms_avg", "Mean round-trip time, in milliseconds."},
    {"rtt_ms_p99", "99th percentile of the round-trip time, in milliseconds."},
    {"uptime", "Seconds since the daemon started."},
};

static const char *help_of(const char *counter) {
  size_t i;

  for (i = 0; i < sizeof(helps) / sizeof(helps[0]); ++i) {
    if (strcmp(helps[i].counter, counter) == 0) {
      return helps[i].help;
    }
  }
  return NULL;
}

/* metric_name writes "<prefix>_<counter>[_total]" with every character
 * outside [a-zA-Z0-9_:] of |counter| turned into '_'. */
static void metric_name(char *buf, size_t len, const char *prefix, const char *counter,
                        bool total) {
  size_t n;

  snprintf(buf, len, "%s_%s%s", prefix, counter, total && !ends_with(counter, "_total") ? "_total"
                                                                                        : "");
  for (n = strlen(prefix) + 1; buf[n] != '\0'; ++n) {
    char c = buf[n];

    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '_' || c == ':')) {
      buf[n] = '_';
    }
  }
}

/* metric_value writes a counter's value in the exposition format, or
 * returns false for values that have none (strings, null, containers). */
static bool metric_value(char *buf, size_t len, json_object *v) {
  bool b;

  if (cj_bool(v, &b)) {
    snprintf(buf, len, "%d", b ? 1 : 0);
    return true;
  }
  if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double)) {
    return false;
  }
  fmt_number(buf, len, v);
  return true;
}

/* put_label prints a label value with \\, " and newlines escaped, and
 * other control characters as '?'. */
static void put_label(FILE *out, json_object *v) {
  size_t len, i;
  const char *s = cj_str(v, &len);

  for (i = 0; s != NULL && i < len; ++i) {
    unsigned char c = (unsigned char)s[i];

    if (c == '\\' || c == '"') {
      fprintf(out, "\\%c", c);
    } else if (c == '\n') {
      fputs("\\n", out);
    } else {
      fputc(c < 0x20 || c == 0x7f ? '?' : c, out);
    }
  }
}

/* metrics_targets prints the client's per-target counters (stats
 * "targets", issue 11) as series labelled with url and source. */
static void metrics_targets(FILE *out, const char *prefix, json_object *ts) {
  static const char *const names[] = {"transmitted", "received", "lost", "reconnects",
                                      "downtime_seconds", "connected_now"};
  char value[CELL_LEN];
  size_t i, k, n;

  if (!cj_is_array(ts) || (n = json_object_array_length(ts)) == 0) {
    return;
  }
  for (k = 0; k < sizeof(names) / sizeof(names[0]); ++k) {
    bool gauge = strcmp(names[k], "connected_now") == 0;

    fprintf(out, "# HELP %s_target_%s%s %s of one target (server) of the daemon.\n", prefix,
            names[k], gauge ? "" : "_total", names[k]);
    fprintf(out, "# TYPE %s_target_%s%s %s\n", prefix, names[k], gauge ? "" : "_total",
            gauge ? "gauge" : "counter");
    for (i = 0; i < n; ++i) {
      json_object *t = json_object_array_get_idx(ts, i);

      if (!metric_value(value, sizeof(value), cj_get(t, names[k]))) {
        continue;
      }
      fprintf(out, "%s_target_%s%s{url=\"", prefix, names[k], gauge ? "" : "_total");
      put_label(out, cj_get(t, "url"));
      fputs("\",source=\"", out);
      put_label(out, cj_get(t, "source"));
      fprintf(out, "\"} %s\n", value);
    }
  }
}

int ctl_render_metrics(FILE *out, json_object *reply, const char *daemon, char *err,
                       size_t errlen) {
  json_object *counters = get_counters(reply, err, errlen);
  char prefix[64], name[256], value[CELL_LEN];
  const char *who = "the daemon";
  histogram h;
  int hv;
  size_t i;

  if (counters == NULL) {
    return -1;
  }
  hv = get_histogram(reply, &h, err, errlen);
  if (hv < 0) {
    return -1;
  }
  /* "wtping-server" -> "wtping_server" */
  snprintf(prefix, sizeof(prefix), "%s", daemon != NULL && daemon[0] != '\0' ? daemon : "wtping");
  for (i = 0; prefix[i] != '\0'; ++i) {
    char c = prefix[i];

    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '_')) {
      prefix[i] = '_';
    }
  }
  if (prefix[0] >= '0' && prefix[0] <= '9') {
    prefix[0] = '_';
  }
  /* HELP text needs \\ and \n escaped: name the daemon only if it has
   * neither. */
  if (daemon != NULL && daemon[0] != '\0' &&
      strspn(daemon, "abcdefghijklmnopqrstuvwxyz0123456789-_") == strlen(daemon)) {
    who = daemon;
  }

  json_object_object_foreach(counters, k, v) {
    bool gauge = ctl_metric_is_gauge(k);
    const char *help = help_of(k);

    if (!metric_value(value, sizeof(value), v)) {
      continue;
    }
    metric_name(name, sizeof(name), prefix, k, !gauge);
    if (help != NULL) {
      fprintf(out, "# HELP %s %s\n", name, help);
    } else {
      fprintf(out, "# HELP %s Counter %s of %s.\n", name, name + strlen(prefix) + 1, who);
    }
    fprintf(out, "# TYPE %s %s\n", name, gauge ? "gauge" : "counter");
    fprintf(out, "%s %s\n", name, value);
  }

  metrics_targets(out, prefix, cj_get(reply, "targets"));

  if (hv == 0) {
    uint64_t cum = 0;

    fprintf(out, "# HELP %s_rtt_seconds Round-trip time of answered pings.\n", prefix);
    fprintf(out, "# TYPE %s_rtt_seconds histogram\n", prefix);
    for (i = 0; i < h.n; ++i) {
      cum += hist_count(&h, i);
      fmt_derived(value, sizeof(value), hist_bound(&h, i) / 1000.0);
      fprintf(out, "%s_rtt_seconds_bucket{le=\"%s\"} %" PRIu64 "\n", prefix, value, cum);
    }
    cum += hist_count(&h, h.n);
    fprintf(out, "%s_rtt_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n", prefix, cum);
    fmt_derived(value, sizeof(value), h.sum_ms / 1000.0);
    fprintf(out, "%s_rtt_seconds_sum %s\n", prefix, value);
    /* The count is the +Inf bucket, as the format requires, whatever the
     * daemon's "count" says. */
    fprintf(out, "%s_rtt_seconds_count %" PRIu64 "\n", prefix, cum);
  }
  return 0;
}
