/* Numeric socket address parsing and formatting. */
#include "common/addr.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

/*
 * Accepted forms (no name resolution, everything numeric):
 *
 *   1.2.3.4:443          IPv4 with port
 *   [::1]:443            IPv6 with port; "[fe80::1%eth0]:443" or
 *                        "[fe80::1%2]:443" carry a scope id
 *   *:443                [::]:443, meant for a dual-stack socket
 *   1.2.3.4, [::1], ::1, fe80::1%eth0, *
 *                        without a port: |default_port| is used
 *
 * A port is 1..65535 in decimal.  |default_port| 0 means "the port is
 * mandatory".
 */

/* ADDR_HOSTMAX bounds the host part: an IPv6 literal plus "%ifname" or a
   decimal scope id. */
#define ADDR_HOSTMAX (INET6_ADDRSTRLEN + IF_NAMESIZE + 16)

static int addr_fail(const char **err, const char *msg) {
  if (err) {
    *err = msg;
  }
  return -1;
}

/* parse_port parses |len| decimal digits at |s|.  Returns 0, or -1 with
   *err set. */
static int parse_port(const char *s, size_t len, uint16_t *port,
                      const char **err) {
  unsigned long v = 0;
  size_t i;

  if (len == 0) {
    return addr_fail(err, "empty port");
  }
  for (i = 0; i < len; ++i) {
    if (s[i] < '0' || s[i] > '9') {
      return addr_fail(err, "invalid port");
    }
    v = v * 10 + (unsigned long)(s[i] - '0');
    if (v > 65535) {
      return addr_fail(err, "port out of range");
    }
  }
  if (v == 0) {
    return addr_fail(err, "port out of range");
  }
  *port = (uint16_t)v;
  return 0;
}

/* parse_scope turns an interface name or a decimal index into a scope
   id. */
static int parse_scope(const char *s, uint32_t *scope, const char **err) {
  unsigned long v = 0;
  unsigned int idx;
  const char *p;

  if (*s == '\0') {
    return addr_fail(err, "empty scope id");
  }
  idx = if_nametoindex(s);
  if (idx != 0) {
    *scope = idx;
    return 0;
  }
  for (p = s; *p; ++p) {
    if (*p < '0' || *p > '9') {
      return addr_fail(err, "unknown interface");
    }
    v = v * 10 + (unsigned long)(*p - '0');
    if (v > UINT32_MAX) {
      return addr_fail(err, "scope id out of range");
    }
  }
  if (v == 0) {
    return addr_fail(err, "scope id out of range");
  }
  *scope = (uint32_t)v;
  return 0;
}

/* parse_host parses the |len| bytes at |host| as an IPv4 (if !|v6|) or an
   IPv6 literal, optionally with "%scope" for IPv6, and writes |port| into
   |out|. */
static int parse_host(const char *host, size_t len, int v6, uint16_t port,
                      struct sockaddr_storage *out, socklen_t *outlen,
                      const char **err) {
  char buf[ADDR_HOSTMAX];
  char *pct;
  uint32_t scope = 0;

  if (len == 0) {
    return addr_fail(err, "empty host");
  }
  if (len >= sizeof(buf)) {
    return addr_fail(err, "not a numeric address");
  }
  memcpy(buf, host, len);
  buf[len] = '\0';

  memset(out, 0, sizeof(*out));

  if (!v6) {
    struct sockaddr_in *sin = (struct sockaddr_in *)out;

    if (inet_pton(AF_INET, buf, &sin->sin_addr) != 1) {
      return addr_fail(err, "not a numeric address");
    }
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    if (outlen) {
      *outlen = (socklen_t)sizeof(*sin);
    }
    return 0;
  }

  {
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)out;

    pct = strchr(buf, '%');
    if (pct) {
      *pct = '\0';
    }
    if (inet_pton(AF_INET6, buf, &sin6->sin6_addr) != 1) {
      memset(out, 0, sizeof(*out));
      return addr_fail(err, "not a numeric address");
    }
    if (pct && parse_scope(pct + 1, &scope, err) != 0) {
      memset(out, 0, sizeof(*out));
      return -1;
    }
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    sin6->sin6_scope_id = scope;
    if (outlen) {
      *outlen = (socklen_t)sizeof(*sin6);
    }
    return 0;
  }
}

int addr_parse(const char *s, uint16_t default_port,
               struct sockaddr_storage *out, socklen_t *outlen,
               const char **err) {
  const char *host, *rest, *colon;
  size_t hostlen;
  uint16_t port = default_port;

  if (s == NULL || *s == '\0') {
    return addr_fail(err, "empty address");
  }

  if (*s == '[') {
    /* "[IPv6]" or "[IPv6]:PORT" */
    host = s + 1;
    rest = strchr(host, ']');
    if (rest == NULL) {
      return addr_fail(err, "missing ']'");
    }
    hostlen = (size_t)(rest - host);
    ++rest;
    if (*rest == ':') {
      if (parse_port(rest + 1, strlen(rest + 1), &port, err) != 0) {
        return -1;
      }
    } else if (*rest != '\0') {
      return addr_fail(err, "garbage after ']'");
    } else if (default_port == 0) {
      return addr_fail(err, "missing port");
    }
    if (hostlen == 0) {
      return addr_fail(err, "empty host");
    }
    return parse_host(host, hostlen, 1, port, out, outlen, err);
  }

  colon = strchr(s, ':');
  if (colon && strchr(colon + 1, ':')) {
    /* Two colons or more and no brackets: a bare IPv6 address, which
       cannot carry a port. */
    if (default_port == 0) {
      return addr_fail(err, "missing port (IPv6 needs [brackets]:port)");
    }
    return parse_host(s, strlen(s), 1, port, out, outlen, err);
  }

  if (colon) {
    hostlen = (size_t)(colon - s);
    if (parse_port(colon + 1, strlen(colon + 1), &port, err) != 0) {
      return -1;
    }
  } else {
    hostlen = strlen(s);
    if (default_port == 0) {
      return addr_fail(err, "missing port");
    }
  }

  if (hostlen == 0) {
    return addr_fail(err, "empty host");
  }

  if (hostlen == 1 && *s == '*') {
    /* The wildcard: [::] so that one socket serves IPv4 and IPv6. */
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)out;

    memset(out, 0, sizeof(*out));
    sin6->sin6_family = AF_INET6;
    sin6->sin6_addr = in6addr_any;
    sin6->sin6_port = htons(port);
    if (outlen) {
      *outlen = (socklen_t)sizeof(*sin6);
    }
    return 0;
  }

  return parse_host(s, hostlen, 0, port, out, outlen, err);
}

/* format_host writes the host part of |sa| (no brackets) into |host|,
   which has |cap| >= ADDR_STRLEN bytes.  Returns the port in host order,
   or -1 for an unknown family.  *bracket is set for an IPv6 host. */
static int format_host(const struct sockaddr *sa, char *host, size_t cap,
                       int *bracket) {
  *bracket = 0;

  switch (sa->sa_family) {
  case AF_INET: {
    const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)sa;

    if (inet_ntop(AF_INET, &sin->sin_addr, host, (socklen_t)cap) == NULL) {
      return -1;
    }
    return ntohs(sin->sin_port);
  }
  case AF_INET6: {
    const struct sockaddr_in6 *sin6 =
        (const struct sockaddr_in6 *)(const void *)sa;
    char ifname[IF_NAMESIZE];
    size_t n;

    if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
      if (inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12], host,
                    (socklen_t)cap) == NULL) {
        return -1;
      }
      return ntohs(sin6->sin6_port);
    }
    if (inet_ntop(AF_INET6, &sin6->sin6_addr, host, (socklen_t)cap) == NULL) {
      return -1;
    }
    if (sin6->sin6_scope_id) {
      n = strlen(host);
      if (if_indextoname(sin6->sin6_scope_id, ifname)) {
        snprintf(host + n, cap - n, "%%%s", ifname);
      } else {
        snprintf(host + n, cap - n, "%%%u", (unsigned)sin6->sin6_scope_id);
      }
    }
    *bracket = 1;
    return ntohs(sin6->sin6_port);
  }
  default:
    return -1;
  }
}

char *addr_format(const struct sockaddr *sa, char *buf, size_t cap) {
  char host[ADDR_STRLEN];
  int port, bracket;

  if (cap == 0) {
    return buf;
  }
  port = format_host(sa, host, sizeof(host), &bracket);
  if (port < 0) {
    snprintf(buf, cap, "(unknown address family %d)", (int)sa->sa_family);
  } else if (bracket) {
    snprintf(buf, cap, "[%s]:%d", host, port);
  } else {
    snprintf(buf, cap, "%s:%d", host, port);
  }
  return buf;
}

char *addr_format_host(const struct sockaddr *sa, char *buf, size_t cap) {
  char host[ADDR_STRLEN];
  int bracket;

  if (cap == 0) {
    return buf;
  }
  if (format_host(sa, host, sizeof(host), &bracket) < 0) {
    snprintf(buf, cap, "(unknown address family %d)", (int)sa->sa_family);
  } else {
    snprintf(buf, cap, "%s", host);
  }
  return buf;
}
