#include "client/report.h"

#include <inttypes.h>
#include <stdlib.h>

#include "ctl/ctl_json.h"

void report_pong(FILE *f, const char *host, const char *addr, uint64_t seq, size_t bytes,
                 double ms) {
  fprintf(f, "pong from %s (%s): seq=%" PRIu64 " size=%zu time=%.3f ms\n", host, addr, seq, bytes,
          ms);
}

double report_loss_percent(const ping_track *t) {
  if (t->transmitted == 0)
    return 0.0;
  return 100.0 * (double)(t->transmitted - t->received) / (double)t->transmitted;
}

void report_summary(FILE *f, const report_run *r, const ping_track *t, const ping_stats_acc *s) {
  ping_stats_summary sum;
  ping_stats_summarize(s, &sum);
  fprintf(f, "\n--- %s wtping statistics ---\n", r->host);
  fprintf(f,
          "%" PRIu64 " pings transmitted, %" PRIu64 " received, %.3g%% loss, %" PRIu64
          " duplicates",
          t->transmitted, t->received, report_loss_percent(t), t->duplicates);
  if (t->late)
    fprintf(f, ", %" PRIu64 " late", t->late);
  fprintf(f, ", time %" PRIu64 "ms\n", r->elapsed_ns / 1000000);
  if (sum.n) {
    fprintf(f, "rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms\n", sum.min, sum.avg, sum.max,
            sum.mdev);
    fprintf(f, "rtt p50/p90/p99 = %.3f/%.3f/%.3f ms, jitter %.3f ms\n", sum.p50, sum.p90, sum.p99,
            sum.jitter);
  }
  if (r->unknown)
    fprintf(f, "%" PRIu64 " replies were not answers to our pings\n", r->unknown);
}

/* fixed adds |v| with three decimals ("20.000"), as the summary prints it. */
static int fixed(json_object *o, const char *key, double v) {
  char buf[64];
  json_object *d;

  snprintf(buf, sizeof(buf), "%.3f", v);
  d = json_object_new_double_s(strtod(buf, NULL), buf);
  if (d == NULL || json_object_object_add_ex(o, key, d, JSON_C_OBJECT_ADD_CONSTANT_KEY) != 0) {
    json_object_put(d);
    return -1;
  }
  return 0;
}

void report_json(FILE *f, const report_run *r, const ping_track *t, const ping_stats_acc *s) {
  ping_stats_summary sum;
  json_object *o = json_object_new_object(), *rtt;
  const char *text = NULL;
  size_t len = 0;
  int e = o == NULL;

  ping_stats_summarize(s, &sum);
  e |= cj_add_str(o, "host", r->host);
  e |= cj_add_str(o, "address", r->address);
  e |= cj_add_str(o, "mode", r->mode);
  e |= cj_add_uint(o, "transmitted", t->transmitted);
  e |= cj_add_uint(o, "received", t->received);
  e |= cj_add_uint(o, "lost", t->lost);
  e |= cj_add_uint(o, "duplicates", t->duplicates);
  e |= cj_add_uint(o, "late", t->late);
  e |= cj_add_uint(o, "unknown", r->unknown);
  e |= fixed(o, "loss_percent", report_loss_percent(t));
  e |= fixed(o, "time_ms", (double)r->elapsed_ns / 1e6);
  if (sum.n) {
    rtt = cj_add_object(o, "rtt_ms");
    e |= rtt == NULL;
    if (rtt != NULL) {
      e |= fixed(rtt, "min", sum.min);
      e |= fixed(rtt, "avg", sum.avg);
      e |= fixed(rtt, "max", sum.max);
      e |= fixed(rtt, "mdev", sum.mdev);
      e |= fixed(rtt, "p50", sum.p50);
      e |= fixed(rtt, "p90", sum.p90);
      e |= fixed(rtt, "p99", sum.p99);
      e |= fixed(rtt, "jitter", sum.jitter);
    }
  } else {
    e |= cj_add_null(o, "rtt_ms");
  }
  e |= cj_add_str(o, "error", r->error);
  if (e == 0) {
    text = cj_write(o, &len);
  }
  if (text != NULL) {
    fwrite(text, 1, len, f);
    fputc('\n', f);
  } else {
    fputs("{\"error\":\"out of memory\"}\n", f);
  }
  json_object_put(o);
}
