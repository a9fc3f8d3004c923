/* DNS-SD TXT records (RFC 6763 section 6) of a _wtping._udp service:
 * a pure parser over the record's RDATA (a sequence of length-prefixed
 * strings "key=value"). Keys we read:
 *   txtvers=1          the version of these keys (RFC 6763 section 6.7);
 *   path=/wtping       the WebTransport endpoint's path (default /wtping);
 *   pin=sha256:BASE64  the certificate's hash, as the server sees it: NOT
 *                      trusted unless the client opts in (docs/discovery.md).
 * Unknown keys are ignored, so later versions can add keys. */
#ifndef WTPING_DISC_TXT_H
#define WTPING_DISC_TXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DISC_DEFAULT_PATH "/wtping"
#define DISC_TXT_VERSION 1     /* the txtvers we publish and understand */
#define DISC_TXT_PATH_MAX 256  /* with its NUL */
#define DISC_TXT_PIN_MAX 64    /* "sha256:" + 44 base64 characters, with NUL */
#define DISC_TXT_RDATA_MAX 8900 /* RFC 6763 6.2: a TXT record should fit in
                                   about 1300 bytes, and at most 8900 */

typedef struct disc_txt {
  unsigned version; /* 0: no txtvers key */
  char path[DISC_TXT_PATH_MAX];
  bool have_path;
  char pin[DISC_TXT_PIN_MAX];
  bool have_pin;
} disc_txt;

/* disc_txt_parse reads |len| bytes of TXT RDATA at |rdata| into |out|
 * (defaults first: no version, path "/wtping", no pin). Following RFC 6763
 * section 6.4, keys are compared case-insensitively, only the first
 * occurrence of a key counts, an empty string or one starting with '=' is
 * ignored, and a string without '=' is a boolean attribute (ignored here).
 * Returns 0, or -1 with a static reason in |*why| when the record cannot be
 * used: a string running past the end (truncated), RDATA longer than
 * DISC_TXT_RDATA_MAX, a txtvers that is not a decimal number or a version
 * newer than DISC_TXT_VERSION, a path that does not start with '/', has a
 * control character, space or '#', or is too long, or a pin longer than a
 * SHA-256 pin can be. */
int disc_txt_parse(const uint8_t *rdata, size_t len, disc_txt *out, const char **why);

/* disc_txt_build writes the TXT RDATA we publish (txtvers, path and, when
 * |pin| is not NULL, pin) into |buf| (|cap| bytes). Returns its length, or
 * -1 when it does not fit or a value is longer than 255 bytes with its key. */
int disc_txt_build(const char *path, const char *pin, uint8_t *buf, size_t cap);

#endif
