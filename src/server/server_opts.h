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

typedef struct server_opts {
  server_listen listen[SERVER_MAX_LISTEN];
  unsigned nlisten;
  const char *cert_file;
  const char *key_file;
  const char *path;
  unsigned idle_timeout_s;
  unsigned max_connections;
  unsigned max_sessions; /* per connection */
  int log_level;
  bool quic_debug;
} server_opts;

enum { OPTS_RUN = 0, OPTS_EXIT_OK = 1, OPTS_EXIT_USAGE = 2 };

/* server_opts_parse fills |o| from argv. Returns OPTS_RUN, OPTS_EXIT_OK
 * (--help or --version printed) or OPTS_EXIT_USAGE (a message was printed to
 * stderr). */
int server_opts_parse(server_opts *o, int argc, char **argv);

#endif
