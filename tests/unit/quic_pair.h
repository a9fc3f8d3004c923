/* A client and a server quic_conn joined in memory: packets go from one
 * send_packet callback straight into the other's queue, time is a fake
 * clock. No socket, no real clock: the layers above QUIC (h3_conn, wt_conn)
 * can be driven end to end in a unit test. The server's certificate is a
 * fresh self-signed P-256 one; the client does not verify it. */
#ifndef WTPING_TESTS_QUIC_PAIR_H
#define WTPING_TESTS_QUIC_PAIR_H

#include <stdbool.h>
#include <stdint.h>

#include "quic/quic_conn.h"

typedef struct quic_pair quic_pair;

/* on_server attaches the server's upper layer to |qc| before it reads its
 * first packet; tick runs once per round (after the deliveries, with the
 * clock already advanced): use it for the upper layers' timers. */
typedef struct quic_pair_ops {
  void (*on_server)(quic_pair *p, quic_conn *qc, void *ud);
  void (*tick)(quic_pair *p, uint64_t now, void *ud);
} quic_pair_ops;

/* quic_pair_new starts a client connection (not written yet: attach its
 * upper layer to quic_pair_client(), then run). NULL on failure. */
quic_pair *quic_pair_new(const quic_pair_ops *ops, void *ud);
void quic_pair_free(quic_pair *p);

quic_conn *quic_pair_client(quic_pair *p);
quic_conn *quic_pair_server(quic_pair *p); /* NULL before the first Initial */
uint64_t quic_pair_now(const quic_pair *p);

/* quic_pair_run delivers packets both ways for |rounds| rounds of 1 ms
 * (fake time), firing QUIC timers that are due. */
void quic_pair_run(quic_pair *p, int rounds);

#endif
