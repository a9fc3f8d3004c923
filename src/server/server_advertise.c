#include "server/server_advertise.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <netinet/in.h>

#include "common/log.h"
#include "disc/disc_advertise.h"

/* cert_pin writes "sha256:BASE64" of the first certificate of the PEM file
 * |path| into |out| (64 bytes). Returns 0 or -1. */
static int cert_pin(const char *path, char out[64]) {
  gnutls_datum_t pem = {NULL, 0}, der = {NULL, 0}, b64 = {NULL, 0};
  gnutls_x509_crt_t crt = NULL;
  uint8_t h[32];
  int rc = -1;
  if (gnutls_load_file(path, &pem) < 0 || gnutls_x509_crt_init(&crt) < 0 ||
      gnutls_x509_crt_import(crt, &pem, GNUTLS_X509_FMT_PEM) < 0 ||
      gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der) < 0 ||
      gnutls_hash_fast(GNUTLS_DIG_SHA256, der.data, der.size, h) < 0)
    goto out;
  gnutls_datum_t raw = {h, sizeof(h)};
  if (gnutls_base64_encode2(&raw, &b64) < 0 || b64.size + 8 > 64)
    goto out;
  snprintf(out, 64, "sha256:%.*s", (int)b64.size, (const char *)b64.data);
  rc = 0;
out:
  gnutls_free(pem.data);
  gnutls_free(der.data);
  gnutls_free(b64.data);
  if (crt)
    gnutls_x509_crt_deinit(crt);
  return rc;
}

/* bound_port: the port of the first listener (all listeners usually share
 * one; an advertisement names a single port). */
static uint16_t bound_port(const server *s) {
  if (s->nlisteners == 0)
    return 0;
  const struct sockaddr *sa = (const struct sockaddr *)&s->listeners[0].addr;
  if (sa->sa_family == AF_INET)
    return ntohs(((const struct sockaddr_in *)sa)->sin_port);
  if (sa->sa_family == AF_INET6)
    return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
  return 0;
}

/* loopback_only: every listening socket is bound to a loopback address,
 * so no other host could reach what an advertisement would announce. */
static bool loopback_only(const server *s) {
  for (unsigned i = 0; i < s->nlisteners; i++) {
    const struct sockaddr *sa = (const struct sockaddr *)&s->listeners[i].addr;
    if (sa->sa_family == AF_INET &&
        (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127)
      continue;
    if (sa->sa_family == AF_INET6 &&
        IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr))
      continue;
    return false;
  }
  return s->nlisteners > 0;
}

void server_advertise_apply(server *s) {
  char pin[64];
  if (!s->opts.advertise || s->draining || s->shutting_down) {
    if (s->adv)
      server_advertise_free(s);
    return;
  }
  if (loopback_only(s)) {
    if (!s->adv_loopback_noted)
      log_notice("discovery: listening on loopback only: not advertising");
    s->adv_loopback_noted = true;
    return;
  }
  disc_advertise_config cfg = {
      .name = s->opts.advertise_name,
      .port = bound_port(s),
      .path = s->opts.path,
      .pin = NULL,
  };
  if (s->opts.advertise_pin) {
    if (cert_pin(s->opts.cert_file, pin) == 0)
      cfg.pin = pin;
    else
      log_warn("discovery: cannot compute the certificate's pin; advertising without it");
  }
  if (strlen(cfg.path) > 200) {
    log_warn("discovery: the path is too long for a TXT record; not advertising");
    return;
  }
  if (s->adv) {
    if (disc_advertise_update(s->adv, &cfg) != 0)
      log_warn("discovery: cannot encode the new advertisement; keeping the old one");
    return;
  }
  s->adv = disc_advertise_start(s->ev, &cfg);
  if (!s->adv)
    log_warn("discovery: cannot advertise (out of memory)");
}

void server_advertise_withdraw(server *s) {
  if (s->adv)
    disc_advertise_withdraw(s->adv);
}

const char *server_advertise_state(const server *s) {
  return s->adv ? disc_advertise_state(s->adv) : "off";
}

const char *server_advertise_name(const server *s) {
  return s->adv ? disc_advertise_name(s->adv) : "";
}

void server_advertise_free(server *s) {
  disc_advertise_free(s->adv);
  s->adv = NULL;
}
