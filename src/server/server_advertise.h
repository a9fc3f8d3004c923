/* wtping-server's DNS-SD advertisement (discovery.advertise): the glue
 * between the server's settings and lifecycle and src/disc/disc_advertise.
 * Started once the sockets are bound (the port published is the one really
 * bound), updated on reload, withdrawn on drain and shutdown. */
#ifndef WTPING_SERVER_ADVERTISE_H
#define WTPING_SERVER_ADVERTISE_H

#include "server/server_internal.h"

/* server_advertise_apply starts, updates or stops the advertisement to
 * match s->opts (after setup and after every reload). Never fails the
 * server: problems are logged. */
void server_advertise_apply(server *s);

/* server_advertise_withdraw removes it from the network (drain, shutdown). */
void server_advertise_withdraw(server *s);

/* server_advertise_state: "off", or disc_advertise_state(). */
const char *server_advertise_state(const server *s);

/* server_advertise_name: the service name in use, "" before it is known. */
const char *server_advertise_name(const server *s);

/* server_advertise_free withdraws and frees it (teardown). */
void server_advertise_free(server *s);

#endif
