/* QPACK (RFC 9204) through nghttp3 0.8.0's standalone encoder/decoder with a
 * dynamic table of capacity 0: static table and literals only, so no encoder
 * or decoder stream is ever needed. */
#ifndef WTPING_H3_QPACK_H
#define WTPING_H3_QPACK_H

#include <stddef.h>
#include <stdint.h>

typedef struct h3_header {
  const char *name; /* lowercase */
  size_t namelen;
  const char *value;
  size_t valuelen;
} h3_header;

typedef struct h3_qpack h3_qpack; /* opaque: one encoder + one decoder */

/* h3_qpack_new allocates a codec. Returns NULL on allocation failure. */
h3_qpack *h3_qpack_new(void);
void h3_qpack_free(h3_qpack *q);

/* h3_qpack_encode encodes |n| headers as a HEADERS frame payload (field
 * section prefix + field lines) into |out| (|cap| bytes). Returns the payload
 * length, or 0 if it does not fit or on failure. |stream_id| is the stream
 * the section is sent on. */
size_t h3_qpack_encode(h3_qpack *q, int64_t stream_id, const h3_header *hdrs, size_t n,
                       uint8_t *out, size_t cap);

/* Called once per decoded field line. Return 0 to go on, nonzero to stop
 * (h3_qpack_decode then returns that value). */
typedef int (*h3_header_cb)(void *ud, const uint8_t *name, size_t namelen,
                            const uint8_t *value, size_t valuelen);

/* h3_qpack_decode decodes a complete HEADERS frame payload. Returns 0, the
 * callback's nonzero value, or QPACK_DECOMPRESSION_FAILED (0x200) for a
 * malformed section (including any reference to the dynamic table). */
uint64_t h3_qpack_decode(h3_qpack *q, int64_t stream_id, const uint8_t *payload, size_t len,
                         h3_header_cb cb, void *ud);

#endif
