#include "server/server_cert.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "cert/cert_store.h"
#include "common/addr.h"
#include "common/log.h"
#include "server/server_internal.h"
#include "server/udp.h"

#define RECHECK_S 3600          /* look at the clock at least this often */
#define FILE_CHECK_S (12 * 3600) /* file mode: expiry check interval */

struct srv_certs {
  bool open; /* the store is open (self-rotating) */
  cert_store store;
  cert_schedule_cfg cfg;
  char names[SERVER_MAX_CERT_NAMES][SERVER_CERT_NAME_MAX + 1];
  size_t nnames;
  sd_event_source *timer;
};

static int64_t wall_now(void) {
  return (int64_t)time(NULL);
}

static void fmt_time(int64_t t, char *buf, size_t cap) {
  time_t tt = (time_t)t;
  struct tm tm;
  if (!gmtime_r(&tt, &tm) || strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    snprintf(buf, cap, "%" PRId64, t);
}

static size_t add_name(char out[][SERVER_CERT_NAME_MAX + 1], size_t n, size_t max,
                       const char *name) {
  if (!name[0] || strlen(name) > SERVER_CERT_NAME_MAX || n >= max)
    return n;
  for (size_t i = 0; i < n; i++)
    if (strcmp(out[i], name) == 0)
      return n;
  snprintf(out[n], SERVER_CERT_NAME_MAX + 1, "%s", name);
  return n + 1;
}

size_t server_cert_default_names(const server_opts *o, char out[][SERVER_CERT_NAME_MAX + 1],
                                 size_t max) {
  size_t n = 0;
  char host[256];
  if (gethostname(host, sizeof(host)) == 0) {
    host[sizeof(host) - 1] = '\0';
    n = add_name(out, n, max, host);
  }
  n = add_name(out, n, max, "localhost");
  n = add_name(out, n, max, "127.0.0.1");
  n = add_name(out, n, max, "::1");
  for (unsigned i = 0; i < o->nlisten; i++) {
    const struct sockaddr *sa = (const struct sockaddr *)&o->listen[i].addr;
    char a[INET6_ADDRSTRLEN + 8];
    if (udp_is_wildcard(sa))
      continue;
    if (addr_format_host(sa, a, sizeof(a)))
      n = add_name(out, n, max, a);
  }
  return n;
}

static void log_cert(const char *what, const cert_info *ci) {
  char hex[65], b64[45], nb[32], na[32];
  cert_hash_hex(ci->sha256, hex);
  cert_hash_b64(ci->sha256, b64);
  fmt_time(ci->not_before, nb, sizeof(nb));
  fmt_time(ci->not_after, na, sizeof(na));
  log_notice("%s certificate sha256 %s (base64 %s), valid %s to %s", what, hex, b64, nb, na);
}

static cert_slot slot_of(const cert_store *st, int i) {
  return (cert_slot){st->has[i], st->info[i].not_before, st->info[i].not_after};
}

/* step performs what the schedule says is due at |now|. Returns 1 when the
 * current certificate changed, 0 when not, -1 on error (|err|). */
static int step(struct srv_certs *c, int64_t now, char *err, size_t errlen) {
  const char *names[SERVER_MAX_CERT_NAMES];
  for (size_t i = 0; i < c->nnames; i++)
    names[i] = c->names[i];
  int changed = 0;
  for (int guard = 0; guard < 8; guard++) {
    cert_slot cur = slot_of(&c->store, CERT_CUR), next = slot_of(&c->store, CERT_NEXT);
    cert_plan p = cert_schedule_step(&c->cfg, &cur, &next, now);
    switch (p.action) {
    case CERT_ACT_NONE:
      return changed;
    case CERT_ACT_MAKE_CURRENT:
      if (cert_store_make(&c->store, CERT_CUR, names, c->nnames, p.not_before, p.not_after, err,
                          errlen) != 0)
        return -1;
      log_cert("made and serving a new", &c->store.info[CERT_CUR]);
      changed = 1;
      break;
    case CERT_ACT_MAKE_NEXT:
      if (cert_store_make(&c->store, CERT_NEXT, names, c->nnames, p.not_before, p.not_after,
                          err, errlen) != 0)
        return -1;
      log_cert("made the next", &c->store.info[CERT_NEXT]);
      break;
    case CERT_ACT_PROMOTE_NEXT:
      if (cert_store_promote(&c->store, err, errlen) != 0)
        return -1;
      log_cert("rotated: now serving the", &c->store.info[CERT_CUR]);
      changed = 1;
      break;
    case CERT_ACT_DROP_NEXT:
      log_info("the stored next certificate does not fit the schedule: replacing it");
      if (cert_store_drop_next(&c->store, err, errlen) != 0)
        return -1;
      break;
    }
  }
  snprintf(err, errlen, "the certificate schedule did not settle");
  return -1;
}

static struct srv_certs *certs_get(server *s) {
  if (!s->certs)
    s->certs = calloc(1, sizeof(*s->certs));
  return s->certs;
}

int server_certs_prepare(server *s, const server_opts *o, char *err, size_t errlen) {
  struct srv_certs *c = certs_get(s);
  if (!c) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  if (!o->cert_self) {
    if (c->open) {
      cert_store_close(&c->store);
      c->open = false;
    }
    return 0;
  }
  if (cert_schedule_cfg_init(&c->cfg, o->cert_rotation_s) != 0) {
    snprintf(err, errlen, "certificate_rotation %u is out of range", o->cert_rotation_s);
    return -1;
  }
  if (o->ncert_names) {
    c->nnames = o->ncert_names;
    memcpy(c->names, o->cert_names, sizeof(c->names));
  } else {
    c->nnames = server_cert_default_names(o, c->names, SERVER_MAX_CERT_NAMES);
  }
  int64_t now = wall_now();
  if (c->open && strcmp(c->store.dir, o->cert_dir) != 0) {
    cert_store_close(&c->store);
    c->open = false;
  }
  if (!c->open) {
    if (cert_store_open(&c->store, o->cert_dir, now, err, errlen) != 0)
      return -1;
    c->open = true;
    if (c->store.ca_created)
      log_notice("made a local CA for self-rotating certificates: %s/ca.crt (for native "
                 "clients: wtping-client --cafile)",
                 c->store.dir);
    if (c->store.warning[0])
      log_warn("%s", c->store.warning);
  }
  return step(c, now, err, errlen) < 0 ? -1 : 0;
}

static int on_cert_timer(sd_event_source *es, uint64_t usec, void *ud) {
  (void)es;
  (void)usec;
  server *s = ud;
  struct srv_certs *c = s->certs;
  char err[512];
  if (c->open) {
    int r = step(c, wall_now(), err, sizeof(err));
    if (r < 0) {
      log_err("certificate rotation failed (retrying in a minute): %s", err);
      sd_event_source_set_time(c->timer, (uint64_t)(wall_now() + 60) * 1000000);
      sd_event_source_set_enabled(c->timer, SD_EVENT_ONESHOT);
      return 0;
    }
    if (r == 1) {
      srv_tls *t = server_tls_load(&s->opts, err, sizeof(err));
      if (!t)
        log_err("cannot load the new certificate, new connections keep the old one: %s", err);
      else
        server_tls_install(s, t); /* as on reload: sessions keep theirs */
    }
  }
  server_certs_arm(s);
  return 0;
}

void server_certs_arm(server *s) {
  struct srv_certs *c = certs_get(s);
  if (!c || !s->ev)
    return;
  int64_t now = wall_now(), wake;
  if (c->open) {
    cert_slot cur = slot_of(&c->store, CERT_CUR), next = slot_of(&c->store, CERT_NEXT);
    cert_plan p = cert_schedule_step(&c->cfg, &cur, &next, now);
    wake = p.action == CERT_ACT_NONE ? p.wake_at : now;
    if (wake > now + RECHECK_S)
      wake = now + RECHECK_S;
  } else {
    /* file mode: warn about a certificate near its end, now and twice a day */
    wake = now + FILE_CHECK_S;
    if (s->tls && s->tls->has_info) {
      const cert_info *ci = &s->tls->info;
      cert_expiry e = cert_expiry_state(ci->not_before, ci->not_after, now, CERT_WARN_BEFORE_S);
      char na[32];
      fmt_time(ci->not_after, na, sizeof(na));
      if (e == CERT_EXPIRY_EXPIRED)
        log_warn("the certificate %s expired at %s: clients refuse it", s->opts.cert_file, na);
      else if (e == CERT_EXPIRY_SOON)
        log_warn("the certificate %s expires at %s: replace it and reload", s->opts.cert_file,
                 na);
      else if (e == CERT_EXPIRY_NOT_YET)
        log_warn("the certificate %s is not valid yet: check the clock", s->opts.cert_file);
    }
  }
  uint64_t usec = (uint64_t)(wake > now ? wake : now) * 1000000;
  if (!c->timer) {
    if (sd_event_add_time(s->ev, &c->timer, CLOCK_REALTIME, usec, 1000, on_cert_timer, s) < 0) {
      log_warn("cannot arm the certificate timer");
      return;
    }
  } else {
    sd_event_source_set_time(c->timer, usec);
  }
  sd_event_source_set_enabled(c->timer, SD_EVENT_ONESHOT);
}

void server_certs_free(server *s) {
  struct srv_certs *c = s->certs;
  if (!c)
    return;
  sd_event_source_disable_unref(c->timer);
  if (c->open)
    cert_store_close(&c->store);
  free(c);
  s->certs = NULL;
}

void server_certs_view(const server *s, int64_t now, server_cert_view *out) {
  memset(out, 0, sizeof(*out));
  const struct srv_certs *c = s->certs;
  if (c && c->open) {
    out->self_rotating = true;
    for (int i = 0; i < 2; i++) {
      out->has[i] = c->store.has[i];
      out->info[i] = c->store.info[i];
    }
    cert_slot cur = slot_of(&c->store, CERT_CUR);
    if (cur.present)
      out->next_switch = cert_switch_at(&c->cfg, &cur);
    out->rotation_s = c->cfg.period;
    snprintf(out->ca_file, sizeof(out->ca_file), "%s/ca.crt", c->store.dir);
  } else if (s->tls && s->tls->has_info) {
    out->has[0] = true;
    out->info[0] = s->tls->info;
  }
  if (out->has[0])
    out->expiry = cert_expiry_state(out->info[0].not_before, out->info[0].not_after, now,
                                    CERT_WARN_BEFORE_S);
}
