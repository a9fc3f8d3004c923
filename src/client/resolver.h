/* Name resolution off the event loop: getaddrinfo() runs in a thread of its
 * own and the result comes back through a pipe watched by sd-event, so a
 * slow DNS server never stalls pinging or the control socket. */
#ifndef WTPING_RESOLVER_H
#define WTPING_RESOLVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <systemd/sd-event.h>

#define RESOLVER_MAX_ADDRS 16

typedef struct resolver_result {
  int error; /* 0, or a getaddrinfo EAI_* code */
  size_t n;
  struct sockaddr_storage addr[RESOLVER_MAX_ADDRS];
  socklen_t len[RESOLVER_MAX_ADDRS];
} resolver_result;

typedef void (*resolver_cb)(void *ud, const resolver_result *res);

typedef struct resolver resolver;

/* resolver_start resolves |host| (UDP, |port|) and calls |cb| from the
 * event loop. Returns NULL if the thread cannot be started. */
resolver *resolver_start(sd_event *ev, const char *host, uint16_t port, resolver_cb cb, void *ud);

/* resolver_cancel: |cb| will not be called; the request is freed from the
 * event loop when its thread finishes. */
void resolver_cancel(resolver *r);

/* resolver_destroy waits for the thread and frees |r| without calling
 * |cb| (at exit, when the event loop no longer runs). */
void resolver_destroy(resolver *r);

#endif
