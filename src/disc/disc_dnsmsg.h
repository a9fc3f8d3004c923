/* The answers of a unicast DNS-SD lookup (RFC 6763 + RFC 2782): SRV and
 * TXT records read out of a DNS response message with libresolv's
 * ns_initparse()/ns_parserr(). Pure: bytes in, records out; a message from
 * the network that is truncated or malformed is an error, not a crash. */
#ifndef WTPING_DISC_DNSMSG_H
#define WTPING_DISC_DNSMSG_H

#include <stddef.h>
#include <stdint.h>

#include "disc/disc_srv.h"
#include "disc/disc_txt.h"

#define DISC_SRV_MAX 32 /* SRV records kept from one answer */

/* disc_dnsmsg_srv reads the SRV records of the answer section of |msg|
 * (|len| bytes) into |out| (at most |cap|; further ones are ignored), in
 * the order of the message, with "." as the empty target. Returns the
 * number read, or -1 with a static reason in |*why| (a message that does
 * not parse, an SRV RDATA shorter than 7 bytes or whose target name does
 * not end where the RDATA ends). */
int disc_dnsmsg_srv(const uint8_t *msg, size_t len, disc_srv_rr *out, size_t cap,
                    const char **why);

/* disc_dnsmsg_txt parses the first TXT record of the answer section of
 * |msg| with disc_txt_parse into |out|. Returns 1 when there was one, 0
 * when there was none (|out| then has the defaults), -1 with |*why|. */
int disc_dnsmsg_txt(const uint8_t *msg, size_t len, disc_txt *out, const char **why);

#endif
