/* Unit tests for URL parsing (src/client/url.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "client/url.h"

/* parse_ok parses |s| and checks every field. */
static void parse_ok(const char *s, const char *host, uint16_t port, const char *path,
                     int is_ipv6, const char *authority) {
  wt_url u;
  const char *err = NULL;
  int rv;

  memset(&u, 0xa5, sizeof(u));
  rv = url_parse(s, &u, &err);
  if (rv != 0) {
    print_error("url_parse(\"%s\") failed: %s\n", s, err ? err : "(null)");
  }
  assert_int_equal(rv, 0);
  assert_string_equal(u.host, host);
  assert_int_equal(u.port, port);
  assert_string_equal(u.path, path);
  assert_int_equal(u.host_is_ipv6, is_ipv6);
  assert_string_equal(u.authority, authority);
}

/* parse_err checks that |s| is rejected, that |out| is left alone, and,
   unless |msg| is NULL, the reason. */
static void parse_err(const char *s, const char *msg) {
  wt_url u, before;
  const char *err = NULL;
  int rv;

  memset(&u, 0xa5, sizeof(u));
  memcpy(&before, &u, sizeof(u));
  rv = url_parse(s, &u, &err);
  if (rv != -1) {
    print_error("url_parse(\"%s\") accepted (host \"%s\")\n", s, u.host);
  }
  assert_int_equal(rv, -1);
  assert_non_null(err);
  assert_true(strlen(err) > 0);
  if (msg) {
    assert_string_equal(err, msg);
  }
  assert_memory_equal(&u, &before, sizeof(u));
}

static void test_accept(void **state) {
  (void)state;

  parse_ok("https://localhost", "localhost", URL_DEFAULT_PORT, URL_DEFAULT_PATH, 0,
           "localhost:4433");
  parse_ok("https://localhost:4433/wtping", "localhost", 4433, "/wtping", 0, "localhost:4433");
  parse_ok("https://127.0.0.1:9/x?y=1", "127.0.0.1", 9, "/x?y=1", 0, "127.0.0.1:9");
  parse_ok("https://[::1]:4433/", "::1", 4433, "/", 1, "[::1]:4433");
  parse_ok("HTTPS://Example.COM/path", "example.com", URL_DEFAULT_PORT, "/path", 0,
           "example.com:4433");
  parse_ok("hTtPs://a", "a", URL_DEFAULT_PORT, URL_DEFAULT_PATH, 0, "a:4433");
}

static void test_accept_more(void **state) {
  (void)state;

  /* Port 443 is left out of the authority. */
  parse_ok("https://example.com:443/", "example.com", 443, "/", 0, "example.com");
  parse_ok("https://[2001:db8::1]:443/a", "2001:db8::1", 443, "/a", 1, "[2001:db8::1]");
  parse_ok("https://[::1]", "::1", URL_DEFAULT_PORT, URL_DEFAULT_PATH, 1, "[::1]:4433");
  parse_ok("https://[::1]/p", "::1", URL_DEFAULT_PORT, "/p", 1, "[::1]:4433");
  parse_ok("https://[::FFFF:1.2.3.4]:1", "::ffff:1.2.3.4", 1, URL_DEFAULT_PATH, 1,
           "[::ffff:1.2.3.4]:1");
  parse_ok("https://h:1", "h", 1, URL_DEFAULT_PATH, 0, "h:1");
  parse_ok("https://h:65535/", "h", 65535, "/", 0, "h:65535");
  parse_ok("https://h:004433/", "h", 4433, "/", 0, "h:4433");
  parse_ok("https://my_host-1.example/", "my_host-1.example", URL_DEFAULT_PORT, "/", 0,
           "my_host-1.example:4433");
  /* A query without a path gets the default path. */
  parse_ok("https://h?x=1", "h", URL_DEFAULT_PORT, URL_DEFAULT_PATH "?x=1", 0, "h:4433");
  parse_ok("https://h:8/?", "h", 8, "/?", 0, "h:8");
  /* The path keeps its case and may hold '@' and ':'. */
  parse_ok("https://h/A/b@c:d", "h", URL_DEFAULT_PORT, "/A/b@c:d", 0, "h:4433");
  parse_ok("https://h//", "h", URL_DEFAULT_PORT, "//", 0, "h:4433");
}

static void test_reject(void **state) {
  (void)state;

  /* Scheme. */
  parse_err("http://localhost/", "scheme must be https");
  parse_err("ftp://localhost/", "scheme must be https");
  parse_err("httpsx://localhost/", "scheme must be https");
  parse_err("http", "scheme must be https");
  parse_err("", "scheme must be https");
  parse_err("localhost:4433", "scheme must be https");
  parse_err("//localhost/", "scheme must be https");
  parse_err("https", "scheme must be https");
  /* "//" */
  parse_err("https:", "missing // after https:");
  parse_err("https:localhost", "missing // after https:");
  parse_err("https:/localhost", "missing // after https:");
  /* Host. */
  parse_err("https://", "empty host");
  parse_err("https:///wtping", "empty host");
  parse_err("https://:4433/", "empty host");
  parse_err("https://?x", "empty host");
  parse_err("https://[]:4433/", "empty host");
  parse_err("https://a!b/", "invalid character in host");
  parse_err("https://a%62/", "invalid character in host");
  parse_err("https://a]/", "invalid character in host");
  parse_err("https://a[::1]/", "invalid character in host");
  /* Userinfo. */
  parse_err("https://user@localhost/", "userinfo not allowed");
  parse_err("https://user:pw@localhost:4433/", "userinfo not allowed");
  parse_err("https://@localhost/", "userinfo not allowed");
  parse_err("https://[::1]@h/", "userinfo not allowed");
  /* Port. */
  parse_err("https://localhost:0/", "port out of range");
  parse_err("https://localhost:00/", "port out of range");
  parse_err("https://localhost:65536/", "port out of range");
  parse_err("https://localhost:99999999999999999999999/", "port out of range");
  parse_err("https://[::1]:0/", "port out of range");
  parse_err("https://[::1]:65536", "port out of range");
  parse_err("https://localhost:/", "empty port");
  parse_err("https://localhost:", "empty port");
  parse_err("https://[::1]:/", "empty port");
  parse_err("https://localhost:https/", "invalid port");
  parse_err("https://localhost:44a/", "invalid port");
  parse_err("https://localhost:-1/", "invalid port");
  parse_err("https://localhost:+1/", "invalid port");
  parse_err("https://localhost:1:2/", "invalid port");
  parse_err("https://::1/", "empty host");
  /* IPv6. */
  parse_err("https://[::1", "unclosed '['");
  parse_err("https://[::1/x]", "unclosed '['");
  parse_err("https://[::1:4433/", "unclosed '['");
  parse_err("https://[::1]x/", "garbage after ']'");
  parse_err("https://[::1]]/", "garbage after ']'");
  parse_err("https://[::1][::2]/", "garbage after ']'");
  parse_err("https://[::g]/", "invalid IPv6 address");
  parse_err("https://[1.2.3.4]/", "invalid IPv6 address");
  parse_err("https://[localhost]/", "invalid IPv6 address");
  parse_err("https://[fe80::1%25eth0]/", "invalid IPv6 address");
  parse_err("https://[1:2:3:4:5:6:7:8:9]/", "invalid IPv6 address");
  parse_err("https://[[::1]]/", "invalid IPv6 address");
  /* Fragments. */
  parse_err("https://localhost/#", "fragment not allowed");
  parse_err("https://localhost/a#b", "fragment not allowed");
  parse_err("https://localhost#b", "fragment not allowed");
  /* Spaces and control characters, anywhere. */
  parse_err(" https://localhost/", NULL);
  parse_err("https://localhost/ ", NULL);
  parse_err("https://local host/", NULL);
  parse_err("https://localhost/a b", NULL);
  parse_err("https://localhost/a\tb", NULL);
  parse_err("https://localhost/\r\n", NULL);
  parse_err("https://localhost/\x01", NULL);
  parse_err("https://localhost/\x7f", NULL);
  parse_err("https://localhost/\xc3\xa9", NULL);
  parse_err("https:// localhost/", NULL);
  parse_err("https://localhost: 1/", NULL);
}

static void test_lengths(void **state) {
  char host[URL_HOST_MAX + 2];
  char url[URL_HOST_MAX + URL_PATH_MAX + 64];
  char want_auth[URL_HOST_MAX + 16];
  char path[URL_PATH_MAX + 2];
  size_t n;

  (void)state;

  /* The longest host that fits the buffer, with the longest port. */
  memset(host, 'a', URL_HOST_MAX - 1);
  host[URL_HOST_MAX - 1] = '\0';
  snprintf(url, sizeof(url), "https://%s:65535/", host);
  snprintf(want_auth, sizeof(want_auth), "%s:65535", host);
  parse_ok(url, host, 65535, "/", 0, want_auth);

  /* One more does not fit, with or without brackets. */
  host[URL_HOST_MAX - 1] = 'a';
  host[URL_HOST_MAX] = '\0';
  snprintf(url, sizeof(url), "https://%s/", host);
  parse_err(url, "host too long");
  snprintf(url, sizeof(url), "https://[%s]/", host);
  parse_err(url, "host too long");
  host[URL_HOST_MAX] = 'a';
  host[URL_HOST_MAX + 1] = '\0';
  snprintf(url, sizeof(url), "https://%s/", host);
  parse_err(url, "host too long");
  snprintf(url, sizeof(url), "https://[%s]/", host);
  parse_err(url, "host too long");

  /* The longest path that fits. */
  n = URL_PATH_MAX - 1;
  path[0] = '/';
  memset(path + 1, 'p', n - 1);
  path[n] = '\0';
  snprintf(url, sizeof(url), "https://h%s", path);
  parse_ok(url, "h", URL_DEFAULT_PORT, path, 0, "h:4433");

  /* One more does not fit. */
  path[n] = 'p';
  path[n + 1] = '\0';
  snprintf(url, sizeof(url), "https://h%s", path);
  parse_err(url, "path too long");

  /* A query that, with the default path added, no longer fits. */
  n = URL_PATH_MAX - (sizeof(URL_DEFAULT_PATH) - 1);
  path[0] = '?';
  memset(path + 1, 'q', n - 1);
  path[n] = '\0';
  snprintf(url, sizeof(url), "https://h%s", path);
  parse_err(url, "path too long");
  /* One shorter fits exactly. */
  path[n - 1] = '\0';
  snprintf(url, sizeof(url), "https://h%s", path);
  {
    char want_path[URL_PATH_MAX + 16];

    snprintf(want_path, sizeof(want_path), "%s%s", URL_DEFAULT_PATH, path);
    assert_int_equal(strlen(want_path), URL_PATH_MAX - 1);
    parse_ok(url, "h", URL_DEFAULT_PORT, want_path, 0, "h:4433");
  }
}

static void test_null_err(void **state) {
  wt_url u;

  (void)state;

  assert_int_equal(url_parse("http://x/", &u, NULL), -1);
  assert_int_equal(url_parse("https://x/", &u, NULL), 0);
  assert_string_equal(u.host, "x");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_accept),  cmocka_unit_test(test_accept_more),
      cmocka_unit_test(test_reject),  cmocka_unit_test(test_lengths),
      cmocka_unit_test(test_null_err),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
