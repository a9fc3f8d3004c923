#include "server/reset_secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/crypto.h>

#define KEY_MIN 16
#define KEY_MAX 4096

/* read_key reads |path| into a SHA-256 digest. Returns 0, -1 with |err|, or
 * 1 if the file does not exist. */
static int read_key(const char *path, uint8_t out[RESET_SECRET_LEN], char *err, size_t errlen) {
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT)
      return 1;
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return -1;
  }
  uint8_t buf[KEY_MAX + 1];
  size_t n = 0;
  for (;;) {
    ssize_t r = read(fd, buf + n, sizeof(buf) - n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      snprintf(err, errlen, "%s: %s", path, strerror(errno));
      close(fd);
      return -1;
    }
    if (r == 0 || (n += (size_t)r) == sizeof(buf))
      break;
  }
  close(fd);
  if (n < KEY_MIN || n > KEY_MAX) {
    snprintf(err, errlen, "%s: a secret needs %d to %d bytes, this one has %zu", path, KEY_MIN,
             KEY_MAX, n);
    return -1;
  }
  int rv = gnutls_hash_fast(GNUTLS_DIG_SHA256, buf, n, out);
  memset(buf, 0, sizeof(buf));
  if (rv != 0) {
    snprintf(err, errlen, "%s: cannot hash the secret", path);
    return -1;
  }
  return 0;
}

static int write_key(const char *path, const uint8_t *key, size_t len, char *err,
                     size_t errlen) {
  char tmp[4096];
  if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
    snprintf(err, errlen, "%s: path too long", path);
    return -1;
  }
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
    return -1;
  }
  ssize_t w = write(fd, key, len);
  int ok = w == (ssize_t)len && fsync(fd) == 0;
  int saved = errno;
  close(fd);
  if (!ok || rename(tmp, path) != 0) {
    if (ok)
      saved = errno;
    unlink(tmp);
    snprintf(err, errlen, "%s: %s", path, strerror(saved));
    return -1;
  }
  return 0;
}

int reset_secret_load(const char *credentials_dir, const char *path,
                      uint8_t out[RESET_SECRET_LEN], char *err, size_t errlen) {
  if (credentials_dir && credentials_dir[0]) {
    char cred[4096];
    snprintf(cred, sizeof(cred), "%s/%s", credentials_dir, RESET_SECRET_CREDENTIAL);
    int r = read_key(cred, out, err, errlen);
    if (r == 0)
      return RESET_SECRET_CREDENTIAL_FILE;
    if (r < 0)
      goto ephemeral;
  }
  if (!path || !path[0]) {
    if (gnutls_rnd(GNUTLS_RND_KEY, out, RESET_SECRET_LEN) != 0) {
      snprintf(err, errlen, "no random numbers");
      return -1;
    }
    return RESET_SECRET_EPHEMERAL;
  }
  int r = read_key(path, out, err, errlen);
  if (r == 0)
    return RESET_SECRET_FILE;
  if (r < 0)
    goto ephemeral;
  /* first start: make one and keep it */
  uint8_t key[RESET_SECRET_LEN];
  if (gnutls_rnd(GNUTLS_RND_KEY, key, sizeof(key)) != 0) {
    snprintf(err, errlen, "no random numbers");
    goto ephemeral;
  }
  if (write_key(path, key, sizeof(key), err, errlen) != 0) {
    memset(key, 0, sizeof(key));
    goto ephemeral;
  }
  memset(key, 0, sizeof(key));
  if (read_key(path, out, err, errlen) != 0)
    goto ephemeral;
  return RESET_SECRET_CREATED;
ephemeral:
  (void)gnutls_rnd(GNUTLS_RND_KEY, out, RESET_SECRET_LEN);
  return -1;
}
