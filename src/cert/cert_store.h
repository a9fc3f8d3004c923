/* The self-rotating server's certificates on disk, in its state directory:
 *   ca.pem       the local CA's certificate and key (mode 0600)
 *   ca.crt       the local CA's certificate alone (0644), for native
 *                clients (wtping-client --cafile)
 *   current.pem  the leaf being served: certificate, CA certificate, key
 *   next.pem     the leaf served after the next switch (same layout)
 * Every file is written atomically (temporary file, fsync, rename, fsync of
 * the directory), so that a crash leaves the old or the new file, never a
 * torn one. A leaf that does not parse, or that the CA did not sign, is
 * treated as absent. Blocking file I/O: called at start and once per
 * rotation (a few ms), never per packet. */
#ifndef WTPING_CERT_STORE_H
#define WTPING_CERT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cert/cert_make.h"

#define CERT_STORE_PATH_MAX 1024

enum { CERT_CUR = 0, CERT_NEXT = 1 };

typedef struct cert_store {
  char dir[CERT_STORE_PATH_MAX];
  cert_pair ca;
  cert_info ca_info;
  cert_pair leaf[2];      /* CERT_CUR, CERT_NEXT */
  cert_info info[2];
  bool has[2];
  bool ca_created;        /* cert_store_open made a new CA */
  char warning[320];      /* why a stored leaf was ignored ("" if none) */
} cert_store;

/* cert_store_open creates |dir| (0700) if missing, loads the CA or makes
 * one (valid from |now| - 1 h for CERT_CA_LIFETIME_S), and loads the
 * current and next leaves if present and valid. Returns 0 or -1 with
 * |err|. */
int cert_store_open(cert_store *s, const char *dir, int64_t now, char *err, size_t errlen);
void cert_store_close(cert_store *s);

/* cert_store_make makes a leaf for |names| valid [not_before, not_after]
 * and stores it as |which| (CERT_CUR or CERT_NEXT), replacing any. */
int cert_store_make(cert_store *s, int which, const char *const *names, size_t nnames,
                    int64_t not_before, int64_t not_after, char *err, size_t errlen);

/* cert_store_promote makes the next leaf the current one (one rename). */
int cert_store_promote(cert_store *s, char *err, size_t errlen);

/* cert_store_drop_next forgets the next leaf and removes its file. */
int cert_store_drop_next(cert_store *s, char *err, size_t errlen);

/* cert_store_path writes the path of |name| ("current.pem", "ca.crt"...)
 * in the store into |out|. Returns 0, or -1 if it does not fit. */
int cert_store_path(const cert_store *s, const char *name, char *out, size_t outlen);

/* cert_write_atomic writes |len| bytes to |path| with |mode| through a
 * temporary file in the same directory, fsync and rename, then fsyncs the
 * directory. Returns 0 or -1 with |err|. */
int cert_write_atomic(const char *path, const void *data, size_t len, unsigned mode,
                      char *err, size_t errlen);

#endif
