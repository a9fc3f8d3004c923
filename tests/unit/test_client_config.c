/* Unit tests for the client configuration file (src/client/client_config.c,
   src/common/conf.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "client/client_config.h"

#define S 1000000000ull

/* The source tree's top, from this file's name ("" when compiled from it). */
static char top[1024];
static char dir[64];   /* the temporary directory */
static char conf[256]; /* DIR/client.conf */
static char ca[256];   /* DIR/ca.pem */

/* Two pins for the same hash: base64 without padding, and hex with colons. */
#define PIN_B64 "sha256:47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
#define PIN_HEX                                                                                    \
  "sha256:e3:b0:c4:42:98:fc:1c:14:9a:fb:f4:c8:99:6f:b9:24:27:ae:41:e4:64:9b:93:4c:a4:95:99:1b:78:" \
  "52:b8:55"
#define PIN_CANON "sha256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="

/* write_file writes |len| bytes of |text| to |path|. */
static void write_file(const char *path, const char *text, size_t len) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  assert_int_equal(fwrite(text, 1, len, f), len);
  assert_int_equal(fclose(f), 0);
}

/* read_text reads |path| into a heap string. */
static char *read_text(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f)
    print_error("cannot open %s: %s\n", path, strerror(errno));
  assert_non_null(f);
  char *buf = malloc(65536);
  assert_non_null(buf);
  size_t n = fread(buf, 1, 65535, f);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

/* replace returns a heap copy of |s| with every |from| replaced by |to|. */
static char *replace(const char *s, const char *from, const char *to) {
  char *out = malloc(strlen(s) * 2 + 4096);
  char *p = out;
  size_t fl = strlen(from);
  assert_non_null(out);
  while (*s) {
    if (strncmp(s, from, fl) == 0) {
      p = stpcpy(p, to);
      s += fl;
    } else {
      *p++ = *s++;
    }
  }
  *p = '\0';
  return out;
}

/* uncomment_settings turns every "#name = value" line of |s| into
   "name = value" ("# text" stays a comment). */
static void uncomment_settings(char *s) {
  char *w = s;
  for (const char *r = s; *r; r++) {
    if (*r == '#' && (r == s || r[-1] == '\n') && r[1] >= 'a' && r[1] <= 'z')
      continue;
    *w++ = *r;
  }
  *w = '\0';
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static int setup(void **state) {
  (void)state;
  const char *f = __FILE__, *t = strstr(f, "tests/unit/");
  snprintf(top, sizeof(top), "%.*s", (int)(t ? t - f : 0), f);
  strcpy(dir, "/tmp/wtping-cconf-XXXXXX");
  if (!mkdtemp(dir))
    return -1;
  snprintf(conf, sizeof(conf), "%s/client.conf", dir);
  snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
  FILE *a = fopen(ca, "w");
  if (a)
    fclose(a);
  return a ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  return nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* defaults sets what client_opts_parse would before reading a file. */
static void defaults(client_opts *o) {
  memset(o, 0, sizeof(*o));
  o->interval_ns = 1 * S;
  o->timeout_ns = 5 * S;
  o->mode = CLIENT_MODE_STREAM;
  o->log_level = LOG_NOTICE;
  strcpy(o->control_socket, "/run/wtping/client.sock");
  o->control_mode = 0660;
  o->idle_timeout_ns = 30 * S;
  o->keepalive_ns = 5 * S;
  o->reconnect_min_ns = S / 4;
  o->reconnect_max_ns = 30 * S;
  o->discovery_mdns = true;
  o->discovery_dns = true;
  o->max_targets = 1;
}

/* load_ok writes |text| to DIR/client.conf and loads it over the defaults. */
static void load_ok(const char *text, client_opts *o) {
  char err[512] = "";
  write_file(conf, text, strlen(text));
  defaults(o);
  int rv = client_config_load(conf, o, err, sizeof(err));
  if (rv != 0)
    print_error("unexpected error: %s\n", err);
  assert_int_equal(rv, 0);
}

/* load_err checks that |text| is refused with "DIR/client.conf:" and |want|,
   leaving the options alone. */
static void load_err(const char *text, const char *want) {
  char err[1024] = "", exp[1024];
  client_opts o, before;
  write_file(conf, text, strlen(text));
  defaults(&o);
  before = o;
  snprintf(exp, sizeof(exp), "%s:%s", conf, want);
  assert_int_equal(client_config_load(conf, &o, err, sizeof(err)), -1);
  assert_string_equal(err, exp);
  assert_memory_equal(&o, &before, sizeof(o));
}

static void test_full(void **state) {
  (void)state;
  char text[2048];
  client_opts o;
  snprintf(text, sizeof(text),
           "url = \"https://example.net:8443/p?x=1\";\n"
           "mode = \"datagram\";\n"
           "interval = 0.5;\n"
           "size = 65489;\n"
           "timeout = 2;\n"
           "cafile = \"%s\";\n"
           "pins = [ \"" PIN_B64 "\",\n"
           "         \"" PIN_HEX "\" ];\n"
           "insecure = false;\n"
           "idle_timeout = 60.5;\n"
           "keepalive = 10;\n"
           "reconnect_min = 0.01;\n"
           "reconnect_max = 3600;\n"
           "control_socket = \"/tmp/c.sock\";\n"
           "control_mode = \"0600\";\n"
           "log_level = \"warning\";\n",
           ca);
  load_ok(text, &o);
  assert_true(o.have_url);
  assert_string_equal(o.url.host, "example.net");
  assert_int_equal(o.url.port, 8443);
  assert_string_equal(o.url.path, "/p?x=1");
  assert_int_equal(o.mode, CLIENT_MODE_DATAGRAM);
  assert_int_equal(o.interval_ns, S / 2);
  assert_int_equal(o.size, 65489);
  assert_int_equal(o.timeout_ns, 2 * S);
  assert_string_equal(o.cafile, ca);
  assert_int_equal(o.npins, 2);
  assert_string_equal(o.pins[0], PIN_CANON);
  assert_string_equal(o.pins[1], PIN_CANON);
  assert_false(o.insecure);
  assert_int_equal(o.idle_timeout_ns, 60 * S + S / 2);
  assert_int_equal(o.keepalive_ns, 10 * S);
  assert_int_equal(o.reconnect_min_ns, S / 100);
  assert_int_equal(o.reconnect_max_ns, 3600 * S);
  assert_string_equal(o.control_socket, "/tmp/c.sock");
  assert_int_equal(o.control_mode, 0600);
  assert_int_equal(o.log_level, LOG_WARNING);
}

static void test_variants(void **state) {
  (void)state;
  client_opts o;
  load_ok("mode = \"stream\"; interval = 0; timeout = 0.000000001; insecure = true;\n"
          "keepalive = 0; idle_timeout = 1; size = 0;\n"
          "control_socket = \"\"; url = \"https://[::1]\"; log_level = \"debug\";\n"
          "reconnect_min = 60; reconnect_max = 60;\n",
          &o);
  assert_int_equal(o.mode, CLIENT_MODE_STREAM);
  assert_int_equal(o.interval_ns, 0);
  assert_int_equal(o.timeout_ns, 1);
  assert_true(o.insecure);
  assert_int_equal(o.keepalive_ns, 0);
  assert_int_equal(o.idle_timeout_ns, S);
  assert_string_equal(o.control_socket, "");
  assert_true(o.have_url);
  assert_string_equal(o.url.host, "::1");
  assert_int_equal(o.url.port, 4433);
  assert_string_equal(o.url.path, "/wtping");
  assert_int_equal(o.log_level, LOG_DEBUG);
  assert_int_equal(o.reconnect_min_ns, 60 * S);
  assert_int_equal(o.reconnect_max_ns, 60 * S);

  load_ok("pins = \"" PIN_CANON "\"; interval = 3600; timeout = 3600.0; keepalive = 29.999;\n"
          "reconnect_min = 0.25; reconnect_max = 0.25;\n",
          &o);
  assert_int_equal(o.npins, 1);
  assert_string_equal(o.pins[0], PIN_CANON);
  assert_int_equal(o.interval_ns, 3600 * S);
  assert_int_equal(o.timeout_ns, 3600 * S);
  assert_int_equal(o.keepalive_ns, 29999000000ull);
  assert_int_equal(o.reconnect_max_ns, S / 4);

  char text[1024] = "pins = [";
  for (int i = 0; i < 8; i++)
    snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s\"%s\"", i ? ", " : "",
             PIN_B64);
  strcat(text, "];");
  load_ok(text, &o);
  assert_int_equal(o.npins, 8);
  assert_string_equal(o.pins[7], PIN_CANON);
  strcpy(text + strlen(text) - 2, ", \"" PIN_B64 "\"];");
  load_err(text, "1: pins: too many entries (at most 8)");
}

static void test_defaults_kept(void **state) {
  (void)state;
  client_opts o, d;
  defaults(&d);
  load_ok("", &o);
  assert_memory_equal(&o, &d, sizeof(o));
  load_ok("# only comments\n// and more\n/* and this */\n", &o);
  assert_memory_equal(&o, &d, sizeof(o));
  load_ok("size = 7;\n", &o);
  d.size = 7;
  assert_memory_equal(&o, &d, sizeof(o));
}

/* example_text returns etc/client.conf with cafile pointing at the temporary
   file; with |uncomment|, every "#name = value" line but pins is made
   active. */
static char *example_text(bool uncomment) {
  char path[1200], q[300];
  snprintf(path, sizeof(path), "%setc/client.conf", top);
  char *a = read_text(path);
  snprintf(q, sizeof(q), "\"%s\"", ca);
  char *b = replace(a, "\"/var/lib/wtping/certs/ca.crt\"", q);
  free(a);
  if (!uncomment)
    return b;
  a = replace(b, "\n#pins =", "\n# pins =");
  free(b);
  b = replace(a, "\n#targets =", "\n# targets ="); /* an example, not the default */
  free(a);
  uncomment_settings(b);
  return b;
}

static void test_example(void **state) {
  (void)state;
  client_opts o, d;
  for (int uncomment = 0; uncomment < 2; uncomment++) {
    char *text = example_text(uncomment);
    if (uncomment) /* every documented setting is now active */
      assert_non_null(strstr(text, "\nreconnect_max = 30;"));
    load_ok(text, &o);
    free(text);
    defaults(&d);
    assert_true(o.have_url);
    assert_string_equal(o.url.host, "localhost");
    assert_int_equal(o.url.port, 4433);
    assert_string_equal(o.url.path, "/wtping");
    assert_string_equal(o.cafile, ca);
    memcpy(&d.url, &o.url, sizeof(d.url));
    d.have_url = true;
    strcpy(d.cafile, ca);
    assert_memory_equal(&o, &d, sizeof(o));
  }
  /* the targets shown in the example are valid */
  char *t = example_text(false), *u = replace(t, "\n#targets =", "\ntargets =");
  load_ok(u, &o);
  assert_int_equal(o.ntargets, 2);
  assert_string_equal(o.targets[1].host, "b.example.net");
  free(t);
  free(u);
  /* the pin shown in the example is valid */
  char *text = example_text(false);
  char *p = replace(text, "\n#pins =", "\npins =");
  char *c = replace(p, "\ncafile =", "\n#cafile =");
  load_ok(c, &o);
  assert_int_equal(o.npins, 1);
  free(text);
  free(p);
  free(c);
}

static void test_syntax_unknown(void **state) {
  (void)state;
  load_err("size = 4;\nurl = \n", "3: syntax error");
  load_err("size = 4;\nsize = 5;\n", "2: duplicate setting name");
  load_err("size = 4;\n\npin = \"" PIN_B64 "\";\n", "3: pin: unknown setting");
  load_err("count = 5;", "1: count: unknown setting");
  load_err("client = { url = \"https://x\"; };", "1: client: unknown setting");
  load_err("keep_alive = 1;", "1: keep_alive: unknown setting");
}

static void test_types(void **state) {
  (void)state;
  load_err("url = 5;", "1: url: expected a string");
  load_err("mode = 1;", "1: mode: expected a string");
  load_err("interval = \"1\";", "1: interval: expected a number of seconds");
  load_err("timeout = true;", "1: timeout: expected a number of seconds");
  load_err("keepalive = [1];", "1: keepalive: expected a number of seconds");
  load_err("size = 1.5;", "1: size: expected an integer");
  load_err("cafile = 1;", "1: cafile: expected a string");
  load_err("pins = 1;", "1: pins: expected a string or a list of strings");
  load_err("pins = [ 1 ];", "1: pins: expected a string or a list of strings");
  load_err("insecure = 1;", "1: insecure: expected true or false");
  load_err("insecure = \"yes\";", "1: insecure: expected true or false");
  load_err("control_socket = 1;", "1: control_socket: expected a string");
  load_err("control_mode = 660;", "1: control_mode: expected a string such as \"0660\"");
  load_err("log_level = 6;", "1: log_level: expected a string");
}

static void test_range(void **state) {
  (void)state;
  load_err("interval = -1;", "1: interval: out of range (0..3600 seconds)");
  load_err("interval = -0.5;", "1: interval: out of range (0..3600 seconds)");
  load_err("interval = 3600.001;", "1: interval: out of range (0..3600 seconds)");
  load_err("interval = 4294967297;", "1: interval: out of range (0..3600 seconds)");
  load_err("interval = 1e300;", "1: interval: out of range (0..3600 seconds)");
  load_err("timeout = 0;", "1: timeout: out of range (more than 0, at most 3600 seconds)");
  load_err("timeout = 0.0000000001;",
           "1: timeout: out of range (more than 0, at most 3600 seconds)");
  load_err("timeout = 3601;", "1: timeout: out of range (more than 0, at most 3600 seconds)");
  load_err("size = 65490;", "1: size: out of range (0..65489)");
  load_err("size = -1;", "1: size: out of range (0..65489)");
  load_err("idle_timeout = 0.5;", "1: idle_timeout: out of range (1..3600 seconds)");
  load_err("idle_timeout = 3601;", "1: idle_timeout: out of range (1..3600 seconds)");
  load_err("keepalive = 3601;", "1: keepalive: out of range (0..3600 seconds)");
  load_err("reconnect_min = 0.001;", "1: reconnect_min: out of range (0.01..60 seconds)");
  load_err("reconnect_min = 61;", "1: reconnect_min: out of range (0.01..60 seconds)");
  load_err("reconnect_max = 0.05;", "1: reconnect_max: out of range (0.1..3600 seconds)");
  load_err("reconnect_max = 3601;", "1: reconnect_max: out of range (0.1..3600 seconds)");
}

static void test_values(void **state) {
  (void)state;
  char text[1024], want[1024];
  load_err("url = \"http://example.net/\";",
           "1: url: \"http://example.net/\": scheme must be https");
  load_err("url = \"https://example.net:0/\";",
           "1: url: \"https://example.net:0/\": port out of range");
  load_err("url = \"https://\";", "1: url: \"https://\": empty host");
  load_err("mode = \"tcp\";", "1: mode: unknown mode \"tcp\" (stream, datagram)");
  load_err("mode = \"Stream\";", "1: mode: unknown mode \"Stream\" (stream, datagram)");
  load_err("cafile = \"ca.pem\";", "1: cafile: must be an absolute path");
  load_err("cafile = \"\";", "1: cafile: must be an absolute path");
  snprintf(text, sizeof(text), "\ncafile = \"%s/none.pem\";", dir);
  snprintf(want, sizeof(want), "2: cafile: cannot read %s/none.pem: No such file or directory",
           dir);
  load_err(text, want);
  snprintf(text, sizeof(text), "cafile = \"%s\";", dir);
  snprintf(want, sizeof(want), "1: cafile: cannot read %s: Is a directory", dir);
  load_err(text, want);
  load_err("pins = \"sha1:abc\";", "1: pins: \"sha1:abc\" is not sha256:BASE64");
  load_err("pins = [ \"" PIN_B64 "\",\n  \"sha256:AAAA\" ];",
           "1: pins: \"sha256:AAAA\" is not sha256:BASE64");
  load_err("pins = [];", "1: pins: empty list");
  load_err("control_socket = \"c.sock\";", "1: control_socket: must be an absolute path");
  load_err("control_mode = \"0999\";",
           "1: control_mode: invalid mode \"0999\" (octal digits, at most 0777)");
  load_err("control_mode = \"rw\";",
           "1: control_mode: invalid mode \"rw\" (octal digits, at most 0777)");
  load_err("log_level = \"trace\";",
           "1: log_level: unknown level \"trace\" (error, warning, notice, info, debug)");
}

static void test_combinations(void **state) {
  (void)state;
  char text[1024];
  load_err("pins = \"" PIN_B64 "\";\ninsecure = true;",
           "2: insecure: cannot be combined with cafile or pins");
  snprintf(text, sizeof(text), "insecure = true;\ncafile = \"%s\";", ca);
  load_err(text, "1: insecure: cannot be combined with cafile or pins");
  load_err("idle_timeout = 10;\nkeepalive = 10;", "2: keepalive: must be less than idle_timeout");
  load_err("keepalive = 30;", "1: keepalive: must be less than idle_timeout");
  load_err("idle_timeout = 5;", "1: idle_timeout: must be more than keepalive");
  load_err("reconnect_min = 5;\nreconnect_max = 2;",
           "2: reconnect_max: must not be less than reconnect_min");
  load_err("reconnect_min = 40;", "1: reconnect_min: must not be more than reconnect_max");
  load_err("reconnect_max = 0.2;", "1: reconnect_max: must not be less than reconnect_min");

  client_opts o;
  load_ok("insecure = false;\npins = \"" PIN_B64 "\";", &o);
  load_ok("idle_timeout = 5.001;", &o);
  assert_int_equal(o.idle_timeout_ns, 5001000000ull);
  load_ok("idle_timeout = 1; keepalive = 0;", &o);
}

static void test_discovery(void **state) {
  (void)state;
  client_opts o;
  load_ok("discovery_mdns = false;\ndiscovery_dns = false;\ndiscovery_domain = \"lab.example\";\n"
          "discovery_trust_pins = true;\n",
          &o);
  assert_false(o.discovery_mdns);
  assert_false(o.discovery_dns);
  assert_string_equal(o.discovery_domain, "lab.example");
  assert_true(o.discovery_trust_pins);
  load_ok("discovery_domain = \"\";", &o);
  assert_string_equal(o.discovery_domain, "");
  load_err("\ndiscovery_domain = \"a b\";", "2: discovery_domain: \"a b\" is not a domain name");
  load_err("discovery_domain = 1;", "1: discovery_domain: expected a string");
  load_err("discovery_mdns = \"yes\";", "1: discovery_mdns: expected true or false");
}

static void test_targets(void **state) {
  (void)state;
  client_opts o;
  load_ok("targets = \"https://a.test/p\";\ndiscover = true;\nmax_targets = 64;\n", &o);
  assert_int_equal(o.ntargets, 1);
  assert_string_equal(o.targets[0].path, "/p");
  assert_true(o.discover);
  assert_int_equal(o.max_targets, 64);
  load_err("\ntargets = [ \"https://a.test\", \"http://b.test\" ];",
           "2: targets: \"http://b.test\": scheme must be https");
  load_err("max_targets = 0;", "1: max_targets: out of range (1..64)");
  load_err("discover = 1;", "1: discover: expected true or false");
}

static void test_files(void **state) {
  (void)state;
  char err[512], want[512], path[300];
  client_opts o, d;
  defaults(&o);
  d = o;
  snprintf(path, sizeof(path), "%s/none.conf", dir);
  assert_int_equal(client_config_load(path, &o, err, sizeof(err)), -1);
  snprintf(want, sizeof(want), "cannot read %s: No such file or directory", path);
  assert_string_equal(err, want);
  assert_memory_equal(&o, &d, sizeof(o));
  /* a valid setting before the bad one is not applied */
  load_err("url = \"https://h/\";\nsize = 3;\nmode = \"x\";",
           "3: mode: unknown mode \"x\" (stream, datagram)");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_full),          cmocka_unit_test(test_variants),
      cmocka_unit_test(test_defaults_kept), cmocka_unit_test(test_example),
      cmocka_unit_test(test_syntax_unknown), cmocka_unit_test(test_types),
      cmocka_unit_test(test_range),         cmocka_unit_test(test_values),
      cmocka_unit_test(test_combinations),  cmocka_unit_test(test_files),
      cmocka_unit_test(test_discovery),     cmocka_unit_test(test_targets),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
