#include "client/reconnect.h"

void reconnect_init(reconnect *r, uint64_t base_ns, uint64_t cap_ns, uint64_t healthy_ns) {
  r->base_ns = base_ns ? base_ns : 1;
  r->cap_ns = cap_ns < r->base_ns ? r->base_ns : cap_ns;
  r->healthy_ns = healthy_ns ? healthy_ns : r->cap_ns;
  r->failures = 0;
  r->connected_at = 0;
}

void reconnect_connected(reconnect *r, uint64_t now) { r->connected_at = now ? now : 1; }

uint64_t reconnect_step_max(const reconnect *r) {
  uint64_t step = r->base_ns;
  for (unsigned i = 0; i < r->failures && step < r->cap_ns; i++)
    step = step > r->cap_ns / 2 ? r->cap_ns : step * 2;
  return step < r->cap_ns ? step : r->cap_ns;
}

static uint64_t next_delay(reconnect *r, uint64_t now, uint64_t rnd, bool immediate,
                           uint64_t cap_ns) {
  if (r->connected_at && now >= r->connected_at && now - r->connected_at >= r->healthy_ns)
    r->failures = 0;
  r->connected_at = 0;
  if (immediate)
    return 0;
  uint64_t max = reconnect_step_max(r);
  if (cap_ns && max > cap_ns)
    max = cap_ns;
  if (r->failures < 64)
    r->failures++;
  return max == UINT64_MAX ? rnd : rnd % (max + 1);
}

uint64_t reconnect_next_delay(reconnect *r, uint64_t now, uint64_t rnd, bool immediate) {
  return next_delay(r, now, rnd, immediate, 0);
}

uint64_t reconnect_next_delay_capped(reconnect *r, uint64_t now, uint64_t rnd, uint64_t cap_ns) {
  return next_delay(r, now, rnd, false, cap_ns);
}
