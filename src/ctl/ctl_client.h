/* The client end of the control socket (docs/control.md): connect to a
 * daemon's UNIX socket, send request lines, read reply lines. Every wait is
 * bounded by one deadline per connection. */
#ifndef WTPING_CTL_CLIENT_H
#define WTPING_CTL_CLIENT_H

#include <stddef.h>

/* CTL_TIMEOUT_MS is the default bound on a whole conversation. */
#define CTL_TIMEOUT_MS 5000
/* CTL_REQUEST_MAX is the longest request line, its '\n' included. */
#define CTL_REQUEST_MAX 1024
/* CTL_REPLY_MAX is the longest reply line accepted, its '\n' included: a
 * reply of 1 MiB and the newline. */
#define CTL_REPLY_MAX ((1u << 20) + 1)

/* The results, chosen to be wtpctl's exit codes. */
typedef enum ctl_result {
  CTL_OK = 0,
  /* Anything else: permission denied, timeout, a reply too long or cut
   * short, the daemon closing without a reply. */
  CTL_ERROR = 1,
  /* Nobody listens: the socket does not exist (ENOENT) or nothing accepts
   * on it (ECONNREFUSED: a stale socket file). */
  CTL_NOT_RUNNING = 3
} ctl_result;

typedef struct ctl_conn ctl_conn;

/* ctl_connect connects to the socket |path| and stores the new connection
 * in |*pc|. |timeout_ms| (> 0) bounds everything done with the connection
 * from now on. On failure it returns CTL_ERROR or CTL_NOT_RUNNING with a
 * message in |err| (|errlen| bytes) that does not repeat |path|. */
ctl_result ctl_connect(ctl_conn **pc, const char *path, int timeout_ms, char *err, size_t errlen);

/* ctl_exchange sends the request line |request| (without '\n'; it must not
 * contain one) and reads one reply line. On success |*reply| is a new
 * NUL-terminated buffer (free it) holding the line without its '\n', and
 * |*replylen| its length. */
ctl_result ctl_exchange(ctl_conn *c, const char *request, char **reply, size_t *replylen,
                        char *err, size_t errlen);

/* ctl_close closes |c| and frees it. NULL is fine. */
void ctl_close(ctl_conn *c);

/* ctl_request is ctl_connect, one ctl_exchange and ctl_close. */
ctl_result ctl_request(const char *path, const char *request, int timeout_ms, char **reply,
                       size_t *replylen, char *err, size_t errlen);

#endif
