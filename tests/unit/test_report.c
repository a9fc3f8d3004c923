/* Unit tests for src/client/report.c: the one-shot client's summaries,
 * fixed numbers in, exact text out (golden: the --json line must not
 * change). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/report.h"

/* json_of returns what report_json prints for |r| with the counters |t| and
 * the RTTs |rtts| (free it). */
static char *json_of(const report_run *r, const ping_track *t, const double *rtts, size_t n) {
  ping_stats_acc s;
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);

  assert_non_null(f);
  ping_stats_init(&s);
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(ping_stats_add(&s, rtts[i]), 0);
  }
  report_json(f, r, t, &s);
  ping_stats_free(&s);
  assert_int_equal(fclose(f), 0);
  return buf;
}

static void test_json(void **state) {
  report_run r = {.host = "example.net", .address = "[2001:db8::1]:4433", .mode = "stream",
                  .elapsed_ns = 1234567890, .unknown = 2, .error = NULL};
  ping_track t = {.transmitted = 5, .received = 4, .lost = 1, .duplicates = 1, .late = 0};
  static const double rtts[] = {0.5, 1.25, 0.75, 2.0};
  char *got = json_of(&r, &t, rtts, 4);

  (void)state;
  assert_string_equal(got,
                      "{\"host\":\"example.net\",\"address\":\"[2001:db8::1]:4433\","
                      "\"mode\":\"stream\",\"transmitted\":5,\"received\":4,\"lost\":1,"
                      "\"duplicates\":1,\"late\":0,\"unknown\":2,\"loss_percent\":20.000,"
                      "\"time_ms\":1234.568,\"rtt_ms\":{\"min\":0.500,\"avg\":1.125,"
                      "\"max\":2.000,\"mdev\":0.573,\"p50\":0.750,\"p90\":2.000,\"p99\":2.000,"
                      "\"jitter\":0.833},\"error\":null}\n");
  free(got);
}

static void test_json_no_reply(void **state) {
  report_run r = {.host = "a\"b\\c/d", .address = "", .mode = "datagram", .elapsed_ns = 0,
                  .unknown = 0, .error = "connect: timed out"};
  ping_track t = {.transmitted = 0};
  char *got = json_of(&r, &t, NULL, 0);

  (void)state;
  assert_string_equal(got, "{\"host\":\"a\\\"b\\\\c/d\",\"address\":\"\",\"mode\":\"datagram\","
                           "\"transmitted\":0,\"received\":0,\"lost\":0,\"duplicates\":0,"
                           "\"late\":0,\"unknown\":0,\"loss_percent\":0.000,\"time_ms\":0.000,"
                           "\"rtt_ms\":null,\"error\":\"connect: timed out\"}\n");
  free(got);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_json),
      cmocka_unit_test(test_json_no_reply),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
