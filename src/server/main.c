/* wtping-server: options, then the server's event loop. */
#include <stdlib.h>

#include "common/log.h"
#include "server/server.h"
#include "server/server_opts.h"

int main(int argc, char **argv) {
  server_opts opts;
  switch (server_opts_parse(&opts, argc, argv)) {
  case OPTS_EXIT_OK:
    return EXIT_SUCCESS;
  case OPTS_EXIT_USAGE:
    return 2;
  default:
    break;
  }
  log_init("wtping-server", opts.log_level);
  return server_run(&opts);
}
