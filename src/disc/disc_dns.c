#include "disc/disc_dns.h"

#include <arpa/nameser.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <resolv.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/addr.h"

struct disc_dns {
  char domain[DISC_NAME_MAX];
  uint64_t seed;
  int efd;
  pthread_t thread;
  sd_event_source *io;
  disc_dns_cb cb;
  void *ud;
  bool cancelled;
  disc_dns_result res; /* written by the thread before it signals */
};

#define ANSWER_MAX 65535

/* first_address writes the first address of |host| into |out| ("" when it
 * has none). */
static void first_address(const char *host, char *out, size_t cap) {
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM};
  struct addrinfo *ai = NULL;
  out[0] = '\0';
  if (getaddrinfo(host, NULL, &hints, &ai) != 0 || !ai)
    return;
  addr_format_host(ai->ai_addr, out, cap);
  freeaddrinfo(ai);
}

/* lookup_domain queries SRV and TXT of _wtping._udp.|domain|. Returns the
 * number of targets found (0: none there), or -1 with res->why. */
static int lookup_domain(res_state st, const char *domain, uint64_t *seed, uint8_t *buf,
                         disc_dns_result *res) {
  char qname[DISC_NAME_MAX];
  disc_srv_rr rr[DISC_SRV_MAX];
  disc_txt txt;
  const char *why = NULL;
  size_t dl = strlen(domain);
  while (dl > 0 && domain[dl - 1] == '.')
    dl--;
  if (snprintf(qname, sizeof(qname), "%s.%.*s", DISC_SERVICE_TYPE, (int)dl, domain) >=
      (int)sizeof(qname)) {
    snprintf(res->why, sizeof(res->why), "domain name too long");
    return -1;
  }
  int len = res_nquery(st, qname, ns_c_in, ns_t_srv, buf, ANSWER_MAX);
  if (len < 0) {
    snprintf(res->why, sizeof(res->why), "%.200s SRV: %s", qname, hstrerror(h_errno));
    /* "no such name" and "no such records" are answers; anything else
     * (no server answered, SERVFAIL) says nothing about the records */
    return h_errno == HOST_NOT_FOUND || h_errno == NO_DATA ? 0 : -1;
  }
  int n = disc_dnsmsg_srv(buf, (size_t)len, rr, DISC_SRV_MAX, &why);
  if (n < 0) {
    snprintf(res->why, sizeof(res->why), "%.200s SRV: %s", qname, why);
    return -1;
  }
  if (n == 0 || disc_srv_unavailable(rr, (size_t)n)) {
    snprintf(res->why, sizeof(res->why), "%.200s: %s", qname,
             n ? "the service is not available there (SRV target \".\")" : "no SRV records");
    return 0;
  }
  disc_srv_order(rr, (size_t)n, disc_rand_xorshift, seed);
  /* the TXT record is optional: without it the path is the default */
  disc_txt_parse(NULL, 0, &txt, &why);
  len = res_nquery(st, qname, ns_c_in, ns_t_txt, buf, ANSWER_MAX);
  if (len >= 0 && disc_dnsmsg_txt(buf, (size_t)len, &txt, &why) < 0) {
    snprintf(res->why, sizeof(res->why), "%.200s TXT: %s", qname, why);
    return -1;
  }
  res->n = 0;
  for (int i = 0; i < n; i++) {
    if (rr[i].target[0] == '\0' || rr[i].port == 0)
      continue;
    disc_found *f = &res->found[res->n++];
    memset(f, 0, sizeof(*f));
    f->source = DISC_SRC_DNS;
    snprintf(f->name, sizeof(f->name), "%s", qname);
    snprintf(f->host, sizeof(f->host), "%s", rr[i].target);
    first_address(f->host, f->addr, sizeof(f->addr));
    f->port = rr[i].port;
    snprintf(f->path, sizeof(f->path), "%s", txt.path);
    if (txt.have_pin)
      snprintf(f->pin, sizeof(f->pin), "%s", txt.pin);
    f->priority = rr[i].priority;
    f->weight = rr[i].weight;
  }
  snprintf(res->domain, sizeof(res->domain), "%.*s", (int)dl, domain);
  return (int)res->n;
}

void disc_dns_lookup_sync(const char *domain, uint64_t seed, disc_dns_result *res) {
  struct __res_state st;
  uint8_t *buf = malloc(ANSWER_MAX);
  memset(res, 0, sizeof(*res));
  memset(&st, 0, sizeof(st));
  if (!buf) {
    res->error = -1;
    snprintf(res->why, sizeof(res->why), "out of memory");
    return;
  }
  if (res_ninit(&st) != 0) {
    res->error = -1;
    snprintf(res->why, sizeof(res->why), "cannot read the resolver configuration");
    free(buf);
    return;
  }
  if (!seed)
    seed = 1;
  if (domain && domain[0]) {
    if (lookup_domain(&st, domain, &seed, buf, res) < 0)
      res->error = -1;
  } else {
    bool any = false, failed = false;
    char why[sizeof(res->why)] = "";
    for (int i = 0; i < MAXDNSRCH && st.dnsrch[i]; i++) {
      any = true;
      int n = lookup_domain(&st, st.dnsrch[i], &seed, buf, res);
      if (n > 0)
        break;
      if (n < 0 && !failed) { /* remember the first failure; try the others */
        failed = true;
        memcpy(why, res->why, sizeof(why));
      }
    }
    if (res->n == 0 && failed) {
      res->error = -1;
      memcpy(res->why, why, sizeof(why));
    }
    if (!any)
      snprintf(res->why, sizeof(res->why),
               "no domain configured and no search domain in the resolver configuration");
  }
  res_nclose(&st);
  free(buf);
}

static void *lookup_thread(void *arg) {
  disc_dns *d = arg;
  disc_dns_lookup_sync(d->domain, d->seed, &d->res);
  uint64_t one = 1;
  while (write(d->efd, &one, sizeof(one)) < 0 && errno == EINTR)
    ;
  return NULL;
}

static void dns_free(disc_dns *d) {
  pthread_join(d->thread, NULL);
  sd_event_source_disable_unref(d->io);
  close(d->efd);
  free(d);
}

static int on_done(sd_event_source *es, int fd, uint32_t revents, void *ud) {
  (void)es;
  (void)fd;
  (void)revents;
  disc_dns *d = ud;
  if (!d->cancelled)
    d->cb(d->ud, &d->res);
  dns_free(d);
  return 0;
}

disc_dns *disc_dns_start(sd_event *ev, const char *domain, uint64_t seed, disc_dns_cb cb,
                         void *ud) {
  disc_dns *d = calloc(1, sizeof(*d));
  if (!d)
    return NULL;
  snprintf(d->domain, sizeof(d->domain), "%s", domain ? domain : "");
  d->seed = seed;
  d->cb = cb;
  d->ud = ud;
  d->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (d->efd < 0) {
    free(d);
    return NULL;
  }
  if (sd_event_add_io(ev, &d->io, d->efd, EPOLLIN, on_done, d) < 0)
    goto fail;
  if (pthread_create(&d->thread, NULL, lookup_thread, d) != 0) {
    sd_event_source_disable_unref(d->io);
    goto fail;
  }
  return d;
fail:
  close(d->efd);
  free(d);
  return NULL;
}

void disc_dns_cancel(disc_dns *d) {
  if (d)
    d->cancelled = true;
}

void disc_dns_destroy(disc_dns *d) {
  if (d)
    dns_free(d);
}
