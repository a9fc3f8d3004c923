/* Fuzz harness: the server configuration file (src/server/server_config.c
 * over src/common/conf.c and libconfig). Checks that a failed load leaves
 * the options untouched and names the file, and - run under LeakSanitizer -
 * that no input leaks (libconfig 1.5 does on some, see conf_lex.h). */
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "fuzz_conf_file.h"
#include "server/server_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[64];
  int fd = fuzz_conf_file(data, size, path, sizeof(path));
  if (fd < 0)
    return 0;
  server_opts o, before;
  server_opts_defaults(&o);
  memcpy(&before, &o, sizeof(o));
  char err[512] = "";
  if (server_config_load(path, &o, err, sizeof(err)) != 0) {
    fuzz_conf_check_error(err, path);
    FUZZ_CHECK(memcmp(&o, &before, sizeof(o)) == 0);
  } else {
    FUZZ_CHECK(o.nlisten >= 1 && o.nlisten <= SERVER_MAX_LISTEN && o.path[0] == '/');
  }
  close(fd);
  return 0;
}
