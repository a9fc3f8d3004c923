/* wtping-server's certificates over time. In file mode: the configured
 * certificate's expiry is watched (a warning in the journal and in wtpctl
 * status when it is near). In self-rotating mode: the server keeps a local
 * CA and short-lived ECDSA P-256 leaves in its state directory
 * (cert/cert_store), follows cert/cert_schedule with a wall-clock timer,
 * and on each switch installs the new credentials for new connections the
 * way a reload does: sessions in progress keep theirs. During the run the
 * making and writing run in a worker thread (common/offload), never on the
 * event loop. */
#ifndef WTPING_SERVER_CERT_H
#define WTPING_SERVER_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cert/cert_make.h"
#include "cert/cert_schedule.h"
#include "server/server_opts.h"

typedef struct server server;

/* server_certs_prepare makes sure the certificate files |o| names exist
 * and are current, at start before the loop runs: in self-rotating mode it
 * opens the store, applies the schedule of |o| and performs what is due
 * now. Blocking (key generation, fsync): only for the start. Returns 0, or
 * -1 with |err|. */
int server_certs_prepare(server *s, const server_opts *o, char *err, size_t errlen);

/* server_certs_check checks the certificate settings of |o| a reload is
 * about to apply. Returns 0, or -1 with |err|. */
int server_certs_check(const server_opts *o, char *err, size_t errlen);

/* server_certs_reloaded follows the settings now in force after a reload.
 * Self-rotating: a worker thread opens the store in the directory, makes
 * what is due and loads the current certificate; the loop then installs it
 * for new connections (until then they get the one served so far). A
 * failure is logged and retried a minute later (a quarter of a shorter,
 * test-only period), the current certificate still served. File mode: the
 * store is closed. During the run the making and writing never happen on
 * the event loop; at most one job runs, a newer request starts once it is
 * done. */
void server_certs_reloaded(server *s);

/* server_certs_arm (re)arms the timer for the next rotation or expiry
 * check, after the settings in force changed. When a rotation is due the
 * timer hands it to a worker thread, as server_certs_reloaded does. */
void server_certs_arm(server *s);

/* server_certs_free waits for a job in flight (at exit) and frees. */
void server_certs_free(server *s);

/* What wtpctl cert and status show. */
typedef struct server_cert_view {
  bool self_rotating;
  bool has[2];          /* current, next */
  cert_info info[2];
  cert_expiry expiry;   /* of the current one */
  int64_t next_switch;  /* self-rotating: when the next one takes over */
  int64_t rotation_s;   /* self-rotating: the period */
  char ca_file[1100];   /* self-rotating: the CA for native clients */
} server_cert_view;

/* server_certs_view describes the certificates at |now| (UNIX seconds). */
void server_certs_view(const server *s, int64_t now, server_cert_view *out);

/* server_cert_default_names fills |out| with the names for self-made
 * certificates when certificate_names is not set: the host name,
 * localhost, 127.0.0.1, ::1 and the non-wildcard listen addresses.
 * Returns how many (at most |max|). */
size_t server_cert_default_names(const server_opts *o, char out[][SERVER_CERT_NAME_MAX + 1],
                                 size_t max);

#endif
