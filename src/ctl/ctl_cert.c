#include "ctl/ctl_cert.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#define KEYW 16 /* width of the key column */

static const char *str_or(json_object *v, const char *key, const char *dflt) {
  const char *s = cj_str(cj_get(v, key), NULL);
  return s && s[0] ? s : dflt;
}

static void print_cert(FILE *out, const char *label, json_object *c, bool next) {
  bool ok = false;
  fprintf(out, "%-*s sha256 %s\n", KEYW - 1, label, str_or(c, "sha256", "-"));
  fprintf(out, "%-*s base64 %s\n", KEYW - 1, "", str_or(c, "sha256_base64", "-"));
  fprintf(out, "%-*s valid %s to %s", KEYW - 1, "", str_or(c, "not_before", "-"),
          str_or(c, "not_after", "-"));
  const char *exp = str_or(c, "expiry", "ok");
  if (strcmp(exp, "ok") != 0 && !(next && strcmp(exp, "not-yet-valid") == 0))
    fprintf(out, " (%s)", strcmp(exp, "expires-soon") == 0 ? "expires soon" : exp);
  fputc('\n', out);
  fprintf(out, "%-*s key %s", KEYW - 1, "", str_or(c, "key", "-"));
  if (cj_bool(cj_get(c, "browser_ok"), &ok) && !ok)
    fputs(" (browsers refuse it with serverCertificateHashes: they need ECDSA and at most "
          "14 days)",
          out);
  fputc('\n', out);
}

int ctl_render_cert(FILE *out, json_object *reply, char *err, size_t errlen) {
  json_object *cur = cj_get(reply, "current"), *next = cj_get(reply, "next");
  int64_t rot = 0;
  if (!cj_is_object(cur)) {
    snprintf(err, errlen, "the reply has no current certificate");
    return -1;
  }
  const char *mode = str_or(reply, "mode", "-");
  fprintf(out, "%-*s %s", KEYW - 1, "mode", mode);
  if (strcmp(mode, "self-rotating") == 0 && cj_int(cj_get(reply, "rotation_seconds"), &rot)) {
    if (rot % 86400 == 0)
      fprintf(out, " (a new certificate every %" PRId64 " days)", rot / 86400);
    else
      fprintf(out, " (a new certificate every %" PRId64 " s)", rot);
  } else if (cj_str(cj_get(reply, "file"), NULL)) {
    fprintf(out, " (%s)", str_or(reply, "file", "-"));
  }
  fputc('\n', out);
  print_cert(out, "current", cur, false);
  if (cj_is_object(next))
    print_cert(out, "next", next, true);
  else
    fprintf(out, "%-*s -\n", KEYW - 1, "next");
  if (cj_get(reply, "next_switch"))
    fprintf(out, "%-*s %s\n", KEYW - 1, "switch at", str_or(reply, "next_switch", "-"));
  if (cj_get(reply, "ca_file"))
    fprintf(out, "%-*s %s\n", KEYW - 1, "CA for clients", str_or(reply, "ca_file", "-"));
  const char *js = cj_str(cj_get(reply, "server_certificate_hashes"), NULL);
  if (js && js[0])
    fprintf(out, "%s\n", js);
  return 0;
}

/* put appends |s| to |buf| at |*at|; false when it does not fit. */
static bool put(char *buf, size_t len, size_t *at, const char *s) {
  size_t n = strlen(s);
  if (*at + n >= len)
    return false;
  memcpy(buf + *at, s, n + 1);
  *at += n;
  return true;
}

/* put_enc appends |s| percent-encoded: everything but unreserved
 * characters (RFC 3986) and those in |keep|. */
static bool put_enc(char *buf, size_t len, size_t *at, const char *s, const char *keep) {
  static const char hex[] = "0123456789ABCDEF";
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    char one[4] = {(char)*p, 0};
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
          strchr("-._~", *p) || strchr(keep, *p))) {
      one[0] = '%';
      one[1] = hex[*p >> 4];
      one[2] = hex[*p & 15];
    }
    if (!put(buf, len, at, one))
      return false;
  }
  return true;
}

/* split_listen splits "1.2.3.4:443", "[::1]:443" or "*:443" into a host
 * (IPv6 in brackets, "" for a wildcard) and a port. */
static bool split_listen(const char *l, char *host, size_t hostlen, char *port, size_t portlen) {
  const char *colon = strrchr(l, ':');
  if (!colon || !colon[1] || strlen(colon + 1) >= portlen || (size_t)(colon - l) >= hostlen)
    return false;
  snprintf(port, portlen, "%s", colon + 1);
  snprintf(host, hostlen, "%.*s", (int)(colon - l), l);
  if (strcmp(host, "*") == 0 || strcmp(host, "[::]") == 0 || strcmp(host, "0.0.0.0") == 0)
    host[0] = '\0';
  return true;
}

int ctl_page_link(char *buf, size_t len, const char *www, json_object *status,
                  json_object *cert, const char *host, const char *hostname, char *err,
                  size_t errlen) {
  const char *l = cj_str(cj_at(cj_get(status, "listen"), 0), NULL);
  const char *path = str_or(status, "path", "/wtping");
  char lhost[300], port[16], url[1600];
  if (!l || !split_listen(l, lhost, sizeof(lhost), port, sizeof(port))) {
    snprintf(err, errlen, "the server reports no listen address");
    return -1;
  }
  if (host && host[0]) {
    bool v6 = strchr(host, ':') && host[0] != '[';
    snprintf(lhost, sizeof(lhost), "%s%.280s%s", v6 ? "[" : "", host, v6 ? "]" : "");
  } else if (!lhost[0]) {
    snprintf(lhost, sizeof(lhost), "%.280s", hostname && hostname[0] ? hostname : "localhost");
  }
  int n = snprintf(url, sizeof(url), "https://%s:%s%s", lhost, port, path);
  if (n < 0 || (size_t)n >= sizeof(url)) {
    snprintf(err, errlen, "URL too long");
    return -1;
  }
  const char *h0 = cj_str(cj_get(cj_get(cert, "current"), "sha256"), NULL);
  const char *h1 = cj_str(cj_get(cj_get(cert, "next"), "sha256"), NULL);
  if (!h0) {
    snprintf(err, errlen, "the server reports no certificate");
    return -1;
  }
  size_t at = 0;
  buf[0] = '\0';
  bool ok = put(buf, len, &at, "file://") && put_enc(buf, len, &at, www, "/") &&
            put(buf, len, &at, "/index.html#url=") && put_enc(buf, len, &at, url, "") &&
            put(buf, len, &at, "&hash=") && put_enc(buf, len, &at, h0, "");
  if (ok && h1 && h1[0])
    ok = put(buf, len, &at, "&hash=") && put_enc(buf, len, &at, h1, "");
  if (!ok) {
    snprintf(err, errlen, "the link is too long");
    return -1;
  }
  return 0;
}
