/* udp_echo: the floor under every latency figure of `make bench`. A plain
 * UDP echo pair in C, no QUIC, no crypto: what one request/response costs
 * the kernel and the scheduler on this machine.
 *
 *   udp_echo server [-p PORT]             echo every datagram back
 *   udp_echo client -p PORT [-n N] [-s SIZE] [--busy] [--json]
 *                                        N sequential pings, then the
 *                                        RTT p50/p99/p99.9 in microseconds
 *
 * The server prints its port on stdout and flushes it (port 0 picks one).
 * --busy makes both sides spin on MSG_DONTWAIT instead of sleeping in
 * recv: the machine's limit without wake-ups. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench_hist.h"

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int usage(void) {
  fprintf(stderr, "usage: udp_echo server [-p PORT] [--busy]\n"
                  "       udp_echo client -p PORT [-n COUNT] [-s SIZE] [--busy] [--json]\n");
  return 2;
}

static int run_server(unsigned port, bool busy) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                           .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
    perror("udp_echo: bind");
    return 1;
  }
  socklen_t len = sizeof(sa);
  getsockname(fd, (struct sockaddr *)&sa, &len);
  printf("%u\n", ntohs(sa.sin_port));
  fflush(stdout);
  uint8_t buf[65536];
  for (;;) {
    struct sockaddr_storage peer;
    socklen_t plen = sizeof(peer);
    ssize_t n = recvfrom(fd, buf, sizeof(buf), busy ? MSG_DONTWAIT : 0,
                         (struct sockaddr *)&peer, &plen);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR)
        continue;
      perror("udp_echo: recvfrom");
      return 1;
    }
    if (n == 4 && memcmp(buf, "quit", 4) == 0)
      return 0;
    (void)sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&peer, plen);
  }
}

static int run_client(unsigned port, unsigned long count, size_t size, bool busy, bool json) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                           .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
    perror("udp_echo: connect");
    return 1;
  }
  struct timeval tv = {.tv_sec = 1};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  static bench_hist h;
  bench_hist_init(&h);
  uint8_t msg[65536], in[65536];
  if (size < 8)
    size = 8;
  if (size > sizeof(msg))
    size = sizeof(msg);
  memset(msg, 'x', size);
  unsigned long lost = 0;
  for (unsigned long i = 0; i < count + 100; i++) { /* 100 warm-up rounds */
    memcpy(msg, &i, sizeof(i));
    uint64_t t0 = now_ns();
    if (send(fd, msg, size, 0) < 0) {
      perror("udp_echo: send");
      return 1;
    }
    for (;;) {
      ssize_t n = recv(fd, in, sizeof(in), busy ? MSG_DONTWAIT : 0);
      if (n < 0 && busy && errno == EAGAIN) {
        if (now_ns() - t0 > 1000000000u) {
          lost++;
          break;
        }
        continue;
      }
      if (n < 0) {
        lost++;
        break;
      }
      if ((size_t)n >= sizeof(i) && memcmp(in, &i, sizeof(i)) == 0) {
        if (i >= 100)
          bench_hist_add(&h, now_ns() - t0);
        break;
      }
    }
  }
  (void)send(fd, "quit", 4, 0);
  double p50 = bench_hist_quantile(&h, 0.50) / 1e3, p99 = bench_hist_quantile(&h, 0.99) / 1e3,
         p999 = bench_hist_quantile(&h, 0.999) / 1e3;
  if (json)
    printf("{\"count\":%" PRIu64 ",\"lost\":%lu,\"p50_us\":%.2f,\"p99_us\":%.2f,"
           "\"p999_us\":%.2f,\"mean_us\":%.2f}\n",
           h.n, lost, p50, p99, p999, h.n ? h.sum / (double)h.n / 1e3 : 0.0);
  else
    printf("udp floor: %" PRIu64 " pings, %lu lost, RTT p50 %.2f us, p99 %.2f us, "
           "p99.9 %.2f us\n",
           h.n, lost, p50, p99, p999);
  return lost == count ? 1 : 0;
}

int main(int argc, char **argv) {
  if (argc < 2)
    return usage();
  bool server = strcmp(argv[1], "server") == 0;
  if (!server && strcmp(argv[1], "client") != 0)
    return usage();
  static const struct option longopts[] = {
      {"port", required_argument, NULL, 'p'},  {"count", required_argument, NULL, 'n'},
      {"size", required_argument, NULL, 's'},  {"busy", no_argument, NULL, 'b'},
      {"json", no_argument, NULL, 'j'},        {NULL, 0, NULL, 0},
  };
  unsigned long port = 0, count = 10000, size = 32;
  bool busy = false, json = false;
  int ch;
  optind = 2;
  while ((ch = getopt_long(argc, argv, "p:n:s:", longopts, NULL)) != -1) {
    char *end;
    switch (ch) {
    case 'p':
      port = strtoul(optarg, &end, 10);
      if (*end || port > 65535)
        return usage();
      break;
    case 'n':
      count = strtoul(optarg, &end, 10);
      if (*end || count == 0)
        return usage();
      break;
    case 's':
      size = strtoul(optarg, &end, 10);
      if (*end)
        return usage();
      break;
    case 'b':
      busy = true;
      break;
    case 'j':
      json = true;
      break;
    default:
      return usage();
    }
  }
  if (server)
    return run_server((unsigned)port, busy);
  if (port == 0)
    return usage();
  return run_client((unsigned)port, count, size, busy, json);
}
