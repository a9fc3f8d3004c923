/* Control socket requests (docs/control.md): parsing one request line.
 *
 * A request is a command word and up to CTL_MAX_ARGS arguments separated by
 * single spaces; every word is 1 to CTL_WORD_MAX characters of
 * [a-z0-9_.-]. */
#ifndef WTPING_CTL_PROTO_H
#define WTPING_CTL_PROTO_H

#include <stddef.h>

/* longest request line, without its '\n' */
#define CTL_LINE_MAX 1024
/* most arguments after the command word */
#define CTL_MAX_ARGS 4
/* longest word */
#define CTL_WORD_MAX 63

typedef struct ctl_request {
  char cmd[CTL_WORD_MAX + 1];                 /* NUL-terminated */
  size_t argc;                                /* arguments in argv */
  char argv[CTL_MAX_ARGS][CTL_WORD_MAX + 1];  /* NUL-terminated */
} ctl_request;

/* ctl_request_parse parses the |len| bytes at |line| (no NUL needed). One
 * trailing "\n", then one trailing "\r", are stripped first. On success it
 * fills |out| and returns 0; otherwise it returns -1 and points |*err| at a
 * static message for the client (|out| is then unspecified). Rejected: an
 * empty line, more than CTL_LINE_MAX bytes (a '\r' before the '\n' counts,
 * as it does in the server's buffer), a leading, trailing or double
 * space, any other byte outside [a-z0-9_.-], a word longer than
 * CTL_WORD_MAX, more than CTL_MAX_ARGS arguments. */
int ctl_request_parse(const char *line, size_t len, ctl_request *out, const char **err);

#endif
