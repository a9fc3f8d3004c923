#include "cert/cert_store.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_MAX 65536 /* a stored PEM file is a few KiB */

static const char *const leaf_name[2] = {"current.pem", "next.pem"};

int cert_store_path(const cert_store *s, const char *name, char *out, size_t outlen) {
  int n = snprintf(out, outlen, "%s/%s", s->dir, name);
  return n >= 0 && (size_t)n < outlen ? 0 : -1;
}

static int fsync_dir_of(const char *path) {
  char copy[CERT_STORE_PATH_MAX];
  if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
    return -1;
  int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  int rv = fsync(fd);
  close(fd);
  return rv;
}

int cert_write_atomic(const char *path, const void *data, size_t len, unsigned mode,
                      char *err, size_t errlen) {
  char tmp[CERT_STORE_PATH_MAX + 16];
  if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
    snprintf(err, errlen, "%s: path too long", path);
    return -1;
  }
  int fd = mkostemp(tmp, O_CLOEXEC); /* mode 0600 */
  if (fd < 0) {
    snprintf(err, errlen, "cannot create a file next to %s: %s", path, strerror(errno));
    return -1;
  }
  const uint8_t *p = data;
  size_t left = len;
  while (left > 0) {
    ssize_t n = write(fd, p, left);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      goto fail;
    p += n;
    left -= (size_t)n;
  }
  if (fchmod(fd, mode) != 0 || fsync(fd) != 0)
    goto fail;
  if (close(fd) != 0) {
    fd = -1;
    goto fail;
  }
  fd = -1;
  if (rename(tmp, path) != 0)
    goto fail;
  if (fsync_dir_of(path) != 0) {
    snprintf(err, errlen, "fsync of the directory of %s: %s", path, strerror(errno));
    return -1;
  }
  return 0;
fail:
  snprintf(err, errlen, "writing %s: %s", path, strerror(errno ? errno : EIO));
  if (fd >= 0)
    close(fd);
  unlink(tmp);
  return -1;
}

/* read_file reads |path| (at most FILE_MAX bytes) into |out| (gnutls_free).
 * Returns 0, 1 when it does not exist, or -1 with |err|. */
static int read_file(const char *path, gnutls_datum_t *out, char *err, size_t errlen) {
  out->data = NULL;
  out->size = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT)
      return 1;
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return -1;
  }
  uint8_t *buf = gnutls_malloc(FILE_MAX + 1);
  size_t len = 0;
  if (!buf) {
    close(fd);
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  for (;;) {
    ssize_t n = read(fd, buf + len, FILE_MAX + 1 - len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      snprintf(err, errlen, "%s: %s", path, strerror(errno));
      goto fail;
    }
    if (n == 0)
      break;
    len += (size_t)n;
    if (len > FILE_MAX) {
      snprintf(err, errlen, "%s: larger than %d bytes", path, FILE_MAX);
      goto fail;
    }
  }
  close(fd);
  buf[len] = '\0';
  out->data = buf;
  out->size = (unsigned)len;
  return 0;
fail:
  close(fd);
  gnutls_memset(buf, 0, FILE_MAX + 1);
  gnutls_free(buf);
  return -1;
}

static void datum_wipe(gnutls_datum_t *d) {
  if (d->data) {
    gnutls_memset(d->data, 0, d->size);
    gnutls_free(d->data);
  }
  d->data = NULL;
  d->size = 0;
}

/* load_pair reads |path| into |p| and |info|: 0, 1 absent, -1 bad. */
static int load_pair(const char *path, cert_pair *p, cert_info *info, char *err,
                     size_t errlen) {
  gnutls_datum_t d;
  int r = read_file(path, &d, err, errlen);
  if (r != 0)
    return r;
  char why[200];
  r = cert_pair_import(p, &d, why, sizeof(why));
  datum_wipe(&d);
  if (r != 0) {
    snprintf(err, errlen, "%s: %s", path, why);
    return -1;
  }
  if (cert_info_get(p->crt, info) != 0) {
    cert_pair_free(p);
    snprintf(err, errlen, "%s: unreadable certificate", path);
    return -1;
  }
  return 0;
}

static int store_pair(const cert_store *s, const char *name, const cert_pair *p,
                      const cert_pair *issuer, char *err, size_t errlen) {
  char path[CERT_STORE_PATH_MAX];
  gnutls_datum_t d;
  if (cert_store_path(s, name, path, sizeof(path)) != 0) {
    snprintf(err, errlen, "%s: path too long", s->dir);
    return -1;
  }
  if (cert_pair_export(p, issuer, &d) != 0) {
    snprintf(err, errlen, "cannot encode %s", name);
    return -1;
  }
  int r = cert_write_atomic(path, d.data, d.size, 0600, err, errlen);
  datum_wipe(&d);
  return r;
}

static int open_ca(cert_store *s, int64_t now, char *err, size_t errlen) {
  char path[CERT_STORE_PATH_MAX];
  if (cert_store_path(s, "ca.pem", path, sizeof(path)) != 0) {
    snprintf(err, errlen, "%s: path too long", s->dir);
    return -1;
  }
  int r = load_pair(path, &s->ca, &s->ca_info, err, errlen);
  if (r < 0)
    return -1; /* never replace a CA we cannot read: clients may trust it */
  if (r == 0 && !s->ca_info.is_ca) {
    cert_pair_free(&s->ca);
    snprintf(err, errlen, "%s is not a CA certificate", path);
    return -1;
  }
  if (r == 1) {
    if (cert_make_ca(&s->ca, "wtping local CA", now - 3600, now - 3600 + CERT_CA_LIFETIME_S, err,
                     errlen) != 0 ||
        cert_info_get(s->ca.crt, &s->ca_info) != 0)
      return -1;
    if (store_pair(s, "ca.pem", &s->ca, NULL, err, errlen) != 0)
      return -1;
    s->ca_created = true;
  }
  /* ca.crt for native clients; rewritten each start (cheap, and repairs a
   * missing or stale copy) */
  gnutls_datum_t d;
  if (cert_store_path(s, "ca.crt", path, sizeof(path)) != 0 ||
      gnutls_x509_crt_export2(s->ca.crt, GNUTLS_X509_FMT_PEM, &d) != 0) {
    snprintf(err, errlen, "cannot encode the CA certificate");
    return -1;
  }
  r = cert_write_atomic(path, d.data, d.size, 0644, err, errlen);
  gnutls_free(d.data);
  return r;
}

int cert_store_open(cert_store *s, const char *dir, int64_t now, char *err, size_t errlen) {
  memset(s, 0, sizeof(*s));
  if (!dir[0] || snprintf(s->dir, sizeof(s->dir), "%s", dir) >= (int)sizeof(s->dir) - 16) {
    snprintf(err, errlen, "certificate directory: empty or too long");
    return -1;
  }
  if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
    snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
    return -1;
  }
  if (open_ca(s, now, err, errlen) != 0) {
    cert_store_close(s);
    return -1;
  }
  for (int i = 0; i < 2; i++) {
    char path[CERT_STORE_PATH_MAX], why[CERT_STORE_PATH_MAX + 64];
    if (cert_store_path(s, leaf_name[i], path, sizeof(path)) != 0)
      continue;
    int r = load_pair(path, &s->leaf[i], &s->info[i], why, sizeof(why));
    if (r == 0 && !cert_signed_by(s->leaf[i].crt, s->ca.crt)) {
      cert_pair_free(&s->leaf[i]);
      snprintf(why, sizeof(why), "%s was not signed by the local CA", path);
      r = -1;
    }
    if (r < 0) {
      /* keep the end of the reason, the file name may be long */
      size_t wl = strlen(why), keep = sizeof(s->warning) - 10;
      snprintf(s->warning, sizeof(s->warning), "ignoring %.308s", wl > keep ? why + wl - keep : why);
    }
    s->has[i] = r == 0;
  }
  return 0;
}

void cert_store_close(cert_store *s) {
  cert_pair_free(&s->ca);
  cert_pair_free(&s->leaf[0]);
  cert_pair_free(&s->leaf[1]);
  s->has[0] = s->has[1] = false;
}

int cert_store_make(cert_store *s, int which, const char *const *names, size_t nnames,
                    int64_t not_before, int64_t not_after, char *err, size_t errlen) {
  cert_pair p;
  cert_info info;
  if (which != CERT_CUR && which != CERT_NEXT) {
    snprintf(err, errlen, "bad certificate slot");
    return -1;
  }
  if (cert_make_leaf(&p, &s->ca, names, nnames, not_before, not_after, err, errlen) != 0)
    return -1;
  if (cert_info_get(p.crt, &info) != 0 ||
      store_pair(s, leaf_name[which], &p, &s->ca, err, errlen) != 0) {
    cert_pair_free(&p);
    return -1;
  }
  cert_pair_free(&s->leaf[which]);
  s->leaf[which] = p;
  s->info[which] = info;
  s->has[which] = true;
  return 0;
}

int cert_store_promote(cert_store *s, char *err, size_t errlen) {
  char from[CERT_STORE_PATH_MAX], to[CERT_STORE_PATH_MAX];
  if (!s->has[CERT_NEXT]) {
    snprintf(err, errlen, "no next certificate");
    return -1;
  }
  if (cert_store_path(s, leaf_name[CERT_NEXT], from, sizeof(from)) != 0 ||
      cert_store_path(s, leaf_name[CERT_CUR], to, sizeof(to)) != 0 || rename(from, to) != 0 ||
      fsync_dir_of(to) != 0) {
    snprintf(err, errlen, "%s -> %s: %s", from, to, strerror(errno));
    return -1;
  }
  cert_pair_free(&s->leaf[CERT_CUR]);
  s->leaf[CERT_CUR] = s->leaf[CERT_NEXT];
  s->info[CERT_CUR] = s->info[CERT_NEXT];
  s->has[CERT_CUR] = true;
  s->leaf[CERT_NEXT] = (cert_pair){0};
  s->has[CERT_NEXT] = false;
  return 0;
}

int cert_store_drop_next(cert_store *s, char *err, size_t errlen) {
  char path[CERT_STORE_PATH_MAX];
  cert_pair_free(&s->leaf[CERT_NEXT]);
  s->has[CERT_NEXT] = false;
  if (cert_store_path(s, leaf_name[CERT_NEXT], path, sizeof(path)) != 0)
    return -1;
  if (unlink(path) != 0 && errno != ENOENT) {
    snprintf(err, errlen, "removing %s: %s", path, strerror(errno));
    return -1;
  }
  return 0;
}
