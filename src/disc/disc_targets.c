#include "disc/disc_targets.h"

#include <string.h>
#include <strings.h>

void disc_targets_init(disc_targets *ts, size_t cap, uint64_t hold_base_ns, uint64_t hold_max_ns) {
  memset(ts, 0, sizeof(*ts));
  ts->cap = cap < 1 ? 1 : cap > DISC_TARGETS_MAX ? DISC_TARGETS_MAX : cap;
  ts->hold_base_ns = hold_base_ns ? hold_base_ns : 1;
  ts->hold_max_ns = hold_max_ns < ts->hold_base_ns ? ts->hold_base_ns : hold_max_ns;
}

bool disc_targets_same(const disc_found *a, const disc_found *b) {
  if (a->port != b->port || strcmp(a->path, b->path) != 0)
    return false;
  if (a->addr[0] && b->addr[0])
    return strcmp(a->addr, b->addr) == 0;
  return strcasecmp(a->host, b->host) == 0;
}

int disc_targets_find(const disc_targets *ts, const disc_found *f) {
  for (size_t i = 0; i < ts->n; i++) {
    const disc_target *t = &ts->t[i];
    if (disc_targets_same(&t->f, f))
      return (int)i;
    /* an mDNS instance name stands for one service whatever its address */
    if (f->source == DISC_SRC_MDNS && (t->sources & 1u << DISC_SRC_MDNS) &&
        strcmp(t->src_name[DISC_SRC_MDNS], f->name) == 0)
      return (int)i;
  }
  return -1;
}

int disc_targets_add(disc_targets *ts, const disc_found *f, uint64_t order, uint64_t now) {
  int i = disc_targets_find(ts, f);
  if (i < 0) {
    if (ts->n >= ts->cap) {
      ts->dropped++;
      return -1;
    }
    i = (int)ts->n++;
    memset(&ts->t[i], 0, sizeof(ts->t[i]));
    ts->t[i].f = *f;
    ts->t[i].order = order;
  } else if (f->source < ts->t[i].f.source ||
             (f->source == ts->t[i].f.source && !(ts->t[i].sources & 1u << f->source))) {
    /* a better source (or the same one again after a removal) takes over */
    ts->t[i].f = *f;
    ts->t[i].order = order;
  } else if (f->source == ts->t[i].f.source) {
    ts->t[i].f = *f; /* fresher details (TXT, address) from the same source */
    ts->t[i].order = order;
  }
  ts->t[i].sources |= 1u << f->source;
  memcpy(ts->t[i].src_name[f->source], f->name, sizeof(f->name));
  ts->t[i].seen_ns = now;
  return i;
}

int disc_targets_add_next(disc_targets *ts, const disc_found *f, uint64_t now) {
  int i = disc_targets_find(ts, f);
  if (i >= 0 && ts->t[i].f.source == f->source)
    return disc_targets_add(ts, f, ts->t[i].order, now); /* keep its place */
  return disc_targets_add(ts, f, ts->seq++, now);
}

/* drop_source clears |src| from target |i| and removes the target when no
 * source reports it any more (the order of the others is kept). */
static bool drop_source(disc_targets *ts, size_t i, disc_source src) {
  disc_target *t = &ts->t[i];
  t->sources &= ~(1u << src);
  if (t->sources) {
    if (t->f.source == src) /* another source still has it: it now speaks for it */
      for (unsigned s = 0; s < DISC_NSOURCES; s++)
        if (t->sources & 1u << s) {
          t->f.source = (disc_source)s;
          break;
        }
    return false;
  }
  memmove(&ts->t[i], &ts->t[i + 1], (ts->n - i - 1) * sizeof(ts->t[0]));
  ts->n--;
  return true;
}

size_t disc_targets_replace(disc_targets *ts, disc_source src, const disc_found *found, size_t n,
                            uint64_t now) {
  size_t dropped = 0;
  for (size_t i = 0; i < ts->n;) {
    bool keep = !(ts->t[i].sources & 1u << src);
    for (size_t j = 0; !keep && j < n; j++)
      keep = disc_targets_same(&ts->t[i].f, &found[j]);
    if (!keep && drop_source(ts, i, src))
      continue;
    i++;
  }
  for (size_t j = 0; j < n; j++)
    if (disc_targets_add(ts, &found[j], j, now) < 0)
      dropped++;
  return dropped;
}

bool disc_targets_remove(disc_targets *ts, disc_source src, const char *name) {
  for (size_t i = 0; i < ts->n; i++)
    if ((ts->t[i].sources & 1u << src) && strcmp(ts->t[i].src_name[src], name) == 0)
      return drop_source(ts, i, src);
  return false;
}

bool disc_targets_better_than(const disc_target *a, const disc_target *b) {
  if (a->f.source != b->f.source)
    return a->f.source < b->f.source;
  return a->order < b->order;
}

int disc_targets_pick(const disc_targets *ts, uint64_t now, uint64_t *wait_until) {
  int best = -1;
  uint64_t first_end = UINT64_MAX;
  for (size_t i = 0; i < ts->n; i++) {
    const disc_target *t = &ts->t[i];
    if (t->hold_until > now) {
      if (t->hold_until < first_end)
        first_end = t->hold_until;
      continue;
    }
    if (best < 0 || disc_targets_better_than(t, &ts->t[best]))
      best = (int)i;
  }
  if (wait_until)
    *wait_until = best >= 0 ? now : first_end;
  return best;
}

void disc_targets_failed(disc_targets *ts, size_t i, uint64_t now) {
  if (i >= ts->n)
    return;
  disc_target *t = &ts->t[i];
  uint64_t hold = ts->hold_base_ns;
  for (unsigned k = 0; k < t->failures && hold < ts->hold_max_ns; k++)
    hold = hold > ts->hold_max_ns / 2 ? ts->hold_max_ns : hold * 2;
  if (hold > ts->hold_max_ns)
    hold = ts->hold_max_ns;
  if (t->failures < 64)
    t->failures++;
  t->hold_until = now + hold;
}

void disc_targets_connected(disc_targets *ts, size_t i) {
  if (i >= ts->n)
    return;
  ts->t[i].failures = 0;
  ts->t[i].hold_until = 0;
}
