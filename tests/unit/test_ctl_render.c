/* Unit tests for wtpctl's rendering of control-socket replies
 * (src/ctl/ctl_render.c): fixed replies in, exact text out. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl_json.h"
#include "ctl/ctl_render.h"

typedef int (*render_fn)(FILE *out, json_object *v, char *err, size_t errlen);

static json_object *parse(const char *s) {
  char err[256];
  bool ok;
  json_object *v = cj_parse(s, strlen(s), &ok, err, sizeof(err));

  if (!ok) {
    fail_msg("fixture does not parse: %s", err);
  }
  return v;
}

/* render runs |fn| (or ctl_render_metrics for |daemon| when |fn| is NULL)
 * over |json|, checks its result against |want_rv| and returns what it
 * printed (free it). */
static char *render(render_fn fn, const char *daemon, const char *json, int want_rv, char *err,
                    size_t errlen) {
  json_object *v = parse(json);
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  int rv;

  assert_non_null(f);
  err[0] = '\0';
  if (fn != NULL) {
    rv = fn(f, v, err, errlen);
  } else {
    rv = ctl_render_metrics(f, v, daemon, err, errlen);
  }
  assert_int_equal(fclose(f), 0);
  json_object_put(v);
  assert_int_equal(rv, want_rv);
  return buf;
}

static void expect(render_fn fn, const char *json, const char *want) {
  char err[256];
  char *got = render(fn, NULL, json, 0, err, sizeof(err));

  if (strcmp(got, want) != 0) {
    print_error("got:\n%s\nwant:\n%s\n", got, want);
  }
  assert_string_equal(got, want);
  free(got);
}

static void expect_metrics(const char *daemon, const char *json, const char *want) {
  char err[256];
  char *got = render(NULL, daemon, json, 0, err, sizeof(err));

  if (strcmp(got, want) != 0) {
    print_error("got:\n%s\nwant:\n%s\n", got, want);
  }
  assert_string_equal(got, want);
  free(got);
}

/* expect_error checks that |fn| fails with |msg| and prints nothing. */
static void expect_error(render_fn fn, const char *daemon, const char *json, const char *msg) {
  char err[256];
  char *got = render(fn, daemon, json, -1, err, sizeof(err));

  assert_string_equal(got, "");
  assert_string_equal(err, msg);
  free(got);
}

/* ---------------------------------------------------------------- fixtures */

static const char server_status[] =
    "{\"ok\":true,\"daemon\":\"wtping-server\",\"version\":\"0.1.0\",\"pid\":123,"
    "\"state\":\"running\",\"uptime\":3723.9,\"config\":\"/etc/wtping/server.conf\","
    "\"listen\":[\"0.0.0.0:4433\",\"[::]:4433\"],\"path\":\"/wtping\",\"connections\":3,"
    "\"sessions\":{\"now\":2,\"total\":17},\"pings\":{\"stream\":1500,\"datagram\":200},"
    "\"errors\":{\"unknown_lines\":1,\"datagrams_dropped\":2,\"streams_reset\":0,"
    "\"packets_dropped\":4}}";

static const char client_status[] =
    "{\"ok\":true,\"daemon\":\"wtping-client\",\"version\":\"0.1.0\",\"pid\":456,"
    "\"state\":\"connected\",\"uptime\":310.2,\"config\":null,"
    "\"url\":\"https://example.net:4433/wtping\",\"server\":\"192.0.2.1:4433\","
    "\"mode\":\"datagram\",\"rtt_ms\":{\"last\":0.412,\"avg\":0.5013,\"p99\":1.25},"
    "\"transmitted\":100,\"received\":98,\"loss_percent\":2.0,\"reconnects\":1,"
    "\"downtime\":12.34,\"longest_outage\":5,\"last_error\":null}";

static const char client_stats[] =
    "{\"ok\":true,\"counters\":{\"transmitted\":100,\"received\":98,\"loss_percent\":2.5,"
    "\"reconnects\":1,\"rtt_ms_last\":0.412,\"sessions_now\":1},"
    "\"rtt_histogram\":{\"bounds_ms\":[0.1,0.25,0.5,1,2.5,5,10,25,50,100,250,500,1000],"
    "\"counts\":[3,10,40,40,4,1,0,0,0,0,0,0,0,2],\"sum_ms\":49.1,\"count\":100}}";

/* ---------------------------------------------------------------- status */

static void test_status_server(void **state) {
  (void)state;
  expect(ctl_render_status, server_status,
         "Daemon             : wtping-server\n"
         "Version            : 0.1.0\n"
         "PID                : 123\n"
         "State              : running\n"
         "Uptime             : 1h 02m 03s\n"
         "Config             : /etc/wtping/server.conf\n"
         "Listen             : 0.0.0.0:4433, [::]:4433\n"
         "Path               : /wtping\n"
         "Connections        : 3\n"
         "Sessions           : 2 now / 17 total\n"
         "Pings answered     : 1500 stream / 200 datagram\n"
         "Errors             : 1 unknown lines, 2 datagrams dropped, 0 streams reset, "
         "4 packets dropped\n"
         "wtping-server (pid 123) is running\n");
}

/* the server's certificate line: self-rotating, and file mode near its end */
static void test_status_certificate(void **state) {
  (void)state;
  char err[256];
  char *got = render(ctl_render_status, NULL,
                     "{\"daemon\":\"wtping-server\",\"path\":\"/p\",\"certificate\":{"
                     "\"mode\":\"self-rotating\",\"not_after\":\"2026-12-11T14:59:10Z\","
                     "\"expiry\":\"ok\",\"next_switch\":\"2026-12-04T15:59:10Z\"}}",
                     0, err, sizeof(err));
  assert_non_null(strstr(got, "Path               : /p\n"
                              "Certificate        : self-rotating, expires 2026-12-11T14:59:10Z, "
                              "next switch 2026-12-04T15:59:10Z\n"
                              "Connections        : -\n"));
  free(got);
  got = render(ctl_render_status, NULL,
               "{\"daemon\":\"wtping-server\",\"certificate\":{\"mode\":\"file\","
               "\"not_after\":\"2027-01-01T00:00:00Z\",\"expiry\":\"expires-soon\"}}",
               0, err, sizeof(err));
  assert_non_null(strstr(got, "Certificate        : file, expires 2027-01-01T00:00:00Z "
                              "(WARNING: expires soon, replace it and reload)\n"));
  free(got);
  got = render(ctl_render_status, NULL,
               "{\"daemon\":\"wtping-server\",\"certificate\":{\"mode\":\"file\","
               "\"not_after\":\"2020-01-01T00:00:00Z\",\"expiry\":\"expired\"}}",
               0, err, sizeof(err));
  assert_non_null(strstr(got, "(WARNING: expired, clients refuse it)\n"));
  free(got);
  /* no certificate member (an older server): no line */
  got = render(ctl_render_status, NULL, "{\"daemon\":\"wtping-server\"}", 0, err, sizeof(err));
  assert_null(strstr(got, "Certificate"));
  free(got);
}

static void test_status_client(void **state) {
  (void)state;
  expect(ctl_render_status, client_status,
         "Daemon             : wtping-client\n"
         "Version            : 0.1.0\n"
         "PID                : 456\n"
         "State              : connected\n"
         "Uptime             : 5m 10s\n"
         "Config             : none\n"
         "Server URL         : https://example.net:4433/wtping\n"
         "Server address     : 192.0.2.1:4433\n"
         "Mode               : datagram\n"
         "RTT last/avg/p99   : 0.412 / 0.501 / 1.250 ms\n"
         "Sent/received/loss : 100 / 98 / 2.0%\n"
         "Reconnects         : 1\n"
         "Downtime           : 12.3 s (longest outage 5.0 s)\n"
         "Last error         : none\n"
         "wtping-client (pid 456) is running\n");
}

/* Backing off, before the first pong, after an error; the error's control
 * characters do not reach the terminal. */
static void test_status_client_backoff(void **state) {
  (void)state;
  expect(ctl_render_status,
         "{\"ok\":true,\"daemon\":\"wtping-client\",\"version\":\"0.1.0\",\"pid\":7,"
         "\"state\":\"backoff\",\"backoff_until\":2.5,\"uptime\":90061,"
         "\"config\":\"/etc/wtping/client.conf\",\"url\":\"https://h/p\",\"server\":null,"
         "\"mode\":\"stream\",\"rtt_ms\":null,\"transmitted\":0,\"received\":0,"
         "\"loss_percent\":0,\"reconnects\":12,\"downtime\":30.25,"
         "\"last_error\":\"handshake failed:\\u001b[31m certificate\\nexpired\"}",
         "Daemon             : wtping-client\n"
         "Version            : 0.1.0\n"
         "PID                : 7\n"
         "State              : backing off for 2.5 s\n"
         "Uptime             : 1d 01h 01m 01s\n"
         "Config             : /etc/wtping/client.conf\n"
         "Server URL         : https://h/p\n"
         "Server address     : none\n"
         "Mode               : stream\n"
         "RTT last/avg/p99   : no reply yet\n"
         "Sent/received/loss : 0 / 0 / 0.0%\n"
         "Reconnects         : 12\n"
         "Downtime           : 30.2 s\n"
         "Last error         : handshake failed:?[31m certificate?expired\n"
         "wtping-client (pid 7) is running\n");
}

/* A reply with nothing in it still renders; an unknown daemon gets the
 * common lines only. */
static void test_status_sparse(void **state) {
  (void)state;
  expect(ctl_render_status, "{\"ok\":true}",
         "Daemon             : wtping daemon\n"
         "Version            : -\n"
         "PID                : -\n"
         "State              : -\n"
         "Uptime             : -\n"
         "Config             : none\n"
         "wtping daemon (pid -) is running\n");
  expect(ctl_render_status, "{\"ok\":true,\"daemon\":\"wtping-client\"}",
         "Daemon             : wtping-client\n"
         "Version            : -\n"
         "PID                : -\n"
         "State              : -\n"
         "Uptime             : -\n"
         "Config             : none\n"
         "Server URL         : -\n"
         "Server address     : none\n"
         "Mode               : -\n"
         "RTT last/avg/p99   : no reply yet\n"
         "Sent/received/loss : - / - / -%\n"
         "Reconnects         : -\n"
         "Downtime           : -\n"
         "Last error         : none\n"
         "wtping-client (pid -) is running\n");
  expect(ctl_render_status,
         "{\"ok\":true,\"daemon\":\"wtping-server\",\"state\":\"draining\",\"uptime\":0.4,"
         "\"listen\":[],\"sessions\":{\"now\":0},\"pings\":\"?\",\"pid\":1}",
         "Daemon             : wtping-server\n"
         "Version            : -\n"
         "PID                : 1\n"
         "State              : draining\n"
         "Uptime             : 0s\n"
         "Config             : none\n"
         "Listen             : -\n"
         "Path               : -\n"
         "Connections        : -\n"
         "Sessions           : 0 now / - total\n"
         "Pings answered     : - stream / - datagram\n"
         "Errors             : - unknown lines, - datagrams dropped, - streams reset, "
         "- packets dropped\n"
         "wtping-server (pid 1) is running\n");
  expect_error(ctl_render_status, NULL, "[1]", "the reply is not an object");
}

static void test_duration(void **state) {
  static const struct {
    double s;
    const char *want;
  } cases[] = {
      {0, "0s"},          {0.9, "0s"},          {59.99, "59s"},        {60, "1m 00s"},
      {61, "1m 01s"},     {3599, "59m 59s"},    {3600, "1h 00m 00s"},  {3723.5, "1h 02m 03s"},
      {86399, "23h 59m 59s"}, {86400, "1d 00h 00m 00s"}, {90061, "1d 01h 01m 01s"},
      {400 * 86400.0 + 1, "400d 00h 00m 01s"}, {-1, "-"},  {NAN, "-"}, {INFINITY, "-"},
  };
  char buf[64];
  size_t i;
  (void)state;

  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
    ctl_format_duration(buf, sizeof(buf), cases[i].s);
    assert_string_equal(buf, cases[i].want);
  }
}

/* ---------------------------------------------------------------- stats */

static void test_stats_server(void **state) {
  (void)state;
  expect(ctl_render_stats,
         "{\"ok\":true,\"counters\":{\"connections\":3,\"sessions_now\":2,"
         "\"sessions_total\":17,\"pings_stream\":18446744073709551615,\"draining\":false},"
         "\"rtt_histogram\":null}",
         "connections    : 3\n"
         "sessions_now   : 2\n"
         "sessions_total : 17\n"
         "pings_stream   : 1.8446744073709552e+19\n"
         "draining       : false\n");
  expect(ctl_render_stats, "{\"ok\":true,\"counters\":{}}", "");
  expect_error(ctl_render_stats, NULL, "{\"ok\":true}", "the reply has no counters");
}

static void test_stats_client(void **state) {
  (void)state;
  expect(ctl_render_stats, client_stats,
         "transmitted  : 100\n"
         "received     : 98\n"
         "loss_percent : 2.5\n"
         "reconnects   : 1\n"
         "rtt_ms_last  : 0.412\n"
         "sessions_now : 1\n"
         "RTT histogram:\n"
         "  <= 0.1 ms    : 3\n"
         "  <= 0.25 ms   : 10\n"
         "  <= 0.5 ms    : 40\n"
         "  <= 1 ms      : 40\n"
         "  <= 2.5 ms    : 4\n"
         "  <= 5 ms      : 1\n"
         "  <= 10 ms     : 0\n"
         "  <= 25 ms     : 0\n"
         "  <= 50 ms     : 0\n"
         "  <= 100 ms    : 0\n"
         "  <= 250 ms    : 0\n"
         "  <= 500 ms    : 0\n"
         "  <= 1000 ms   : 0\n"
         "  > 1000 ms    : 2\n"
         "  count        : 100\n"
         "  sum          : 49.1 ms\n");
}

/* ---------------------------------------------------------------- sessions */

static void test_sessions(void **state) {
  (void)state;
  expect(ctl_render_sessions,
         "{\"ok\":true,\"sessions\":[{\"id\":0,\"peer\":\"127.0.0.1:50000\",\"age\":1.5,"
         "\"pings\":10,\"srtt_ms\":0.2,\"min_rtt_ms\":0.1,\"cwnd\":13500,\"auth\":\"token\"},"
         "{\"id\":4,\"peer\":\"[2001:db8::1]:61234\",\"age\":3723.9,\"pings\":123456,"
         "\"origin\":\"https://o.example\",\"auth\":\"none\","
         "\"srtt_ms\":12.3456,\"min_rtt_ms\":10.5,\"cwnd\":1048576},"
         "{\"id\":8,\"peer\":\"10.0.0.1:1\",\"age\":125,\"pings\":0,\"srtt_ms\":null,"
         "\"min_rtt_ms\":null,\"cwnd\":0},"
         "{\"id\":12,\"peer\":\"10.0.0.2:2\",\"age\":90000,\"pings\":1,\"srtt_ms\":1,"
         "\"min_rtt_ms\":1,\"cwnd\":1}]}",
         "ID  PEER                   AGE   PINGS  SRTT(ms)  MINRTT(ms)     CWND  AUTH   ORIGIN\n"
         "0   127.0.0.1:50000       1.5s      10     0.200       0.100    13500  token  -\n"
         "4   [2001:db8::1]:61234  1h02m  123456    12.346      10.500  1048576  none   "
         "https://o.example\n"
         "8   10.0.0.1:1           2m05s       0         -           -        0  -      -\n"
         "12  10.0.0.2:2           1d01h       1     1.000       1.000        1  -      -\n");
}

static void test_sessions_edge(void **state) {
  (void)state;
  expect(ctl_render_sessions, "{\"ok\":true,\"sessions\":[]}", "no sessions\n");
  expect(ctl_render_sessions,
         "{\"ok\":true,\"truncated\":true,\"sessions\":[{\"id\":1,\"peer\":\"a\\nb\"},{}]}",
         "ID  PEER  AGE  PINGS  SRTT(ms)  MINRTT(ms)  CWND  AUTH  ORIGIN\n"
         "1   a?b     -      -         -           -     -  -     -\n"
         "-   -       -      -         -           -     -  -     -\n"
         "(only the first 2 sessions are listed)\n");
  expect_error(ctl_render_sessions, NULL, "{\"ok\":true,\"sessions\":{}}",
               "the reply has no sessions list");
}

/* ---------------------------------------------------------------- metrics */

static void test_metrics_server(void **state) {
  (void)state;
  expect_metrics("wtping-server",
                 "{\"ok\":true,\"counters\":{\"connections\":3,\"sessions_now\":2,"
                 "\"sessions_total\":17,\"pings_stream\":1500,\"errors_packets_dropped\":4,"
                 "\"uptime\":12.5,\"draining\":true,\"state\":\"running\",\"odd-name\":1,"
                 "\"nothing\":null},\"rtt_histogram\":null}",
                 "# HELP wtping_server_connections QUIC connections open now.\n"
                 "# TYPE wtping_server_connections gauge\n"
                 "wtping_server_connections 3\n"
                 "# HELP wtping_server_sessions_now WebTransport sessions open now.\n"
                 "# TYPE wtping_server_sessions_now gauge\n"
                 "wtping_server_sessions_now 2\n"
                 "# HELP wtping_server_sessions_total WebTransport sessions accepted since the "
                 "start.\n"
                 "# TYPE wtping_server_sessions_total counter\n"
                 "wtping_server_sessions_total 17\n"
                 "# HELP wtping_server_pings_stream_total Pings answered on streams.\n"
                 "# TYPE wtping_server_pings_stream_total counter\n"
                 "wtping_server_pings_stream_total 1500\n"
                 "# HELP wtping_server_errors_packets_dropped_total UDP packets dropped.\n"
                 "# TYPE wtping_server_errors_packets_dropped_total counter\n"
                 "wtping_server_errors_packets_dropped_total 4\n"
                 "# HELP wtping_server_uptime Seconds since the daemon started.\n"
                 "# TYPE wtping_server_uptime gauge\n"
                 "wtping_server_uptime 12.5\n"
                 "# HELP wtping_server_draining Counter draining of wtping-server.\n"
                 "# TYPE wtping_server_draining gauge\n"
                 "wtping_server_draining 1\n"
                 "# HELP wtping_server_odd_name_total Counter odd_name_total of wtping-server.\n"
                 "# TYPE wtping_server_odd_name_total counter\n"
                 "wtping_server_odd_name_total 1\n");
}

/* The histogram is cumulative, in seconds, and its count is the +Inf
 * bucket. */
static void test_metrics_client(void **state) {
  (void)state;
  expect_metrics("wtping-client", client_stats,
                 "# HELP wtping_client_transmitted_total Pings sent.\n"
                 "# TYPE wtping_client_transmitted_total counter\n"
                 "wtping_client_transmitted_total 100\n"
                 "# HELP wtping_client_received_total Pongs received.\n"
                 "# TYPE wtping_client_received_total counter\n"
                 "wtping_client_received_total 98\n"
                 "# HELP wtping_client_loss_percent Pings without a timely reply, in percent.\n"
                 "# TYPE wtping_client_loss_percent gauge\n"
                 "wtping_client_loss_percent 2.5\n"
                 "# HELP wtping_client_reconnects_total Reconnections to the server.\n"
                 "# TYPE wtping_client_reconnects_total counter\n"
                 "wtping_client_reconnects_total 1\n"
                 "# HELP wtping_client_rtt_ms_last Round-trip time of the last pong, in "
                 "milliseconds.\n"
                 "# TYPE wtping_client_rtt_ms_last gauge\n"
                 "wtping_client_rtt_ms_last 0.412\n"
                 "# HELP wtping_client_sessions_now WebTransport sessions open now.\n"
                 "# TYPE wtping_client_sessions_now gauge\n"
                 "wtping_client_sessions_now 1\n"
                 "# HELP wtping_client_rtt_seconds Round-trip time of answered pings.\n"
                 "# TYPE wtping_client_rtt_seconds histogram\n"
                 "wtping_client_rtt_seconds_bucket{le=\"0.0001\"} 3\n"
                 "wtping_client_rtt_seconds_bucket{le=\"0.00025\"} 13\n"
                 "wtping_client_rtt_seconds_bucket{le=\"0.0005\"} 53\n"
                 "wtping_client_rtt_seconds_bucket{le=\"0.001\"} 93\n"
                 "wtping_client_rtt_seconds_bucket{le=\"0.0025\"} 97\n"
                 "wtping_client_rtt_seconds_bucket{le=\"0.005\"} 98\n"
                 "wtping_client_rtt_seconds_bucket{le=\"0.01\"} 98\n"
                 "wtping_client_rtt_seconds_bucket{le=\"0.025\"} 98\n"
                 "wtping_client_rtt_seconds_bucket{le=\"0.05\"} 98\n"
                 "wtping_client_rtt_seconds_bucket{le=\"0.1\"} 98\n"
                 "wtping_client_rtt_seconds_bucket{le=\"0.25\"} 98\n"
                 "wtping_client_rtt_seconds_bucket{le=\"0.5\"} 98\n"
                 "wtping_client_rtt_seconds_bucket{le=\"1\"} 98\n"
                 "wtping_client_rtt_seconds_bucket{le=\"+Inf\"} 100\n"
                 "wtping_client_rtt_seconds_sum 0.0491\n"
                 "wtping_client_rtt_seconds_count 100\n");
}

static void test_metrics_edge(void **state) {
  (void)state;
  /* No daemon name, a histogram of the +Inf bucket only. */
  expect_metrics(NULL,
                 "{\"ok\":true,\"counters\":{\"x_total\":5},"
                 "\"rtt_histogram\":{\"bounds_ms\":[],\"counts\":[7],\"sum_ms\":1.5}}",
                 "# HELP wtping_x_total Counter x_total of the daemon.\n"
                 "# TYPE wtping_x_total counter\n"
                 "wtping_x_total 5\n"
                 "# HELP wtping_rtt_seconds Round-trip time of answered pings.\n"
                 "# TYPE wtping_rtt_seconds histogram\n"
                 "wtping_rtt_seconds_bucket{le=\"+Inf\"} 7\n"
                 "wtping_rtt_seconds_sum 0.0015\n"
                 "wtping_rtt_seconds_count 7\n");
  /* A daemon name that could break the HELP line is not repeated. */
  expect_metrics("bad\nname", "{\"ok\":true,\"counters\":{\"n\":1}}",
                 "# HELP bad_name_n_total Counter n_total of the daemon.\n"
                 "# TYPE bad_name_n_total counter\n"
                 "bad_name_n_total 1\n");

  expect_error(NULL, "wtping-client", "{\"ok\":true}", "the reply has no counters");
  expect_error(NULL, "wtping-client",
               "{\"ok\":true,\"counters\":{},\"rtt_histogram\":{\"bounds_ms\":[1,2],"
               "\"counts\":[1,2],\"sum_ms\":1}}",
               "malformed rtt_histogram");
  expect_error(NULL, "wtping-client",
               "{\"ok\":true,\"counters\":{},\"rtt_histogram\":{\"bounds_ms\":[1,2],"
               "\"counts\":[1,2,3]}}",
               "malformed rtt_histogram");
  expect_error(NULL, "wtping-client",
               "{\"ok\":true,\"counters\":{},\"rtt_histogram\":{\"bounds_ms\":[2,1],"
               "\"counts\":[1,2,3],\"sum_ms\":1}}",
               "malformed rtt_histogram: bounds_ms not increasing numbers");
  expect_error(NULL, "wtping-client",
               "{\"ok\":true,\"counters\":{},\"rtt_histogram\":{\"bounds_ms\":[1,2],"
               "\"counts\":[1,-2,3],\"sum_ms\":1}}",
               "malformed rtt_histogram: counts not non-negative integers");
  expect_error(NULL, "wtping-client",
               "{\"ok\":true,\"counters\":{},\"rtt_histogram\":{\"bounds_ms\":[1,2],"
               "\"counts\":[1,2.5,3],\"sum_ms\":1}}",
               "malformed rtt_histogram: counts not non-negative integers");
  expect_error(ctl_render_stats, NULL,
               "{\"ok\":true,\"counters\":{},\"rtt_histogram\":[1]}", "malformed rtt_histogram");
}

/* Issue 11: the client's per-target rows and the server's advertisement. */
static void test_status_targets(void **state) {
  (void)state;
  expect(ctl_render_status,
         "{\"ok\":true,\"daemon\":\"wtping-client\",\"version\":\"0.1.0\",\"pid\":8,"
         "\"state\":\"degraded\",\"uptime\":1,\"config\":null,\"url\":null,\"server\":null,"
         "\"mode\":\"stream\",\"rtt_ms\":null,\"transmitted\":10,\"received\":9,"
         "\"loss_percent\":10,\"reconnects\":1,\"last_error\":null,\"targets\":["
         "{\"url\":\"https://a:1/wtping\",\"source\":\"dns-srv\",\"state\":\"connected\","
         "\"transmitted\":5,\"received\":5,\"last_error\":null},"
         "{\"url\":\"https://b:2/wtping\",\"source\":\"mdns\",\"state\":\"backoff\","
         "\"transmitted\":5,\"received\":4,\"last_error\":\"refused\\u001b[2J\"}]}",
         "Daemon             : wtping-client\n"
         "Version            : 0.1.0\n"
         "PID                : 8\n"
         "State              : degraded\n"
         "Uptime             : 1s\n"
         "Config             : none\n"
         "Server URL         : -\n"
         "Server address     : none\n"
         "Mode               : stream\n"
         "RTT last/avg/p99   : no reply yet\n"
         "Sent/received/loss : 10 / 9 / 10.0%\n"
         "Reconnects         : 1\n"
         "Downtime           : -\n"
         "Last error         : none\n"
         "Targets            : 2\n"
         "  connected 5/5 dns-srv https://a:1/wtping\n"
         "  backoff 4/5 mdns https://b:2/wtping (refused?[2J)\n"
         "wtping-client (pid 8) is running\n");
}

static void test_metrics_targets(void **state) {
  (void)state;
  char err[256];
  char *got = render(NULL, "wtping-client",
                     "{\"ok\":true,\"counters\":{\"received\":3},\"targets\":["
                     "{\"url\":\"https://a/\\\"x\\\\\",\"source\":\"mdns\",\"transmitted\":4,"
                     "\"received\":3,\"connected_now\":1}]}",
                     0, err, sizeof(err));
  assert_non_null(strstr(got, "# TYPE wtping_client_target_received_total counter\n"
                              "wtping_client_target_received_total{url=\"https://a/\\\"x\\\\\","
                              "source=\"mdns\"} 3\n"));
  assert_non_null(strstr(got, "# TYPE wtping_client_target_connected_now gauge\n"
                              "wtping_client_target_connected_now{url="));
  assert_null(strstr(got, "wtping_client_target_lost_total{")); /* absent: no series */
  free(got);
}

static void test_is_gauge(void **state) {
  static const struct {
    const char *name;
    bool gauge;
  } cases[] = {
      {"sessions_now", true},      {"sessions_total", false}, {"pings_stream", false},
      {"rtt_ms_last", true},       {"rtt_ms_p99", true},      {"loss_percent", true},
      {"connections", true},       {"uptime", true},          {"state", true},
      {"draining", true},          {"connected", true},       {"conn_state", true},
      {"transmitted", false},      {"received", false},       {"reconnects", false},
      {"errors_streams_reset", false}, {"rtt_total", false},  {"now", false},
  };
  size_t i;
  (void)state;

  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
    if (ctl_metric_is_gauge(cases[i].name) != cases[i].gauge) {
      fail_msg("%s: gauge should be %d", cases[i].name, cases[i].gauge);
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_status_server),
      cmocka_unit_test(test_status_certificate),
      cmocka_unit_test(test_status_client),
      cmocka_unit_test(test_status_client_backoff),
      cmocka_unit_test(test_status_sparse),
      cmocka_unit_test(test_duration),
      cmocka_unit_test(test_stats_server),
      cmocka_unit_test(test_stats_client),
      cmocka_unit_test(test_sessions),
      cmocka_unit_test(test_sessions_edge),
      cmocka_unit_test(test_metrics_server),
      cmocka_unit_test(test_metrics_client),
      cmocka_unit_test(test_metrics_edge),
      cmocka_unit_test(test_is_gauge),
      cmocka_unit_test(test_status_targets),
      cmocka_unit_test(test_metrics_targets),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
