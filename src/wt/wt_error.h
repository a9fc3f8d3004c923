/* WebTransport application error codes <-> HTTP/3 error codes on
 * RESET_STREAM / STOP_SENDING (draft-ietf-webtrans-http3 section 4.4). */
#ifndef WTPING_WT_ERROR_H
#define WTPING_WT_ERROR_H

#include <stdint.h>

#define WT_H3_ERROR_FIRST UINT64_C(0x52e4a40fa8db)
#define WT_H3_ERROR_LAST UINT64_C(0x52e5ac983162)
#define WT_SESSION_GONE UINT64_C(0x170d7b68)
#define WT_BUFFERED_STREAM_REJECTED UINT64_C(0x3994bd84)

/* wt_error_to_h3 maps a WebTransport code to its HTTP/3 code:
 * first + e + floor(e / 0x1e). */
uint64_t wt_error_to_h3(uint32_t code);

/* wt_error_from_h3 maps back. Returns 0 and sets |*code|, or -1 if |h3| is
 * outside the WebTransport range or is a GREASE value. */
int wt_error_from_h3(uint64_t h3, uint32_t *code);

#endif
