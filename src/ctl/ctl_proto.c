/* Control socket request parsing. */
#include "ctl/ctl_proto.h"

#include <stdbool.h>
#include <string.h>

/*
 * ctl_word_char returns true if |c| may appear in a word.
 */
static bool ctl_word_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

int ctl_request_parse(const char *line, size_t len, ctl_request *out, const char **err) {
  size_t i = 0, start, n, nwords = 0;
  char *dst;

  memset(out, 0, sizeof(*out));
  if (len > 0 && line[len - 1] == '\n') {
    len--;
  }
  /* the '\r' counts: the server reads at most CTL_LINE_MAX bytes + '\n' */
  if (len > CTL_LINE_MAX) {
    *err = "request too long";
    return -1;
  }
  if (len > 0 && line[len - 1] == '\r') {
    len--;
  }
  if (len == 0) {
    *err = "empty request";
    return -1;
  }
  if (line[0] == ' ') {
    *err = "leading space in request";
    return -1;
  }
  if (line[len - 1] == ' ') {
    *err = "trailing space in request";
    return -1;
  }
  for (;;) {
    start = i;
    while (i < len && line[i] != ' ') {
      if (!ctl_word_char((unsigned char)line[i])) {
        *err = "invalid character in request";
        return -1;
      }
      i++;
    }
    n = i - start;
    if (n == 0) {
      /* not first or last (checked above): two spaces in a row */
      *err = "double space in request";
      return -1;
    }
    if (n > CTL_WORD_MAX) {
      *err = "word too long in request";
      return -1;
    }
    if (nwords > CTL_MAX_ARGS) {
      *err = "too many arguments";
      return -1;
    }
    dst = nwords == 0 ? out->cmd : out->argv[nwords - 1];
    memcpy(dst, line + start, n);
    dst[n] = '\0';
    nwords++;
    if (i == len) {
      break;
    }
    i++; /* the space */
  }
  out->argc = nwords - 1;
  return 0;
}
