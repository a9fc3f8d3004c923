/* Fuzz harness: control-socket request lines (src/ctl/ctl_proto.c). A
 * parsed request holds only [a-z0-9_.-] words within their bounds. */
#include <string.h>

#include "ctl/ctl_proto.h"
#include "fuzz.h"

static void check_word(const char *w) {
  size_t n = strlen(w);
  FUZZ_CHECK(n >= 1 && n <= CTL_WORD_MAX);
  FUZZ_CHECK(strspn(w, "abcdefghijklmnopqrstuvwxyz0123456789_.-") == n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ctl_request req;
  const char *err = NULL;
  if (ctl_request_parse((const char *)data, size, &req, &err) != 0) {
    FUZZ_CHECK(err != NULL && *err != '\0');
    return 0;
  }
  FUZZ_CHECK(size >= 1 && size <= CTL_LINE_MAX + 1);
  check_word(req.cmd);
  FUZZ_CHECK(req.argc <= CTL_MAX_ARGS);
  for (size_t i = 0; i < req.argc; i++)
    check_word(req.argv[i]);
  return 0;
}
