#include "cert/cert_schedule.h"

int cert_schedule_cfg_init(cert_schedule_cfg *c, int64_t period) {
  if (period < CERT_PERIOD_MIN_S || period > CERT_PERIOD_MAX_S)
    return -1;
  c->period = period;
  c->lifetime = period * 13 / 6;
  c->backdate = period / 12 < 3600 ? period / 12 : 3600;
  return 0;
}

int64_t cert_switch_at(const cert_schedule_cfg *c, const cert_slot *cur) {
  int64_t sw = cur->not_before + c->backdate + c->period;
  int64_t last = cur->not_after - c->backdate;
  return sw < last ? sw : last;
}

/* usable_at: present, valid at |t|, and short-lived enough for browsers. */
static bool usable_at(const cert_slot *s, int64_t t) {
  return s->present && s->not_before <= t && t < s->not_after &&
         s->not_after - s->not_before <= CERT_BROWSER_MAX_VALIDITY_S;
}

static cert_plan make(cert_action a, const cert_schedule_cfg *c, int64_t start) {
  cert_plan p = {.action = a, .not_before = start - c->backdate};
  p.not_after = p.not_before + c->lifetime;
  return p;
}

cert_plan cert_schedule_step(const cert_schedule_cfg *c, const cert_slot *cur,
                             const cert_slot *next, int64_t now) {
  cert_plan none = {.action = CERT_ACT_NONE};
  if (!usable_at(cur, now) || now >= cert_switch_at(c, cur)) {
    /* the current certificate is gone or due: the next one takes over if
     * it can serve now and is not itself due */
    if (usable_at(next, now) && now < cert_switch_at(c, next))
      return (cert_plan){.action = CERT_ACT_PROMOTE_NEXT};
    if (next->present)
      return (cert_plan){.action = CERT_ACT_DROP_NEXT};
    return make(CERT_ACT_MAKE_CURRENT, c, now);
  }
  int64_t sw = cert_switch_at(c, cur);
  if (next->present) {
    /* the next one must be valid from the switch, short-lived, and due
     * after the current one; else it was made under another schedule or
     * before a clock jump */
    bool fits = next->not_before <= sw && sw < next->not_after &&
                next->not_after - next->not_before <= CERT_BROWSER_MAX_VALIDITY_S &&
                cert_switch_at(c, next) > sw;
    if (!fits)
      return (cert_plan){.action = CERT_ACT_DROP_NEXT};
  } else {
    return make(CERT_ACT_MAKE_NEXT, c, sw);
  }
  none.wake_at = sw;
  return none;
}

size_t cert_schedule_published(const cert_slot *cur, const cert_slot *next, int64_t now,
                               int out[2]) {
  size_t n = 0;
  if (cur->present && now < cur->not_after)
    out[n++] = 0;
  if (next->present && now < next->not_after)
    out[n++] = 1;
  return n;
}

cert_expiry cert_expiry_state(int64_t not_before, int64_t not_after, int64_t now,
                              int64_t warn_before) {
  if (now < not_before)
    return CERT_EXPIRY_NOT_YET;
  if (now >= not_after)
    return CERT_EXPIRY_EXPIRED;
  int64_t quarter = (not_after - not_before) / 4;
  if (not_after - now <= (quarter < warn_before ? quarter : warn_before))
    return CERT_EXPIRY_SOON;
  return CERT_EXPIRY_OK;
}

const char *cert_expiry_name(cert_expiry e) {
  switch (e) {
  case CERT_EXPIRY_OK:
    return "ok";
  case CERT_EXPIRY_SOON:
    return "expires-soon";
  case CERT_EXPIRY_EXPIRED:
    return "expired";
  case CERT_EXPIRY_NOT_YET:
    return "not-yet-valid";
  }
  return "unknown";
}
