#include "disc/disc_dnsmsg.h"

#include <arpa/nameser.h>
#include <resolv.h>
#include <string.h>

int disc_dnsmsg_srv(const uint8_t *msg, size_t len, disc_srv_rr *out, size_t cap,
                    const char **why) {
  ns_msg h;
  int n = 0;
  if (len > 65535 || ns_initparse(msg, (int)len, &h) != 0) {
    *why = "malformed DNS message";
    return -1;
  }
  int count = ns_msg_count(h, ns_s_an);
  for (int i = 0; i < count; i++) {
    ns_rr rr;
    if (ns_parserr(&h, ns_s_an, i, &rr) != 0) {
      *why = "malformed answer record";
      return -1;
    }
    if (ns_rr_type(rr) != ns_t_srv || ns_rr_class(rr) != ns_c_in)
      continue;
    const uint8_t *rd = ns_rr_rdata(rr);
    size_t rdlen = ns_rr_rdlen(rr);
    char name[NS_MAXDNAME];
    if (rdlen < 7) {
      *why = "SRV record too short";
      return -1;
    }
    int used = dn_expand(msg, msg + len, rd + 6, name, sizeof(name));
    if (used < 0 || (size_t)used != rdlen - 6) {
      *why = "SRV target name malformed";
      return -1;
    }
    if ((size_t)n >= cap)
      continue;
    size_t nl = strlen(name);
    if (nl >= DISC_NAME_MAX) {
      *why = "SRV target name too long";
      return -1;
    }
    if (strcmp(name, ".") == 0)
      nl = 0; /* some expanders write the root as "." */
    disc_srv_rr *o = &out[n++];
    o->priority = (uint16_t)(rd[0] << 8 | rd[1]);
    o->weight = (uint16_t)(rd[2] << 8 | rd[3]);
    o->port = (uint16_t)(rd[4] << 8 | rd[5]);
    memcpy(o->target, name, nl);
    o->target[nl] = '\0';
  }
  return n;
}

int disc_dnsmsg_txt(const uint8_t *msg, size_t len, disc_txt *out, const char **why) {
  ns_msg h;
  if (disc_txt_parse(NULL, 0, out, why) != 0) /* the defaults */
    return -1;
  if (len > 65535 || ns_initparse(msg, (int)len, &h) != 0) {
    *why = "malformed DNS message";
    return -1;
  }
  int count = ns_msg_count(h, ns_s_an);
  for (int i = 0; i < count; i++) {
    ns_rr rr;
    if (ns_parserr(&h, ns_s_an, i, &rr) != 0) {
      *why = "malformed answer record";
      return -1;
    }
    if (ns_rr_type(rr) != ns_t_txt || ns_rr_class(rr) != ns_c_in)
      continue;
    return disc_txt_parse(ns_rr_rdata(rr), ns_rr_rdlen(rr), out, why) == 0 ? 1 : -1;
  }
  return 0;
}
