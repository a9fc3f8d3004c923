/* The server's access policy for WebTransport sessions (see h3_access.h). */
#include "h3/h3_access.h"

#include <gnutls/crypto.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void h3_access_init(h3_access *a) {
  memset(a, 0, sizeof(*a));
  a->origin_any = true;
}

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

static bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '.' || c == '-' || c == '_';
}

/* origin_normalize writes the canonical form of the serialized origin
 * |in| (|len| bytes): "scheme://host[:port]", scheme http or https, scheme
 * and host lowercased, the scheme's default port dropped. Returns 0, or -1
 * if |in| is not such an origin or does not fit |cap|. */
static int origin_normalize(const char *in, size_t len, char *out, size_t cap) {
  size_t slen;
  unsigned defport;
  if (len >= 8 && strncasecmp(in, "https://", 8) == 0) {
    slen = 8;
    defport = 443;
  } else if (len >= 7 && strncasecmp(in, "http://", 7) == 0) {
    slen = 7;
    defport = 80;
  } else {
    return -1;
  }
  const char *h = in + slen, *end = in + len;
  const char *p = h;
  if (p < end && *p == '[') {
    while (p < end && *p != ']') {
      if (!(*p == '[' && p == h) && !(*p == ':' || *p == '.' || host_char(*p)))
        return -1;
      p++;
    }
    if (p == end || p - h < 3)
      return -1;
    p++; /* ']' */
  } else {
    while (p < end && host_char(*p))
      p++;
    if (p == h)
      return -1;
  }
  size_t hlen = (size_t)(p - h);
  unsigned port = defport;
  if (p < end && *p == ':') {
    p++;
    if (p == end)
      return -1;
    port = 0;
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
      port = port * 10 + (unsigned)(*p - '0');
      if (port > 65535)
        return -1;
    }
    if (port == 0)
      return -1;
  }
  if (p != end)
    return -1; /* a path, a query, user info, anything else */
  char portbuf[8] = "";
  if (port != defport)
    snprintf(portbuf, sizeof(portbuf), ":%u", port);
  size_t need = slen + hlen + strlen(portbuf) + 1;
  if (need > cap)
    return -1;
  size_t o = 0;
  for (size_t i = 0; i < slen; i++)
    out[o++] = lower(in[i]);
  for (size_t i = 0; i < hlen; i++)
    out[o++] = lower(h[i]);
  memcpy(out + o, portbuf, strlen(portbuf) + 1);
  return 0;
}

int h3_access_add_origin(h3_access *a, const char *origin, const char **err) {
  if (!a->origins_listed) {
    a->origins_listed = true;
    a->origin_any = false; /* the first entry replaces the default "any" */
  }
  if (strcmp(origin, "*") == 0) {
    a->origin_any = true;
    return 0;
  }
  if (strcmp(origin, "self") == 0) {
    a->origin_self = true;
    return 0;
  }
  if (strcmp(origin, "file") == 0) {
    a->origin_file = true;
    return 0;
  }
  if (a->norigins == H3_ACCESS_MAX_ORIGINS) {
    *err = "too many origins";
    return -1;
  }
  if (origin_normalize(origin, strlen(origin), a->origins[a->norigins],
                       sizeof(a->origins[0])) != 0) {
    *err = "not an origin (http[s]://host[:port], \"self\", \"file\" or \"*\")";
    return -1;
  }
  a->norigins++;
  return 0;
}

/* b64token: RFC 6750 section 2.1. */
static bool token_valid(const char *t, size_t len) {
  size_t i = 0;
  while (i < len && ((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z') ||
                     (t[i] >= '0' && t[i] <= '9') || strchr("-._~+/", t[i])) && t[i])
    i++;
  if (i == 0)
    return false;
  while (i < len && t[i] == '=')
    i++;
  return i == len;
}

int h3_access_add_cert_subject(h3_access *a, const char *subject, const char **err) {
  if (a->nsubjects == H3_ACCESS_MAX_CERTS || strlen(subject) >= sizeof(a->subjects[0]) ||
      !*subject) {
    *err = a->nsubjects == H3_ACCESS_MAX_CERTS ? "too many subjects" : "empty or too long";
    return -1;
  }
  memcpy(a->subjects[a->nsubjects++], subject, strlen(subject) + 1);
  return 0;
}

int h3_access_add_cert_pin(h3_access *a, const uint8_t sha256[32], const char **err) {
  if (a->npins == H3_ACCESS_MAX_CERTS) {
    *err = "too many pins";
    return -1;
  }
  memcpy(a->pins[a->npins++], sha256, 32);
  return 0;
}

bool h3_access_cert_allowed(const h3_access *a, const char *subject, const uint8_t sha256[32]) {
  if (a->nsubjects == 0 && a->npins == 0)
    return true;
  for (size_t i = 0; i < a->nsubjects; i++)
    if (strcmp(subject, a->subjects[i]) == 0)
      return true;
  for (size_t i = 0; i < a->npins; i++)
    if (memcmp(sha256, a->pins[i], 32) == 0)
      return true;
  return false;
}

bool h3_access_token_valid(const char *token, size_t len) {
  return len >= H3_ACCESS_TOKEN_MIN && len <= H3_ACCESS_TOKEN_MAX && token_valid(token, len);
}

int h3_access_add_token(h3_access *a, const char *token, size_t len, const char **err) {
  if (a->ntokens == H3_ACCESS_MAX_TOKENS) {
    *err = "too many tokens";
    return -1;
  }
  if (len < H3_ACCESS_TOKEN_MIN || len > H3_ACCESS_TOKEN_MAX) {
    *err = "a token must be 16 to 256 characters long";
    return -1;
  }
  if (!token_valid(token, len)) {
    *err = "a token is letters, digits and -._~+/ (then any '=')";
    return -1;
  }
  if (gnutls_hash_fast(GNUTLS_DIG_SHA256, token, len, a->tokens[a->ntokens]) != 0) {
    *err = "cannot hash the token";
    return -1;
  }
  a->ntokens++;
  return 0;
}

/* digest_eq compares two SHA-256 digests in constant time. */
static bool digest_eq(const uint8_t *x, const uint8_t *y) {
  volatile uint8_t d = 0;
  for (size_t i = 0; i < 32; i++)
    d |= (uint8_t)(x[i] ^ y[i]);
  return d == 0;
}

/* origin_allowed applies the origin allow-list to |r|. */
static bool origin_allowed(const h3_access *a, const h3_request *r) {
  if (!r->has_origin || a->origin_any)
    return true;
  if (a->origin_file && (strcmp(r->origin, "file://") == 0 || strcmp(r->origin, "null") == 0))
    return true; /* a page opened from a local file: Chromium says "file://", Firefox "null" */
  char norm[H3_REQ_ORIGIN_MAX];
  if (origin_normalize(r->origin, strlen(r->origin), norm, sizeof(norm)) != 0)
    return false; /* "null" (an opaque origin) or garbage */
  for (size_t i = 0; i < a->norigins; i++)
    if (strcmp(norm, a->origins[i]) == 0)
      return true;
  if (a->origin_self && r->has_authority) {
    char self[8 + H3_REQ_AUTHORITY_MAX], selfnorm[H3_REQ_ORIGIN_MAX];
    int n = snprintf(self, sizeof(self), "https://%s", r->authority);
    if (n > 0 && (size_t)n < sizeof(self) &&
        origin_normalize(self, (size_t)n, selfnorm, sizeof(selfnorm)) == 0 &&
        strcmp(norm, selfnorm) == 0)
      return true;
  }
  return false;
}

h3_access_verdict h3_access_check(const h3_access *a, const h3_request *r, h3_auth *auth,
                                  h3_access_reason *why) {
  *why = H3_ACCESS_REASON_NONE;
  *auth = H3_AUTH_NONE;
  if (!origin_allowed(a, r)) {
    *why = H3_ACCESS_REASON_ORIGIN;
    return H3_ACCESS_FORBIDDEN;
  }
  if (a->ntokens == 0)
    return H3_ACCESS_OK;
  if (!r->has_authorization) {
    *why = H3_ACCESS_REASON_NO_TOKEN;
    return H3_ACCESS_UNAUTHORIZED;
  }
  /* credentials = "Bearer" 1*SP b64token (RFC 6750 section 2.1) */
  const char *v = r->authorization;
  if (strncasecmp(v, "bearer ", 7) != 0) {
    *why = H3_ACCESS_REASON_BAD_SCHEME;
    return H3_ACCESS_UNAUTHORIZED;
  }
  v += 7;
  while (*v == ' ')
    v++;
  size_t len = strlen(v);
  uint8_t digest[32];
  if (len < H3_ACCESS_TOKEN_MIN || len > H3_ACCESS_TOKEN_MAX || !token_valid(v, len) ||
      gnutls_hash_fast(GNUTLS_DIG_SHA256, v, len, digest) != 0) {
    *why = H3_ACCESS_REASON_BAD_TOKEN;
    return H3_ACCESS_FORBIDDEN;
  }
  bool match = false;
  for (size_t i = 0; i < a->ntokens; i++)
    match |= digest_eq(digest, a->tokens[i]);
  if (!match) {
    *why = H3_ACCESS_REASON_BAD_TOKEN;
    return H3_ACCESS_FORBIDDEN;
  }
  *auth = H3_AUTH_TOKEN;
  return H3_ACCESS_OK;
}

const char *h3_access_reason_str(h3_access_reason why) {
  switch (why) {
  case H3_ACCESS_REASON_ORIGIN:
    return "origin not allowed";
  case H3_ACCESS_REASON_NO_TOKEN:
    return "no bearer token";
  case H3_ACCESS_REASON_BAD_SCHEME:
    return "authorization is not a bearer token";
  case H3_ACCESS_REASON_BAD_TOKEN:
    return "wrong bearer token";
  case H3_ACCESS_REASON_NONE:
    break;
  }
  return "allowed";
}

const char *h3_auth_str(h3_auth auth) { return auth == H3_AUTH_TOKEN ? "token" : "none"; }
