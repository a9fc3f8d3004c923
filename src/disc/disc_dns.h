/* Unicast DNS-SD lookup (RFC 2782 SRV + RFC 6763 TXT) of
 * _wtping._udp.<domain>, off the event loop: the queries run in a thread of
 * their own (libresolv's res_nquery, which blocks) and the result comes
 * back through an eventfd watched by sd-event, as resolver.c does for
 * getaddrinfo. The domain is the configured one or, when none is, each of
 * the resolver's search domains (resolv.conf "search") in turn until one
 * answers. The records come back in RFC 2782 order (priority, then a
 * weighted random choice), each with the first address of its target. */
#ifndef WTPING_DISC_DNS_H
#define WTPING_DISC_DNS_H

#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "disc/disc_dnsmsg.h"
#include "disc/disc_found.h"

typedef struct disc_dns_result {
  int error;                    /* 0: an answer (n may be 0: no records there);
                                   -1 with |why|: no answer (no server replied,
                                   SERVFAIL, a malformed reply), say nothing */
  char why[256];                /* also set for n == 0: what was asked */
  char domain[DISC_NAME_MAX];   /* the domain that answered */
  size_t n;
  disc_found found[DISC_SRV_MAX];
} disc_dns_result;

typedef void (*disc_dns_cb)(void *ud, const disc_dns_result *res);
typedef struct disc_dns disc_dns;

/* disc_dns_start looks up _wtping._udp.|domain| (NULL or "": the search
 * domains) and calls |cb| from the event loop |ev|. |seed| seeds the
 * weighted choice. Returns NULL when the thread cannot be started. */
disc_dns *disc_dns_start(sd_event *ev, const char *domain, uint64_t seed, disc_dns_cb cb,
                         void *ud);

/* disc_dns_cancel: |cb| will not be called; the lookup is freed from the
 * event loop when its thread ends. */
void disc_dns_cancel(disc_dns *d);

/* disc_dns_destroy waits for the thread and frees |d| without calling |cb|
 * (at exit, when the loop no longer runs). */
void disc_dns_destroy(disc_dns *d);

/* disc_dns_lookup_sync is the thread's work, callable directly (tests and
 * the one-shot listing run it in their own thread too). */
void disc_dns_lookup_sync(const char *domain, uint64_t seed, disc_dns_result *res);

#endif
