#include "disc/disc_found.h"

#include <stdio.h>
#include <string.h>

const char *disc_source_name(disc_source s) {
  switch (s) {
  case DISC_SRC_CONFIG:
    return "configured";
  case DISC_SRC_DNS:
    return "dns-srv";
  case DISC_SRC_MDNS:
    return "mdns";
  }
  return "unknown";
}

/* put_escaped appends |s| to buf[*off..cap) with control characters, ';'
 * and '\' written as \DDD (decimal, as avahi-browse -p does): names come
 * from the network and must not drive a terminal. */
static void put_escaped(char *buf, size_t cap, size_t *off, const char *s) {
  for (; *s && *off + 5 < cap; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch < 0x20 || ch == 0x7f || ch == ';' || ch == '\\')
      *off += (size_t)snprintf(buf + *off, cap - *off, "\\%03u", ch);
    else
      buf[(*off)++] = (char)ch;
  }
  buf[*off] = '\0';
}

static void put_raw(char *buf, size_t cap, size_t *off, const char *s) {
  int n = snprintf(buf + *off, cap - *off, "%s", s);
  *off += n < 0 ? 0 : (size_t)n >= cap - *off ? cap - *off - 1 : (size_t)n;
}

void disc_found_line(const disc_found *f, char *buf, size_t cap) {
  size_t off = 0;
  char tail[DISC_TXT_PATH_MAX + 16];
  if (cap == 0)
    return;
  buf[0] = '\0';
  snprintf(tail, sizeof(tail), "%s;", disc_source_name(f->source));
  put_raw(buf, cap, &off, tail);
  const char *parts[] = {f->name, f->host, f->addr[0] ? f->addr : "-"};
  for (size_t i = 0; i < 3; i++) {
    put_escaped(buf, cap, &off, parts[i]);
    if (off + 1 < cap) {
      buf[off++] = ';';
      buf[off] = '\0';
    }
  }
  snprintf(tail, sizeof(tail), "%u;", f->port);
  put_raw(buf, cap, &off, tail);
  put_escaped(buf, cap, &off, f->path);
}
