/* Fuzz harness: wtping URLs (src/client/url.c). The input is the URL text
 * (cut at its first NUL, as on a command line). A parsed URL has bounded,
 * terminated fields, and its authority and path parse back to the same
 * URL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/url.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  if (!s)
    return 0;
  memcpy(s, data, size);
  s[size] = '\0';
  wt_url u;
  const char *err = NULL;
  if (url_parse(s, &u, &err) == 0) {
    FUZZ_CHECK(memchr(u.host, 0, sizeof(u.host)) && memchr(u.path, 0, sizeof(u.path)) &&
               memchr(u.authority, 0, sizeof(u.authority)));
    FUZZ_CHECK(u.host[0] != '\0' && u.path[0] == '/' && u.port != 0);
    char again[URL_HOST_MAX + 16 + URL_PATH_MAX];
    /* rebuild it from its parts */
    if (u.host_is_ipv6)
      snprintf(again, sizeof(again), "https://[%s]:%u%s", u.host, (unsigned)u.port, u.path);
    else
      snprintf(again, sizeof(again), "https://%s:%u%s", u.host, (unsigned)u.port, u.path);
    wt_url v;
    const char *err2 = NULL;
    FUZZ_CHECK(url_parse(again, &v, &err2) == 0);
    FUZZ_CHECK(strcmp(v.host, u.host) == 0 && v.port == u.port && strcmp(v.path, u.path) == 0 &&
               strcmp(v.authority, u.authority) == 0 && v.host_is_ipv6 == u.host_is_ipv6);
  } else {
    FUZZ_CHECK(err != NULL && *err != '\0');
  }
  free(s);
  return 0;
}
