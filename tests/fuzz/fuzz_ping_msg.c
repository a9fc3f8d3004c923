/* Fuzz harness: parsing pong replies (src/ping/ping_msg.c). A parsed pong
 * is rebuilt with our writer and must parse to the same numbers. */
#include <string.h>

#include "fuzz.h"
#include "ping/ping_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint64_t seq, ts;
  if (ping_msg_parse_pong(data, size, &seq, &ts) != 0)
    return 0;
  FUZZ_CHECK(size >= 8 && memcmp(data, "pong ", 5) == 0);
  /* Our own ping for the same numbers, turned into the server's answer. */
  uint8_t buf[PING_MSG_HDR_MAX + 16];
  size_t pad = size % 8;
  size_t n = ping_msg_write(buf, sizeof(buf), seq, ts, pad, false);
  FUZZ_CHECK(n > 0 && n == ping_msg_len(seq, ts, pad, false));
  FUZZ_CHECK(ping_msg_write(buf, n - 1, seq, ts, pad, false) == 0);
  memcpy(buf, "pong", 4);
  uint64_t s2, t2;
  FUZZ_CHECK(ping_msg_parse_pong(buf, n, &s2, &t2) == 0 && s2 == seq && t2 == ts);
  return 0;
}
