/* Fuzz harness: QPACK decoding and request validation (src/h3/h3_qpack.c,
 * h3_request.c). The input is a HEADERS frame payload: it is decoded into an
 * h3_request and judged, and decoded again as a response. When the request
 * is accepted, its fields are re-encoded with our encoder and must decode to
 * the same verdict. */
#include <string.h>

#include "fuzz.h"
#include "h3/h3_error.h"
#include "h3/h3_qpack.h"
#include "h3/h3_request.h"

static const char wt_path[] = "/wtping";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  h3_qpack *q = h3_qpack_new();
  if (!q)
    return 0;
  h3_request r;
  h3_request_init(&r);
  uint64_t rv = h3_qpack_decode(q, 0, data, size, h3_request_add_field, &r);
  FUZZ_CHECK(rv == 0 || rv == QPACK_DECOMPRESSION_FAILED);
  if (rv == 0) {
    h3_verdict v = h3_request_verdict(&r, wt_path);
    FUZZ_CHECK(v == H3_VERDICT_ACCEPT_WT || v == H3_VERDICT_BAD_REQUEST ||
               v == H3_VERDICT_NOT_FOUND || v == H3_VERDICT_NOT_ALLOWED ||
               v == H3_VERDICT_NOT_IMPLEMENTED);
    FUZZ_CHECK(memchr(r.authority, 0, sizeof(r.authority)) && memchr(r.path, 0, sizeof(r.path)) &&
               memchr(r.origin, 0, sizeof(r.origin)) &&
               memchr(r.authorization, 0, sizeof(r.authorization)));
    FUZZ_CHECK(r.has_authorization || r.authorization[0] == '\0');
    if (v == H3_VERDICT_ACCEPT_WT) {
      h3_header hdrs[8];
      size_t n = h3_request_build_connect(hdrs, r.authority, r.path,
                                          r.has_origin ? r.origin : NULL);
      uint8_t buf[4096];
      size_t len = h3_qpack_encode(q, 4, hdrs, n, buf, sizeof(buf));
      FUZZ_CHECK(len > 0);
      h3_request again;
      h3_request_init(&again);
      FUZZ_CHECK(h3_qpack_decode(q, 4, buf, len, h3_request_add_field, &again) == 0);
      FUZZ_CHECK(h3_request_verdict(&again, wt_path) == H3_VERDICT_ACCEPT_WT);
      FUZZ_CHECK(strcmp(again.authority, r.authority) == 0 && strcmp(again.path, r.path) == 0);
    }
  }
  int status = 0;
  rv = h3_qpack_decode(q, 8, data, size, h3_response_add_field, &status);
  FUZZ_CHECK(rv == 0 || rv == QPACK_DECOMPRESSION_FAILED);
  FUZZ_CHECK(status == -1 || (status >= 0 && status <= 999));
  h3_qpack_free(q);
  return 0;
}
