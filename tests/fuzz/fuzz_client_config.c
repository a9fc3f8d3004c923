/* Fuzz harness: the client configuration file (src/client/client_config.c
 * over src/common/conf.c and libconfig). Checks that a failed load leaves
 * the options untouched and names the file, and - under LeakSanitizer - that
 * no input leaks. */
#include <string.h>
#include <unistd.h>

#include "client/client_config.h"
#include "fuzz.h"
#include "fuzz_conf_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[64];
  int fd = fuzz_conf_file(data, size, path, sizeof(path));
  if (fd < 0)
    return 0;
  static client_opts o, before;
  client_opts_defaults(&o);
  memcpy(&before, &o, sizeof(o));
  char err[512] = "";
  if (client_config_load(path, &o, err, sizeof(err)) != 0) {
    fuzz_conf_check_error(err, path);
    FUZZ_CHECK(memcmp(&o, &before, sizeof(o)) == 0);
  } else {
    FUZZ_CHECK(o.npins <= QUIC_TLS_MAX_PINS);
  }
  close(fd);
  return 0;
}
