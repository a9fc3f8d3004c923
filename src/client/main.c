/* wtping-client: settings (defaults, file, command line), then one run. */
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>

#include "client/client.h"
#include "client/client_opts.h"
#include "client/discover.h"
#include "common/log.h"

int main(int argc, char **argv) {
  client_opts opts;
  bool daemon = false;
  char err[1024];
  log_init("wtping-client", LOG_NOTICE);
  switch (client_settings(&opts, argc, argv, &daemon, err, sizeof(err))) {
  case CLIENT_OPTS_EXIT_OK:
    return EXIT_SUCCESS;
  case CLIENT_OPTS_EXIT_USAGE:
    return 2;
  case CLIENT_OPTS_EXIT_CONFIG:
    fprintf(stderr, "wtping-client: %s\n", err);
    return 2;
  default:
    break;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  log_set_level(opts.log_level);
  if (opts.discover_cli)
    return discover_main(&opts, argc, argv);
  return client_run(&opts, daemon, argc, argv);
}
