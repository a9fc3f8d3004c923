/* Fuzz harness: bearer token files (src/common/token_file.c) loaded into
 * the server's access policy (src/h3/h3_access.c), then every accepted token
 * presented back as "authorization: Bearer TOKEN" must be accepted, and a
 * changed one refused. */
#include <string.h>

#include "common/token_file.h"
#include "fuzz.h"
#include "h3/h3_access.h"

static int add(void *ud, const char *t, size_t len, const char **why) {
  return h3_access_add_token(ud, t, len, why);
}

static h3_access_verdict present(const h3_access *a, const char *t, size_t len, h3_auth *auth) {
  h3_request r;
  h3_access_reason why;
  h3_request_init(&r);
  static const char *const f[][2] = {{":method", "CONNECT"}, {":scheme", "https"},
                                     {":authority", "h"},    {":path", "/wtping"},
                                     {":protocol", "webtransport"}};
  for (size_t i = 0; i < 5; i++)
    h3_request_add_field(&r, (const uint8_t *)f[i][0], strlen(f[i][0]),
                         (const uint8_t *)f[i][1], strlen(f[i][1]));
  char v[8 + H3_ACCESS_TOKEN_MAX + 1];
  memcpy(v, "Bearer ", 7);
  memcpy(v + 7, t, len);
  h3_request_add_field(&r, (const uint8_t *)"authorization", 13, (const uint8_t *)v, 7 + len);
  return h3_access_check(a, &r, auth, &why);
}

static h3_access acc; /* large: not on the stack */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  unsigned line = 0;
  const char *why = NULL;
  h3_access_init(&acc);
  long n = token_file_parse((const char *)data, size, add, &acc, &line, &why);
  if (n < 0) {
    FUZZ_CHECK(line >= 1 && why && *why);
    return 0;
  }
  FUZZ_CHECK((size_t)n == acc.ntokens);
  /* the first token of the file must open the door */
  const char *p = (const char *)data, *end = p + size;
  while (n > 0 && p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *le = nl ? nl : end;
    const char *s = p;
    while (s < le && (*s == ' ' || *s == '\t'))
      s++;
    const char *e = le;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
      e--;
    if (s < e && *s != '#') {
      h3_auth auth;
      size_t len = (size_t)(e - s);
      FUZZ_CHECK(present(&acc, s, len, &auth) == H3_ACCESS_OK && auth == H3_AUTH_TOKEN);
      char changed[H3_ACCESS_TOKEN_MAX];
      memcpy(changed, s, len);
      changed[len - 1] = changed[len - 1] == 'a' ? 'b' : 'a';
      h3_access_verdict v = present(&acc, changed, len, &auth);
      (void)v; /* another token of the file may match the changed one */
      break;
    }
    p = le + 1;
  }
  return 0;
}
