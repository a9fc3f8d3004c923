/* Bearer token files (see token_file.h). */
#include "common/token_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/secret_file.h"

long token_file_parse(const char *text, size_t len, token_file_cb cb, void *ud, unsigned *line,
                      const char **why) {
  long n = 0;
  unsigned ln = 0;
  size_t i = 0;
  while (i < len) {
    size_t start = i;
    while (i < len && text[i] != '\n')
      i++;
    size_t end = i; /* the line is text[start, end) */
    if (i < len)
      i++;
    ln++;
    if (memchr(text + start, '\0', end - start)) {
      *line = ln;
      *why = "a NUL byte";
      return -1;
    }
    while (start < end && (text[start] == ' ' || text[start] == '\t'))
      start++;
    while (end > start && (text[end - 1] == ' ' || text[end - 1] == '\t' || text[end - 1] == '\r'))
      end--;
    if (start == end || text[start] == '#')
      continue;
    for (size_t k = start; k < end; k++) {
      if (text[k] == ' ' || text[k] == '\t') {
        *line = ln;
        *why = "one token per line";
        return -1;
      }
    }
    if (cb(ud, text + start, end - start, why) != 0) {
      *line = ln;
      return -1;
    }
    n++;
  }
  return n;
}

char *token_file_read(const char *path, int from_cred, size_t *len, char *err, size_t errlen) {
  if (!from_cred && secret_file_check(path, err, errlen) != 0)
    return NULL;
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
    return NULL;
  }
  char *buf = malloc(TOKEN_FILE_MAX_SIZE + 1);
  size_t n = buf ? fread(buf, 1, TOKEN_FILE_MAX_SIZE + 1, f) : 0;
  int e = !buf ? ENOMEM : ferror(f) ? EIO : 0;
  fclose(f);
  if (e || n > TOKEN_FILE_MAX_SIZE) {
    snprintf(err, errlen, "cannot read %s: %s", path, e ? strerror(e) : "file too large");
    if (buf)
      token_file_wipe(buf, n > TOKEN_FILE_MAX_SIZE ? TOKEN_FILE_MAX_SIZE + 1 : n);
    return NULL;
  }
  buf[n] = '\0';
  *len = n;
  return buf;
}

void token_file_wipe(char *p, size_t len) {
  if (!p)
    return;
  volatile char *v = p;
  for (size_t i = 0; i < len; i++)
    v[i] = 0;
  free(p);
}
