/* UDP sockets for QUIC: non-blocking, destination address of each received
 * datagram (IP_PKTINFO / IPV6_RECVPKTINFO) so that a wildcard listener
 * answers from the address it was reached on. */
#ifndef WTPING_UDP_H
#define WTPING_UDP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>

/* udp_bind opens a socket bound to |sa|. [::] is dual-stack. Returns the fd,
 * or -1 with a message in |err|. */
int udp_bind(const struct sockaddr *sa, socklen_t salen, char *err, size_t errlen);

/* udp_adopt prepares a socket handed over by systemd (socket activation):
 * non-blocking, pktinfo; |sa| gets its bound address. Returns 0 or -1. */
int udp_adopt(int fd, struct sockaddr_storage *sa, socklen_t *salen, char *err, size_t errlen);

/* udp_recv reads one datagram. |local| gets the address it was sent to (the
 * bound address with the destination IP from pktinfo). Returns its length,
 * or -1 (errno EAGAIN when there is nothing more to read). */
ssize_t udp_recv(int fd, const struct sockaddr_storage *bound, uint8_t *buf, size_t cap,
                 struct sockaddr_storage *remote, socklen_t *remotelen,
                 struct sockaddr_storage *local, socklen_t *locallen);

/* udp_send sends one datagram to |remote| from |local| (its IP is used as
 * the source address when the socket is bound to a wildcard). Returns 0 or
 * -1; EAGAIN drops the packet, which QUIC treats as a loss. */
int udp_send(int fd, const struct sockaddr *local, const struct sockaddr *remote,
             socklen_t remotelen, const uint8_t *data, size_t len, int wildcard);

/* Batches (recvmmsg / sendmmsg): at most UDP_BATCH datagrams per call. */
#define UDP_BATCH 32
#define UDP_CMSG_SPACE \
  (CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(struct in_pktinfo)))

typedef struct udp_msg {
  struct sockaddr_storage remote, local;
  socklen_t remotelen, locallen;
  uint8_t *data; /* the caller's buffer */
  size_t len;    /* received: its length (0: oversized, skip it); to send: its length */
} udp_msg;

/* A receive batch: its message headers are set up once (udp_rx_batch_init)
 * so that each recvmmsg only resets two lengths per slot. */
typedef struct udp_rx_batch {
  struct mmsghdr mm[UDP_BATCH];
  struct iovec iov[UDP_BATCH];
  union {
    char buf[UDP_CMSG_SPACE];
    struct cmsghdr align;
  } ctl[UDP_BATCH];
  udp_msg msg[UDP_BATCH];
} udp_rx_batch;

/* udp_rx_batch_init points slot i at |bufs| + i * |cap|. */
void udp_rx_batch_init(udp_rx_batch *b, uint8_t *bufs, size_t cap);

/* udp_recv_batch reads up to UDP_BATCH datagrams (one recvmmsg) into
 * b->msg[0..n), with their addresses as udp_recv gives them. Returns n, or
 * -1 (errno EAGAIN: none waiting). */
int udp_recv_batch(int fd, const struct sockaddr_storage *bound, udp_rx_batch *b);

/* udp_send_batch sends msgs[0..n) (sendmmsg; from msgs[i].local's address
 * when |wildcard|). Returns how many the kernel took, or -1 when none; the
 * others are dropped, which QUIC treats as losses. */
int udp_send_batch(int fd, const udp_msg *msgs, unsigned n, int wildcard);

/* udp_is_wildcard returns nonzero for 0.0.0.0 and ::. */
int udp_is_wildcard(const struct sockaddr *sa);

#endif
