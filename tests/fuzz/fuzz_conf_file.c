/* Helpers for the configuration-file harnesses. */
#include "fuzz_conf_file.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

int fuzz_conf_file(const uint8_t *data, size_t size, char *path, size_t cap) {
  int fd = memfd_create("wtping-fuzz.conf", MFD_CLOEXEC);
  if (fd < 0)
    return -1;
  size_t off = 0;
  while (off < size) {
    ssize_t n = write(fd, data + off, size - off);
    if (n <= 0) {
      close(fd);
      return -1;
    }
    off += (size_t)n;
  }
  snprintf(path, cap, "/proc/self/fd/%d", fd);
  return fd;
}

void fuzz_conf_check_error(const char *err, const char *path) {
  size_t pl = strlen(path);
  FUZZ_CHECK(err[0] != '\0' && !strchr(err, '\n'));
  FUZZ_CHECK((strncmp(err, path, pl) == 0 && err[pl] == ':') ||
             (strncmp(err, "cannot read ", 12) == 0 && strncmp(err + 12, path, pl) == 0));
}
