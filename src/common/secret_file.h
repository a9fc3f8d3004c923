/* Files holding secrets (a TLS private key, bearer tokens): where to read
 * them from and whether their permissions are safe.
 *
 * A systemd credential (LoadCredential=NAME:PATH, found in
 * $CREDENTIALS_DIRECTORY/NAME) takes precedence over the configured path:
 * systemd reads the file as root and hands the service a private copy, so
 * the original need not be readable by the service user at all. A
 * configured file is refused when users other than its owner (and the
 * service's own group) can read it. */
#ifndef WTPING_SECRET_FILE_H
#define WTPING_SECRET_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* secret_file_resolve writes the file to read into |out| (|cap| bytes): the
 * credential |credname| when |creddir| is set and holds it (|*from_cred|
 * true), else |configured|. Returns 0, or -1 if the path does not fit. */
int secret_file_resolve(const char *creddir, const char *credname, const char *configured,
                        char *out, size_t cap, bool *from_cred);

/* secret_file_mode_ok judges |st| (the file |path|) for a service running
 * with group |gid|: no permission bits for others, and group read or
 * write only when the group is |gid|. Returns 0, or -1 with "PATH is
 * readable by ... (mode 0644): run chmod ..." and the fix in |err|. Pure. */
int secret_file_mode_ok(const char *path, const struct stat *st, gid_t gid, char *err,
                        size_t errlen);

/* secret_file_check stats |path| (the file a symlink points to) and
 * applies secret_file_mode_ok with the effective gid. Credentials are not
 * checked (systemd owns their directory). Returns 0 or -1 with |err|. */
int secret_file_check(const char *path, char *err, size_t errlen);

#endif
