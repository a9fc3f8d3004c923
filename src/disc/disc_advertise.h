/* The server's DNS-SD advertisement: a _wtping._udp service in an Avahi
 * entry group (libavahi-client), with the port the server really bound and
 * TXT txtvers=1, path=... (and pin=... when asked). It runs on the
 * server's sd-event loop; it comes back by itself after avahi-daemon
 * restarts (AVAHI_CLIENT_NO_FAIL), picks an alternative name on a name
 * collision, and is withdrawn on request (drain, shutdown). Avahi being
 * absent is a notice in the log, never an error of the server. */
#ifndef WTPING_DISC_ADVERTISE_H
#define WTPING_DISC_ADVERTISE_H

#include <stdint.h>

#include <systemd/sd-event.h>

typedef struct disc_advertise disc_advertise;

typedef struct disc_advertise_config {
  const char *name; /* service instance name; NULL or "": "wtping on HOSTNAME" */
  uint16_t port;
  const char *path; /* "/wtping" */
  const char *pin;  /* "sha256:BASE64" or NULL: not published */
} disc_advertise_config;

/* disc_advertise_start starts publishing |cfg| from the loop |ev|. Returns
 * NULL only when out of memory or |cfg| cannot be encoded. */
disc_advertise *disc_advertise_start(sd_event *ev, const disc_advertise_config *cfg);

/* disc_advertise_update publishes |cfg| instead (a reload); unchanged
 * settings leave the record alone. Returns 0, or -1 when |cfg| cannot be
 * encoded (the old one stays). */
int disc_advertise_update(disc_advertise *a, const disc_advertise_config *cfg);

/* disc_advertise_withdraw removes the record from the network now (the
 * server drains): it is not published again until disc_advertise_free. */
void disc_advertise_withdraw(disc_advertise *a);

/* disc_advertise_state: "waiting for avahi-daemon", "registering",
 * "established", "withdrawn" or "unavailable". */
const char *disc_advertise_state(const disc_advertise *a);

/* disc_advertise_name: the name in use (after any collision). */
const char *disc_advertise_name(const disc_advertise *a);

/* disc_advertise_free withdraws the record and frees |a|. */
void disc_advertise_free(disc_advertise *a);

#endif
