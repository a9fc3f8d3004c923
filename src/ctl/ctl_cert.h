/* wtpctl's certificate commands, as pure functions over control-socket
 * replies (docs/control.md): "cert" rendered as text, and the file:// link
 * of "page" built from the "status" and "cert" replies. */
#ifndef WTPING_CTL_CERT_H
#define WTPING_CTL_CERT_H

#include <stddef.h>
#include <stdio.h>

#include "ctl/ctl_json.h"

/* ctl_render_cert prints a "cert" reply: the mode, the current and next
 * certificates (SHA-256 in hex and base64, validity), the next switch, the
 * CA for native clients and the daemon's ready serverCertificateHashes
 * line. Returns 0, or -1 with |err| when |reply| has no current
 * certificate. */
int ctl_render_cert(FILE *out, json_object *reply, char *err, size_t errlen);

/* ctl_page_link writes into |buf| the link to the ping page
 * |www|/index.html with the fragment "url=...&hash=HEX[&hash=HEX]": the
 * server URL https://HOST:PORT/PATH from the "status" reply's first listen
 * address and path (HOST is |host| when not NULL or empty, else the listen
 * address, or |hostname| when that is a wildcard), the hashes of the current
 * and next certificates from the "cert" reply. Returns 0, or -1 with |err|
 * (no listen address, no certificate, or |len| too small). */
int ctl_page_link(char *buf, size_t len, const char *www, json_object *status,
                  json_object *cert, const char *host, const char *hostname, char *err,
                  size_t errlen);

#endif
