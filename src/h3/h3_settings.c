/* HTTP/3 SETTINGS (RFC 9114 section 7.2.4). */
#include "h3/h3_settings.h"

#include <string.h>

#include "common/varint.h"
#include "h3/h3_error.h"
#include "h3/h3_frame.h"

/* Duplicate detection (RFC 9114 section 7.2.4: an id MUST NOT occur twice,
 * known or not) remembers every distinct id seen in the payload, GREASE and
 * unknown ids included, in a fixed array on the stack. A payload with more
 * than H3_SETTINGS_MAX_IDS distinct ids is refused with H3_EXCESSIVE_LOAD:
 * real peers send fewer than 16 (Chrome 7 plus one GREASE), and the bound
 * keeps the work at O(len * 64) without allocating. */
#define H3_SETTINGS_MAX_IDS 64

static void settings_defaults(h3_settings *s) {
  memset(s, 0, sizeof(*s));
  s->max_field_section_size = UINT64_MAX;
}

static bool is_bool_setting(uint64_t id) {
  return id == H3_SETTING_ENABLE_CONNECT_PROTOCOL || id == H3_SETTING_H3_DATAGRAM ||
         id == H3_SETTING_H3_DATAGRAM_DRAFT04 || id == H3_SETTING_ENABLE_WEBTRANSPORT;
}

/* h3_settings_parse: on error |*out| holds the defaults. Besides the codes
 * in the header it can return H3_EXCESSIVE_LOAD (see H3_SETTINGS_MAX_IDS).
 * Errors are reported in payload order: the first offending pair wins. */
uint64_t h3_settings_parse(const uint8_t *payload, size_t len, h3_settings *out) {
  uint64_t seen[H3_SETTINGS_MAX_IDS];
  size_t nseen = 0, off = 0, n, i;
  h3_settings s;
  uint64_t id, value;

  settings_defaults(out);
  settings_defaults(&s);

  while (off < len) {
    n = varint_pair_decode(payload + off, len - off, &id, &value);
    if (n == 0) {
      return H3_FRAME_ERROR;
    }
    off += n;

    for (i = 0; i < nseen; ++i) {
      if (seen[i] == id) {
        return H3_SETTINGS_ERROR;
      }
    }
    if (nseen == H3_SETTINGS_MAX_IDS) {
      return H3_EXCESSIVE_LOAD;
    }
    seen[nseen++] = id;

    if (id >= 0x02 && id <= 0x05) {
      return H3_SETTINGS_ERROR; /* reserved: HTTP/2 settings */
    }
    if (is_bool_setting(id) && value > 1) {
      return H3_SETTINGS_ERROR;
    }

    switch (id) {
    case H3_SETTING_QPACK_MAX_TABLE_CAPACITY:
      s.qpack_max_table_capacity = value;
      break;
    case H3_SETTING_MAX_FIELD_SECTION_SIZE:
      s.max_field_section_size = value;
      break;
    case H3_SETTING_QPACK_BLOCKED_STREAMS:
      s.qpack_blocked_streams = value;
      break;
    case H3_SETTING_ENABLE_CONNECT_PROTOCOL:
      s.enable_connect_protocol = value == 1;
      break;
    case H3_SETTING_H3_DATAGRAM:
      s.h3_datagram = value == 1;
      break;
    case H3_SETTING_H3_DATAGRAM_DRAFT04:
      s.h3_datagram_draft04 = value == 1;
      break;
    case H3_SETTING_ENABLE_WEBTRANSPORT:
      s.enable_webtransport = value == 1;
      break;
    case H3_SETTING_WT_MAX_SESSIONS_DRAFT07:
      s.wt_max_sessions = value;
      break;
    default:
      break; /* unknown and GREASE ids are ignored */
    }
  }

  *out = s;
  return 0;
}

bool h3_settings_supports_wt(const h3_settings *s) {
  /* draft-02: ENABLE_WEBTRANSPORT plus either datagram setting. */
  if (s->enable_webtransport && (s->h3_datagram || s->h3_datagram_draft04)) {
    return true;
  }
  /* draft-07: WT_MAX_SESSIONS plus extended CONNECT and RFC 9297
   * datagrams. */
  return s->wt_max_sessions > 0 && s->enable_connect_protocol && s->h3_datagram;
}

size_t h3_settings_write(uint8_t *p, size_t cap, const h3_setting *list, size_t n) {
  size_t paylen = 0, total, i;
  uint8_t *q;

  for (i = 0; i < n; ++i) {
    if (varint_len(list[i].id) == 0 || varint_len(list[i].value) == 0) {
      return 0;
    }
    paylen += varint_len(list[i].id) + varint_len(list[i].value);
  }
  total = varint_len(H3_FRAME_SETTINGS) + varint_len(paylen) + paylen;
  if (total > cap) {
    return 0;
  }
  q = p + h3_frame_hdr_write(p, H3_FRAME_SETTINGS, paylen);
  for (i = 0; i < n; ++i) {
    q = varint_encode(q, list[i].id);
    q = varint_encode(q, list[i].value);
  }
  return (size_t)(q - p);
}
