/* Unit tests for address parsing and formatting (src/common/addr.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "common/addr.h"

/* parse_ok parses |s| and checks the result against |family|, the numeric
   host |host| (inet_pton form, no scope) and |port|.  Returns the scope id
   for IPv6. */
static uint32_t parse_ok(const char *s, uint16_t default_port, int family,
                         const char *host, uint16_t port) {
  struct sockaddr_storage ss;
  socklen_t len = 0;
  const char *err = NULL;
  int rv;

  memset(&ss, 0xa5, sizeof(ss));
  rv = addr_parse(s, default_port, &ss, &len, &err);
  if (rv != 0) {
    print_error("addr_parse(\"%s\") failed: %s\n", s, err ? err : "(null)");
  }
  assert_int_equal(rv, 0);
  assert_int_equal(ss.ss_family, family);

  if (family == AF_INET) {
    const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;
    struct in_addr want;

    assert_int_equal(len, sizeof(struct sockaddr_in));
    assert_int_equal(inet_pton(AF_INET, host, &want), 1);
    assert_memory_equal(&sin->sin_addr, &want, sizeof(want));
    assert_int_equal(ntohs(sin->sin_port), port);
    return 0;
  } else {
    const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&ss;
    struct in6_addr want;

    assert_int_equal(len, sizeof(struct sockaddr_in6));
    assert_int_equal(inet_pton(AF_INET6, host, &want), 1);
    assert_memory_equal(&sin6->sin6_addr, &want, sizeof(want));
    assert_int_equal(ntohs(sin6->sin6_port), port);
    assert_int_equal(sin6->sin6_flowinfo, 0);
    return sin6->sin6_scope_id;
  }
}

/* parse_err checks that |s| is rejected with exactly the message |msg|. */
static void parse_err(const char *s, uint16_t default_port, const char *msg) {
  struct sockaddr_storage ss;
  socklen_t len = 12345;
  const char *err = NULL;
  int rv;

  rv = addr_parse(s, default_port, &ss, &len, &err);
  if (rv != -1) {
    print_error("addr_parse(\"%s\") unexpectedly succeeded\n",
                s ? s : "(null)");
  }
  assert_int_equal(rv, -1);
  assert_non_null(err);
  assert_string_equal(err, msg);
}

static void test_parse_ipv4(void **state) {
  (void)state;
  parse_ok("127.0.0.1:4433", 0, AF_INET, "127.0.0.1", 4433);
  parse_ok("0.0.0.0:1", 0, AF_INET, "0.0.0.0", 1);
  parse_ok("255.255.255.255:65535", 0, AF_INET, "255.255.255.255", 65535);
  parse_ok("10.1.2.3:00443", 0, AF_INET, "10.1.2.3", 443);
  /* Default port. */
  parse_ok("192.0.2.1", 443, AF_INET, "192.0.2.1", 443);
  /* An explicit port wins over the default. */
  parse_ok("192.0.2.1:80", 443, AF_INET, "192.0.2.1", 80);
}

static void test_parse_ipv6(void **state) {
  (void)state;
  parse_ok("[::1]:4433", 0, AF_INET6, "::1", 4433);
  parse_ok("[::]:4433", 0, AF_INET6, "::", 4433);
  parse_ok("[2001:db8::1:2]:65535", 0, AF_INET6, "2001:db8::1:2", 65535);
  parse_ok("[::ffff:192.0.2.1]:80", 0, AF_INET6, "::ffff:192.0.2.1", 80);
  /* Default port, brackets optional. */
  parse_ok("[::1]", 443, AF_INET6, "::1", 443);
  parse_ok("::1", 443, AF_INET6, "::1", 443);
  parse_ok("::", 443, AF_INET6, "::", 443);
  parse_ok("2001:db8::5", 443, AF_INET6, "2001:db8::5", 443);
  /* Unbracketed, the last group is address, not port. */
  parse_ok("::1:4433", 443, AF_INET6, "::1:4433", 443);
}

static void test_parse_wildcard(void **state) {
  (void)state;
  parse_ok("*:4433", 0, AF_INET6, "::", 4433);
  parse_ok("*", 4433, AF_INET6, "::", 4433);
  parse_ok("*:80", 4433, AF_INET6, "::", 80);
}

static void test_parse_scope(void **state) {
  unsigned int lo = if_nametoindex("lo");
  uint32_t scope;

  (void)state;
  scope = parse_ok("[fe80::1%7]:4433", 0, AF_INET6, "fe80::1", 4433);
  assert_int_equal(scope, 7);
  scope = parse_ok("fe80::1%4294967295", 443, AF_INET6, "fe80::1", 443);
  assert_int_equal(scope, 4294967295u);
  if (lo == 0) {
    print_message("no \"lo\" interface: skipping named scope ids\n");
    return;
  }
  scope = parse_ok("[fe80::1%lo]:4433", 0, AF_INET6, "fe80::1", 4433);
  assert_int_equal(scope, lo);
  scope = parse_ok("fe80::1%lo", 443, AF_INET6, "fe80::1", 443);
  assert_int_equal(scope, lo);
}

static void test_parse_errors(void **state) {
  (void)state;
  parse_err(NULL, 443, "empty address");
  parse_err("", 443, "empty address");

  /* Port range and syntax. */
  parse_err("127.0.0.1:0", 0, "port out of range");
  parse_err("127.0.0.1:65536", 0, "port out of range");
  parse_err("127.0.0.1:70000", 443, "port out of range");
  parse_err("127.0.0.1:99999999999999999999", 0, "port out of range");
  parse_err("[::1]:0", 0, "port out of range");
  parse_err("[::1]:65536", 0, "port out of range");
  parse_err("*:0", 0, "port out of range");
  parse_err("127.0.0.1:", 443, "empty port");
  parse_err("[::1]:", 443, "empty port");
  parse_err("*:", 443, "empty port");
  parse_err("127.0.0.1:44x", 0, "invalid port");
  parse_err("127.0.0.1:-1", 0, "invalid port");
  parse_err("127.0.0.1:+443", 0, "invalid port");
  parse_err("127.0.0.1: 443", 0, "invalid port");
  parse_err("127.0.0.1:443 ", 0, "invalid port");
  parse_err("[::1]:4433x", 0, "invalid port");

  /* Missing port with no default. */
  parse_err("127.0.0.1", 0, "missing port");
  parse_err("[::1]", 0, "missing port");
  parse_err("*", 0, "missing port");
  parse_err("::1", 0, "missing port (IPv6 needs [brackets]:port)");

  /* Empty host. */
  parse_err(":4433", 0, "empty host");
  parse_err("[]:4433", 0, "empty host");
  parse_err("[]", 443, "empty host");

  /* Brackets. */
  parse_err("[::1:4433", 0, "missing ']'");
  parse_err("[::1", 443, "missing ']'");
  parse_err("[::1]x", 443, "garbage after ']'");
  parse_err("[::1]]:4433", 0, "garbage after ']'");
  parse_err("[::1] :4433", 0, "garbage after ']'");
  parse_err("::1]:4433", 443, "not a numeric address");
  parse_err("[127.0.0.1]:4433", 0, "not a numeric address");
  parse_err("[*]:4433", 0, "not a numeric address");

  /* Not numeric, or trailing garbage in the host. */
  parse_err("localhost:4433", 0, "not a numeric address");
  parse_err("localhost", 443, "not a numeric address");
  parse_err("127.0.0.1x:4433", 0, "not a numeric address");
  parse_err("127.0.0.1 :4433", 0, "not a numeric address");
  parse_err(" 127.0.0.1:4433", 0, "not a numeric address");
  parse_err("127.0.0:4433", 0, "not a numeric address");
  parse_err("127.0.0.256:4433", 0, "not a numeric address");
  parse_err("1.2.3.4:80:90", 443, "not a numeric address");
  parse_err("**:4433", 0, "not a numeric address");
  parse_err("::1x", 443, "not a numeric address");
  parse_err("[::1x]:4433", 0, "not a numeric address");
  parse_err("[:::1]:4433", 0, "not a numeric address");
  parse_err("[1:2:3:4:5:6:7:8:9]:4433", 0, "not a numeric address");
  parse_err("[0000000000000000000000000000000000000000000000000000000000000000"
            "00000000000000000000000000000000::1]:4433",
            0, "not a numeric address");

  /* Scope ids: IPv6 only, known interface or non-zero number. */
  parse_err("127.0.0.1%lo:4433", 0, "not a numeric address");
  parse_err("[fe80::1%]:4433", 0, "empty scope id");
  parse_err("[fe80::1%0]:4433", 0, "scope id out of range");
  parse_err("[fe80::1%4294967296]:4433", 0, "scope id out of range");
  parse_err("[fe80::1%no-such-if0]:4433", 0, "unknown interface");
  parse_err("[fe80::1%-1]:4433", 0, "unknown interface");
}

static void test_parse_null_outs(void **state) {
  struct sockaddr_storage ss;

  (void)state;
  /* |outlen| and |err| may be NULL. */
  assert_int_equal(addr_parse("127.0.0.1:1", 0, &ss, NULL, NULL), 0);
  assert_int_equal(addr_parse("bogus", 0, &ss, NULL, NULL), -1);
}

/* roundtrip parses |in|, formats it and expects |want| (and |want_host|
   from addr_format_host), then parses |want| again and expects the same
   socket address. */
static void roundtrip(const char *in, uint16_t default_port, const char *want,
                      const char *want_host) {
  struct sockaddr_storage a, b;
  socklen_t alen, blen;
  const char *err = NULL;
  char buf[ADDR_STRLEN];

  assert_int_equal(addr_parse(in, default_port, &a, &alen, &err), 0);
  assert_ptr_equal(addr_format((struct sockaddr *)&a, buf, sizeof(buf)), buf);
  assert_string_equal(buf, want);
  assert_int_equal(addr_parse(buf, 0, &b, &blen, &err), 0);
  assert_int_equal(alen, blen);
  assert_memory_equal(&a, &b, alen);

  assert_ptr_equal(addr_format_host((struct sockaddr *)&a, buf, sizeof(buf)),
                   buf);
  assert_string_equal(buf, want_host);
}

static void test_format(void **state) {
  char name[IF_NAMESIZE], want[ADDR_STRLEN], want_host[ADDR_STRLEN];

  (void)state;
  roundtrip("127.0.0.1:4433", 0, "127.0.0.1:4433", "127.0.0.1");
  roundtrip("255.255.255.255:65535", 0, "255.255.255.255:65535",
            "255.255.255.255");
  roundtrip("10.0.0.1", 1, "10.0.0.1:1", "10.0.0.1");
  roundtrip("[::1]:4433", 0, "[::1]:4433", "::1");
  roundtrip("*:4433", 0, "[::]:4433", "::");
  roundtrip("[2001:DB8:0:0:0:0:0:1]:443", 0, "[2001:db8::1]:443",
            "2001:db8::1");
  roundtrip("::1", 8443, "[::1]:8443", "::1");
  roundtrip("[fe80::1%4000000000]:4433", 0, "[fe80::1%4000000000]:4433",
            "fe80::1%4000000000");
  if (if_indextoname(1, name)) {
    snprintf(want, sizeof(want), "[fe80::1%%%s]:4433", name);
    snprintf(want_host, sizeof(want_host), "fe80::1%%%s", name);
    roundtrip("[fe80::1%1]:4433", 0, want, want_host);
  }
}

static void test_format_mapped(void **state) {
  struct sockaddr_storage ss;
  const char *err;
  char buf[ADDR_STRLEN];

  (void)state;
  /* IPv4-mapped IPv6 is shown as plain IPv4. */
  assert_int_equal(addr_parse("[::ffff:192.0.2.1]:80", 0, &ss, NULL, &err),
                   0);
  assert_string_equal(addr_format((struct sockaddr *)&ss, buf, sizeof(buf)),
                      "192.0.2.1:80");
  assert_string_equal(
      addr_format_host((struct sockaddr *)&ss, buf, sizeof(buf)), "192.0.2.1");
  /* IPv4-compatible (deprecated) and NAT64 addresses are not mapped. */
  assert_int_equal(addr_parse("[64:ff9b::192.0.2.1]:80", 0, &ss, NULL, &err),
                   0);
  assert_string_equal(addr_format((struct sockaddr *)&ss, buf, sizeof(buf)),
                      "[64:ff9b::c000:201]:80");
}

static void test_format_longest(void **state) {
  struct sockaddr_in6 sin6;
  char buf[ADDR_STRLEN];
  char name[IF_NAMESIZE];
  size_t n;

  (void)state;
  memset(&sin6, 0, sizeof(sin6));
  sin6.sin6_family = AF_INET6;
  memset(&sin6.sin6_addr, 0xff, sizeof(sin6.sin6_addr));
  sin6.sin6_port = htons(65535);
  sin6.sin6_scope_id = 4294967295u;
  addr_format((struct sockaddr *)&sin6, buf, sizeof(buf));
  assert_string_equal(
      buf, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff%4294967295]:65535");

  /* With a real interface name. */
  sin6.sin6_scope_id = 1;
  if (if_indextoname(1, name)) {
    addr_format((struct sockaddr *)&sin6, buf, sizeof(buf));
    n = strlen(buf);
    assert_true(n < ADDR_STRLEN);
    assert_non_null(strstr(buf, name));
  }
}

static void test_format_small_buffer(void **state) {
  struct sockaddr_storage ss;
  const char *err;
  char buf[8];

  (void)state;
  assert_int_equal(addr_parse("192.168.100.200:4433", 0, &ss, NULL, &err), 0);
  /* Truncated but terminated. */
  memset(buf, 'x', sizeof(buf));
  addr_format((struct sockaddr *)&ss, buf, sizeof(buf));
  assert_string_equal(buf, "192.168");
  addr_format_host((struct sockaddr *)&ss, buf, 4);
  assert_string_equal(buf, "192");
  /* cap 0 writes nothing. */
  buf[0] = 'z';
  addr_format((struct sockaddr *)&ss, buf, 0);
  assert_int_equal(buf[0], 'z');
}

static void test_format_unknown_family(void **state) {
  struct sockaddr sa;
  char buf[ADDR_STRLEN];

  (void)state;
  memset(&sa, 0, sizeof(sa));
  sa.sa_family = AF_UNIX;
  addr_format(&sa, buf, sizeof(buf));
  assert_non_null(strstr(buf, "unknown"));
  addr_format_host(&sa, buf, sizeof(buf));
  assert_non_null(strstr(buf, "unknown"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_ipv4),
      cmocka_unit_test(test_parse_ipv6),
      cmocka_unit_test(test_parse_wildcard),
      cmocka_unit_test(test_parse_scope),
      cmocka_unit_test(test_parse_errors),
      cmocka_unit_test(test_parse_null_outs),
      cmocka_unit_test(test_format),
      cmocka_unit_test(test_format_mapped),
      cmocka_unit_test(test_format_longest),
      cmocka_unit_test(test_format_small_buffer),
      cmocka_unit_test(test_format_unknown_family),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
