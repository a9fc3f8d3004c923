/* wtping-server configuration file. */
#include "server/server_config.h"

#include <string.h>
#include <sys/un.h>

#include "common/addr.h"
#include "cert/cert_schedule.h"
#include "common/conf.h"

/* CONTROL_PATH_MAX bounds a control socket path (with its NUL). */
#define CONTROL_PATH_MAX sizeof(((struct sockaddr_un *)0)->sun_path)

static const char *const server_keys[] = {
    "listen",          "path",         "certificate",    "key",          "idle_timeout",
    "max_connections", "max_sessions", "control_socket", "control_mode", "log_level",
    "reset_secret",    "certificate_mode", "certificate_dir", "certificate_rotation",
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
