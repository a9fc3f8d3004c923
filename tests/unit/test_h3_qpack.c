/* Unit tests for src/h3/h3_qpack.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "h3/h3_error.h"
#include "h3/h3_qpack.h"

#define HDR(N, V) {(N), sizeof(N) - 1, (V), sizeof(V) - 1}

/* Chrome's WebTransport CONNECT, in Chrome's order. */
static const h3_header chrome_connect[] = {
    HDR(":scheme", "https"),
    HDR(":method", "CONNECT"),
    HDR(":authority", "localhost:4433"),
    HDR(":path", "/wtping"),
    HDR(":protocol", "webtransport"),
    HDR("sec-webtransport-http3-draft02", "1"),
    HDR("origin", "http://localhost:8000"),
};
#define CHROME_N (sizeof(chrome_connect) / sizeof(chrome_connect[0]))

static const h3_header response_200[] = {
    HDR(":status", "200"),
    HDR("sec-webtransport-http3-draft", "draft02"),
};
#define RESPONSE_N (sizeof(response_200) / sizeof(response_200[0]))

#define MAX_FIELDS 64

typedef struct fields {
  size_t n;
  char *name[MAX_FIELDS];
  size_t namelen[MAX_FIELDS];
  char *value[MAX_FIELDS];
  size_t valuelen[MAX_FIELDS];
  size_t stop_at; /* return stop_rv when field number stop_at (1-based) arrives */
  int stop_rv;
} fields;

static void fields_init(fields *f) { memset(f, 0, sizeof(*f)); }

static void fields_free(fields *f) {
  size_t i;

  for (i = 0; i < f->n; ++i) {
    free(f->name[i]);
    free(f->value[i]);
  }
  f->n = 0;
}

static char *dup_bytes(const uint8_t *p, size_t len) {
  char *s = malloc(len + 1);

  assert_non_null(s);
  if (len) {
    memcpy(s, p, len);
  }
  s[len] = '\0';
  return s;
}

static int collect(void *ud, const uint8_t *name, size_t namelen, const uint8_t *value,
                   size_t valuelen) {
  fields *f = ud;

  assert_true(f->n < MAX_FIELDS);
  /* Touch every byte so ASan sees any bad buffer. */
  f->name[f->n] = dup_bytes(name, namelen);
  f->namelen[f->n] = namelen;
  f->value[f->n] = dup_bytes(value, valuelen);
  f->valuelen[f->n] = valuelen;
  ++f->n;

  if (f->stop_at && f->n == f->stop_at) {
    return f->stop_rv;
  }
  return 0;
}

static void assert_fields_equal(const fields *f, const h3_header *hdrs, size_t n) {
  size_t i;

  assert_int_equal(f->n, n);
  for (i = 0; i < n; ++i) {
    assert_int_equal(f->namelen[i], hdrs[i].namelen);
    assert_memory_equal(f->name[i], hdrs[i].name, hdrs[i].namelen);
    assert_int_equal(f->valuelen[i], hdrs[i].valuelen);
    assert_memory_equal(f->value[i], hdrs[i].value, hdrs[i].valuelen);
  }
}

static int setup(void **state) {
  h3_qpack *q = h3_qpack_new();

  if (q == NULL) {
    return -1;
  }
  *state = q;
  return 0;
}

static int teardown(void **state) {
  h3_qpack_free(*state);
  return 0;
}

static void test_roundtrip_chrome_connect(void **state) {
  h3_qpack *q = *state;
  uint8_t buf[512];
  size_t len;
  fields f;

  len = h3_qpack_encode(q, 0, chrome_connect, CHROME_N, buf, sizeof(buf));
  assert_true(len > 2);
  /* Required Insert Count 0, Delta Base 0: no dynamic table. */
  assert_int_equal(buf[0], 0x00);
  assert_int_equal(buf[1], 0x00);

  fields_init(&f);
  assert_int_equal(h3_qpack_decode(q, 0, buf, len, collect, &f), 0);
  assert_fields_equal(&f, chrome_connect, CHROME_N);
  fields_free(&f);

  /* The codec is reusable, also for another stream. */
  len = h3_qpack_encode(q, 4, chrome_connect, CHROME_N, buf, sizeof(buf));
  assert_true(len > 2);
  fields_init(&f);
  assert_int_equal(h3_qpack_decode(q, 4, buf, len, collect, &f), 0);
  assert_fields_equal(&f, chrome_connect, CHROME_N);
  fields_free(&f);
}

static void test_roundtrip_response(void **state) {
  h3_qpack *q = *state;
  uint8_t buf[128];
  size_t len;
  fields f;

  len = h3_qpack_encode(q, 0, response_200, RESPONSE_N, buf, sizeof(buf));
  assert_true(len > 2);
  assert_int_equal(buf[0], 0x00);
  assert_int_equal(buf[1], 0x00);
  /* ":status 200" is static entry 25: indexed field line 0xc0 | 25. */
  assert_int_equal(buf[2], 0xd9);

  fields_init(&f);
  assert_int_equal(h3_qpack_decode(q, 0, buf, len, collect, &f), 0);
  assert_fields_equal(&f, response_200, RESPONSE_N);
  fields_free(&f);
}

static void test_roundtrip_empty_and_large(void **state) {
  h3_qpack *q = *state;
  static uint8_t buf[20000];
  static char big[10000];
  h3_header h[2];
  size_t len;
  fields f;

  len = h3_qpack_encode(q, 0, NULL, 0, buf, sizeof(buf));
  assert_int_equal(len, 2);
  assert_int_equal(buf[0], 0x00);
  assert_int_equal(buf[1], 0x00);
  fields_init(&f);
  assert_int_equal(h3_qpack_decode(q, 0, buf, len, collect, &f), 0);
  assert_int_equal(f.n, 0);

  memset(big, 'a', sizeof(big));
  big[17] = 'Z';
  h[0] = (h3_header)HDR("x-empty", "");
  h[1] = (h3_header){"x-big", 5, big, sizeof(big)};
  len = h3_qpack_encode(q, 8, h, 2, buf, sizeof(buf));
  assert_true(len > 2);
  assert_int_equal(h3_qpack_decode(q, 8, buf, len, collect, &f), 0);
  assert_fields_equal(&f, h, 2);
  fields_free(&f);
}

/* Hand-made section: static index 15 is ":method CONNECT", 1 is ":path /". */
static void test_decode_static_indexed(void **state) {
  h3_qpack *q = *state;
  static const uint8_t payload[] = {0x00, 0x00, 0xcf, 0xc1};
  static const h3_header want[] = {HDR(":method", "CONNECT"), HDR(":path", "/")};
  fields f;

  fields_init(&f);
  assert_int_equal(h3_qpack_decode(q, 0, payload, sizeof(payload), collect, &f), 0);
  assert_fields_equal(&f, want, 2);
  fields_free(&f);
}

static void test_output_too_small(void **state) {
  h3_qpack *q = *state;
  uint8_t full[512], buf[512];
  size_t len, cap;

  len = h3_qpack_encode(q, 0, chrome_connect, CHROME_N, full, sizeof(full));
  assert_true(len > 2);

  for (cap = 0; cap < len; ++cap) {
    memset(buf, 0xee, sizeof(buf));
    assert_int_equal(h3_qpack_encode(q, 0, chrome_connect, CHROME_N, buf, cap), 0);
    /* Nothing is written past |cap|. */
    assert_int_equal(buf[cap], 0xee);
  }

  assert_int_equal(h3_qpack_encode(q, 0, chrome_connect, CHROME_N, buf, len), len);
  assert_memory_equal(buf, full, len);
}

static void test_truncated(void **state) {
  h3_qpack *q = *state;
  uint8_t buf[512];
  size_t len, cut;
  uint64_t rv;
  fields f;
  size_t ok_cuts = 0;

  len = h3_qpack_encode(q, 0, chrome_connect, CHROME_N, buf, sizeof(buf));
  assert_true(len > 2);

  for (cut = 0; cut < len; ++cut) {
    /* Exactly |cut| bytes on the heap, so ASan catches any overread. */
    uint8_t *p = malloc(cut ? cut : 1);

    assert_non_null(p);
    memcpy(p, buf, cut);
    fields_init(&f);
    rv = h3_qpack_decode(q, 0, p, cut, collect, &f);
    if (rv == 0) {
      /* Cut at a field line boundary: a valid, shorter section. The caller
       * sees fields missing. */
      assert_true(f.n < CHROME_N);
      assert_true(cut >= 2);
      ++ok_cuts;
    } else {
      assert_int_equal(rv, QPACK_DECOMPRESSION_FAILED);
      assert_true(f.n < CHROME_N);
    }
    fields_free(&f);
    free(p);
  }
  /* Cuts at 2 and after each but the last field line decode cleanly. */
  assert_int_equal(ok_cuts, CHROME_N);
  assert_int_equal(h3_qpack_decode(q, 0, buf, 0, collect, &f), QPACK_DECOMPRESSION_FAILED);
  assert_int_equal(f.n, 0);

  /* The codec recovered from every failure. */
  fields_init(&f);
  assert_int_equal(h3_qpack_decode(q, 0, buf, len, collect, &f), 0);
  assert_fields_equal(&f, chrome_connect, CHROME_N);
  fields_free(&f);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void) {
  uint64_t x = rng_state;

  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  rng_state = x;
  return x;
}

static void test_garbage(void **state) {
  h3_qpack *q = *state;
  uint8_t valid[512];
  size_t vlen, iter, i, len;
  uint64_t rv;
  fields f;
  size_t failures = 0;

  vlen = h3_qpack_encode(q, 0, chrome_connect, CHROME_N, valid, sizeof(valid));
  assert_true(vlen > 2);

  for (iter = 0; iter < 20000; ++iter) {
    uint8_t *p;

    len = (size_t)(rng() % 64) + 1;
    p = malloc(len);
    assert_non_null(p);
    for (i = 0; i < len; ++i) {
      p[i] = (uint8_t)rng();
    }
    /* Half the time, a valid prefix so decoding gets past the prefix. */
    if (iter & 1) {
      p[0] = 0x00;
      if (len > 1) {
        p[1] = 0x00;
      }
    }
    fields_init(&f);
    rv = h3_qpack_decode(q, (int64_t)(iter * 4), p, len, collect, &f);
    assert_true(rv == 0 || rv == QPACK_DECOMPRESSION_FAILED);
    failures += rv != 0;
    fields_free(&f);
    free(p);
  }
  assert_true(failures > 0);

  /* Mutations of a valid section: flip one bit at a time. */
  for (i = 0; i < vlen * 8; ++i) {
    uint8_t m[512];

    memcpy(m, valid, vlen);
    m[i / 8] ^= (uint8_t)(1u << (i % 8));
    fields_init(&f);
    rv = h3_qpack_decode(q, 0, m, vlen, collect, &f);
    assert_true(rv == 0 || rv == QPACK_DECOMPRESSION_FAILED);
    fields_free(&f);
  }

  fields_init(&f);
  assert_int_equal(h3_qpack_decode(q, 0, valid, vlen, collect, &f), 0);
  assert_fields_equal(&f, chrome_connect, CHROME_N);
  fields_free(&f);
}

static void test_dynamic_table_reference(void **state) {
  h3_qpack *q = *state;
  /* Required Insert Count 2 (encoded 0x02): needs dynamic table entries. */
  static const uint8_t ric[] = {0x02, 0x00, 0x80};
  /* RIC 0 but an indexed field line with T=0 (dynamic index 0). */
  static const uint8_t dyn_indexed[] = {0x00, 0x00, 0x80};
  /* RIC 0 but a literal with a dynamic name reference. */
  static const uint8_t dyn_name[] = {0x00, 0x00, 0x40, 0x01, 'x'};
  /* RIC 0 but a post-base indexed field line. */
  static const uint8_t post_base[] = {0x00, 0x00, 0x10};
  /* The static table ends at index 98; 100 does not exist. */
  static const uint8_t bad_static[] = {0x00, 0x00, 0xff, 0x25};
  /* Negative delta base with RIC 0. */
  static const uint8_t neg_base[] = {0x00, 0x80, 0xd9};
  fields f;

  fields_init(&f);
  assert_int_equal(h3_qpack_decode(q, 0, ric, sizeof(ric), collect, &f),
                   QPACK_DECOMPRESSION_FAILED);
  assert_int_equal(h3_qpack_decode(q, 0, ric, 2, collect, &f), QPACK_DECOMPRESSION_FAILED);
  assert_int_equal(h3_qpack_decode(q, 0, dyn_indexed, sizeof(dyn_indexed), collect, &f),
                   QPACK_DECOMPRESSION_FAILED);
  assert_int_equal(h3_qpack_decode(q, 0, dyn_name, sizeof(dyn_name), collect, &f),
                   QPACK_DECOMPRESSION_FAILED);
  assert_int_equal(h3_qpack_decode(q, 0, post_base, sizeof(post_base), collect, &f),
                   QPACK_DECOMPRESSION_FAILED);
  assert_int_equal(h3_qpack_decode(q, 0, bad_static, sizeof(bad_static), collect, &f),
                   QPACK_DECOMPRESSION_FAILED);
  assert_int_equal(h3_qpack_decode(q, 0, neg_base, sizeof(neg_base), collect, &f),
                   QPACK_DECOMPRESSION_FAILED);
  assert_int_equal(f.n, 0);
}

static void test_callback_stop(void **state) {
  h3_qpack *q = *state;
  uint8_t buf[512];
  size_t len;
  fields f;

  len = h3_qpack_encode(q, 0, chrome_connect, CHROME_N, buf, sizeof(buf));
  assert_true(len > 2);

  fields_init(&f);
  f.stop_at = 3;
  f.stop_rv = 7;
  assert_int_equal(h3_qpack_decode(q, 0, buf, len, collect, &f), 7);
  assert_int_equal(f.n, 3);
  fields_free(&f);

  /* Stopping on the last field still returns the callback's value. */
  fields_init(&f);
  f.stop_at = CHROME_N;
  f.stop_rv = 0x10e;
  assert_int_equal(h3_qpack_decode(q, 0, buf, len, collect, &f), 0x10e);
  assert_int_equal(f.n, CHROME_N);
  fields_free(&f);

  /* Stopping does not break the decoder. */
  fields_init(&f);
  assert_int_equal(h3_qpack_decode(q, 0, buf, len, collect, &f), 0);
  assert_fields_equal(&f, chrome_connect, CHROME_N);
  fields_free(&f);
}

static void test_bad_arguments(void **state) {
  h3_qpack *q = *state;
  uint8_t buf[64];
  fields f;

  fields_init(&f);
  assert_int_equal(h3_qpack_decode(q, 0, NULL, 0, collect, &f), QPACK_DECOMPRESSION_FAILED);
  assert_int_equal(h3_qpack_decode(q, 0, NULL, 5, collect, &f), QPACK_DECOMPRESSION_FAILED);
  assert_int_equal(h3_qpack_encode(q, 0, NULL, 1, buf, sizeof(buf)), 0);
  assert_int_equal(h3_qpack_encode(q, 0, response_200, RESPONSE_N, NULL, 10), 0);
  h3_qpack_free(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_roundtrip_chrome_connect, setup, teardown),
      cmocka_unit_test_setup_teardown(test_roundtrip_response, setup, teardown),
      cmocka_unit_test_setup_teardown(test_roundtrip_empty_and_large, setup, teardown),
      cmocka_unit_test_setup_teardown(test_decode_static_indexed, setup, teardown),
      cmocka_unit_test_setup_teardown(test_output_too_small, setup, teardown),
      cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
      cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
      cmocka_unit_test_setup_teardown(test_dynamic_table_reference, setup, teardown),
      cmocka_unit_test_setup_teardown(test_callback_stop, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
