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
#include "common/offload.h"
#include "server/server_internal.h"
#include "server/udp.h"

#define RECHECK_S 3600          /* look at the clock at least this often */
#define FILE_CHECK_S (12 * 3600) /* file mode: expiry check interval */
#define RETRY_S 60              /* after a failed rotation (at most) */
#define STEPS_MAX 8             /* actions per schedule step, at most */

/* What a schedule step did, for the journal (the worker thread does not
 * log: the loop does, once the job is back). */
typedef struct cert_done {
  cert_action action;
  cert_info info; /* of the certificate made or now served */
} cert_done;

typedef struct cert_steps {
  cert_done done[STEPS_MAX];
  size_t n;
} cert_steps;

/* A rotation made off the event loop: the worker opens the store afresh
 * from the directory (the files are the truth), performs what the schedule
 * says and loads the credentials to serve; the loop then adopts the store
 * and installs the credentials. The worker owns everything in here while
 * it runs; the loop reads it only after the thread has been joined. */
typedef struct cert_job {
  server *srv;
  /* in */
  server_opts o; /* cert_dir, cert_file and key_file in force */
  cert_schedule_cfg cfg;
  char names[SERVER_MAX_CERT_NAMES][SERVER_CERT_NAME_MAX + 1];
  size_t nnames;
  int64_t now;
  /* out */
  int rc;        /* 0 or -1 (err) */
  char err[512];
  cert_store store;
  bool store_open;
  cert_steps steps;
  srv_tls *tls;
} cert_job;

struct srv_certs {
  bool open; /* the store is open (self-rotating) */
  cert_store store;
  cert_schedule_cfg cfg;
  char names[SERVER_MAX_CERT_NAMES][SERVER_CERT_NAME_MAX + 1];
  size_t nnames;
  sd_event_source *timer;
  offload *worker; /* the job in flight, at most one */
  cert_job *job;
  bool stale;      /* the settings changed while the job ran */
  bool retry;      /* the last job failed: the timer starts another */
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

/* step performs what the schedule says is due at |now| on |st|, noting
 * each action in |out|. Blocking (key generation, fsync). Returns 1 when
 * the current certificate changed, 0 when not, -1 on error (|err|). */
static int step(cert_store *st, const cert_schedule_cfg *cfg,
                const char (*names_in)[SERVER_CERT_NAME_MAX + 1], size_t nnames, int64_t now,
                cert_steps *out, char *err, size_t errlen) {
  const char *names[SERVER_MAX_CERT_NAMES];
  for (size_t i = 0; i < nnames; i++)
    names[i] = names_in[i];
  int changed = 0;
  out->n = 0;
  for (int guard = 0; guard < STEPS_MAX; guard++) {
    cert_slot cur = slot_of(st, CERT_CUR), next = slot_of(st, CERT_NEXT);
    cert_plan p = cert_schedule_step(cfg, &cur, &next, now);
    int which = CERT_CUR;
    switch (p.action) {
    case CERT_ACT_NONE:
      return changed;
    case CERT_ACT_MAKE_CURRENT:
      if (cert_store_make(st, CERT_CUR, names, nnames, p.not_before, p.not_after, err,
                          errlen) != 0)
        return -1;
      changed = 1;
      break;
    case CERT_ACT_MAKE_NEXT:
      if (cert_store_make(st, CERT_NEXT, names, nnames, p.not_before, p.not_after, err,
                          errlen) != 0)
        return -1;
      which = CERT_NEXT;
      break;
    case CERT_ACT_PROMOTE_NEXT:
      if (cert_store_promote(st, err, errlen) != 0)
        return -1;
      changed = 1;
      break;
    case CERT_ACT_DROP_NEXT:
      if (cert_store_drop_next(st, err, errlen) != 0)
        return -1;
      break;
    }
    out->done[out->n++] = (cert_done){p.action, st->info[which]};
  }
  snprintf(err, errlen, "the certificate schedule did not settle");
  return -1;
}

static void log_steps(const cert_steps *d) {
  for (size_t i = 0; i < d->n; i++) {
    switch (d->done[i].action) {
    case CERT_ACT_MAKE_CURRENT:
      log_cert("made and serving a new", &d->done[i].info);
      break;
    case CERT_ACT_MAKE_NEXT:
      log_cert("made the next", &d->done[i].info);
      break;
    case CERT_ACT_PROMOTE_NEXT:
      log_cert("rotated: now serving the", &d->done[i].info);
      break;
    case CERT_ACT_DROP_NEXT:
      log_info("the stored next certificate did not fit the schedule: replaced it");
      break;
    case CERT_ACT_NONE:
      break;
    }
  }
}

static void log_opened(const cert_store *st) {
  if (st->ca_created)
    log_notice("made a local CA for self-rotating certificates: %s/ca.crt (for native "
               "clients: wtping-client --cafile)",
               st->dir);
  if (st->warning[0])
    log_warn("%s", st->warning);
}

/* retry_s: how long after a failed rotation to try again: a minute, or a
 * quarter of a (test-only) shorter period. */
static int64_t retry_s(const struct srv_certs *c) {
  int64_t q = c->cfg.period / 4;
  return q < 1 ? 1 : q < RETRY_S ? q : RETRY_S;
}

static struct srv_certs *certs_get(server *s) {
  if (!s->certs)
    s->certs = calloc(1, sizeof(*s->certs));
  return s->certs;
}

/* configure takes the schedule and names of |o|. Returns 0 or -1 (|err|). */
static int configure(struct srv_certs *c, const server_opts *o, char *err, size_t errlen) {
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
  return 0;
}

int server_certs_prepare(server *s, const server_opts *o, char *err, size_t errlen) {
  struct srv_certs *c = certs_get(s);
  if (!c) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  if (!o->cert_self)
    return 0;
  if (configure(c, o, err, errlen) != 0)
    return -1;
  /* before the loop runs: blocking here delays nothing */
  int64_t now = wall_now();
  if (cert_store_open(&c->store, o->cert_dir, now, err, errlen) != 0)
    return -1;
  c->open = true;
  log_opened(&c->store);
  cert_steps d;
  int r = step(&c->store, &c->cfg, (const char(*)[SERVER_CERT_NAME_MAX + 1])c->names, c->nnames,
               now, &d, err, errlen);
  log_steps(&d);
  return r < 0 ? -1 : 0;
}

int server_certs_check(const server_opts *o, char *err, size_t errlen) {
  cert_schedule_cfg cfg;
  if (o->cert_self && cert_schedule_cfg_init(&cfg, o->cert_rotation_s) != 0) {
    snprintf(err, errlen, "certificate_rotation %u is out of range", o->cert_rotation_s);
    return -1;
  }
  return 0;
}

static void job_free(cert_job *j) {
  if (j->store_open)
    cert_store_close(&j->store);
  if (j->tls)
    server_tls_unref(j->tls);
  free(j);
}

/* job_work runs in the worker thread: nothing here touches the server. */
static void job_work(void *arg) {
  cert_job *j = arg;
  j->rc = -1;
  if (cert_store_open(&j->store, j->o.cert_dir, j->now, j->err, sizeof(j->err)) != 0)
    return;
  j->store_open = true;
  if (step(&j->store, &j->cfg, (const char(*)[SERVER_CERT_NAME_MAX + 1])j->names, j->nnames,
           j->now, &j->steps, j->err, sizeof(j->err)) < 0)
    return;
  j->tls = server_tls_load(&j->o, j->err, sizeof(j->err));
  if (j->tls)
    j->rc = 0;
}

static void arm_at(struct srv_certs *c, server *s, int64_t wake);
static void start_job(server *s);

/* job_done runs on the loop once the worker has returned. */
static void job_done(void *arg) {
  cert_job *j = arg;
  server *s = j->srv;
  struct srv_certs *c = s->certs;
  c->worker = NULL;
  c->job = NULL;
  if (c->stale) {
    /* made for settings no longer in force: what it wrote is in the
     * directory, a new job reads it from there */
    c->stale = false;
    job_free(j);
    if (s->opts.cert_self)
      start_job(s);
    else
      server_certs_arm(s);
    return;
  }
  if (j->store_open)
    log_opened(&j->store);
  if (j->rc != 0) {
    log_err("certificate rotation failed (retrying in %" PRId64 " s; new connections keep the "
            "current certificate): %s",
            retry_s(c), j->err);
    job_free(j);
    c->retry = true;
    arm_at(c, s, wall_now() + retry_s(c));
    return;
  }
  c->retry = false;
  log_steps(&j->steps);
  bool said = false;
  for (size_t i = 0; i < j->steps.n; i++)
    said |= j->steps.done[i].action == CERT_ACT_MAKE_CURRENT ||
            j->steps.done[i].action == CERT_ACT_PROMOTE_NEXT;
  if (!said && j->tls->has_info &&
      (!s->tls || !s->tls->has_info ||
       memcmp(s->tls->info.sha256, j->tls->info.sha256, sizeof(j->tls->info.sha256)) != 0))
    log_cert("now serving the", &j->tls->info); /* after a failed job, or file mode */
  if (c->open)
    cert_store_close(&c->store);
  c->store = j->store; /* the job's store is now the loop's */
  c->open = true;
  j->store_open = false;
  server_tls_install(s, j->tls); /* as on reload: sessions keep theirs */
  j->tls = NULL;
  job_free(j);
  server_certs_arm(s);
}

/* start_job makes and installs the certificates of the settings in force
 * off the loop; at most one job runs (a newer request waits for it). */
static void start_job(server *s) {
  struct srv_certs *c = s->certs;
  char err[512];
  if (c->job) {
    c->stale = true; /* job_done starts another one */
    return;
  }
  cert_job *j = calloc(1, sizeof(*j));
  if (!j) {
    log_err("certificate rotation: out of memory (retrying in %" PRId64 " s)", retry_s(c));
    arm_at(c, s, wall_now() + retry_s(c));
    return;
  }
  if (configure(c, &s->opts, err, sizeof(err)) != 0) {
    log_err("%s", err); /* server_certs_check let it through: cannot happen */
    free(j);
    return;
  }
  j->srv = s;
  j->o = s->opts;
  j->cfg = c->cfg;
  memcpy(j->names, c->names, sizeof(j->names));
  j->nnames = c->nnames;
  j->now = wall_now();
  c->job = j;
  c->worker = offload_start(s->ev, job_work, job_done, j);
  if (!c->worker) {
    c->job = NULL;
    free(j);
    log_err("certificate rotation: cannot start a thread (retrying in %" PRId64 " s)",
            retry_s(c));
    arm_at(c, s, wall_now() + retry_s(c));
    return;
  }
  if (c->timer)
    sd_event_source_set_enabled(c->timer, SD_EVENT_OFF); /* job_done re-arms */
}

void server_certs_reloaded(server *s) {
  struct srv_certs *c = certs_get(s);
  if (!c) {
    log_err("certificates: out of memory");
    return;
  }
  if (s->opts.cert_self) {
    start_job(s);
    return;
  }
  if (c->job)
    c->stale = true; /* its result is dropped */
  c->retry = false;
  if (c->open) {
    cert_store_close(&c->store);
    c->open = false;
  }
}

static int on_cert_timer(sd_event_source *es, uint64_t usec, void *ud) {
  (void)es;
  (void)usec;
  server *s = ud;
  struct srv_certs *c = s->certs;
  if (c->job)
    return 0; /* job_done re-arms */
  if (s->opts.cert_self) {
    /* after a failure (or a switch from file mode that failed) a job
     * again; else one when the schedule has something to do */
    bool due = c->retry || !c->open;
    if (!due) {
      cert_slot cur = slot_of(&c->store, CERT_CUR), next = slot_of(&c->store, CERT_NEXT);
      due = cert_schedule_step(&c->cfg, &cur, &next, wall_now()).action != CERT_ACT_NONE;
    }
    if (due) {
      start_job(s);
      return 0;
    }
  }
  server_certs_arm(s);
  return 0;
}

void server_certs_arm(server *s) {
  struct srv_certs *c = certs_get(s);
  if (!c || !s->ev)
    return;
  if (c->job)
    return; /* job_done re-arms */
  int64_t now = wall_now(), wake;
  if (s->opts.cert_self && (c->retry || !c->open)) {
    arm_at(c, s, now + retry_s(c)); /* a failed job is tried again */
    return;
  }
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
  arm_at(c, s, wake);
}

static void arm_at(struct srv_certs *c, server *s, int64_t wake) {
  int64_t now = wall_now();
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
  if (c->worker) {
    offload_destroy(c->worker); /* waits for the job: tens of ms at most */
    job_free(c->job);
  }
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
