/* wtping-client configuration file. */
#include "client/client_config.h"

#include <string.h>
#include <sys/un.h>

#include "common/conf.h"

#define NS_PER_S 1000000000ull
/* CONTROL_PATH_MAX bounds a control socket path (with its NUL). */
#define CONTROL_PATH_MAX sizeof(((struct sockaddr_un *)0)->sun_path)

static const char *const client_keys[] = {
    "url",          "mode",          "interval",       "size",         "timeout",
    "cafile",       "pins",          "insecure",       "idle_timeout", "keepalive",
    "reconnect_min", "reconnect_max", "control_socket", "control_mode", "log_level",
    "token_file",   "certificate",   "key",
    "discovery_mdns", "discovery_dns", "discovery_domain", "discovery_trust_pins",
    "discover", "targets", "max_targets", NULL,
};

/* load_url parses the "url" setting into |o|->url. */
static int load_url(const conf_file *cf, client_opts *o) {
  const config_setting_t *s = conf_get(cf, "url");
  const char *why;
  if (!s)
    return 0;
  if (config_setting_type(s) != CONFIG_TYPE_STRING)
    return conf_fail(cf, s, "expected a string");
  const char *v = config_setting_get_string(s);
  if (url_parse(v, &o->url, &why) != 0)
    return conf_fail(cf, s, "\"%s\": %s", v, why);
  o->have_url = true;
  return 0;
}

/* load_targets parses the "targets" setting (URLs) into |o|->targets. */
static int load_targets(const conf_file *cf, client_opts *o) {
  const config_setting_t *s = conf_get(cf, "targets");
  const char *v[CLIENT_MAX_TARGETS];
  size_t n = 0;
  const char *why;
  if (!s)
    return 0;
  if (conf_string_list(cf, s, CLIENT_MAX_TARGETS, v, &n) != 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (url_parse(v[i], &o->targets[i], &why) != 0)
      return conf_fail(cf, s, "\"%s\": %s", v[i], why);
  o->ntargets = n;
  return 0;
}

/* load_mode reads "stream" or "datagram". */
static int load_mode(const conf_file *cf, client_opts *o) {
  const config_setting_t *s = conf_get(cf, "mode");
  if (!s)
    return 0;
  if (config_setting_type(s) != CONFIG_TYPE_STRING)
    return conf_fail(cf, s, "expected a string");
  const char *v = config_setting_get_string(s);
  if (strcmp(v, "stream") == 0)
    o->mode = CLIENT_MODE_STREAM;
  else if (strcmp(v, "datagram") == 0)
    o->mode = CLIENT_MODE_DATAGRAM;
  else
    return conf_fail(cf, s, "unknown mode \"%s\" (stream, datagram)", v);
  return 0;
}

/* load_size reads the padding size. */
static int load_size(const conf_file *cf, client_opts *o) {
  unsigned v = (unsigned)o->size;
  if (conf_uint(cf, conf_get(cf, "size"), 0, CLIENT_MAX_STREAM_PAD, &v) != 0)
    return -1;
  o->size = v;
  return 0;
}

/* pin_format writes "sha256:" and the base64 of |h| into |out| (52 bytes). */
static void pin_format(const uint8_t h[32], char *out) {
  static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char *p = out + 7;
  memcpy(out, "sha256:", 7);
  for (size_t i = 0; i < 32; i += 3) {
    uint32_t v = (uint32_t)h[i] << 16 | (uint32_t)h[i + 1] << 8 | (i + 2 < 32 ? h[i + 2] : 0);
    *p++ = b64[v >> 18 & 63];
    *p++ = b64[v >> 12 & 63];
    *p++ = b64[v >> 6 & 63];
    *p++ = i + 2 < 32 ? b64[v & 63] : '=';
  }
  *p = '\0';
}

/* load_pins replaces |o|'s pins with the "pins" setting. */
static int load_pins(const conf_file *cf, client_opts *o) {
  const config_setting_t *s = conf_get(cf, "pins");
  const char *v[QUIC_TLS_MAX_PINS];
  size_t n = 0;
  uint8_t h[32];
  if (!s)
    return 0;
  if (conf_string_list(cf, s, QUIC_TLS_MAX_PINS, v, &n) != 0)
    return -1;
  for (size_t i = 0; i < n; i++) {
    if (quic_tls_pin_parse(v[i], h) != 0)
      return conf_fail(cf, s, "\"%s\" is not sha256:BASE64", v[i]);
    pin_format(h, o->pins[i]);
  }
  o->npins = n;
  return 0;
}

/* load_domain reads "discovery_domain": a DNS name ("" = search domains). */
static int load_domain(const conf_file *cf, client_opts *o) {
  const config_setting_t *s = conf_get(cf, "discovery_domain");
  if (conf_string(cf, s, CONF_EMPTY_OK, o->discovery_domain, sizeof(o->discovery_domain)) != 0)
    return -1;
  for (const char *p = o->discovery_domain; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
          *p == '-' || *p == '.' || *p == '_'))
      return conf_fail(cf, s, "\"%s\" is not a domain name", o->discovery_domain);
  return 0;
}

/* check_combinations checks the settings that depend on each other. */
static int check_combinations(const conf_file *cf, const client_opts *o) {
  const config_setting_t *ins = conf_get(cf, "insecure"), *ca = conf_get(cf, "cafile");
  const config_setting_t *pins = conf_get(cf, "pins"), *ka = conf_get(cf, "keepalive");
  const config_setting_t *idle = conf_get(cf, "idle_timeout");
  const config_setting_t *rmin = conf_get(cf, "reconnect_min");
  const config_setting_t *rmax = conf_get(cf, "reconnect_max");
  if (o->insecure && (o->cafile[0] || o->npins) && (ins || ca || pins))
    return ins ? conf_fail(cf, ins, "cannot be combined with cafile or pins")
               : conf_fail(cf, pins ? pins : ca, "cannot be combined with insecure");
  if (o->keepalive_ns && o->keepalive_ns >= o->idle_timeout_ns && (ka || idle))
    return ka ? conf_fail(cf, ka, "must be less than idle_timeout")
              : conf_fail(cf, idle, "must be more than keepalive");
  const config_setting_t *cert = conf_get(cf, "certificate"), *key = conf_get(cf, "key");
  if (!o->cert_file[0] != !o->key_file[0] && (cert || key))
    return conf_fail(cf, cert ? cert : key, "certificate and key go together");
  if (o->reconnect_max_ns < o->reconnect_min_ns && (rmin || rmax))
    return rmax ? conf_fail(cf, rmax, "must not be less than reconnect_min")
                : conf_fail(cf, rmin, "must not be more than reconnect_max");
  return 0;
}

int client_config_load(const char *path, client_opts *o, char *err, size_t errlen) {
  client_opts t = *o;
  conf_file cf;
  if (conf_open(&cf, path, err, errlen) != 0)
    return -1;
  int rv = conf_check_keys(&cf, config_root_setting(&cf.cfg), client_keys) ||
           load_url(&cf, &t) || load_mode(&cf, &t) || load_size(&cf, &t) ||
           conf_seconds(&cf, conf_get(&cf, "interval"), 0, 3600 * NS_PER_S, &t.interval_ns) ||
           conf_seconds(&cf, conf_get(&cf, "timeout"), 1, 3600 * NS_PER_S, &t.timeout_ns) ||
           conf_string(&cf, conf_get(&cf, "cafile"), CONF_ABSPATH | CONF_READABLE, t.cafile,
                       sizeof(t.cafile)) ||
           load_pins(&cf, &t) || conf_bool(&cf, conf_get(&cf, "insecure"), &t.insecure) ||
           conf_seconds(&cf, conf_get(&cf, "idle_timeout"), NS_PER_S, 3600 * NS_PER_S,
                        &t.idle_timeout_ns) ||
           conf_seconds(&cf, conf_get(&cf, "keepalive"), 0, 3600 * NS_PER_S, &t.keepalive_ns) ||
           conf_seconds(&cf, conf_get(&cf, "reconnect_min"), NS_PER_S / 100, 60 * NS_PER_S,
                        &t.reconnect_min_ns) ||
           conf_seconds(&cf, conf_get(&cf, "reconnect_max"), NS_PER_S / 10, 3600 * NS_PER_S,
                        &t.reconnect_max_ns) ||
           conf_string(&cf, conf_get(&cf, "control_socket"), CONF_ABSPATH | CONF_EMPTY_OK,
                       t.control_socket, CONTROL_PATH_MAX) ||
           conf_mode(&cf, conf_get(&cf, "control_mode"), &t.control_mode) ||
           conf_log_level(&cf, conf_get(&cf, "log_level"), &t.log_level) ||
           conf_string(&cf, conf_get(&cf, "token_file"), CONF_ABSPATH | CONF_EMPTY_OK,
                       t.token_file, sizeof(t.token_file)) ||
           conf_string(&cf, conf_get(&cf, "certificate"),
                       CONF_ABSPATH | CONF_READABLE | CONF_EMPTY_OK, t.cert_file,
                       sizeof(t.cert_file)) ||
           conf_string(&cf, conf_get(&cf, "key"), CONF_ABSPATH | CONF_READABLE | CONF_EMPTY_OK,
                       t.key_file, sizeof(t.key_file)) ||
           conf_bool(&cf, conf_get(&cf, "discovery_mdns"), &t.discovery_mdns) ||
           conf_bool(&cf, conf_get(&cf, "discovery_dns"), &t.discovery_dns) ||
           load_domain(&cf, &t) ||
           conf_bool(&cf, conf_get(&cf, "discovery_trust_pins"), &t.discovery_trust_pins) ||
           conf_bool(&cf, conf_get(&cf, "discover"), &t.discover) || load_targets(&cf, &t) ||
           conf_uint(&cf, conf_get(&cf, "max_targets"), 1, CLIENT_MAX_DISCOVERED,
                     &t.max_targets) ||
           check_combinations(&cf, &t)
               ? -1
               : 0;
  conf_close(&cf);
  if (rv == 0)
    *o = t;
  return rv;
}
