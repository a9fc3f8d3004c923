/* Extended CONNECT (RFC 9220, RFC 8441 section 4) validation for
 * WebTransport over HTTP/3, following the field rules of RFC 9114 sections
 * 4.2, 4.3 and 4.4. */
#include "h3/h3_request.h"

#include <string.h>

/*
 * name_is returns true if |name| (|namelen| bytes) equals the C string
 * |s|.
 */
static bool name_is(const uint8_t *name, size_t namelen, const char *s) {
  size_t slen = strlen(s);

  return namelen == slen && memcmp(name, s, slen) == 0;
}

/*
 * value_is returns true if |value| (|valuelen| bytes) equals the C string
 * |s|.
 */
static bool value_is(const uint8_t *value, size_t valuelen, const char *s) {
  return name_is(value, valuelen, s);
}

/*
 * name_valid returns true if |name| (|namelen| bytes) is a lowercase field
 * name: a nonempty token (RFC 9110 section 5.1) without uppercase letters,
 * or a pseudo-header (':' followed by such a token).
 */
static bool name_valid(const uint8_t *name, size_t namelen) {
  size_t i = 0;

  if (namelen > 0 && name[0] == ':') {
    i = 1;
  }
  if (i == namelen) {
    return false;
  }

  for (; i < namelen; ++i) {
    uint8_t c = name[i];

    /* RFC 9114 section 4.2: uppercase names are malformed. */
    if (c >= 'A' && c <= 'Z') {
      return false;
    }
    /* Controls, space, DEL, non-ASCII and separators are not tchars. */
    if (c <= 0x20 || c >= 0x7f || strchr("\"(),/:;<=>?@[\\]{}", c) != NULL) {
      return false;
    }
  }

  return true;
}

/*
 * value_valid returns true if |value| (|valuelen| bytes) has no NUL, CR or
 * LF (RFC 9114 section 4.1.2 / RFC 9110 section 5.5).
 */
static bool value_valid(const uint8_t *value, size_t valuelen) {
  size_t i;

  for (i = 0; i < valuelen; ++i) {
    if (value[i] == '\0' || value[i] == '\r' || value[i] == '\n') {
      return false;
    }
  }

  return true;
}

/*
 * store copies |value| (|valuelen| bytes) into |dst| (|dstlen| bytes) as a
 * C string. Returns false if it does not fit with its terminator.
 */
static bool store(char *dst, size_t dstlen, const uint8_t *value, size_t valuelen) {
  if (valuelen >= dstlen) {
    return false;
  }
  if (valuelen) {
    memcpy(dst, value, valuelen);
  }
  dst[valuelen] = '\0';

  return true;
}

/*
 * connection_specific returns true for the fields that RFC 9114 section
 * 4.2 forbids in HTTP/3 ("te" only with a value other than "trailers").
 */
static bool connection_specific(const uint8_t *name, size_t namelen, const uint8_t *value,
                                size_t valuelen) {
  if (name_is(name, namelen, "te")) {
    return !value_is(value, valuelen, "trailers");
  }

  return name_is(name, namelen, "connection") || name_is(name, namelen, "keep-alive") ||
         name_is(name, namelen, "proxy-connection") ||
         name_is(name, namelen, "transfer-encoding") || name_is(name, namelen, "upgrade");
}

void h3_request_init(h3_request *r) { memset(r, 0, sizeof(*r)); }

/*
 * request_pseudo records the pseudo-header |name| of |r|. Returns false if
 * it is unknown, duplicate or its value does not fit.
 */
static bool request_pseudo(h3_request *r, const uint8_t *name, size_t namelen,
                           const uint8_t *value, size_t valuelen) {
  char *dst;
  size_t dstlen;
  bool *has;

  if (name_is(name, namelen, ":method")) {
    dst = r->method;
    dstlen = sizeof(r->method);
    has = &r->has_method;
  } else if (name_is(name, namelen, ":protocol")) {
    dst = r->protocol;
    dstlen = sizeof(r->protocol);
    has = &r->has_protocol;
  } else if (name_is(name, namelen, ":scheme")) {
    dst = r->scheme;
    dstlen = sizeof(r->scheme);
    has = &r->has_scheme;
  } else if (name_is(name, namelen, ":authority")) {
    dst = r->authority;
    dstlen = sizeof(r->authority);
    has = &r->has_authority;
  } else if (name_is(name, namelen, ":path")) {
    dst = r->path;
    dstlen = sizeof(r->path);
    has = &r->has_path;
  } else {
    /* Response pseudo-headers (:status) and anything else. */
    return false;
  }

  if (*has || !store(dst, dstlen, value, valuelen)) {
    return false;
  }
  *has = true;

  return true;
}

int h3_request_add_field(void *ud, const uint8_t *name, size_t namelen, const uint8_t *value,
                         size_t valuelen) {
  h3_request *r = ud;

  if (r->malformed) {
    return 0;
  }

  if (!name_valid(name, namelen) || !value_valid(value, valuelen)) {
    r->malformed = true;
    return 0;
  }

  if (name[0] == ':') {
    if (r->seen_regular || !request_pseudo(r, name, namelen, value, valuelen)) {
      r->malformed = true;
    }
    return 0;
  }

  r->seen_regular = true;

  if (connection_specific(name, namelen, value, valuelen) ||
      /* The draft-00..03 flow id that draft-02 peers must not send. */
      name_is(name, namelen, "datagram-flow-id")) {
    r->malformed = true;
    return 0;
  }

  if (name_is(name, namelen, "sec-webtransport-http3-draft02")) {
    if (value_is(value, valuelen, "1")) {
      r->draft02 = true;
    }
    return 0;
  }

  if (name_is(name, namelen, "authorization")) {
    /* Two credentials would make the check ambiguous. */
    if (r->has_authorization) {
      r->malformed = true;
      return 0;
    }
    r->has_authorization = true;
    if (!store(r->authorization, sizeof(r->authorization), value, valuelen)) {
      r->authorization[0] = '\0';
    }
    return 0;
  }

  if (name_is(name, namelen, "origin")) {
    /* Two origins would make any origin check ambiguous. */
    if (r->has_origin || !store(r->origin, sizeof(r->origin), value, valuelen)) {
      r->malformed = true;
      return 0;
    }
    r->has_origin = true;
    return 0;
  }

  return 0;
}

h3_verdict h3_request_verdict(const h3_request *r, const char *path) {
  const char *q;
  size_t plen;

  if (r->malformed || !r->has_method || r->method[0] == '\0') {
    return H3_VERDICT_BAD_REQUEST;
  }

  if (strcmp(r->method, "CONNECT") != 0) {
    /* RFC 8441 section 4: :protocol only goes with CONNECT. RFC 9114
     * section 4.3.1: other requests need :scheme and a nonempty :path. */
    if (r->has_protocol || !r->has_scheme || !r->has_path || r->path[0] == '\0') {
      return H3_VERDICT_BAD_REQUEST;
    }
    return H3_VERDICT_NOT_ALLOWED;
  }

  if (!r->has_protocol) {
    /* Classic CONNECT: a tunnel to another host. wtping is no proxy. */
    return H3_VERDICT_NOT_IMPLEMENTED;
  }

  if (!r->has_scheme || !r->has_path || !r->has_authority || r->path[0] == '\0' ||
      r->authority[0] == '\0') {
    return H3_VERDICT_BAD_REQUEST;
  }

  if (strcmp(r->protocol, "webtransport") != 0) {
    return H3_VERDICT_NOT_IMPLEMENTED;
  }

  if (strcmp(r->scheme, "https") != 0) {
    return H3_VERDICT_BAD_REQUEST;
  }

  q = strchr(r->path, '?');
  plen = q ? (size_t)(q - r->path) : strlen(r->path);
  if (path == NULL || strlen(path) != plen || memcmp(r->path, path, plen) != 0) {
    return H3_VERDICT_NOT_FOUND;
  }

  return H3_VERDICT_ACCEPT_WT;
}

/*
 * header_set fills |h| with the C strings |name| and |value|.
 */
static void header_set(h3_header *h, const char *name, const char *value) {
  h->name = name;
  h->namelen = strlen(name);
  h->value = value;
  h->valuelen = strlen(value);
}

size_t h3_request_build_connect(h3_header *hdrs, const char *authority, const char *path,
                                const char *origin) {
  size_t n = 0;

  header_set(&hdrs[n++], ":method", "CONNECT");
  header_set(&hdrs[n++], ":scheme", "https");
  header_set(&hdrs[n++], ":authority", authority);
  header_set(&hdrs[n++], ":path", path);
  header_set(&hdrs[n++], ":protocol", "webtransport");
  header_set(&hdrs[n++], "sec-webtransport-http3-draft02", "1");
  if (origin) {
    header_set(&hdrs[n++], "origin", origin);
  }

  return n;
}

int h3_response_add_field(void *ud, const uint8_t *name, size_t namelen, const uint8_t *value,
                          size_t valuelen) {
  int *status = ud;
  int st;

  if (*status == -1) {
    return 0;
  }

  if (!name_valid(name, namelen) || !value_valid(value, valuelen)) {
    *status = -1;
    return 0;
  }

  if (name[0] != ':') {
    /* :status is the only response pseudo-header and must come before any
     * regular field, so a regular field before it means it is missing or
     * misplaced. */
    if (*status == 0) {
      *status = -1;
    }
    return 0;
  }

  if (!name_is(name, namelen, ":status") || *status != 0 || valuelen != 3 ||
      value[0] < '1' || value[0] > '5' || value[1] < '0' || value[1] > '9' ||
      value[2] < '0' || value[2] > '9') {
    *status = -1;
    return 0;
  }

  st = (value[0] - '0') * 100 + (value[1] - '0') * 10 + (value[2] - '0');
  *status = st;

  return 0;
}

/* is_bearer: |value| names the auth-scheme "Bearer" (case-insensitive,
 * RFC 9110 section 11.1), alone or followed by a space and parameters. */
static bool is_bearer(const uint8_t *value, size_t len) {
  static const char scheme[] = "bearer";
  size_t n = sizeof(scheme) - 1;
  if (len < n || (len > n && value[n] != ' '))
    return false;
  for (size_t i = 0; i < n; i++) {
    uint8_t c = value[i];
    if (c >= 'A' && c <= 'Z')
      c = (uint8_t)(c - 'A' + 'a');
    if (c != (uint8_t)scheme[i])
      return false;
  }
  return true;
}

int h3_response_field(void *ud, const uint8_t *name, size_t namelen, const uint8_t *value,
                      size_t valuelen) {
  h3_response *r = ud;
  h3_response_add_field(&r->status, name, namelen, value, valuelen);
  if (r->status > 0 && name_is(name, namelen, "www-authenticate") && is_bearer(value, valuelen))
    r->bearer_challenge = true;
  return 0;
}
