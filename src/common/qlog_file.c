#include "common/qlog_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct qlog_file {
  FILE *f; /* NULL once finished or failed */
};

int qlog_file_name(char *out, size_t cap, const char *dir, const uint8_t *id, size_t idlen,
                   const char *role) {
  if (idlen == 0 || idlen > 20)
    return -1;
  char hex[41];
  for (size_t i = 0; i < idlen; i++)
    snprintf(hex + 2 * i, 3, "%02x", id[i]);
  int n = snprintf(out, cap, "%s/%s.%s.sqlog", dir, hex, role);
  return n < 0 || (size_t)n >= cap ? -1 : 0;
}

qlog_file *qlog_file_open(const char *dir, const uint8_t *id, size_t idlen, const char *role,
                          char *err, size_t errlen) {
  char path[4096];
  if (qlog_file_name(path, sizeof(path), dir, id, idlen, role) != 0) {
    snprintf(err, errlen, "qlog: the file name does not fit");
    return NULL;
  }
  qlog_file *q = calloc(1, sizeof(*q));
  if (!q) {
    snprintf(err, errlen, "qlog: out of memory");
    return NULL;
  }
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0 || !(q->f = fdopen(fd, "w"))) {
    snprintf(err, errlen, "qlog: %s: %s", path, strerror(errno));
    if (fd >= 0)
      close(fd);
    free(q);
    return NULL;
  }
  return q;
}

static void finish(qlog_file *q) {
  if (q->f) {
    fclose(q->f);
    q->f = NULL;
  }
}

void qlog_file_write(qlog_file *q, const void *data, size_t len, bool fin) {
  if (!q || !q->f)
    return;
  if (len && fwrite(data, 1, len, q->f) != len) {
    finish(q);
    return;
  }
  if (fin)
    finish(q);
}

void qlog_file_close(qlog_file *q) {
  if (!q)
    return;
  finish(q);
  free(q);
}
