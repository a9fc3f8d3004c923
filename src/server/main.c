/* wtping-server: settings (defaults, file, command line), then the loop. */
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>

#include "common/log.h"
#include "server/server.h"
#include "server/server_opts.h"

int main(int argc, char **argv) {
  server_opts opts;
  bool test_only;
  char err[1024];
  log_init("wtping-server", LOG_INFO);
  switch (server_settings(&opts, argc, argv, &test_only, err, sizeof(err))) {
  case OPTS_EXIT_OK:
    return EXIT_SUCCESS;
  case OPTS_EXIT_USAGE:
    return 2;
  case OPTS_EXIT_CONFIG:
    fprintf(stderr, "wtping-server: %s\n", err);
    return 1;
  default:
    break;
  }
  if (test_only) {
    if (server_check(&opts, err, sizeof(err)) != 0) {
      fprintf(stderr, "wtping-server: %s\n", err);
      return 1;
    }
    printf("configuration OK\n");
    return EXIT_SUCCESS;
  }
  log_set_level(opts.log_level);
  return server_run(&opts, argc, argv);
}
