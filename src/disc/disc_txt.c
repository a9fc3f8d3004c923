#include "disc/disc_txt.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>


/* key_is: does the string s[0..klen) equal |key| ignoring ASCII case? */
static bool key_is(const uint8_t *s, size_t klen, const char *key) {
  return strlen(key) == klen && strncasecmp((const char *)s, key, klen) == 0;
}

static int parse_version(const uint8_t *v, size_t n, unsigned *out) {
  unsigned x = 0;
  if (n == 0 || n > 5)
    return -1;
  for (size_t i = 0; i < n; i++) {
    if (v[i] < '0' || v[i] > '9')
      return -1;
    x = x * 10 + (unsigned)(v[i] - '0');
  }
  *out = x;
  return 0;
}

static int parse_path(const uint8_t *v, size_t n, char *out) {
  if (n == 0 || v[0] != '/' || n >= DISC_TXT_PATH_MAX)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (v[i] <= 0x20 || v[i] >= 0x7f || v[i] == '#')
      return -1;
  memcpy(out, v, n);
  out[n] = '\0';
  return 0;
}

static int parse_pin(const uint8_t *v, size_t n, char *out) {
  if (n == 0 || n >= DISC_TXT_PIN_MAX)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (v[i] <= 0x20 || v[i] >= 0x7f)
      return -1;
  memcpy(out, v, n);
  out[n] = '\0';
  return 0;
}

int disc_txt_parse(const uint8_t *rdata, size_t len, disc_txt *out, const char **why) {
  bool seen_vers = false, seen_path = false, seen_pin = false;
  memset(out, 0, sizeof(*out));
  snprintf(out->path, sizeof(out->path), "%s", DISC_DEFAULT_PATH);
  if (len > DISC_TXT_RDATA_MAX) {
    *why = "TXT record too long";
    return -1;
  }
  for (size_t off = 0; off < len;) {
    size_t slen = rdata[off++];
    if (slen > len - off) {
      *why = "TXT record truncated";
      return -1;
    }
    const uint8_t *s = rdata + off;
    off += slen;
    const uint8_t *eq = memchr(s, '=', slen);
    if (slen == 0 || !eq || eq == s)
      continue; /* empty, boolean attribute, or no key: ignored (6.4) */
    size_t klen = (size_t)(eq - s), vlen = slen - klen - 1;
    const uint8_t *v = eq + 1;
    if (key_is(s, klen, "txtvers") && !seen_vers) {
      seen_vers = true;
      if (parse_version(v, vlen, &out->version) != 0) {
        *why = "txtvers is not a number";
        return -1;
      }
      if (out->version > DISC_TXT_VERSION) {
        *why = "txtvers newer than this client understands";
        return -1;
      }
    } else if (key_is(s, klen, "path") && !seen_path) {
      seen_path = true;
      if (parse_path(v, vlen, out->path) != 0) {
        *why = "path is not an absolute URL path";
        return -1;
      }
      out->have_path = true;
    } else if (key_is(s, klen, "pin") && !seen_pin) {
      seen_pin = true;
      if (parse_pin(v, vlen, out->pin) != 0) {
        *why = "pin is not sha256:BASE64";
        return -1;
      }
      out->have_pin = true;
    }
  }
  return 0;
}

/* put appends one length-prefixed string "key=value". */
static int put(uint8_t *buf, size_t cap, size_t *off, const char *key, const char *val) {
  size_t k = strlen(key), v = strlen(val), n = k + 1 + v;
  if (n > 255 || n + 1 > cap - *off)
    return -1;
  buf[(*off)++] = (uint8_t)n;
  memcpy(buf + *off, key, k);
  buf[*off + k] = '=';
  memcpy(buf + *off + k + 1, val, v);
  *off += n;
  return 0;
}

int disc_txt_build(const char *path, const char *pin, uint8_t *buf, size_t cap) {
  size_t off = 0;
  char vers[8];
  snprintf(vers, sizeof(vers), "%u", DISC_TXT_VERSION);
  if (put(buf, cap, &off, "txtvers", vers) != 0 || put(buf, cap, &off, "path", path) != 0 ||
      (pin && put(buf, cap, &off, "pin", pin) != 0))
    return -1;
  return (int)off;
}
