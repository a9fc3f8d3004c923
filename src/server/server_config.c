/* wtping-server configuration file. */
#include "server/server_config.h"

#include <string.h>
#include <sys/un.h>

#include "common/addr.h"
#include "cert/cert_schedule.h"
#include "common/conf.h"
#include "quic/quic_tls.h"

/* CONTROL_PATH_MAX bounds a control socket path (with its NUL). */
#define CONTROL_PATH_MAX sizeof(((struct sockaddr_un *)0)->sun_path)

static const char *const server_keys[] = {
    "listen",          "path",         "certificate",    "key",          "idle_timeout",
    "max_connections", "max_sessions", "control_socket", "control_mode", "log_level",
    "reset_secret",    "origins",      "tokens_file",
    "max_connections_per_source", "handshakes_per_second", "handshake_timeout", "max_streams",
    "stream_buffer", "connection_buffer", "datagrams_per_second", "client_ca", "client_auth",
    "client_subjects", "client_pins", "retry", "retry_threshold", "control_clients",
    "certificate_mode", "certificate_dir", "certificate_rotation",
    "certificate_names", "discovery", NULL,
};

/* load_listen replaces |o|'s listen addresses with the "listen" setting. */
static int load_listen(const conf_file *cf, server_opts *o) {
  const config_setting_t *s = conf_get(cf, "listen");
  const char *v[SERVER_MAX_LISTEN];
  size_t n = 0;
  if (!s)
    return 0;
  if (conf_string_list(cf, s, SERVER_MAX_LISTEN, v, &n) != 0)
    return -1;
  for (size_t i = 0; i < n; i++) {
    server_listen *l = &o->listen[i];
    const char *why;
    if (addr_parse(v[i], SERVER_DEFAULT_PORT, &l->addr, &l->addrlen, &why) != 0)
      return conf_fail(cf, s, "\"%s\": %s", v[i], why);
  }
  o->nlisten = (unsigned)n;
  return 0;
}

/* load_path reads the WebTransport path, which must start with '/'. */
static int load_path(const conf_file *cf, server_opts *o) {
  const config_setting_t *s = conf_get(cf, "path");
  if (conf_string(cf, s, 0, o->path, sizeof(o->path)) != 0)
    return -1;
  if (s && o->path[0] != '/')
    return conf_fail(cf, s, "must start with '/'");
  return 0;
}

/* load_origins replaces |o|'s origin allow-list with the "origins"
 * setting: "*", "self" or http(s)://host[:port] entries. */
static int load_origins(const conf_file *cf, server_opts *o) {
  const config_setting_t *s = conf_get(cf, "origins");
  const char *v[H3_ACCESS_MAX_ORIGINS];
  size_t n = 0;
  if (!s)
    return 0;
  if (conf_string_list(cf, s, H3_ACCESS_MAX_ORIGINS, v, &n) != 0)
    return -1;
  h3_access check;
  h3_access_init(&check);
  for (size_t i = 0; i < n; i++) {
    const char *why;
    if (strlen(v[i]) >= sizeof(o->origins[i]) || h3_access_add_origin(&check, v[i], &why) != 0)
      return conf_fail(cf, s, "\"%s\": %s", v[i],
                       strlen(v[i]) >= sizeof(o->origins[i]) ? "too long" : why);
    memcpy(o->origins[i], v[i], strlen(v[i]) + 1);
  }
  o->norigins = (unsigned)n;
  return 0;
}

/* load_client_auth reads the mutual-TLS settings: client_ca, client_auth
 * ("require" or "optional"), client_subjects and client_pins (lists). */
static int load_client_auth(const conf_file *cf, server_opts *o) {
  if (conf_string(cf, conf_get(cf, "client_ca"), CONF_ABSPATH | CONF_READABLE | CONF_EMPTY_OK,
                  o->client_ca, sizeof(o->client_ca)) != 0)
    return -1;
  const config_setting_t *s = conf_get(cf, "client_auth");
  if (s) {
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
      return conf_fail(cf, s, "expected \"require\" or \"optional\"");
    const char *v = config_setting_get_string(s);
    if (strcmp(v, "require") != 0 && strcmp(v, "optional") != 0)
      return conf_fail(cf, s, "expected \"require\" or \"optional\", not \"%s\"", v);
    o->client_cert_optional = strcmp(v, "optional") == 0;
  }
  const char *v[SERVER_MAX_CLIENT_IDS];
  size_t n = 0;
  if ((s = conf_get(cf, "client_subjects"))) {
    if (conf_string_list(cf, s, SERVER_MAX_CLIENT_IDS, v, &n) != 0)
      return -1;
    for (size_t i = 0; i < n; i++) {
      if (!v[i][0] || strlen(v[i]) >= sizeof(o->client_subjects[i]))
        return conf_fail(cf, s, "\"%s\": empty or too long", v[i]);
      memcpy(o->client_subjects[i], v[i], strlen(v[i]) + 1);
    }
    o->nclient_subjects = (unsigned)n;
  }
  if ((s = conf_get(cf, "client_pins"))) {
    if (conf_string_list(cf, s, SERVER_MAX_CLIENT_IDS, v, &n) != 0)
      return -1;
    for (size_t i = 0; i < n; i++) {
      uint8_t pin[32];
      if (quic_tls_pin_parse(v[i], pin) != 0 || strlen(v[i]) >= sizeof(o->client_pins[i]))
        return conf_fail(cf, s, "\"%s\": not a pin (sha256:BASE64)", v[i]);
      memcpy(o->client_pins[i], v[i], strlen(v[i]) + 1);
    }
    o->nclient_pins = (unsigned)n;
  }
  if (!o->client_ca[0] && (o->nclient_subjects || o->nclient_pins))
    return conf_fail(cf, conf_get(cf, o->nclient_subjects ? "client_subjects" : "client_pins"),
                     "needs client_ca");
  return 0;
}

/* load_retry reads "retry": "never", "auto" or "always". */
static int load_retry(const conf_file *cf, server_opts *o) {
  static const char *const names[] = {"never", "auto", "always"};
  const config_setting_t *s = conf_get(cf, "retry");
  if (!s)
    return 0;
  const char *v = config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : "";
  for (int i = 0; i < 3; i++)
    if (strcmp(v, names[i]) == 0) {
      o->retry = i;
      return 0;
    }
  return conf_fail(cf, s, "expected \"never\", \"auto\" or \"always\"");
}

int server_cert_mode_parse(const char *s, int *out) {
  if (strcmp(s, "file") == 0)
    *out = SERVER_CERT_FILE;
  else if (strcmp(s, "self-rotating") == 0)
    *out = SERVER_CERT_SELF_ROTATING;
  else
    return -1;
  return 0;
}

/* load_cert_mode reads certificate_mode: "file" or "self-rotating". */
static int load_cert_mode(const conf_file *cf, server_opts *o) {
  const config_setting_t *s = conf_get(cf, "certificate_mode");
  char v[32];
  if (!s)
    return 0;
  if (conf_string(cf, s, 0, v, sizeof(v)) != 0)
    return -1;
  if (server_cert_mode_parse(v, &o->cert_mode) != 0)
    return conf_fail(cf, s, "\"%s\": expected \"file\" or \"self-rotating\"", v);
  return 0;
}

/* load_cert_names reads certificate_names: DNS names or IP addresses for
 * self-rotating certificates. */
static int load_cert_names(const conf_file *cf, server_opts *o) {
  const config_setting_t *s = conf_get(cf, "certificate_names");
  const char *v[SERVER_MAX_CERT_NAMES];
  size_t n = 0;
  if (!s)
    return 0;
  if (conf_string_list(cf, s, SERVER_MAX_CERT_NAMES, v, &n) != 0)
    return -1;
  for (size_t i = 0; i < n; i++) {
    size_t len = strlen(v[i]);
    if (len == 0 || len > SERVER_CERT_NAME_MAX || strspn(v[i], "abcdefghijklmnopqrstuvwxyz"
                                                               "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                               "0123456789.-:*") != len)
      return conf_fail(cf, s, "\"%s\": not a DNS name or an IP address", v[i]);
    memcpy(o->cert_names[i], v[i], len + 1);
  }
  o->ncert_names = (unsigned)n;
  return 0;
}

/* load_discovery reads the group "discovery = { advertise; name; publish_pin; }". */
static int load_discovery(const conf_file *cf, server_opts *o) {
  static const char *const keys[] = {"advertise", "name", "publish_pin", NULL};
  config_setting_t *g = conf_get(cf, "discovery");
  if (!g)
    return 0;
  if (!config_setting_is_group(g))
    return conf_fail(cf, g, "expected a group: discovery = { advertise = true; };");
  if (conf_check_keys(cf, g, keys) != 0 ||
      conf_bool(cf, config_setting_get_member(g, "advertise"), &o->advertise) ||
      conf_string(cf, config_setting_get_member(g, "name"), CONF_EMPTY_OK, o->advertise_name,
                  sizeof(o->advertise_name)) ||
      conf_bool(cf, config_setting_get_member(g, "publish_pin"), &o->advertise_pin))
    return -1;
  return 0;
}

int server_config_load(const char *path, server_opts *o, char *err, size_t errlen) {
  server_opts t = *o;
  conf_file cf;
  if (conf_open(&cf, path, err, errlen) != 0)
    return -1;
  int rv = conf_check_keys(&cf, config_root_setting(&cf.cfg), server_keys) ||
           load_listen(&cf, &t) || load_path(&cf, &t) ||
           conf_string(&cf, conf_get(&cf, "certificate"), CONF_ABSPATH | CONF_READABLE,
                       t.cert_file, sizeof(t.cert_file)) ||
           conf_string(&cf, conf_get(&cf, "key"), CONF_ABSPATH | CONF_READABLE, t.key_file,
                       sizeof(t.key_file)) ||
           conf_uint(&cf, conf_get(&cf, "idle_timeout"), 1, 3600, &t.idle_timeout_s) ||
           conf_uint(&cf, conf_get(&cf, "max_connections"), 1, 1000000, &t.max_connections) ||
           conf_uint(&cf, conf_get(&cf, "max_sessions"), 1, 1024, &t.max_sessions) ||
           conf_string(&cf, conf_get(&cf, "control_socket"), CONF_ABSPATH | CONF_EMPTY_OK,
                       t.control_socket, CONTROL_PATH_MAX) ||
           conf_mode(&cf, conf_get(&cf, "control_mode"), &t.control_mode) ||
           conf_string(&cf, conf_get(&cf, "reset_secret"), CONF_ABSPATH | CONF_EMPTY_OK,
                       t.reset_secret, sizeof(t.reset_secret)) ||
           conf_log_level(&cf, conf_get(&cf, "log_level"), &t.log_level) ||
           load_origins(&cf, &t) ||
           conf_uint(&cf, conf_get(&cf, "max_connections_per_source"), 0, 1000000,
                     &t.max_connections_per_source) ||
           conf_uint(&cf, conf_get(&cf, "handshakes_per_second"), 0, 1000000,
                     &t.handshakes_per_second) ||
           conf_uint(&cf, conf_get(&cf, "handshake_timeout"), 1, 60, &t.handshake_timeout_s) ||
           conf_uint(&cf, conf_get(&cf, "max_streams"), 1, 10000, &t.max_streams) ||
           conf_uint(&cf, conf_get(&cf, "stream_buffer"), 16384, 16 * 1024 * 1024,
                     &t.stream_buffer) ||
           conf_uint(&cf, conf_get(&cf, "connection_buffer"), 65536, 64 * 1024 * 1024,
                     &t.connection_buffer) ||
           conf_uint(&cf, conf_get(&cf, "datagrams_per_second"), 0, 1000000,
                     &t.datagrams_per_second) ||
           load_client_auth(&cf, &t) || load_retry(&cf, &t) ||
           conf_uint(&cf, conf_get(&cf, "retry_threshold"), 0, 1000000, &t.retry_threshold) ||
           conf_uint(&cf, conf_get(&cf, "control_clients"), 1, 1024, &t.control_clients) ||
           conf_string(&cf, conf_get(&cf, "tokens_file"), CONF_ABSPATH | CONF_EMPTY_OK,
                       t.tokens_file, sizeof(t.tokens_file)) ||
           load_cert_mode(&cf, &t) ||
           conf_string(&cf, conf_get(&cf, "certificate_dir"), CONF_ABSPATH, t.cert_dir,
                       sizeof(t.cert_dir) - 32) ||
           conf_uint(&cf, conf_get(&cf, "certificate_rotation"), CERT_PERIOD_MIN_S,
                     CERT_PERIOD_MAX_S, &t.cert_rotation_s) ||
           load_cert_names(&cf, &t) ||
           load_discovery(&cf, &t)
               ? -1
               : 0;
  conf_close(&cf);
  if (rv == 0)
    *o = t;
  return rv;
}
