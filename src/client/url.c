/* Parsing wtping URLs: https://HOST[:PORT][/PATH]. */
#include "client/url.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

/* The port that is left out of the authority. */
#define URL_HTTPS_PORT 443

static int url_fail(const char **err, const char *msg) {
  if (err) {
    *err = msg;
  }
  return -1;
}

static char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

/*
 * is_name_char returns nonzero if |c| may appear in a host name.
 */
static int is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.' || c == '_';
}

/*
 * parse_port parses the |len| bytes at |s| as a decimal port 1..65535.
 * Returns 0, or -1 with |*err| set.
 */
static int parse_port(const char *s, size_t len, uint16_t *port, const char **err) {
  unsigned long v = 0;
  size_t i;

  if (len == 0) {
    return url_fail(err, "empty port");
  }

  for (i = 0; i < len; ++i) {
    if (s[i] < '0' || s[i] > '9') {
      return url_fail(err, "invalid port");
    }
    /* Stop growing once out of range; leading zeros are fine. */
    if (v <= 65535) {
      v = v * 10 + (unsigned long)(s[i] - '0');
    }
  }

  if (v == 0 || v > 65535) {
    return url_fail(err, "port out of range");
  }

  *port = (uint16_t)v;

  return 0;
}

/*
 * copy_lower copies the |len| bytes at |s| to |dst| in lower case and
 * terminates them; |dst| must have room for |len| + 1 bytes.
 */
static void copy_lower(char *dst, const char *s, size_t len) {
  size_t i;

  for (i = 0; i < len; ++i) {
    dst[i] = ascii_lower(s[i]);
  }
  dst[len] = '\0';
}

/*
 * parse_authority parses HOST[:PORT] in the |len| bytes at |s| into |u|.
 * Returns 0, or -1 with |*err| set.
 */
static int parse_authority(const char *s, size_t len, wt_url *u, const char **err) {
  const char *end = s + len;
  const char *host, *close, *colon;
  size_t hostlen, i;
  struct in6_addr in6;

  if (memchr(s, '@', len)) {
    return url_fail(err, "userinfo not allowed");
  }

  if (len == 0) {
    return url_fail(err, "empty host");
  }

  if (*s == '[') {
    host = s + 1;
    close = memchr(host, ']', (size_t)(end - host));
    if (close == NULL) {
      return url_fail(err, "unclosed '['");
    }

    hostlen = (size_t)(close - host);
    if (hostlen == 0) {
      return url_fail(err, "empty host");
    }
    if (hostlen >= sizeof(u->host)) {
      return url_fail(err, "host too long");
    }

    copy_lower(u->host, host, hostlen);
    if (inet_pton(AF_INET6, u->host, &in6) != 1) {
      return url_fail(err, "invalid IPv6 address");
    }

    u->host_is_ipv6 = 1;

    if (close + 1 == end) {
      return 0;
    }
    if (close[1] != ':') {
      return url_fail(err, "garbage after ']'");
    }

    return parse_port(close + 2, (size_t)(end - close - 2), &u->port, err);
  }

  colon = memchr(s, ':', len);
  hostlen = colon ? (size_t)(colon - s) : len;

  if (hostlen == 0) {
    return url_fail(err, "empty host");
  }
  if (hostlen >= sizeof(u->host)) {
    return url_fail(err, "host too long");
  }
  for (i = 0; i < hostlen; ++i) {
    if (!is_name_char(s[i])) {
      return url_fail(err, "invalid character in host");
    }
  }

  copy_lower(u->host, s, hostlen);
  u->host_is_ipv6 = 0;

  if (colon == NULL) {
    return 0;
  }

  return parse_port(colon + 1, (size_t)(end - colon - 1), &u->port, err);
}

/*
 * parse_path copies the path and query at |s| (the rest of the URL, which
 * is empty or starts with '/' or '?') to |u->path|.  An empty path becomes
 * URL_DEFAULT_PATH, keeping any query.  Returns 0, or -1 with |*err| set.
 */
static int parse_path(const char *s, wt_url *u, const char **err) {
  size_t len = strlen(s);
  size_t plen = 0;

  if (*s != '/') {
    plen = sizeof(URL_DEFAULT_PATH) - 1;
  }

  if (len >= sizeof(u->path) - plen) {
    return url_fail(err, "path too long");
  }

  memcpy(u->path, URL_DEFAULT_PATH, plen);
  memcpy(u->path + plen, s, len + 1);

  return 0;
}

int url_parse(const char *s, wt_url *out, const char **err) {
  static const char scheme[] = "https";
  wt_url u;
  const char *p, *auth;
  size_t i;
  int n;

  if (err) {
    *err = NULL;
  }

  for (p = s; *p; ++p) {
    unsigned char c = (unsigned char)*p;

    if (c <= 0x20 || c >= 0x7f) {
      return url_fail(err, "spaces, control or non-ASCII characters not allowed");
    }
    if (c == '#') {
      return url_fail(err, "fragment not allowed");
    }
  }

  for (i = 0; i < sizeof(scheme) - 1; ++i) {
    if (ascii_lower(s[i]) != scheme[i]) {
      return url_fail(err, "scheme must be https");
    }
  }

  p = s + sizeof(scheme) - 1;
  if (*p != ':') {
    return url_fail(err, "scheme must be https");
  }
  ++p;

  if (p[0] != '/' || p[1] != '/') {
    return url_fail(err, "missing // after https:");
  }
  p += 2;

  memset(&u, 0, sizeof(u));
  u.port = URL_DEFAULT_PORT;

  auth = p;
  p += strcspn(p, "/?");

  if (parse_authority(auth, (size_t)(p - auth), &u, err) != 0) {
    return -1;
  }

  if (parse_path(p, &u, err) != 0) {
    return -1;
  }

  if (u.port == URL_HTTPS_PORT) {
    n = snprintf(u.authority, sizeof(u.authority), u.host_is_ipv6 ? "[%s]" : "%s", u.host);
  } else {
    n = snprintf(u.authority, sizeof(u.authority), u.host_is_ipv6 ? "[%s]:%u" : "%s:%u", u.host,
                 (unsigned)u.port);
  }

  /* Cannot happen: the authority buffer has room for brackets and a
     port. */
  if (n < 0 || (size_t)n >= sizeof(u.authority)) {
    return url_fail(err, "host too long");
  }

  *out = u;

  return 0;
}
