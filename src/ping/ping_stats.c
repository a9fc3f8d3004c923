/* RTT statistics: min/avg/max/mdev, nearest-rank percentiles, jitter. */
#include "ping/ping_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void ping_stats_init(ping_stats_acc *a) { memset(a, 0, sizeof(*a)); }

void ping_stats_free(ping_stats_acc *a) {
  free(a->samples);
  ping_stats_init(a);
}

int ping_stats_add(ping_stats_acc *a, double rtt_ms) {
  if (a->n == 0) {
    a->min = a->max = rtt_ms;
  } else {
    if (rtt_ms < a->min) {
      a->min = rtt_ms;
    }
    if (rtt_ms > a->max) {
      a->max = rtt_ms;
    }
    a->jitter_sum += fabs(rtt_ms - a->last);
  }

  ++a->n;
  a->sum += rtt_ms;
  a->sumsq += rtt_ms * rtt_ms;
  a->last = rtt_ms;

  if (a->samples == NULL) {
    /* Allocated on first use; retried on the next sample if it fails. */
    a->samples = malloc(PING_STATS_KEEP * sizeof(a->samples[0]));
    if (a->samples == NULL) {
      return -1;
    }
  }

  a->samples[a->next] = rtt_ms;
  a->next = (a->next + 1) % PING_STATS_KEEP;
  if (a->nsamples < PING_STATS_KEEP) {
    ++a->nsamples;
  }

  return 0;
}

/*
 * compare_double orders doubles ascending for qsort.
 */
static int compare_double(const void *lhs, const void *rhs) {
  double a = *(const double *)lhs;
  double b = *(const double *)rhs;

  return (a > b) - (a < b);
}

/*
 * nearest_rank returns the nearest-rank |p|-th percentile of the |n|
 * values at |v|, which are sorted ascending: the value at 1-based rank
 * ceil(p / 100 * n), clamped to [1, n].  Returns 0 if |n| is 0.
 */
static double nearest_rank(const double *v, size_t n, double p) {
  double r;
  size_t rank;

  if (n == 0) {
    return 0;
  }

  /* p * n is exact for integral p and any realistic n, so the division
     rounds correctly and ceil() does not overshoot (e.g. 90 * 100 / 100). */
  r = ceil(p * (double)n / 100.0);

  if (!(r >= 1)) {
    /* Also catches NaN. */
    rank = 1;
  } else if (r >= (double)n) {
    rank = n;
  } else {
    rank = (size_t)r;
  }

  return v[rank - 1];
}

double ping_stats_percentile(double *v, size_t n, double p) {
  if (n == 0) {
    return 0;
  }

  qsort(v, n, sizeof(v[0]), compare_double);

  return nearest_rank(v, n, p);
}

void ping_stats_summarize(const ping_stats_acc *a, ping_stats_summary *s) {
  double var;
  double *v;

  memset(s, 0, sizeof(*s));

  if (a->n == 0) {
    return;
  }

  s->n = a->n;
  s->min = a->min;
  s->max = a->max;
  s->avg = a->sum / (double)a->n;

  var = a->sumsq / (double)a->n - s->avg * s->avg;
  /* Rounding can make the variance of near-constant samples negative. */
  s->mdev = var > 0 ? sqrt(var) : 0;

  if (a->n >= 2) {
    s->jitter = a->jitter_sum / (double)(a->n - 1);
  }

  if (a->samples == NULL || a->nsamples == 0) {
    return;
  }

  /* Sort a copy: |a| is const and stays a ring. */
  v = malloc(a->nsamples * sizeof(v[0]));
  if (v == NULL) {
    return;
  }

  memcpy(v, a->samples, a->nsamples * sizeof(v[0]));
  qsort(v, a->nsamples, sizeof(v[0]), compare_double);

  s->p50 = nearest_rank(v, a->nsamples, 50);
  s->p90 = nearest_rank(v, a->nsamples, 90);
  s->p99 = nearest_rank(v, a->nsamples, 99);

  free(v);
}
