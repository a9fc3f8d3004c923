/* HTTP/3 frame headers (RFC 9114 section 7) and unidirectional stream types.
 * Pure functions; the incremental buffering lives in h3_stream.c. */
#ifndef WTPING_H3_FRAME_H
#define WTPING_H3_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define H3_FRAME_DATA 0x00
#define H3_FRAME_HEADERS 0x01
#define H3_FRAME_CANCEL_PUSH 0x03
#define H3_FRAME_SETTINGS 0x04
#define H3_FRAME_PUSH_PROMISE 0x05
#define H3_FRAME_GOAWAY 0x07
#define H3_FRAME_MAX_PUSH_ID 0x0d

#define H3_STREAM_CONTROL 0x00
#define H3_STREAM_PUSH 0x01
#define H3_STREAM_QPACK_ENCODER 0x02
#define H3_STREAM_QPACK_DECODER 0x03

/* Largest frame header: two 8-byte varints. */
#define H3_FRAME_HDR_MAX 16

/* h3_frame_reserved_h2 returns true for frame types reserved because they
 * were HTTP/2 frames (0x02, 0x06, 0x08, 0x09): receiving one is
 * H3_FRAME_UNEXPECTED. */
bool h3_frame_reserved_h2(uint64_t type);

/* h3_is_grease returns true if |id| is a reserved GREASE value
 * 0x1f * N + 0x21 (frame types, setting ids, stream types, error codes). */
bool h3_is_grease(uint64_t id);

/* h3_frame_hdr_parse decodes a frame header (type, length) at |p|. Returns
 * the header length, or 0 if |len| does not yet hold a whole header. */
size_t h3_frame_hdr_parse(const uint8_t *p, size_t len, uint64_t *type, uint64_t *length);

/* h3_frame_hdr_write writes a frame header for |type| and |length| at |p|
 * (room for H3_FRAME_HDR_MAX bytes) and returns its length. */
size_t h3_frame_hdr_write(uint8_t *p, uint64_t type, uint64_t length);

/* h3_goaway_parse decodes a GOAWAY payload (exactly one varint). Returns 0,
 * or H3_FRAME_ERROR if the payload is not exactly one varint. */
uint64_t h3_goaway_parse(const uint8_t *payload, size_t len, uint64_t *id);

/* h3_goaway_write writes a whole GOAWAY frame carrying |id| at |p| (room for
 * H3_FRAME_HDR_MAX + 8 bytes) and returns its length. */
size_t h3_goaway_write(uint8_t *p, uint64_t id);

#endif
