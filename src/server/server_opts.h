/* wtping-server command-line options. */
#ifndef WTPING_SERVER_OPTS_H
#define WTPING_SERVER_OPTS_H

#include <stdbool.h>
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
