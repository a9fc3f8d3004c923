/* HTTP/3 SETTINGS (RFC 9114 section 7.2.4) with the WebTransport ids that
 * Chromium needs (see docs/design.md and ../shared/notes/wt-facts.md 1.2). */
#ifndef WTPING_H3_SETTINGS_H
#define WTPING_H3_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define H3_SETTING_QPACK_MAX_TABLE_CAPACITY 0x01
#define H3_SETTING_MAX_FIELD_SECTION_SIZE 0x06
#define H3_SETTING_QPACK_BLOCKED_STREAMS 0x07
#define H3_SETTING_ENABLE_CONNECT_PROTOCOL 0x08
#define H3_SETTING_H3_DATAGRAM 0x33
#define H3_SETTING_H3_DATAGRAM_DRAFT04 0xffd277
#define H3_SETTING_ENABLE_WEBTRANSPORT 0x2b603742 /* draft-02 */
#define H3_SETTING_WT_MAX_SESSIONS_DRAFT07 0xc671706a

/* Largest SETTINGS payload we accept from a peer. */
#define H3_SETTINGS_MAX_LEN 4096

typedef struct h3_settings {
  uint64_t qpack_max_table_capacity;
  uint64_t max_field_section_size; /* UINT64_MAX when absent */
  uint64_t qpack_blocked_streams;
  bool enable_connect_protocol;
  bool h3_datagram;         /* 0x33 */
  bool h3_datagram_draft04; /* 0xffd277 */
  bool enable_webtransport; /* 0x2b603742 */
  uint64_t wt_max_sessions; /* 0xc671706a; 0 when absent */
} h3_settings;

/* h3_settings_parse decodes a SETTINGS frame payload into |out| (defaults
 * first). Unknown and GREASE ids are ignored. Returns 0, H3_FRAME_ERROR for a
 * truncated id/value pair, H3_SETTINGS_ERROR for a duplicate id, an HTTP/2
 * id (0x02..0x05) or a boolean setting that is not 0 or 1, or
 * H3_EXCESSIVE_LOAD for more than 64 distinct ids (the duplicate check is
 * quadratic). */
uint64_t h3_settings_parse(const uint8_t *payload, size_t len, h3_settings *out);

/* h3_settings_supports_wt returns true if the peer settings allow a
 * WebTransport session as Chromium speaks it (draft-02 or draft-07). */
bool h3_settings_supports_wt(const h3_settings *s);

/* One setting to send. */
typedef struct h3_setting {
  uint64_t id;
  uint64_t value;
} h3_setting;

/* h3_settings_write writes a whole SETTINGS frame (type, length, then the
 * |n| pairs of |list| in order) at |p|, which has |cap| bytes, and returns
 * its length, or 0 (nothing written) if it does not fit or an id or value
 * exceeds VARINT_MAX. */
size_t h3_settings_write(uint8_t *p, size_t cap, const h3_setting *list, size_t n);

#endif
