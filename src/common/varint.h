/* QUIC variable-length integers (RFC 9000 section 16).
 *
 * Pure functions over byte spans; used by every HTTP/3 and WebTransport
 * parser and encoder. Neither ngtcp2 nor nghttp3 exports a codec. */
#ifndef WTPING_VARINT_H
#define WTPING_VARINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VARINT_MAX ((UINT64_C(1) << 62) - 1)
#define VARINT_MAXLEN 8

/* varint_len returns the minimal encoded length of |v| (1, 2, 4 or 8), or 0
 * if |v| > VARINT_MAX. */
size_t varint_len(uint64_t v);

/* varint_decode decodes one varint at |p| (|len| bytes available) into
 * |*out|. Non-minimal encodings are accepted (they are legal). Returns the
 * number of bytes consumed (1..8), or 0 if |len| is too short (truncated:
 * the caller needs more bytes). */
size_t varint_decode(const uint8_t *p, size_t len, uint64_t *out);

/* varint_encode writes |v| in its minimal form at |p|, which must have room
 * for varint_len(v) bytes, and returns a pointer past the last byte written.
 * |v| must be <= VARINT_MAX. */
uint8_t *varint_encode(uint8_t *p, uint64_t v);

/* varint_pair_decode decodes two consecutive varints (an HTTP/3 frame header,
 * a capsule header, a WebTransport stream preface). Returns the bytes
 * consumed, or 0 when the span does not yet hold both. */
size_t varint_pair_decode(const uint8_t *p, size_t len, uint64_t *a, uint64_t *b);

/* varint_fill accumulates one varint that may arrive in pieces: |acc| holds
 * the |*acclen| bytes seen so far (room for VARINT_MAXLEN). It takes bytes
 * from |data| (|len| > 0) and returns how many it used. When the varint is
 * complete it sets |*done|, stores it in |*v| and resets |*acclen| to 0;
 * otherwise |*done| is false and all of |data| was used. */
size_t varint_fill(uint8_t *acc, uint8_t *acclen, const uint8_t *data, size_t len, uint64_t *v,
                   bool *done);

#endif
