/* Extended CONNECT requests for WebTransport (RFC 9220, draft-ietf-webtrans-
 * http3-02) and the server's answer, as pure functions over decoded header
 * fields, plus the client side: building a request and checking a response. */
#ifndef WTPING_H3_REQUEST_H
#define WTPING_H3_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "h3/h3_qpack.h"

#define H3_REQ_AUTHORITY_MAX 256
#define H3_REQ_PATH_MAX 1024
#define H3_REQ_ORIGIN_MAX 256
#define H3_REQ_AUTHORIZATION_MAX 512

typedef struct h3_request {
  /* Filled by h3_request_add_field. Fixed-size: longer values are an error. */
  char method[16];
  char protocol[32];
  char scheme[16];
  char authority[H3_REQ_AUTHORITY_MAX];
  char path[H3_REQ_PATH_MAX];
  char origin[H3_REQ_ORIGIN_MAX];
  /* The authorization field's value; "" with has_authorization when it was
   * longer than fits (no credential we issue is: it is then simply wrong). */
  char authorization[H3_REQ_AUTHORIZATION_MAX];
  bool has_authorization;
  bool has_method, has_protocol, has_scheme, has_authority, has_path, has_origin;
  bool draft02; /* sec-webtransport-http3-draft02: 1 */
  bool seen_regular; /* a regular field was seen: pseudo-headers after it are malformed */
  bool malformed;    /* duplicate pseudo-header, unknown pseudo-header, bad order,
                        uppercase name, oversize value, datagram-flow-id ... */
} h3_request;

void h3_request_init(h3_request *r);

/* h3_request_add_field records one decoded field line; matches h3_header_cb
 * (|ud| is the h3_request). Always returns 0; problems set r->malformed. */
int h3_request_add_field(void *ud, const uint8_t *name, size_t namelen, const uint8_t *value,
                         size_t valuelen);

/* What the server does with a complete request. */
typedef enum h3_verdict {
  H3_VERDICT_ACCEPT_WT = 200,   /* a WebTransport CONNECT for |path| */
  H3_VERDICT_BAD_REQUEST = 400, /* malformed: respond 400 and FIN */
  H3_VERDICT_NOT_FOUND = 404,   /* a WT CONNECT for another path */
  H3_VERDICT_NOT_ALLOWED = 405, /* a valid non-CONNECT request (GET, POST, ...) */
  H3_VERDICT_NOT_IMPLEMENTED = 501 /* CONNECT without :protocol webtransport */
} h3_verdict;

/* h3_request_verdict decides the answer to |r| for a server serving
 * WebTransport at |path| (the path part of :path, query ignored, must match
 * exactly). */
h3_verdict h3_request_verdict(const h3_request *r, const char *path);

/* h3_request_build_connect fills |hdrs| (room for 8) with a WebTransport
 * extended CONNECT request for |authority| and |path| (pointers are kept, not
 * copied) and returns the count. |origin| may be NULL. */
size_t h3_request_build_connect(h3_header *hdrs, const char *authority, const char *path,
                                const char *origin);

/* h3_response_status parses a response field section: collects :status.
 * Use with h3_qpack_decode; |ud| points at an int that receives the status
 * (or -1 when malformed or absent; initialise it to 0 before decoding). */
int h3_response_add_field(void *ud, const uint8_t *name, size_t namelen, const uint8_t *value,
                          size_t valuelen);

/* What the client side reads from a response: the status (as
 * h3_response_add_field) and whether a www-authenticate field challenges
 * with the Bearer scheme (RFC 6750 section 3), as a 401 from a server that
 * wants a token does. */
typedef struct h3_response {
  int status;
  bool bearer_challenge;
} h3_response;

/* h3_response_field is h3_response_add_field over an h3_response (zero it
 * before decoding). */
int h3_response_field(void *ud, const uint8_t *name, size_t namelen, const uint8_t *value,
                      size_t valuelen);

#endif
