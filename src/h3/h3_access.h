/* Who may open a WebTransport session: the server's access policy over a
 * parsed extended CONNECT (h3_request). Pure: no I/O, no logging; the
 * caller loads the policy from its configuration and swaps it on reload.
 *
 * - Origins (browsers): an allow-list of serialized origins
 *   ("https://host[:port]"), "*" for any, "self" for the origin of the
 *   server itself (https and the request's :authority). A request without
 *   an Origin field (not a browser: wtping-client) is not subject to it.
 * - Bearer tokens (RFC 6750): when any are configured, the request must
 *   carry "authorization: Bearer TOKEN" with one of them. Only SHA-256
 *   digests are kept, compared in constant time; the token text is never
 *   stored, so it cannot be logged. */
#ifndef WTPING_H3_ACCESS_H
#define WTPING_H3_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "h3/h3_request.h"

#define H3_ACCESS_MAX_ORIGINS 64
#define H3_ACCESS_MAX_TOKENS 1024
#define H3_ACCESS_TOKEN_MIN 16  /* shorter tokens are refused at load */
#define H3_ACCESS_TOKEN_MAX 256
#define H3_ACCESS_MAX_CERTS 64 /* client certificate subjects, and pins */

typedef struct h3_access {
  bool origins_listed; /* h3_access_add_origin was called */
  bool origin_any;     /* "*" (also when no origin was listed) */
  bool origin_self; /* "self" */
  bool origin_file; /* "file": pages opened from a local file (origin "file://" from
                       Chromium, "null" from Firefox) */
  size_t norigins;
  char origins[H3_ACCESS_MAX_ORIGINS][H3_REQ_ORIGIN_MAX]; /* normalized */
  size_t ntokens;
  uint8_t tokens[H3_ACCESS_MAX_TOKENS][32]; /* SHA-256 of each token */
  /* mutual TLS: allowed client certificates (none listed: any the CA signed) */
  size_t nsubjects, npins;
  char subjects[H3_ACCESS_MAX_CERTS][256];
  uint8_t pins[H3_ACCESS_MAX_CERTS][32];
} h3_access;

/* How an accepted request authenticated (for `wtpctl sessions`). */
typedef enum h3_auth {
  H3_AUTH_NONE = 0,  /* no token required, none checked */
  H3_AUTH_TOKEN = 1, /* a valid bearer token */
} h3_auth;

typedef enum h3_access_verdict {
  H3_ACCESS_OK = 0,
  H3_ACCESS_UNAUTHORIZED = 401, /* tokens required, none sent */
  H3_ACCESS_FORBIDDEN = 403,    /* origin not allowed, or a wrong token */
} h3_access_verdict;

/* Why a request was refused (for the log: never the token). */
typedef enum h3_access_reason {
  H3_ACCESS_REASON_NONE = 0,
  H3_ACCESS_REASON_ORIGIN,   /* origin not in the allow-list */
  H3_ACCESS_REASON_NO_TOKEN, /* no authorization field */
  H3_ACCESS_REASON_BAD_SCHEME, /* authorization is not "Bearer TOKEN" */
  H3_ACCESS_REASON_BAD_TOKEN,  /* no configured token matches */
} h3_access_reason;

/* h3_access_init: any origin, no tokens. */
void h3_access_init(h3_access *a);

/* h3_access_add_origin adds an allow-list entry (the first one ends "any
 * origin"): "*", "self", or "http(s)://host[:port]" with no path, user or
 * query (scheme and host are lowercased, a default port dropped). Returns
 * 0, or -1 with a short static reason in |*err|. */
int h3_access_add_origin(h3_access *a, const char *origin, const char **err);

/* h3_access_add_token adds a bearer token (|len| bytes, RFC 6750 b64token
 * characters, H3_ACCESS_TOKEN_MIN..H3_ACCESS_TOKEN_MAX long). Returns 0, or
 * -1 with a short static reason in |*err|. */
int h3_access_add_token(h3_access *a, const char *token, size_t len, const char **err);

/* h3_access_add_cert_subject / h3_access_add_cert_pin add an allowed
 * client certificate by subject DN (as GnuTLS prints it) or by the SHA-256
 * of its DER encoding. Return 0, or -1 with |*err| (too many, too long). */
int h3_access_add_cert_subject(h3_access *a, const char *subject, const char **err);
int h3_access_add_cert_pin(h3_access *a, const uint8_t sha256[32], const char **err);

/* h3_access_cert_allowed returns true if a client certificate with
 * |subject| and |sha256| may open sessions: it is listed, or nothing is. */
bool h3_access_cert_allowed(const h3_access *a, const char *subject, const uint8_t sha256[32]);

/* h3_access_token_valid returns true if |token| (|len| bytes) is a token
 * h3_access_add_token would take (length and characters). */
bool h3_access_token_valid(const char *token, size_t len);

/* h3_access_check decides whether |r| (a request h3_request_verdict has
 * accepted) may open a session. Returns the verdict, and sets |*auth| (on
 * H3_ACCESS_OK) and |*why| (otherwise). Every configured token is compared,
 * matching or not, in time independent of the presented token. */
h3_access_verdict h3_access_check(const h3_access *a, const h3_request *r, h3_auth *auth,
                                  h3_access_reason *why);

/* h3_access_reason_str names a reason for the log ("origin not allowed"). */
const char *h3_access_reason_str(h3_access_reason why);

/* h3_auth_str names an h3_auth ("none", "token"). */
const char *h3_auth_str(h3_auth auth);

#endif
