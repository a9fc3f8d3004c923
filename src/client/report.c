#include "client/report.h"

#include <inttypes.h>

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

static void json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      fprintf(f, "\\%c", c);
    else if (c < 0x20)
      fprintf(f, "\\u%04x", c);
    else
      fputc(c, f);
  }
  fputc('"', f);
}

void report_json(FILE *f, const report_run *r, const ping_track *t, const ping_stats_acc *s) {
  ping_stats_summary sum;
  ping_stats_summarize(s, &sum);
  fprintf(f, "{\"host\":");
  json_string(f, r->host);
  fprintf(f, ",\"address\":");
  json_string(f, r->address);
  fprintf(f, ",\"mode\":");
  json_string(f, r->mode);
  fprintf(f,
          ",\"transmitted\":%" PRIu64 ",\"received\":%" PRIu64 ",\"lost\":%" PRIu64
          ",\"duplicates\":%" PRIu64 ",\"late\":%" PRIu64 ",\"unknown\":%" PRIu64
          ",\"loss_percent\":%.3f,\"time_ms\":%.3f",
          t->transmitted, t->received, t->lost, t->duplicates, t->late, r->unknown,
          report_loss_percent(t), (double)r->elapsed_ns / 1e6);
  if (sum.n)
    fprintf(f,
            ",\"rtt_ms\":{\"min\":%.3f,\"avg\":%.3f,\"max\":%.3f,\"mdev\":%.3f,\"p50\":%.3f,"
            "\"p90\":%.3f,\"p99\":%.3f,\"jitter\":%.3f}",
            sum.min, sum.avg, sum.max, sum.mdev, sum.p50, sum.p90, sum.p99, sum.jitter);
  else
    fprintf(f, ",\"rtt_ms\":null");
  fprintf(f, ",\"error\":");
  if (r->error)
    json_string(f, r->error);
  else
    fprintf(f, "null");
  fprintf(f, "}\n");
}
