/* Built-in default paths (under the configure prefix: /run and /var/lib in
 * a package, /usr/local/var/... in a source build) whose directory may not
 * exist. A daemon that finds its default's directory missing says so once
 * and does without, instead of failing on it with a warning. */
#ifndef WTPING_DEFAULT_PATH_H
#define WTPING_DEFAULT_PATH_H

#include <stdbool.h>
#include <stddef.h>

/* default_path_dir_missing returns true when |path| is the built-in default
 * |def| and the directory that would hold it does not exist (or is not a
 * directory); |dir| (|dirlen| bytes) then gets that directory. It returns
 * false for a path the user chose, for "" and for a path without a
 * directory part. */
bool default_path_dir_missing(const char *path, const char *def, char *dir, size_t dirlen);

#endif
