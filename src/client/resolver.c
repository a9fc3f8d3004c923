#include "client/resolver.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct resolver {
  char host[256];
  char port[8];
  int pipefd[2];
  pthread_t thread;
  sd_event_source *io;
  resolver_cb cb;
  void *ud;
  bool cancelled;
  resolver_result res; /* written by the thread before it signals */
};

static void *resolve_thread(void *arg) {
  resolver *r = arg;
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM,
                           .ai_protocol = IPPROTO_UDP};
  struct addrinfo *ai = NULL;
  r->res.error = getaddrinfo(r->host, r->port, &hints, &ai);
  for (struct addrinfo *p = ai; p && r->res.n < RESOLVER_MAX_ADDRS; p = p->ai_next) {
    if (p->ai_addrlen > sizeof(r->res.addr[0]))
      continue;
    memcpy(&r->res.addr[r->res.n], p->ai_addr, p->ai_addrlen);
    r->res.len[r->res.n] = p->ai_addrlen;
    r->res.n++;
  }
  if (ai)
    freeaddrinfo(ai);
  char one = 1;
  while (write(r->pipefd[1], &one, 1) < 0 && (errno == EINTR))
    ;
  return NULL;
}

static void resolver_free(resolver *r, bool joined) {
  if (!joined)
    pthread_join(r->thread, NULL);
  sd_event_source_disable_unref(r->io);
  close(r->pipefd[0]);
  close(r->pipefd[1]);
  free(r);
}

static int on_done(sd_event_source *es, int fd, uint32_t revents, void *ud) {
  (void)es;
  (void)fd;
  (void)revents;
  resolver *r = ud;
  /* the thread wrote its last byte; joining it orders its writes to
   * r->res before the reads below (the pipe alone is not read, so it
   * orders nothing a race detector can see) */
  pthread_join(r->thread, NULL);
  if (!r->cancelled)
    r->cb(r->ud, &r->res);
  resolver_free(r, true);
  return 0;
}

resolver *resolver_start(sd_event *ev, const char *host, uint16_t port, resolver_cb cb, void *ud) {
  resolver *r = calloc(1, sizeof(*r));
  if (!r)
    return NULL;
  snprintf(r->host, sizeof(r->host), "%s", host);
  snprintf(r->port, sizeof(r->port), "%u", port);
  r->cb = cb;
  r->ud = ud;
  if (pipe2(r->pipefd, O_CLOEXEC) != 0) {
    free(r);
    return NULL;
  }
  if (sd_event_add_io(ev, &r->io, r->pipefd[0], EPOLLIN, on_done, r) < 0)
    goto fail;
  if (pthread_create(&r->thread, NULL, resolve_thread, r) != 0) {
    sd_event_source_disable_unref(r->io);
    goto fail;
  }
  return r;
fail:
  close(r->pipefd[0]);
  close(r->pipefd[1]);
  free(r);
  return NULL;
}

void resolver_cancel(resolver *r) {
  if (r)
    r->cancelled = true; /* on_done frees it when the thread is done */
}

void resolver_destroy(resolver *r) {
  if (r)
    resolver_free(r, false); /* joins: at most as long as the lookup itself */
}
