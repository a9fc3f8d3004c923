#include "server/udp.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/addr.h"

#define UDP_RCVBUF (4 * 1024 * 1024)

int udp_is_wildcard(const struct sockaddr *sa) {
  if (sa->sa_family == AF_INET)
    return ((const struct sockaddr_in *)sa)->sin_addr.s_addr == htonl(INADDR_ANY);
  if (sa->sa_family == AF_INET6)
    return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)sa)->sin6_addr);
  return 0;
}

/* set_options asks for the destination address of every datagram and for
 * path MTU discovery by QUIC itself (DF set, no fragmentation). */
static int set_options(int fd, const struct sockaddr *sa, bool before_bind) {
  int on = 1;
  if (sa->sa_family == AF_INET6) {
    if (before_bind) {
      /* [::] serves IPv4 too (dual-stack); [::1] and others are IPv6 only. */
      int v6only = udp_is_wildcard(sa) ? 0 : 1;
      if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) != 0)
        return -1;
    }
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on)) != 0)
      return -1;
  }
  if (sa->sa_family == AF_INET || udp_is_wildcard(sa)) {
    /* harmless on IPv6-only sockets; needed for IPv4 on dual-stack ones */
    if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) != 0 && sa->sa_family == AF_INET)
      return -1;
  }
  /* One socket carries every connection: the default receive buffer
   * (rmem_default, ~208 KiB) overflows under a burst of a thousand small
   * packets and QUIC then waits for loss recovery. Ask for 4 MiB (beyond
   * rmem_max when privileged, else up to rmem_max). */
  int rcvbuf = UDP_RCVBUF;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) != 0)
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
  int pmtu = IP_PMTUDISC_DO;
  (void)setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu));
  if (sa->sa_family == AF_INET6) {
    int pmtu6 = IPV6_PMTUDISC_DO;
    (void)setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &pmtu6, sizeof(pmtu6));
  }
  return 0;
}

int udp_adopt(int fd, struct sockaddr_storage *sa, socklen_t *salen, char *err, size_t errlen) {
  *salen = sizeof(*sa);
  if (getsockname(fd, (struct sockaddr *)sa, salen) != 0) {
    snprintf(err, errlen, "socket %d: getsockname: %s", fd, strerror(errno));
    return -1;
  }
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0 ||
      set_options(fd, (struct sockaddr *)sa, false) != 0) {
    char name[ADDR_STRLEN];
    snprintf(err, errlen, "%s: setsockopt: %s",
             addr_format((struct sockaddr *)sa, name, sizeof(name)), strerror(errno));
    return -1;
  }
  return 0;
}

int udp_bind(const struct sockaddr *sa, socklen_t salen, char *err, size_t errlen) {
  char name[ADDR_STRLEN];
  addr_format(sa, name, sizeof(name));
  int fd = socket(sa->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
  if (fd < 0) {
    snprintf(err, errlen, "%s: socket: %s", name, strerror(errno));
    return -1;
  }
  if (set_options(fd, sa, true) != 0)
    goto fail;
  if (bind(fd, sa, salen) != 0) {
    snprintf(err, errlen, "%s: bind: %s", name, strerror(errno));
    close(fd);
    return -1;
  }
  return fd;
fail:
  snprintf(err, errlen, "%s: setsockopt: %s", name, strerror(errno));
  close(fd);
  return -1;
}

/* local_from_cmsgs fills |local| with the bound address and the destination
 * IP that IP_PKTINFO / IPV6_PKTINFO reported for the datagram of |msg|. */
static void local_from_cmsgs(struct msghdr *msg, const struct sockaddr_storage *bound,
                             struct sockaddr_storage *local, socklen_t *locallen) {
  memcpy(local, bound, sizeof(*local));
  *locallen = bound->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                             : sizeof(struct sockaddr_in);
  for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
    if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
        bound->ss_family == AF_INET6) {
      struct in6_pktinfo pi;
      memcpy(&pi, CMSG_DATA(c), sizeof(pi));
      ((struct sockaddr_in6 *)local)->sin6_addr = pi.ipi6_addr;
    } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      struct in_pktinfo pi;
      memcpy(&pi, CMSG_DATA(c), sizeof(pi));
      if (bound->ss_family == AF_INET) {
        ((struct sockaddr_in *)local)->sin_addr = pi.ipi_addr;
      } else {
        /* IPv4 on a dual-stack socket: an IPv4-mapped IPv6 address */
        struct in6_addr *a = &((struct sockaddr_in6 *)local)->sin6_addr;
        memset(a, 0, sizeof(*a));
        a->s6_addr[10] = 0xff;
        a->s6_addr[11] = 0xff;
        memcpy(&a->s6_addr[12], &pi.ipi_addr, 4);
      }
    }
  }
}

ssize_t udp_recv(int fd, const struct sockaddr_storage *bound, uint8_t *buf, size_t cap,
                 struct sockaddr_storage *remote, socklen_t *remotelen,
                 struct sockaddr_storage *local, socklen_t *locallen) {
  struct iovec iov = {.iov_base = buf, .iov_len = cap};
  union {
    char buf[UDP_CMSG_SPACE];
    struct cmsghdr align;
  } ctl;
  struct msghdr msg = {
      .msg_name = remote,
      .msg_namelen = sizeof(*remote),
      .msg_iov = &iov,
      .msg_iovlen = 1,
      .msg_control = ctl.buf,
      .msg_controllen = sizeof(ctl.buf),
  };
  ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);
  if (n < 0)
    return -1;
  if (msg.msg_flags & MSG_TRUNC) {
    errno = EMSGSIZE;
    return -2; /* oversized: skip it */
  }
  *remotelen = msg.msg_namelen;
  local_from_cmsgs(&msg, bound, local, locallen);
  return n;
}

void udp_rx_batch_init(udp_rx_batch *b, uint8_t *bufs, size_t cap) {
  memset(b, 0, sizeof(*b));
  for (unsigned i = 0; i < UDP_BATCH; i++) {
    b->msg[i].data = bufs + (size_t)i * cap;
    b->iov[i].iov_base = b->msg[i].data;
    b->iov[i].iov_len = cap;
    b->mm[i].msg_hdr.msg_name = &b->msg[i].remote;
    b->mm[i].msg_hdr.msg_iov = &b->iov[i];
    b->mm[i].msg_hdr.msg_iovlen = 1;
    b->mm[i].msg_hdr.msg_control = b->ctl[i].buf;
  }
}

int udp_recv_batch(int fd, const struct sockaddr_storage *bound, udp_rx_batch *b) {
  for (unsigned i = 0; i < UDP_BATCH; i++) {
    b->mm[i].msg_hdr.msg_namelen = sizeof(b->msg[i].remote);
    b->mm[i].msg_hdr.msg_controllen = sizeof(b->ctl[i].buf);
  }
  int r;
  do
    r = recvmmsg(fd, b->mm, UDP_BATCH, MSG_DONTWAIT, NULL);
  while (r < 0 && errno == EINTR);
  for (int i = 0; i < r; i++) {
    udp_msg *m = &b->msg[i];
    struct msghdr *h = &b->mm[i].msg_hdr;
    m->remotelen = h->msg_namelen;
    m->len = h->msg_flags & MSG_TRUNC ? 0 : b->mm[i].msg_len; /* oversized: skip */
    local_from_cmsgs(h, bound, &m->local, &m->locallen);
  }
  return r;
}

/* source_cmsg writes the IP_PKTINFO / IPV6_PKTINFO that sends from
 * |local|'s address into |buf| and returns its length. */
static size_t source_cmsg(char *buf, const struct sockaddr *local) {
  struct cmsghdr *c = (struct cmsghdr *)buf;
  if (local->sa_family == AF_INET6) {
    const struct in6_addr *a = &((const struct sockaddr_in6 *)local)->sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(a)) {
      struct in_pktinfo pi = {0};
      memcpy(&pi.ipi_spec_dst, &a->s6_addr[12], 4);
      c->cmsg_level = IPPROTO_IP;
      c->cmsg_type = IP_PKTINFO;
      c->cmsg_len = CMSG_LEN(sizeof(pi));
      memcpy(CMSG_DATA(c), &pi, sizeof(pi));
      return CMSG_SPACE(sizeof(pi));
    }
    struct in6_pktinfo pi = {0};
    pi.ipi6_addr = *a;
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(pi));
    memcpy(CMSG_DATA(c), &pi, sizeof(pi));
    return CMSG_SPACE(sizeof(pi));
  }
  struct in_pktinfo pi = {0};
  pi.ipi_spec_dst = ((const struct sockaddr_in *)local)->sin_addr;
  c->cmsg_level = IPPROTO_IP;
  c->cmsg_type = IP_PKTINFO;
  c->cmsg_len = CMSG_LEN(sizeof(pi));
  memcpy(CMSG_DATA(c), &pi, sizeof(pi));
  return CMSG_SPACE(sizeof(pi));
}

int udp_send(int fd, const struct sockaddr *local, const struct sockaddr *remote,
             socklen_t remotelen, const uint8_t *data, size_t len, int wildcard) {
  struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
  union {
    char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
    struct cmsghdr align;
  } ctl;
  memset(&ctl, 0, sizeof(ctl));
  struct msghdr msg = {
      .msg_name = (void *)remote,
      .msg_namelen = remotelen,
      .msg_iov = &iov,
      .msg_iovlen = 1,
  };
  if (wildcard && local) {
    msg.msg_controllen = source_cmsg(ctl.buf, local);
    msg.msg_control = ctl.buf;
  }
  for (;;) {
    ssize_t n = sendmsg(fd, &msg, MSG_DONTWAIT);
    if (n >= 0)
      return 0;
    if (errno != EINTR)
      return -1;
  }
}

int udp_send_batch(int fd, const udp_msg *msgs, unsigned n, int wildcard) {
  struct mmsghdr mm[UDP_BATCH];
  struct iovec iov[UDP_BATCH];
  union {
    char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
    struct cmsghdr align;
  } ctl[UDP_BATCH];
  if (n > UDP_BATCH)
    n = UDP_BATCH;
  for (unsigned i = 0; i < n; i++) {
    iov[i].iov_base = msgs[i].data;
    iov[i].iov_len = msgs[i].len;
    mm[i].msg_hdr = (struct msghdr){
        .msg_name = (void *)&msgs[i].remote,
        .msg_namelen = msgs[i].remotelen,
        .msg_iov = &iov[i],
        .msg_iovlen = 1,
    };
    mm[i].msg_len = 0;
    if (wildcard) {
      memset(&ctl[i], 0, sizeof(ctl[i]));
      mm[i].msg_hdr.msg_control = ctl[i].buf;
      mm[i].msg_hdr.msg_controllen = source_cmsg(ctl[i].buf, (const struct sockaddr *)&msgs[i].local);
    }
  }
  unsigned done = 0;
  while (done < n) {
    int r = sendmmsg(fd, mm + done, n - done, MSG_DONTWAIT);
    if (r < 0) {
      if (errno == EINTR)
        continue;
      if (done == 0)
        return -1;
      break;
    }
    done += (unsigned)r;
  }
  return (int)done;
}
