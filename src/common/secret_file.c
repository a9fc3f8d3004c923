/* Files holding secrets: credentials first, and safe permissions. */
#include "common/secret_file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int secret_file_resolve(const char *creddir, const char *credname, const char *configured,
                        char *out, size_t cap, bool *from_cred) {
  *from_cred = false;
  if (creddir && *creddir && credname && *credname) {
    int n = snprintf(out, cap, "%s/%s", creddir, credname);
    if (n < 0 || (size_t)n >= cap)
      return -1;
    if (access(out, F_OK) == 0) {
      *from_cred = true;
      return 0;
    }
  }
  size_t len = strlen(configured);
  if (len >= cap)
    return -1;
  memcpy(out, configured, len + 1);
  return 0;
}

int secret_file_mode_ok(const char *path, const struct stat *st, gid_t gid, char *err,
                        size_t errlen) {
  unsigned mode = (unsigned)st->st_mode & 07777;
  if (mode & 0007) {
    snprintf(err, errlen,
             "%s is %s by all users (mode %04o): run chmod 0600 %s (or chmod 0640 and chgrp it "
             "to the service's group), or pass it as a systemd credential (LoadCredential=)",
             path, (mode & 0004) ? "readable" : "accessible", mode, path);
    return -1;
  }
  if ((mode & 0060) && st->st_gid != gid) {
    snprintf(err, errlen,
             "%s is %s by group %u, which is not the service's group %u (mode %04o): run chmod "
             "0600 %s, or chgrp %u %s, or pass it as a systemd credential (LoadCredential=)",
             path, (mode & 0040) ? "readable" : "writable", (unsigned)st->st_gid, (unsigned)gid,
             mode, path, (unsigned)gid, path);
    return -1;
  }
  return 0;
}

int secret_file_check(const char *path, char *err, size_t errlen) {
  struct stat st;
  if (lstat(path, &st) != 0) {
    snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
    return -1;
  }
  /* a symlink's own mode says nothing: judge what it points to */
  if (S_ISLNK(st.st_mode) && stat(path, &st) != 0) {
    snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
    return -1;
  }
  return secret_file_mode_ok(path, &st, getegid(), err, errlen);
}
