/* Unit tests for src/h3/h3_request.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "h3/h3_error.h"
#include "h3/h3_qpack.h"
#include "h3/h3_request.h"

#define WT_PATH "/wtping"

typedef struct kv {
  const char *name;
  const char *value;
} kv;

/* feed adds |n| fields to a fresh |r|, name and value as C strings. */
static void feed(h3_request *r, const kv *f, size_t n) {
  size_t i;

  h3_request_init(r);
  for (i = 0; i < n; ++i) {
    assert_int_equal(h3_request_add_field(r, (const uint8_t *)f[i].name, strlen(f[i].name),
                                          (const uint8_t *)f[i].value, strlen(f[i].value)),
                     0);
  }
}

#define FEED(R, ...)                                                                   \
  do {                                                                                 \
    static const kv fields_[] = {__VA_ARGS__};                                         \
    feed((R), fields_, sizeof(fields_) / sizeof(fields_[0]));                          \
  } while (0)

static h3_verdict verdict_of(const kv *f, size_t n) {
  h3_request r;

  feed(&r, f, n);
  return h3_request_verdict(&r, WT_PATH);
}

#define VERDICT(...)                                                                   \
  ({                                                                                   \
    static const kv fields_[] = {__VA_ARGS__};                                         \
    verdict_of(fields_, sizeof(fields_) / sizeof(fields_[0]));                         \
  })

#define CHROME_FIELDS                                                                  \
  {":scheme", "https"}, {":method", "CONNECT"}, {":authority", "localhost:4433"},      \
      {":path", "/wtping"}, {":protocol", "webtransport"},                              \
      {"sec-webtransport-http3-draft02", "1"}, {"origin", "http://localhost:8000"}

static void test_accept_chrome(void **state) {
  h3_request r;

  (void)state;
  FEED(&r, CHROME_FIELDS);
  assert_false(r.malformed);
  assert_true(r.has_method && r.has_protocol && r.has_scheme && r.has_authority &&
              r.has_path && r.has_origin);
  assert_string_equal(r.method, "CONNECT");
  assert_string_equal(r.protocol, "webtransport");
  assert_string_equal(r.scheme, "https");
  assert_string_equal(r.authority, "localhost:4433");
  assert_string_equal(r.path, "/wtping");
  assert_string_equal(r.origin, "http://localhost:8000");
  assert_true(r.draft02);
  assert_true(r.seen_regular);
  assert_int_equal(h3_request_verdict(&r, WT_PATH), H3_VERDICT_ACCEPT_WT);
  assert_int_equal(h3_request_verdict(&r, "/other"), H3_VERDICT_NOT_FOUND);
}

static void test_accept_minimal(void **state) {
  h3_request r;

  (void)state;
  /* No origin, no draft02 header: still a WebTransport CONNECT. */
  FEED(&r, {":method", "CONNECT"}, {":protocol", "webtransport"}, {":scheme", "https"},
       {":authority", "example.com"}, {":path", "/wtping"});
  assert_false(r.malformed);
  assert_false(r.has_origin);
  assert_false(r.draft02);
  assert_false(r.seen_regular);
  assert_int_equal(h3_request_verdict(&r, WT_PATH), H3_VERDICT_ACCEPT_WT);
}

static void test_draft02_value(void **state) {
  h3_request r;

  (void)state;
  FEED(&r, CHROME_FIELDS);
  assert_true(r.draft02);
  FEED(&r, {":method", "CONNECT"}, {"sec-webtransport-http3-draft02", "0"});
  assert_false(r.draft02);
  assert_false(r.malformed);
  FEED(&r, {":method", "CONNECT"}, {"sec-webtransport-http3-draft02", "11"});
  assert_false(r.draft02);
  assert_false(r.malformed);
}

static void test_path_matching(void **state) {
  (void)state;
#define WT(P)                                                                          \
  VERDICT({":method", "CONNECT"}, {":protocol", "webtransport"}, {":scheme", "https"},  \
          {":authority", "localhost:4433"}, {":path", (P)})
  assert_int_equal(WT("/wtping"), H3_VERDICT_ACCEPT_WT);
  assert_int_equal(WT("/wtping?x=1&y=2"), H3_VERDICT_ACCEPT_WT);
  assert_int_equal(WT("/wtping?"), H3_VERDICT_ACCEPT_WT);
  assert_int_equal(WT("/wtping/"), H3_VERDICT_NOT_FOUND);
  assert_int_equal(WT("/wtping/x"), H3_VERDICT_NOT_FOUND);
  assert_int_equal(WT("/wtpin"), H3_VERDICT_NOT_FOUND);
  assert_int_equal(WT("/wtpingx"), H3_VERDICT_NOT_FOUND);
  assert_int_equal(WT("/WTPING"), H3_VERDICT_NOT_FOUND);
  assert_int_equal(WT("/"), H3_VERDICT_NOT_FOUND);
  assert_int_equal(WT("?/wtping"), H3_VERDICT_NOT_FOUND);
  assert_int_equal(WT("/x?/wtping"), H3_VERDICT_NOT_FOUND);
  /* RFC 9114 section 4.3.1: :path must not be empty for https. */
  assert_int_equal(WT(""), H3_VERDICT_BAD_REQUEST);
#undef WT
}

static void test_not_implemented(void **state) {
  (void)state;
  /* Another extended CONNECT protocol. */
  assert_int_equal(VERDICT({":method", "CONNECT"}, {":protocol", "websocket"},
                           {":scheme", "https"}, {":authority", "a"}, {":path", "/wtping"}),
                   H3_VERDICT_NOT_IMPLEMENTED);
  assert_int_equal(VERDICT({":method", "CONNECT"}, {":protocol", "WebTransport"},
                           {":scheme", "https"}, {":authority", "a"}, {":path", "/wtping"}),
                   H3_VERDICT_NOT_IMPLEMENTED);
  assert_int_equal(VERDICT({":method", "CONNECT"}, {":protocol", ""}, {":scheme", "https"},
                           {":authority", "a"}, {":path", "/wtping"}),
                   H3_VERDICT_NOT_IMPLEMENTED);
  /* Classic CONNECT. */
  assert_int_equal(VERDICT({":method", "CONNECT"}, {":authority", "example.com:443"}),
                   H3_VERDICT_NOT_IMPLEMENTED);
}

static void test_connect_missing(void **state) {
  (void)state;
  assert_int_equal(VERDICT({":method", "CONNECT"}, {":protocol", "webtransport"},
                           {":authority", "a"}, {":path", "/wtping"}),
                   H3_VERDICT_BAD_REQUEST);
  assert_int_equal(VERDICT({":method", "CONNECT"}, {":protocol", "webtransport"},
                           {":scheme", "https"}, {":path", "/wtping"}),
                   H3_VERDICT_BAD_REQUEST);
  assert_int_equal(VERDICT({":method", "CONNECT"}, {":protocol", "webtransport"},
                           {":scheme", "https"}, {":authority", "a"}),
                   H3_VERDICT_BAD_REQUEST);
  assert_int_equal(VERDICT({":method", "CONNECT"}, {":protocol", "webtransport"},
                           {":scheme", "https"}, {":authority", ""}, {":path", "/wtping"}),
                   H3_VERDICT_BAD_REQUEST);
  /* Wrong scheme for WebTransport. */
  assert_int_equal(VERDICT({":method", "CONNECT"}, {":protocol", "webtransport"},
                           {":scheme", "http"}, {":authority", "a"}, {":path", "/wtping"}),
                   H3_VERDICT_BAD_REQUEST);
  /* No method at all. */
  assert_int_equal(VERDICT({":protocol", "webtransport"}, {":scheme", "https"},
                           {":authority", "a"}, {":path", "/wtping"}),
                   H3_VERDICT_BAD_REQUEST);
  assert_int_equal(VERDICT({"origin", "x"}), H3_VERDICT_BAD_REQUEST);
  assert_int_equal(verdict_of(NULL, 0), H3_VERDICT_BAD_REQUEST);
}

static void test_other_methods(void **state) {
  (void)state;
  assert_int_equal(VERDICT({":method", "GET"}, {":scheme", "https"}, {":authority", "a"},
                           {":path", "/wtping"}),
                   H3_VERDICT_NOT_ALLOWED);
  assert_int_equal(VERDICT({":method", "POST"}, {":scheme", "https"}, {":path", "/"},
                           {"content-type", "text/plain"}),
                   H3_VERDICT_NOT_ALLOWED);
  /* "connect" is not CONNECT (methods are case-sensitive). */
  assert_int_equal(VERDICT({":method", "connect"}, {":scheme", "https"}, {":path", "/"}),
                   H3_VERDICT_NOT_ALLOWED);
  /* Missing :scheme or :path. */
  assert_int_equal(VERDICT({":method", "GET"}, {":path", "/"}), H3_VERDICT_BAD_REQUEST);
  assert_int_equal(VERDICT({":method", "GET"}, {":scheme", "https"}), H3_VERDICT_BAD_REQUEST);
  /* :protocol only with CONNECT. */
  assert_int_equal(VERDICT({":method", "GET"}, {":protocol", "webtransport"},
                           {":scheme", "https"}, {":path", "/wtping"}),
                   H3_VERDICT_BAD_REQUEST);
}

/* A valid WT CONNECT, plus one extra field |extra| at the end. */
static h3_verdict with_extra(const char *name, const char *value, bool *malformed) {
  static const kv base[] = {CHROME_FIELDS};
  h3_request r;

  feed(&r, base, sizeof(base) / sizeof(base[0]));
  assert_false(r.malformed);
  h3_request_add_field(&r, (const uint8_t *)name, strlen(name), (const uint8_t *)value,
                       strlen(value));
  *malformed = r.malformed;
  return h3_request_verdict(&r, WT_PATH);
}

static void test_malformed_fields(void **state) {
  bool m;

  (void)state;
  /* Sanity: an ordinary extra field is fine. */
  assert_int_equal(with_extra("user-agent", "x", &m), H3_VERDICT_ACCEPT_WT);
  assert_false(m);
  assert_int_equal(with_extra("te", "trailers", &m), H3_VERDICT_ACCEPT_WT);
  assert_false(m);

  assert_int_equal(with_extra("User-Agent", "x", &m), H3_VERDICT_BAD_REQUEST);
  assert_true(m);
  assert_int_equal(with_extra("user-agenT", "x", &m), H3_VERDICT_BAD_REQUEST);
  assert_true(m);
  assert_int_equal(with_extra("datagram-flow-id", "0", &m), H3_VERDICT_BAD_REQUEST);
  assert_true(m);
  /* Pseudo-header after a regular field (CHROME_FIELDS ends in regular ones). */
  assert_int_equal(with_extra(":foo", "x", &m), H3_VERDICT_BAD_REQUEST);
  assert_true(m);
  /* Duplicate pseudo-headers. */
  assert_int_equal(with_extra(":path", "/wtping", &m), H3_VERDICT_BAD_REQUEST);
  assert_true(m);
  /* Duplicate origin. */
  assert_int_equal(with_extra("origin", "http://evil", &m), H3_VERDICT_BAD_REQUEST);
  assert_true(m);
  /* Empty name, invalid characters. */
  assert_int_equal(with_extra("", "x", &m), H3_VERDICT_BAD_REQUEST);
  assert_true(m);
  assert_int_equal(with_extra("bad name", "x", &m), H3_VERDICT_BAD_REQUEST);
  assert_true(m);
  assert_int_equal(with_extra("bad:name", "x", &m), H3_VERDICT_BAD_REQUEST);
  assert_true(m);
  assert_int_equal(with_extra("x-foo", "a\r\nb", &m), H3_VERDICT_BAD_REQUEST);
  assert_true(m);
  /* Connection-specific fields (RFC 9114 section 4.2). */
  assert_int_equal(with_extra("connection", "close", &m), H3_VERDICT_BAD_REQUEST);
  assert_true(m);
  assert_int_equal(with_extra("transfer-encoding", "chunked", &m), H3_VERDICT_BAD_REQUEST);
  assert_true(m);
  assert_int_equal(with_extra("te", "gzip", &m), H3_VERDICT_BAD_REQUEST);
  assert_true(m);
}

static void test_malformed_pseudo(void **state) {
  h3_request r;

  (void)state;
  FEED(&r, {":method", "CONNECT"}, {":method", "CONNECT"}, {":protocol", "webtransport"},
       {":scheme", "https"}, {":authority", "a"}, {":path", "/wtping"});
  assert_true(r.malformed);
  assert_int_equal(h3_request_verdict(&r, WT_PATH), H3_VERDICT_BAD_REQUEST);

  /* Every pseudo-header duplicated, each on its own. */
  {
    static const char *const names[] = {":method", ":protocol", ":scheme", ":authority",
                                        ":path"};
    static const char *const values[] = {"CONNECT", "webtransport", "https", "a",
                                         "/wtping"};
    size_t i, j;

    for (i = 0; i < 5; ++i) {
      h3_request_init(&r);
      for (j = 0; j < 5; ++j) {
        h3_request_add_field(&r, (const uint8_t *)names[j], strlen(names[j]),
                             (const uint8_t *)values[j], strlen(values[j]));
      }
      assert_false(r.malformed);
      h3_request_add_field(&r, (const uint8_t *)names[i], strlen(names[i]),
                           (const uint8_t *)values[i], strlen(values[i]));
      assert_true(r.malformed);
      assert_int_equal(h3_request_verdict(&r, WT_PATH), H3_VERDICT_BAD_REQUEST);
    }
  }

  /* Unknown pseudo-header, response pseudo-header, uppercase pseudo. */
  FEED(&r, {":method", "CONNECT"}, {":foo", "x"});
  assert_true(r.malformed);
  FEED(&r, {":status", "200"});
  assert_true(r.malformed);
  FEED(&r, {":Path", "/wtping"});
  assert_true(r.malformed);
  FEED(&r, {":", "x"});
  assert_true(r.malformed);

  /* Pseudo-header after a regular field. */
  FEED(&r, {":method", "CONNECT"}, {":protocol", "webtransport"}, {":scheme", "https"},
       {":authority", "a"}, {"origin", "o"}, {":path", "/wtping"});
  assert_true(r.malformed);
  assert_int_equal(h3_request_verdict(&r, WT_PATH), H3_VERDICT_BAD_REQUEST);

  /* Malformed is sticky. */
  FEED(&r, {"X", "1"}, {":method", "CONNECT"});
  assert_true(r.malformed);

  /* A NUL inside a value (it would cut the stored C string short). */
  h3_request_init(&r);
  h3_request_add_field(&r, (const uint8_t *)":path", 5, (const uint8_t *)"/wtping\0x", 9);
  assert_true(r.malformed);
}

static void test_oversize(void **state) {
  static char big[2048];
  h3_request r;
  struct {
    const char *name;
    size_t max; /* longest value that fits */
  } cases[] = {
      {":method", sizeof(r.method) - 1},       {":protocol", sizeof(r.protocol) - 1},
      {":scheme", sizeof(r.scheme) - 1},       {":authority", H3_REQ_AUTHORITY_MAX - 1},
      {":path", H3_REQ_PATH_MAX - 1},          {"origin", H3_REQ_ORIGIN_MAX - 1},
  };
  size_t i;

  (void)state;
  memset(big, 'a', sizeof(big));
  big[0] = '/';
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
    const uint8_t *n = (const uint8_t *)cases[i].name;
    size_t nl = strlen(cases[i].name);

    h3_request_init(&r);
    h3_request_add_field(&r, n, nl, (const uint8_t *)big, cases[i].max);
    assert_false(r.malformed);

    h3_request_init(&r);
    h3_request_add_field(&r, n, nl, (const uint8_t *)big, cases[i].max + 1);
    assert_true(r.malformed);
    assert_int_equal(h3_request_verdict(&r, WT_PATH), H3_VERDICT_BAD_REQUEST);
  }

  /* The longest path is stored whole. */
  h3_request_init(&r);
  h3_request_add_field(&r, (const uint8_t *)":path", 5, (const uint8_t *)big,
                       H3_REQ_PATH_MAX - 1);
  assert_int_equal(strlen(r.path), H3_REQ_PATH_MAX - 1);
  assert_memory_equal(r.path, big, H3_REQ_PATH_MAX - 1);
}

static void test_build_connect(void **state) {
  h3_header h[8];
  size_t n;
  static const char *const want[][2] = {
      {":method", "CONNECT"},       {":scheme", "https"},
      {":authority", "host:4433"},  {":path", "/wtping?a=b"},
      {":protocol", "webtransport"}, {"sec-webtransport-http3-draft02", "1"},
      {"origin", "https://o.example"},
  };
  size_t i;

  (void)state;
  n = h3_request_build_connect(h, "host:4433", "/wtping?a=b", "https://o.example");
  assert_int_equal(n, 7);
  for (i = 0; i < n; ++i) {
    assert_int_equal(h[i].namelen, strlen(want[i][0]));
    assert_memory_equal(h[i].name, want[i][0], h[i].namelen);
    assert_int_equal(h[i].valuelen, strlen(want[i][1]));
    assert_memory_equal(h[i].value, want[i][1], h[i].valuelen);
  }

  n = h3_request_build_connect(h, "host:4433", "/wtping?a=b", NULL);
  assert_int_equal(n, 6);
  assert_memory_equal(h[5].name, "sec-webtransport-http3-draft02", h[5].namelen);
}

static void test_build_encode_decode(void **state) {
  h3_qpack *q = h3_qpack_new();
  h3_header h[8];
  uint8_t buf[512];
  size_t n, len;
  h3_request r;

  (void)state;
  assert_non_null(q);
  n = h3_request_build_connect(h, "localhost:4433", "/wtping?id=3", "http://localhost:8000");
  len = h3_qpack_encode(q, 0, h, n, buf, sizeof(buf));
  assert_true(len > 2);

  h3_request_init(&r);
  assert_int_equal(h3_qpack_decode(q, 0, buf, len, h3_request_add_field, &r), 0);
  assert_false(r.malformed);
  assert_true(r.draft02);
  assert_string_equal(r.origin, "http://localhost:8000");
  assert_string_equal(r.path, "/wtping?id=3");
  assert_int_equal(h3_request_verdict(&r, WT_PATH), H3_VERDICT_ACCEPT_WT);
  assert_int_equal(h3_request_verdict(&r, "/other"), H3_VERDICT_NOT_FOUND);

  /* A truncated section decodes to a partial request: never accepted. */
  h3_request_init(&r);
  if (h3_qpack_decode(q, 0, buf, len / 2, h3_request_add_field, &r) == 0) {
    assert_int_not_equal(h3_request_verdict(&r, WT_PATH), H3_VERDICT_ACCEPT_WT);
  }

  h3_qpack_free(q);
}

static int status_of(const kv *f, size_t n) {
  int st = 0;
  size_t i;

  for (i = 0; i < n; ++i) {
    assert_int_equal(h3_response_add_field(&st, (const uint8_t *)f[i].name, strlen(f[i].name),
                                           (const uint8_t *)f[i].value, strlen(f[i].value)),
                     0);
  }
  return st;
}

#define STATUS(...)                                                                    \
  ({                                                                                   \
    static const kv fields_[] = {__VA_ARGS__};                                         \
    status_of(fields_, sizeof(fields_) / sizeof(fields_[0]));                          \
  })

static void test_response_status(void **state) {
  (void)state;
  assert_int_equal(STATUS({":status", "200"}), 200);
  assert_int_equal(STATUS({":status", "404"}, {"sec-webtransport-http3-draft", "draft02"}),
                   404);
  assert_int_equal(STATUS({":status", "100"}), 100);
  assert_int_equal(STATUS({":status", "599"}), 599);
  assert_int_equal(STATUS({":status", "099"}), -1);
  assert_int_equal(STATUS({":status", "600"}), -1);
  assert_int_equal(STATUS({":status", "20"}), -1);
  assert_int_equal(STATUS({":status", "2000"}), -1);
  assert_int_equal(STATUS({":status", "2x0"}), -1);
  assert_int_equal(STATUS({":status", ""}), -1);
  assert_int_equal(STATUS({":status", " 200"}), -1);
  /* Duplicate, even with the same value. */
  assert_int_equal(STATUS({":status", "200"}, {":status", "200"}), -1);
  /* -1 stays -1. */
  assert_int_equal(STATUS({":status", "abc"}, {":status", "200"}), -1);
  /* Request pseudo-headers and bad names in a response. */
  assert_int_equal(STATUS({":status", "200"}, {":path", "/"}), -1);
  assert_int_equal(STATUS({":status", "200"}, {"Server", "x"}), -1);
  /* :status after a regular field, or missing. */
  assert_int_equal(STATUS({"server", "x"}, {":status", "200"}), -1);
  assert_int_equal(STATUS({"server", "x"}), -1);
  assert_int_equal(status_of(NULL, 0), 0);
}

static void test_response_via_qpack(void **state) {
  h3_qpack *q = h3_qpack_new();
  static const h3_header resp[] = {
      {":status", 7, "200", 3},
      {"sec-webtransport-http3-draft", 28, "draft02", 7},
  };
  uint8_t buf[128];
  size_t len;
  int st = 0;

  (void)state;
  assert_non_null(q);
  len = h3_qpack_encode(q, 0, resp, 2, buf, sizeof(buf));
  assert_true(len > 2);
  assert_int_equal(h3_qpack_decode(q, 0, buf, len, h3_response_add_field, &st), 0);
  assert_int_equal(st, 200);
  h3_qpack_free(q);
}

/* h3_response_field: the status, and a Bearer challenge in www-authenticate
 * (the scheme case-insensitive, alone or with parameters; not another
 * scheme, not a prefix like "Bearerx", not before :status). */
static void test_response_bearer_challenge(void **state) {
  static const struct {
    const char *name, *value;
    int status;
    bool bearer;
  } cases[] = {
      {"www-authenticate", "Bearer", 401, true},
      {"www-authenticate", "bearer realm=\"wtping\"", 401, true},
      {"www-authenticate", "BEARER", 401, true},
      {"www-authenticate", "Basic realm=\"x\"", 401, false},
      {"www-authenticate", "Bearerx", 401, false},
      {"www-authenticate", "Beare", 401, false},
      {"www-authenticate", "", 401, false},
      {"x-www-authenticate", "Bearer", 401, false},
  };
  (void)state;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    h3_response r = {0};
    assert_int_equal(h3_response_field(&r, (const uint8_t *)":status", 7,
                                       (const uint8_t *)"401", 3), 0);
    assert_int_equal(h3_response_field(&r, (const uint8_t *)cases[i].name, strlen(cases[i].name),
                                       (const uint8_t *)cases[i].value, strlen(cases[i].value)),
                     0);
    assert_int_equal(r.status, cases[i].status);
    assert_int_equal(r.bearer_challenge, cases[i].bearer);
  }
  /* a regular field before :status: malformed, no challenge */
  h3_response r = {0};
  h3_response_field(&r, (const uint8_t *)"www-authenticate", 16, (const uint8_t *)"Bearer", 6);
  assert_int_equal(r.status, -1);
  assert_false(r.bearer_challenge);
  /* through QPACK, as on the wire */
  h3_qpack *q = h3_qpack_new();
  static const h3_header resp[] = {{":status", 7, "401", 3}, {"www-authenticate", 16, "Bearer", 6}};
  uint8_t buf[128];
  assert_non_null(q);
  size_t len = h3_qpack_encode(q, 0, resp, 2, buf, sizeof(buf));
  assert_true(len > 2);
  h3_response w = {0};
  assert_int_equal(h3_qpack_decode(q, 0, buf, len, h3_response_field, &w), 0);
  assert_int_equal(w.status, 401);
  assert_true(w.bearer_challenge);
  h3_qpack_free(q);
}

/* The authorization field is kept for the server's token check: once. */
static void test_authorization(void **state) {
  h3_request r;
  bool m;
  char big[H3_REQ_AUTHORIZATION_MAX + 1];

  (void)state;
  FEED(&r, CHROME_FIELDS, {"authorization", "Bearer abc"});
  assert_false(r.malformed);
  assert_true(r.has_authorization);
  assert_string_equal(r.authorization, "Bearer abc");
  assert_int_equal(h3_request_verdict(&r, WT_PATH), H3_VERDICT_ACCEPT_WT);

  FEED(&r, CHROME_FIELDS);
  assert_false(r.has_authorization);
  assert_string_equal(r.authorization, "");

  /* two are malformed */
  FEED(&r, CHROME_FIELDS, {"authorization", "Bearer a"}, {"authorization", "Bearer a"});
  assert_true(r.malformed);
  assert_int_equal(with_extra("authorization", "x\ny", &m), H3_VERDICT_BAD_REQUEST);
  assert_true(m);

  /* too long to keep: present, but empty (so no token matches) */
  memset(big, 'a', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  h3_request_init(&r);
  assert_int_equal(h3_request_add_field(&r, (const uint8_t *)"authorization", 13,
                                        (const uint8_t *)big, strlen(big)),
                   0);
  assert_false(r.malformed);
  assert_true(r.has_authorization);
  assert_string_equal(r.authorization, "");
  big[sizeof(big) - 2] = '\0'; /* H3_REQ_AUTHORIZATION_MAX - 1 bytes: fits */
  h3_request_init(&r);
  h3_request_add_field(&r, (const uint8_t *)"authorization", 13, (const uint8_t *)big,
                       strlen(big));
  assert_int_equal(strlen(r.authorization), H3_REQ_AUTHORIZATION_MAX - 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_accept_chrome),
      cmocka_unit_test(test_accept_minimal),
      cmocka_unit_test(test_draft02_value),
      cmocka_unit_test(test_path_matching),
      cmocka_unit_test(test_not_implemented),
      cmocka_unit_test(test_connect_missing),
      cmocka_unit_test(test_other_methods),
      cmocka_unit_test(test_malformed_fields),
      cmocka_unit_test(test_malformed_pseudo),
      cmocka_unit_test(test_oversize),
      cmocka_unit_test(test_build_connect),
      cmocka_unit_test(test_build_encode_decode),
      cmocka_unit_test(test_response_status),
      cmocka_unit_test(test_response_via_qpack),
      cmocka_unit_test(test_response_bearer_challenge),
      cmocka_unit_test(test_authorization),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
