/* wtping-server command-line options. */
#ifndef WTPING_SERVER_OPTS_H
#define WTPING_SERVER_OPTS_H

#include <stdbool.h>

#include "h3/h3_access.h"
#include <sys/socket.h>

#define SERVER_MAX_LISTEN 16
#define SERVER_DEFAULT_PORT 4433
#define SERVER_DEFAULT_PATH "/wtping"

typedef struct server_listen {
  struct sockaddr_storage addr;
  socklen_t addrlen;
} server_listen;

#define SERVER_DEFAULT_CONFIG SYSCONFDIR "/wtping/server.conf"
#define SERVER_DEFAULT_CONTROL RUNSTATEDIR "/wtping/server.sock"
#define SERVER_DEFAULT_RESET_SECRET LOCALSTATEDIR "/lib/wtping/reset-secret"
#define SERVER_PATH_MAX 1024
#define SERVER_DEFAULT_CERT_DIR LOCALSTATEDIR "/lib/wtping/certs"
#define SERVER_MAX_CERT_NAMES 16 /* = CERT_MAX_NAMES */
#define SERVER_CERT_NAME_MAX 254

/* certificate_mode */
enum { SERVER_CERT_FILE = 0, SERVER_CERT_SELF_ROTATING = 1 };

#define SERVER_MAX_CLIENT_IDS 64

/* Address validation with Retry (RFC 9000 section 8.1.2). */
enum { SERVER_RETRY_NEVER = 0, SERVER_RETRY_AUTO = 1, SERVER_RETRY_ALWAYS = 2 };

/* Settings from the command line and the configuration file (strings are
 * owned copies, bounded). */
typedef struct server_opts {
  server_listen listen[SERVER_MAX_LISTEN];
  unsigned nlisten;
  char cert_file[SERVER_PATH_MAX];
  char key_file[SERVER_PATH_MAX];
  char path[SERVER_PATH_MAX]; /* the WebTransport path */
  char config_file[SERVER_PATH_MAX]; /* "" when none is used */
  char control_socket[SERVER_PATH_MAX]; /* "" disables the control socket */
  char reset_secret[SERVER_PATH_MAX];   /* stateless reset secret file; "" = per run */
  unsigned control_mode;
  unsigned idle_timeout_s;
  unsigned max_connections;
  unsigned max_sessions; /* per connection */
  /* limits (docs/security.md); 0 = no limit where noted */
  unsigned max_connections_per_source; /* IPv4 address or IPv6 /64; 0 = none */
  unsigned handshakes_per_second;      /* new connections per source; 0 = none */
  unsigned handshake_timeout_s;
  unsigned max_streams;                /* per connection, each direction */
  unsigned stream_buffer;              /* bytes: flow-control window per stream */
  unsigned connection_buffer;          /* bytes: flow-control window per connection */
  unsigned datagrams_per_second;       /* per session; 0 = none */
  int retry;                           /* SERVER_RETRY_* */
  unsigned control_clients;            /* served at once on the control socket */
  unsigned retry_threshold;            /* auto: half-open handshakes that turn Retry on */
  /* mutual TLS: "" = clients are not asked for a certificate */
  char client_ca[SERVER_PATH_MAX];
  bool client_cert_optional;           /* client_auth = "optional" */
  char client_subjects[SERVER_MAX_CLIENT_IDS][256]; /* allowed subject DNs */
  unsigned nclient_subjects;
  char client_pins[SERVER_MAX_CLIENT_IDS][64];      /* allowed "sha256:B64" */
  unsigned nclient_pins;
  /* access (docs/security.md): browser origins allowed to open sessions
   * (none listed: any), and the bearer tokens file ("": no tokens) */
  char origins[H3_ACCESS_MAX_ORIGINS][H3_REQ_ORIGIN_MAX];
  unsigned norigins;
  char tokens_file[SERVER_PATH_MAX];
  int log_level;
  bool quic_debug;
  /* certificates: the configured mode, and where a self-rotating server
   * keeps them; cert_self tells the mode in force (a configured
   * certificate file always wins; then cert_file and key_file name the
   * store's current.pem) */
  int cert_mode;
  bool cert_self;
  char cert_dir[SERVER_PATH_MAX];
  unsigned cert_rotation_s;
  char cert_names[SERVER_MAX_CERT_NAMES][SERVER_CERT_NAME_MAX + 1]; /* "" = default names */
  unsigned ncert_names;
  /* DNS-SD advertisement through Avahi (discovery = { ... } in the file) */
  bool advertise;           /* publish _wtping._udp (default false) */
  char advertise_name[64];  /* instance name; "" = "wtping on HOSTNAME" */
  bool advertise_pin;       /* publish the certificate's SHA-256 as TXT pin= */
  char qlog_dir[SERVER_PATH_MAX]; /* --qlog: one qlog file per connection; "" = off */
} server_opts;

enum { OPTS_RUN = 0, OPTS_EXIT_OK = 1, OPTS_EXIT_USAGE = 2, OPTS_EXIT_CONFIG = 3 };

/* server_opts_defaults sets every setting to its default. */
void server_opts_defaults(server_opts *o);

/* server_settings composes the settings: defaults, then the configuration
 * file (-c FILE, or SERVER_DEFAULT_CONFIG when it exists), then the
 * command-line options, which win. |*test_only| tells whether -t was given.
 * Returns OPTS_RUN, OPTS_EXIT_OK (--help or --version printed),
 * OPTS_EXIT_USAGE (bad command line) or OPTS_EXIT_CONFIG (bad
 * configuration: the message, with file:line and setting, is in |err|). It
 * is called again on SIGHUP with the same argv. */
int server_settings(server_opts *o, int argc, char **argv, bool *test_only, char *err,
                    size_t errlen);

#endif
