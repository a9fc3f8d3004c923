#include "common/default_path.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

bool default_path_dir_missing(const char *path, const char *def, char *dir, size_t dirlen) {
  if (!path || !def || !path[0] || strcmp(path, def) != 0 || dirlen == 0)
    return false;
  const char *slash = strrchr(path, '/');
  if (!slash || slash == path)
    return false; /* no directory part, or the root directory */
  size_t n = (size_t)(slash - path);
  if (n >= dirlen)
    return false; /* cannot name it: let the caller fail on the path itself */
  memcpy(dir, path, n);
  dir[n] = '\0';
  struct stat st;
  if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
    return false;
  return true;
}
