/* Shared by the configuration-file harnesses: the input becomes a file the
 * loaders can open by name (an anonymous memfd, named /proc/self/fd/N). */
#ifndef WTPING_FUZZ_CONF_FILE_H
#define WTPING_FUZZ_CONF_FILE_H

#include <stddef.h>
#include <stdint.h>

/* fuzz_conf_file writes |size| bytes to a new memfd and its name into
 * |path| (|cap| bytes). Returns the fd (close it when done), or -1. */
int fuzz_conf_file(const uint8_t *data, size_t size, char *path, size_t cap);

/* fuzz_conf_check_error checks a loader's error text for |path|: one line,
 * naming the file first ("PATH:LINE: ..." or "cannot read PATH: ..."). */
void fuzz_conf_check_error(const char *err, const char *path);

#endif
