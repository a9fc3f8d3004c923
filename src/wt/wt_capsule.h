/* Capsules on the WebTransport CONNECT stream (RFC 9297 section 3): carried
 * inside HTTP/3 DATA frames; type (varint), length (varint), value. */
#ifndef WTPING_WT_CAPSULE_H
#define WTPING_WT_CAPSULE_H

#include <stddef.h>
#include <stdint.h>

#define WT_CAPSULE_CLOSE_SESSION 0x2843
#define WT_CAPSULE_DRAIN_SESSION 0x78ae
#define WT_CLOSE_REASON_MAX 1024
/* Largest capsule value we buffer (CLOSE: 4 + 1024). Others are skipped. */
#define WT_CAPSULE_BUFFER_MAX (4 + WT_CLOSE_REASON_MAX)
#define WT_CAPSULE_HDR_MAX 16
#define WT_CAPSULE_CLOSE_MAX (WT_CAPSULE_HDR_MAX + 4 + WT_CLOSE_REASON_MAX)

/* wt_capsule_hdr_parse decodes a capsule header (type, length). Returns the
 * header length, or 0 if |len| does not yet hold a whole header. */
size_t wt_capsule_hdr_parse(const uint8_t *p, size_t len, uint64_t *type, uint64_t *length);

/* wt_capsule_close_parse decodes a CLOSE_WEBTRANSPORT_SESSION value: uint32
 * big-endian code + UTF-8 reason. |*reason| points into |value|. Returns 0, or
 * -1 if the value is shorter than 4 bytes, the reason is longer than
 * WT_CLOSE_REASON_MAX or is not valid UTF-8 (all: H3_MESSAGE_ERROR). */
int wt_capsule_close_parse(const uint8_t *value, size_t len, uint32_t *code, const uint8_t **reason,
                           size_t *reasonlen);

/* wt_capsule_close_write writes a whole CLOSE capsule at |p| (|cap| bytes).
 * |reasonlen| is truncated to WT_CLOSE_REASON_MAX (at a UTF-8 boundary).
 * Returns its length, or 0 if it does not fit. */
size_t wt_capsule_close_write(uint8_t *p, size_t cap, uint32_t code, const char *reason,
                              size_t reasonlen);

/* wt_capsule_drain_write writes a DRAIN_WEBTRANSPORT_SESSION capsule (empty
 * value). Returns its length, or 0 if it does not fit. */
size_t wt_capsule_drain_write(uint8_t *p, size_t cap);

#endif
