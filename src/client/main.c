/* wtping-client: options, then one run. */
#include <stdio.h>
#include <stdlib.h>

#include "client/client.h"
#include "client/client_opts.h"
#include "common/log.h"

int main(int argc, char **argv) {
  client_opts opts;
  switch (client_opts_parse(&opts, argc, argv, stdout, stderr)) {
  case CLIENT_OPTS_EXIT_OK:
    return EXIT_SUCCESS;
  case CLIENT_OPTS_EXIT_USAGE:
    return 2;
  default:
    break;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  log_init("wtping-client", opts.log_level);
  return client_run(&opts);
}
