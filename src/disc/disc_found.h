/* One server found by discovery (or configured), as the discovery sources
 * hand it to the client: where it is, how it was found. */
#ifndef WTPING_DISC_FOUND_H
#define WTPING_DISC_FOUND_H

#include <stddef.h>
#include <stdint.h>

#include "disc/disc_srv.h"
#include "disc/disc_txt.h"

#define DISC_SERVICE_TYPE "_wtping._udp"
#define DISC_ADDR_MAX 64 /* a numeric address with an optional %scope */

typedef enum disc_source {
  DISC_SRC_CONFIG = 0, /* a configured URL */
  DISC_SRC_DNS = 1,    /* unicast DNS: SRV + TXT of _wtping._udp.<domain> */
  DISC_SRC_MDNS = 2,   /* multicast DNS through Avahi, on the local link */
} disc_source;
#define DISC_NSOURCES 3

typedef struct disc_found {
  disc_source source;
  char name[DISC_NAME_MAX];  /* mDNS: the service instance name; DNS: the SRV owner;
                                configured: the URL */
  char host[DISC_NAME_MAX];  /* the host name to connect to and to verify in TLS */
  char addr[DISC_ADDR_MAX];  /* a numeric address of |host|, "" when not resolved */
  uint16_t port;
  char path[DISC_TXT_PATH_MAX];
  char pin[DISC_TXT_PIN_MAX]; /* from TXT "pin=" (not trusted by default), or "" */
  uint16_t priority, weight;  /* DNS SRV only */
  int ifindex;                /* mDNS: the interface it was seen on, else 0 */
} disc_found;

/* disc_source_name: "configured", "dns-srv" or "mdns". */
const char *disc_source_name(disc_source s);

/* disc_found_line formats |f| for a listing (as avahi-browse -p does, with
 * ';' between fields: source;name;host;address;port;path) into |buf|. */
void disc_found_line(const disc_found *f, char *buf, size_t cap);

#endif
