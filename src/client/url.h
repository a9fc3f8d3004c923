/* wtping URLs: https://HOST[:PORT][/PATH]. Pure parsing, no resolution. */
#ifndef WTPING_URL_H
#define WTPING_URL_H

#include <stdint.h>

#define URL_HOST_MAX 256
#define URL_PATH_MAX 1024
#define URL_DEFAULT_PORT 4433
#define URL_DEFAULT_PATH "/wtping"

typedef struct wt_url {
  char host[URL_HOST_MAX]; /* a name, an IPv4 literal, or an IPv6 literal without brackets */
  uint16_t port;
  char path[URL_PATH_MAX]; /* starts with '/', includes any query */
  int host_is_ipv6;        /* the URL had [brackets] */
  char authority[URL_HOST_MAX + 8]; /* for :authority: host (bracketed for IPv6) and ":port"
                                       unless it is 443 */
} wt_url;

/* url_parse parses |s|. The scheme must be "https" (case-insensitive); no
 * userinfo; host non-empty (names: letters, digits, '-', '.', '_'; IPv6 in
 * brackets); port 1..65535 (default URL_DEFAULT_PORT); path defaults to
 * URL_DEFAULT_PATH; a fragment is an error. Returns 0, or -1 with a short
 * static reason in |*err| ("scheme must be https", "port out of range", ...). */
int url_parse(const char *s, wt_url *out, const char **err);

#endif
