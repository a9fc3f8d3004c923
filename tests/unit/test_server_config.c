/* Unit tests for the server configuration file (src/server/server_config.c,
   src/common/conf.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "common/addr.h"
#include "server/server_config.h"

/* The source tree's top, from this file's name ("" when compiled from it). */
static char top[1024];
static char dir[64];   /* the temporary directory */
static char conf[256]; /* DIR/server.conf */
static char cert[256]; /* DIR/cert.pem */
static char keyf[256]; /* DIR/key.pem */

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
  strcpy(dir, "/tmp/wtping-sconf-XXXXXX");
  if (!mkdtemp(dir))
    return -1;
  snprintf(conf, sizeof(conf), "%s/server.conf", dir);
  snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
  snprintf(keyf, sizeof(keyf), "%s/key.pem", dir);
  FILE *a = fopen(cert, "w"), *b = fopen(keyf, "w");
  if (a)
    fclose(a);
  if (b)
    fclose(b);
  return a && b ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  return nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* defaults sets what server_opts_parse would before reading a file. */
static void defaults(server_opts *o) {
  const char *err;
  memset(o, 0, sizeof(*o));
  assert_int_equal(addr_parse("[::]:4433", SERVER_DEFAULT_PORT, &o->listen[0].addr,
                              &o->listen[0].addrlen, &err),
                   0);
  o->nlisten = 1;
  strcpy(o->path, "/wtping");
  strcpy(o->control_socket, "/run/wtping/server.sock");
  strcpy(o->reset_secret, "/var/lib/wtping/reset-secret");
  o->control_mode = 0660;
  o->idle_timeout_s = 30;
  o->max_connections = 4096;
  o->max_sessions = 4;
  o->log_level = LOG_INFO;
  o->max_connections_per_source = 64;
  o->handshakes_per_second = 20;
  o->handshake_timeout_s = 10;
  o->max_streams = 100;
  o->stream_buffer = 256 * 1024;
  o->connection_buffer = 1024 * 1024;
  o->datagrams_per_second = 2000;
  o->retry = SERVER_RETRY_AUTO;
  o->retry_threshold = 64;
  o->control_clients = 32;
  o->cert_mode = SERVER_CERT_FILE;
  strcpy(o->cert_dir, "/var/lib/wtping/certs");
  o->cert_rotation_s = 518400;
}

/* load_ok writes |text| to DIR/server.conf and loads it over the defaults. */
static void load_ok(const char *text, server_opts *o) {
  char err[512] = "";
  write_file(conf, text, strlen(text));
  defaults(o);
  int rv = server_config_load(conf, o, err, sizeof(err));
  if (rv != 0)
    print_error("unexpected error: %s\n", err);
  assert_int_equal(rv, 0);
}

/* load_err checks that |text| is refused with "DIR/server.conf:" and |want|,
   leaving the options alone. */
static void load_err(const char *text, const char *want) {
  char err[1024] = "", exp[1024];
  server_opts o, before;
  write_file(conf, text, strlen(text));
  defaults(&o);
  before = o;
  snprintf(exp, sizeof(exp), "%s:%s", conf, want);
  assert_int_equal(server_config_load(conf, &o, err, sizeof(err)), -1);
  assert_string_equal(err, exp);
  assert_memory_equal(&o, &before, sizeof(o));
}

/* listen_is checks |o|'s listen entry |i|. */
static void listen_is(const server_opts *o, unsigned i, const char *want) {
  char buf[ADDR_STRLEN];
  assert_true(i < o->nlisten);
  assert_string_equal(addr_format((const struct sockaddr *)&o->listen[i].addr, buf, sizeof(buf)),
                      want);
}

static void test_full(void **state) {
  (void)state;
  char text[2048];
  server_opts o;
  snprintf(text, sizeof(text),
           "# every setting\n"
           "listen = [ \"127.0.0.1:8443\", \"[::1]:9443\",\n"
           "           \"10.0.0.1\" ];\n"
           "path = \"/ping\";\n"
           "certificate = \"%s\";\n"
           "key = \"%s\";\n"
           "idle_timeout = 60;\n"
           "max_connections = 1000000;\n"
           "max_sessions = 1024;\n"
           "control_socket = \"/tmp/x.sock\";\n"
           "control_mode = \"0600\";\n"
           "log_level = \"debug\";\n",
           cert, keyf);
  load_ok(text, &o);
  assert_int_equal(o.nlisten, 3);
  listen_is(&o, 0, "127.0.0.1:8443");
  listen_is(&o, 1, "[::1]:9443");
  listen_is(&o, 2, "10.0.0.1:4433");
  assert_string_equal(o.path, "/ping");
  assert_string_equal(o.cert_file, cert);
  assert_string_equal(o.key_file, keyf);
  assert_int_equal(o.idle_timeout_s, 60);
  assert_int_equal(o.max_connections, 1000000);
  assert_int_equal(o.max_sessions, 1024);
  assert_string_equal(o.control_socket, "/tmp/x.sock");
  assert_int_equal(o.control_mode, 0600);
  assert_int_equal(o.log_level, LOG_DEBUG);
}

static void test_variants(void **state) {
  (void)state;
  server_opts o;
  load_ok("listen = \"*:1234\"; control_socket = \"\";\n"
          "idle_timeout = 1; max_connections = 1; max_sessions = 0x10;\n"
          "control_mode = \"777\"; log_level = \"error\";\n",
          &o);
  assert_int_equal(o.nlisten, 1);
  listen_is(&o, 0, "[::]:1234");
  assert_string_equal(o.control_socket, "");
  assert_int_equal(o.idle_timeout_s, 1);
  assert_int_equal(o.max_connections, 1);
  assert_int_equal(o.max_sessions, 16);
  assert_int_equal(o.control_mode, 0777);
  assert_int_equal(o.log_level, LOG_ERR);
  load_ok("idle_timeout = 3600L; control_mode = \"0\"; log_level = \"warning\";", &o);
  assert_int_equal(o.idle_timeout_s, 3600);
  assert_int_equal(o.control_mode, 0);
  assert_int_equal(o.log_level, LOG_WARNING);
  load_ok("log_level = \"notice\";", &o);
  assert_int_equal(o.log_level, LOG_NOTICE);
}

static void test_defaults_kept(void **state) {
  (void)state;
  server_opts o, d;
  defaults(&d);
  load_ok("", &o);
  assert_memory_equal(&o, &d, sizeof(o));
  load_ok("# only comments\n// and more\n/* and this */\n", &o);
  assert_memory_equal(&o, &d, sizeof(o));
  load_ok("max_sessions = 9;\n", &o);
  d.max_sessions = 9;
  assert_memory_equal(&o, &d, sizeof(o));
}

/* example_text returns etc/server.conf with the certificate and key pointing
   at the temporary files; with |uncomment|, every "#name = value" line is
   made active. */
static char *example_text(bool uncomment) {
  char path[1200];
  snprintf(path, sizeof(path), "%setc/server.conf", top);
  char *a = read_text(path);
  char *b = replace(a, "\"/etc/wtping/cert.pem\"", "\"CERT\"");
  char *c0 = replace(b, "\"/etc/wtping/key.pem\"", "\"KEY\"");
  /* the example client CA: any readable file will do */
  char *c = replace(c0, "\"/etc/wtping/client-ca.pem\"", "\"CERT\"");
  free(c0);
  char q[300];
  free(a);
  free(b);
  snprintf(q, sizeof(q), "\"%s\"", cert);
  a = replace(c, "\"CERT\"", q);
  snprintf(q, sizeof(q), "\"%s\"", keyf);
  b = replace(a, "\"KEY\"", q);
  free(a);
  free(c);
  if (!uncomment)
    return b;
  uncomment_settings(b);
  return b;
}

static void test_example(void **state) {
  (void)state;
  server_opts o, d;
  for (int uncomment = 0; uncomment < 2; uncomment++) {
    char *text = example_text(uncomment);
    if (uncomment) /* every documented setting is now active */
      assert_non_null(strstr(text, "\nmax_sessions = 4;"));
    load_ok(text, &o);
    free(text);
    defaults(&d);
    /* the shipped file selects self-rotating certificates; the commented
     * certificate and key, once active, would win over it */
    d.cert_mode = SERVER_CERT_SELF_ROTATING;
    /* the packaged file lets browsers in from the server's own origin and
     * from local files (the shipped ping page) */
    strcpy(d.origins[0], "self");
    strcpy(d.origins[1], "file");
    d.norigins = 2;
    if (uncomment) {
      strcpy(d.cert_file, cert);
      strcpy(d.key_file, keyf);
      /* the one setting shown with an example instead of its default */
      strcpy(d.cert_names[0], "wtping.example.org");
      strcpy(d.cert_names[1], "192.0.2.1");
      d.ncert_names = 2;
      /* settings without a default show an example */
      strcpy(d.client_ca, cert);
      strcpy(d.client_subjects[0], "CN=probe1");
      d.nclient_subjects = 1;
      strcpy(d.client_pins[0], "sha256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
      d.nclient_pins = 1;
    }
    assert_memory_equal(&o, &d, sizeof(o));
  }
}

static void test_access(void **state) {
  (void)state;
  server_opts o;
  load_ok("origins = \"*\";\n", &o);
  assert_int_equal(o.norigins, 1);
  assert_string_equal(o.origins[0], "*");
  load_ok("origins = [ \"self\", \"https://ping.example.org\", \"http://127.0.0.1:8000\" ];\n"
          "tokens_file = \"/etc/wtping/tokens\";\n",
          &o);
  assert_int_equal(o.norigins, 3);
  assert_string_equal(o.origins[2], "http://127.0.0.1:8000");
  assert_string_equal(o.tokens_file, "/etc/wtping/tokens");
  load_ok("tokens_file = \"\";\n", &o);
  assert_string_equal(o.tokens_file, "");
  load_err("\norigins = [ \"self\", \"https://x/path\" ];",
           "2: origins: \"https://x/path\": not an origin (http[s]://host[:port], \"self\", "
           "\"file\" or \"*\")");
  load_err("origins = [];", "1: origins: empty list");
  load_err("origins = 1;", "1: origins: expected a string or a list of strings");
  load_err("tokens_file = \"tokens\";", "1: tokens_file: must be an absolute path");
}

static void test_client_auth(void **state) {
  (void)state;
  server_opts o;
  char text[2048];
  snprintf(text, sizeof(text),
           "client_ca = \"%s\";\nclient_auth = \"optional\";\n"
           "client_subjects = [ \"CN=probe1\", \"CN=probe2,O=Example\" ];\n"
           "client_pins = \"sha256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\";\n",
           cert);
  load_ok(text, &o);
  assert_string_equal(o.client_ca, cert);
  assert_true(o.client_cert_optional);
  assert_int_equal(o.nclient_subjects, 2);
  assert_string_equal(o.client_subjects[1], "CN=probe2,O=Example");
  assert_int_equal(o.nclient_pins, 1);
  load_err("client_auth = \"maybe\";",
           "1: client_auth: expected \"require\" or \"optional\", not \"maybe\"");
  load_err("client_subjects = \"CN=x\";", "1: client_subjects: needs client_ca");
  snprintf(text, sizeof(text), "client_ca = \"%s\";\nclient_pins = [ \"sha256:abc\" ];", cert);
  load_err(text, "2: client_pins: \"sha256:abc\": not a pin (sha256:BASE64)");
  load_err("client_ca = \"/nonexistent/ca.pem\";",
           "1: client_ca: cannot read /nonexistent/ca.pem: No such file or directory");
}

static void test_limits(void **state) {
  (void)state;
  server_opts o;
  load_ok("max_connections_per_source = 0;\nhandshakes_per_second = 5;\nhandshake_timeout = 3;\n"
          "max_streams = 10;\nstream_buffer = 16384;\nconnection_buffer = 67108864;\n",
          &o);
  assert_int_equal(o.max_connections_per_source, 0);
  assert_int_equal(o.handshakes_per_second, 5);
  assert_int_equal(o.handshake_timeout_s, 3);
  assert_int_equal(o.max_streams, 10);
  assert_int_equal(o.stream_buffer, 16384);
  assert_int_equal(o.connection_buffer, 67108864);
  load_err("handshake_timeout = 0;", "1: handshake_timeout: out of range (1..60)");
  load_err("max_streams = 0;", "1: max_streams: out of range (1..10000)");
  load_err("stream_buffer = 1000;", "1: stream_buffer: out of range (16384..16777216)");
  load_err("connection_buffer = 67108865;",
           "1: connection_buffer: out of range (65536..67108864)");
  load_ok("retry = \"always\";\nretry_threshold = 0;\n", &o);
  assert_int_equal(o.retry, SERVER_RETRY_ALWAYS);
  assert_int_equal(o.retry_threshold, 0);
  load_ok("control_clients = 1;\n", &o);
  assert_int_equal(o.control_clients, 1);
  load_err("control_clients = 0;", "1: control_clients: out of range (1..1024)");
  load_ok("retry = \"never\";\n", &o);
  assert_int_equal(o.retry, SERVER_RETRY_NEVER);
  load_err("retry = \"sometimes\";", "1: retry: expected \"never\", \"auto\" or \"always\"");
  load_err("retry = true;", "1: retry: expected \"never\", \"auto\" or \"always\"");
  load_ok("datagrams_per_second = 0;\n", &o);
  assert_int_equal(o.datagrams_per_second, 0);
  load_err("datagrams_per_second = 1000001;",
           "1: datagrams_per_second: out of range (0..1000000)");
  load_err("handshakes_per_second = -1;", "1: handshakes_per_second: out of range (0..1000000)");
}

static void test_syntax(void **state) {
  (void)state;
  load_err("max_sessions = 4;\nlisten = ;\n", "2: syntax error");
  load_err("max_sessions = 4;\nmax_sessions = 5;\n", "2: duplicate setting name");
  load_err("path = \"/x\nmax_sessions = 5;\n", "3: syntax error");
  /* strings libconfig 1.5 would leak (found by tests/fuzz/fuzz_server_config) */
  load_err("\"\"", "1: syntax error");
  load_err("max_sessions = 4;\n\n\"x\";\n", "3: syntax error");
  load_err("max_sessions = 4, \"x\";\n", "1: syntax error");
  load_err("listen = ;\n\"x\"", "1: syntax error");
  load_err("path = \"/a\" /* \"b\" */\n(\"x\")", "2: syntax error");
  load_err("\n@include \"/etc/hostname\"\n", "2: @include is not supported");
  /* a value quoted in a message stays on one line (found by
     tests/fuzz/fuzz_server_config: a string continued on the next line) */
  load_err("log_level = \"de\nbug\";", "1: log_level: unknown level \"de?bug\" (error, warning, "
                                         "notice, info, debug)");
}

/* A broken file loaded again and again (SIGHUP after SIGHUP) must not make
   the process grow: libconfig 1.5 leaks the string that causes a syntax
   error, so conf_open never lets it see one. */
static void test_reload_bounded(void **state) {
  (void)state;
  char text[2048 + 8];
  text[0] = '"';
  memset(text + 1, 'x', 2047);
  strcpy(text + 2048, "\"");
  write_file(conf, text, strlen(text));
  struct mallinfo2 before = mallinfo2();
  for (int i = 0; i < 2000; i++) {
    char err[256];
    server_opts o;
    defaults(&o);
    assert_int_equal(server_config_load(conf, &o, err, sizeof(err)), -1);
  }
  struct mallinfo2 after = mallinfo2();
  /* 2000 leaked copies would be 4 MB */
  assert_true(after.uordblks < before.uordblks + 256 * 1024);
}

static void test_discovery(void **state) {
  (void)state;
  server_opts o;
  load_ok("discovery = { advertise = true; name = \"lab server\"; publish_pin = true; };", &o);
  assert_true(o.advertise);
  assert_string_equal(o.advertise_name, "lab server");
  assert_true(o.advertise_pin);
  load_ok("discovery = { };", &o);
  assert_false(o.advertise);
  assert_string_equal(o.advertise_name, "");
  load_err("\ndiscovery = true;",
           "2: discovery: expected a group: discovery = { advertise = true; };");
  load_err("discovery = {\n advertize = true; };", "2: advertize: unknown setting");
  load_err("discovery = { advertise = 1; };", "1: advertise: expected true or false");
  load_err("discovery = { name = \"" 
           "0123456789012345678901234567890123456789012345678901234567890123456789\"; };",
           "1: name: too long (at most 63 bytes)");
}

static void test_unknown(void **state) {
  (void)state;
  load_err("max_sessions = 4;\n\nlisen = \"[::]:1\";\n", "3: lisen: unknown setting");
  load_err("\nserver = { listen = \"[::]:1\"; };\n", "2: server: unknown setting");
  load_err("Path = \"/x\";\n", "1: Path: unknown setting");
  load_err("cert = \"/x\";\n", "1: cert: unknown setting");
}

static void test_types(void **state) {
  (void)state;
  load_err("max_sessions = \"4\";", "1: max_sessions: expected an integer");
  load_err("\nmax_sessions = 4.0;", "2: max_sessions: expected an integer");
  load_err("idle_timeout = true;", "1: idle_timeout: expected an integer");
  load_err("max_connections = [1];", "1: max_connections: expected an integer");
  load_err("listen = 4433;", "1: listen: expected a string or a list of strings");
  load_err("listen = ( \"[::]:1\",\n 2 );", "1: listen: expected a string or a list of strings");
  load_err("listen = { a = 1; };", "1: listen: expected a string or a list of strings");
  load_err("path = 1;", "1: path: expected a string");
  load_err("certificate = [\"/x\"];", "1: certificate: expected a string");
  load_err("key = false;", "1: key: expected a string");
  load_err("control_socket = 0;", "1: control_socket: expected a string");
  load_err("control_mode = 0660;", "1: control_mode: expected a string such as \"0660\"");
  load_err("log_level = 7;", "1: log_level: expected a string");
}

static void test_range(void **state) {
  (void)state;
  load_err("max_sessions = 0;", "1: max_sessions: out of range (1..1024)");
  load_err("max_sessions = 1025;", "1: max_sessions: out of range (1..1024)");
  load_err("max_sessions = -1;", "1: max_sessions: out of range (1..1024)");
  load_err("max_connections = 1000001;", "1: max_connections: out of range (1..1000000)");
  load_err("max_connections = 0;", "1: max_connections: out of range (1..1000000)");
  /* libconfig 1.5 wraps these to 1 and -1: still refused */
  load_err("max_connections = 4294967297;", "1: max_connections: out of range (1..1000000)");
  load_err("max_sessions = 99999999999999999999999;", "1: max_sessions: out of range (1..1024)");
  load_err("max_connections = 4294967297L;", "1: max_connections: out of range (1..1000000)");
  load_err("idle_timeout = 0;", "1: idle_timeout: out of range (1..3600)");
  load_err("a_b = 1;", "1: a_b: unknown setting");
  load_err("max_sessions = 2; idle_timeout = 3601;", "1: idle_timeout: out of range (1..3600)");
}

static void test_listen(void **state) {
  (void)state;
  load_err("listen = \"example.com:443\";",
           "1: listen: \"example.com:443\": not a numeric address");
  load_err("\nlisten = [ \"[::]:4433\",\n  \"0.0.0.0:70000\" ];",
           "2: listen: \"0.0.0.0:70000\": port out of range");
  load_err("listen = \"[::]:0\";", "1: listen: \"[::]:0\": port out of range");
  load_err("listen = \"\";", "1: listen: \"\": empty address");
  load_err("listen = [];", "1: listen: empty list");
  load_err("listen = ();", "1: listen: empty list");

  char text[1024] = "listen = [";
  for (int i = 0; i < 17; i++)
    snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s\"127.0.0.1:%d\"",
             i ? ", " : "", 1000 + i);
  strcat(text, "];");
  load_err(text, "1: listen: too many entries (at most 16)");
  text[strlen(text) - 20] = '\0'; /* drop the 17th */
  strcat(text, "];");
  server_opts o;
  load_ok(text, &o);
  assert_int_equal(o.nlisten, 16);
  listen_is(&o, 15, "127.0.0.1:1015");
}

static void test_paths(void **state) {
  (void)state;
  char text[2048], want[1200];
  load_err("path = \"ping\";", "1: path: must start with '/'");
  load_err("path = \"\";", "1: path: must start with '/'");
  memset(want, 'a', 1024);
  want[0] = '/';
  want[1024] = '\0';
  snprintf(text, sizeof(text), "path = \"%s\";", want);
  load_err(text, "1: path: too long (at most 1023 bytes)");
  want[1023] = '\0';
  server_opts o;
  snprintf(text, sizeof(text), "path = \"%s\";", want);
  load_ok(text, &o);
  assert_int_equal(strlen(o.path), 1023);

  load_err("certificate = \"cert.pem\";", "1: certificate: must be an absolute path");
  load_err("certificate = \"\";", "1: certificate: must be an absolute path");
  load_err("key = \"./key.pem\";", "1: key: must be an absolute path");
  snprintf(text, sizeof(text), "certificate = \"%s/nope.pem\";", dir);
  snprintf(want, sizeof(want),
           "1: certificate: cannot read %s/nope.pem: No such file or directory", dir);
  load_err(text, want);
  snprintf(text, sizeof(text), "certificate = \"%s\";\nkey = \"%s\";", cert, dir);
  snprintf(want, sizeof(want), "2: key: cannot read %s: Is a directory", dir);
  load_err(text, want);
  if (geteuid() != 0) { /* root reads anything */
    char locked[300];
    snprintf(locked, sizeof(locked), "%s/locked.pem", dir);
    write_file(locked, "x", 1);
    assert_int_equal(chmod(locked, 0), 0);
    snprintf(text, sizeof(text), "key = \"%s\";", locked);
    snprintf(want, sizeof(want), "1: key: cannot read %s: Permission denied", locked);
    load_err(text, want);
  }

  load_err("control_socket = \"server.sock\";", "1: control_socket: must be an absolute path");
  memset(want, 'a', 108);
  want[0] = '/';
  want[108] = '\0';
  snprintf(text, sizeof(text), "control_socket = \"%s\";", want);
  load_err(text, "1: control_socket: too long (at most 107 bytes)");
  want[107] = '\0';
  snprintf(text, sizeof(text), "control_socket = \"%s\";", want);
  load_ok(text, &o);
  assert_string_equal(o.control_socket, want);
}

static void test_mode_level(void **state) {
  (void)state;
  load_err("control_mode = \"0999\";",
           "1: control_mode: invalid mode \"0999\" (octal digits, at most 0777)");
  load_err("control_mode = \"rw\";",
           "1: control_mode: invalid mode \"rw\" (octal digits, at most 0777)");
  load_err("control_mode = \"\";",
           "1: control_mode: invalid mode \"\" (octal digits, at most 0777)");
  load_err("control_mode = \"01000\";",
           "1: control_mode: invalid mode \"01000\" (octal digits, at most 0777)");
  load_err("control_mode = \"0660 \";",
           "1: control_mode: invalid mode \"0660 \" (octal digits, at most 0777)");
  load_err("control_mode = \"77777777777777777777\";",
           "1: control_mode: invalid mode \"77777777777777777777\" (octal digits, at most 0777)");
  load_err("log_level = \"verbose\";",
           "1: log_level: unknown level \"verbose\" (error, warning, notice, info, debug)");
  load_err("log_level = \"INFO\";",
           "1: log_level: unknown level \"INFO\" (error, warning, notice, info, debug)");
}

static void test_certificates(void **state) {
  (void)state;
  server_opts o, d;
  load_ok("certificate_mode = \"self-rotating\";\ncertificate_dir = \"/srv/c\";\n"
          "certificate_rotation = 12;\ncertificate_names = [\"a.example\", \"192.0.2.1\", \"::1\"];\n",
          &o);
  defaults(&d);
  d.cert_mode = SERVER_CERT_SELF_ROTATING;
  strcpy(d.cert_dir, "/srv/c");
  d.cert_rotation_s = 12;
  strcpy(d.cert_names[0], "a.example");
  strcpy(d.cert_names[1], "192.0.2.1");
  strcpy(d.cert_names[2], "::1");
  d.ncert_names = 3;
  assert_memory_equal(&o, &d, sizeof(o));
  load_ok("certificate_mode = \"file\";", &o);
  assert_int_equal(o.cert_mode, SERVER_CERT_FILE);
  load_ok("certificate_names = \"only.example\";", &o);
  assert_int_equal(o.ncert_names, 1);
  load_err("certificate_mode = \"auto\";",
           "1: certificate_mode: \"auto\": expected \"file\" or \"self-rotating\"");
  load_err("certificate_mode = 1;", "1: certificate_mode: expected a string");
  load_err("\ncertificate_rotation = 11;", "2: certificate_rotation: out of range (12..518400)");
  load_err("certificate_rotation = 518401;", "1: certificate_rotation: out of range (12..518400)");
  load_err("certificate_dir = \"relative\";", "1: certificate_dir: must be an absolute path");
  load_err("certificate_names = [\"a b\"];",
           "1: certificate_names: \"a b\": not a DNS name or an IP address");
  load_err("certificate_names = [\"\"];",
           "1: certificate_names: \"\": not a DNS name or an IP address");
  load_err("certificate_names = [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\","
           "\"l\",\"m\",\"n\",\"o\",\"p\",\"q\"];",
           "1: certificate_names: too many entries (at most 16)");
}

static void test_files(void **state) {
  (void)state;
  char err[512], want[512], path[300];
  server_opts o, d;
  defaults(&o);
  d = o;
  snprintf(path, sizeof(path), "%s/none.conf", dir);
  assert_int_equal(server_config_load(path, &o, err, sizeof(err)), -1);
  snprintf(want, sizeof(want), "cannot read %s: No such file or directory", path);
  assert_string_equal(err, want);
  assert_int_equal(server_config_load(dir, &o, err, sizeof(err)), -1);
  snprintf(want, sizeof(want), "cannot read %s: Is a directory", dir);
  assert_string_equal(err, want);
  write_file(conf, "max_sessions = 5;\0lisen = 1;\n", 29);
  assert_int_equal(server_config_load(conf, &o, err, sizeof(err)), -1);
  snprintf(want, sizeof(want), "cannot read %s: not a text file", conf);
  assert_string_equal(err, want);
  assert_memory_equal(&o, &d, sizeof(o));
  /* a small error buffer is truncated, not overrun */
  write_file(conf, "lisen = 1;", 10);
  char small[8];
  assert_int_equal(server_config_load(conf, &o, small, sizeof(small)), -1);
  assert_int_equal(strlen(small), sizeof(small) - 1);
}

static void test_atomic(void **state) {
  (void)state;
  /* a valid setting before the bad one is not applied */
  load_err("max_sessions = 9;\nlisten = \"1.2.3.4:5\";\nlog_level = \"loud\";\n",
           "3: log_level: unknown level \"loud\" (error, warning, notice, info, debug)");
  load_err("listen = [\"1.2.3.4:5\", \"1.2.3.4:x\"];",
           "1: listen: \"1.2.3.4:x\": invalid port");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_full),    cmocka_unit_test(test_variants),
      cmocka_unit_test(test_defaults_kept), cmocka_unit_test(test_example),
      cmocka_unit_test(test_syntax),  cmocka_unit_test(test_unknown),
      cmocka_unit_test(test_types),   cmocka_unit_test(test_range),
      cmocka_unit_test(test_listen),  cmocka_unit_test(test_paths),
      cmocka_unit_test(test_mode_level), cmocka_unit_test(test_files),
      cmocka_unit_test(test_atomic),  cmocka_unit_test(test_reload_bounded),
      cmocka_unit_test(test_access),  cmocka_unit_test(test_limits),
      cmocka_unit_test(test_client_auth),
      cmocka_unit_test(test_certificates),
      cmocka_unit_test(test_atomic),
      cmocka_unit_test(test_discovery),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
