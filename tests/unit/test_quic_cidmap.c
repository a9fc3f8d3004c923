/* Unit tests for the CID map (src/quic/quic_cidmap.c).
 *
 * The implementation file is included directly so that the static
 * SipHash-2-4 function can be checked against the reference vectors.  Build
 * this test from this file alone; when it is linked against libwtping.a the
 * archive's quic_cidmap.o is simply not pulled in. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../src/quic/quic_cidmap.c"

static const uint8_t test_key[16] = {0, 1, 2,  3,  4,  5,  6,  7,
                                     8, 9, 10, 11, 12, 13, 14, 15};

/* xorshift64* PRNG for reproducible "random" CIDs. */
static uint64_t rng_next(uint64_t *s) {
  uint64_t x = *s;

  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *s = x;
  return x * UINT64_C(2685821657736338717);
}

static void rng_fill(uint64_t *s, uint8_t *p, size_t len) {
  size_t i;
  uint64_t r = 0;

  for (i = 0; i < len; ++i) {
    if (i % 8 == 0) {
      r = rng_next(s);
    }
    p[i] = (uint8_t)(r >> (8 * (i % 8)));
  }
}

/* SipHash-2-4 outputs of the reference implementation (vectors.h,
   vectors_sip64: key 00..0f, message 00..len-1) for len 0..20, the CID
   lengths, as the reference's little-endian output bytes. */
static const uint8_t siphash_vectors[QUIC_CID_MAXLEN + 1][8] = {
    {0x31, 0x0e, 0x0e, 0xdd, 0x47, 0xdb, 0x6f, 0x72},
    {0xfd, 0x67, 0xdc, 0x93, 0xc5, 0x39, 0xf8, 0x74},
    {0x5a, 0x4f, 0xa9, 0xd9, 0x09, 0x80, 0x6c, 0x0d},
    {0x2d, 0x7e, 0xfb, 0xd7, 0x96, 0x66, 0x67, 0x85},
    {0xb7, 0x87, 0x71, 0x27, 0xe0, 0x94, 0x27, 0xcf},
    {0x8d, 0xa6, 0x99, 0xcd, 0x64, 0x55, 0x76, 0x18},
    {0xce, 0xe3, 0xfe, 0x58, 0x6e, 0x46, 0xc9, 0xcb},
    {0x37, 0xd1, 0x01, 0x8b, 0xf5, 0x00, 0x02, 0xab},
    {0x62, 0x24, 0x93, 0x9a, 0x79, 0xf5, 0xf5, 0x93},
    {0xb0, 0xe4, 0xa9, 0x0b, 0xdf, 0x82, 0x00, 0x9e},
    {0xf3, 0xb9, 0xdd, 0x94, 0xc5, 0xbb, 0x5d, 0x7a},
    {0xa7, 0xad, 0x6b, 0x22, 0x46, 0x2f, 0xb3, 0xf4},
    {0xfb, 0xe5, 0x0e, 0x86, 0xbc, 0x8f, 0x1e, 0x75},
    {0x90, 0x3d, 0x84, 0xc0, 0x27, 0x56, 0xea, 0x14},
    {0xee, 0xf2, 0x7a, 0x8e, 0x90, 0xca, 0x23, 0xf7},
    {0xe5, 0x45, 0xbe, 0x49, 0x61, 0xca, 0x29, 0xa1},
    {0xdb, 0x9b, 0xc2, 0x57, 0x7f, 0xcc, 0x2a, 0x3f},
    {0x94, 0x47, 0xbe, 0x2c, 0xf5, 0xe9, 0x9a, 0x69},
    {0x9c, 0xd3, 0x8d, 0x96, 0xf0, 0xb3, 0xc1, 0x4b},
    {0xbd, 0x61, 0x79, 0xa7, 0x1d, 0xc9, 0x6d, 0xbb},
    {0x98, 0xee, 0xa2, 0x1a, 0xf2, 0x5c, 0xd6, 0xbe},
};

static void test_siphash_vectors(void **state) {
  uint8_t msg[QUIC_CID_MAXLEN];
  uint64_t k0, k1;
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(msg); ++i) {
    msg[i] = (uint8_t)i;
  }
  k0 = siphash_load64le(test_key);
  k1 = siphash_load64le(test_key + 8);
  for (i = 0; i <= QUIC_CID_MAXLEN; ++i) {
    assert_int_equal(siphash24(k0, k1, msg, i),
                     siphash_load64le(siphash_vectors[i]));
  }
  /* The paper's example (appendix A): 15-byte message 00..0e. */
  assert_int_equal(siphash24(k0, k1, msg, 15), UINT64_C(0xa129ca6149be45e5));
}

static void test_basic(void **state) {
  quic_cidmap *m;
  uint8_t cid[QUIC_CID_MAXLEN];
  int a, b;

  (void)state;
  m = quic_cidmap_new(test_key);
  assert_non_null(m);
  assert_int_equal(quic_cidmap_count(m), 0);

  memset(cid, 0xab, sizeof(cid));
  assert_null(quic_cidmap_find(m, cid, 8));
  assert_int_equal(quic_cidmap_insert(m, cid, 8, &a), 0);
  assert_int_equal(quic_cidmap_count(m), 1);
  assert_ptr_equal(quic_cidmap_find(m, cid, 8), &a);

  /* Same bytes, other length: another key. */
  assert_null(quic_cidmap_find(m, cid, 7));
  assert_null(quic_cidmap_find(m, cid, 9));
  assert_int_equal(quic_cidmap_insert(m, cid, 9, &b), 0);
  assert_ptr_equal(quic_cidmap_find(m, cid, 9), &b);
  assert_ptr_equal(quic_cidmap_find(m, cid, 8), &a);

  /* Duplicate: -2, value unchanged. */
  assert_int_equal(quic_cidmap_insert(m, cid, 8, &b), -2);
  assert_ptr_equal(quic_cidmap_find(m, cid, 8), &a);
  assert_int_equal(quic_cidmap_count(m), 2);

  /* Remove absent: -1. */
  assert_int_equal(quic_cidmap_remove(m, cid, 7), -1);
  assert_int_equal(quic_cidmap_remove(m, cid, 8), 0);
  assert_int_equal(quic_cidmap_remove(m, cid, 8), -1);
  assert_null(quic_cidmap_find(m, cid, 8));
  assert_ptr_equal(quic_cidmap_find(m, cid, 9), &b);
  assert_int_equal(quic_cidmap_count(m), 1);

  /* A NULL value can be stored (find cannot tell it from absence, but
     insert and remove can). */
  cid[0] = 0;
  assert_int_equal(quic_cidmap_insert(m, cid, 8, NULL), 0);
  assert_int_equal(quic_cidmap_insert(m, cid, 8, &a), -2);
  assert_int_equal(quic_cidmap_remove(m, cid, 8), 0);

  quic_cidmap_free(m);
  quic_cidmap_free(NULL);
}

static void test_lengths(void **state) {
  quic_cidmap *m;
  uint8_t cid[QUIC_CID_MAXLEN + 1];
  int vals[QUIC_CID_MAXLEN + 1];
  size_t len;

  (void)state;
  m = quic_cidmap_new(test_key);
  assert_non_null(m);
  memset(cid, 0x5a, sizeof(cid));

  /* Every length 0..20 over the same prefix is a distinct key. */
  for (len = 0; len <= QUIC_CID_MAXLEN; ++len) {
    assert_int_equal(quic_cidmap_insert(m, cid, len, &vals[len]), 0);
  }
  assert_int_equal(quic_cidmap_count(m), QUIC_CID_MAXLEN + 1);
  for (len = 0; len <= QUIC_CID_MAXLEN; ++len) {
    assert_ptr_equal(quic_cidmap_find(m, cid, len), &vals[len]);
  }

  /* The zero-length CID works with a NULL pointer too. */
  assert_ptr_equal(quic_cidmap_find(m, NULL, 0), &vals[0]);
  assert_int_equal(quic_cidmap_insert(m, NULL, 0, &vals[1]), -2);

  /* 21 bytes is rejected everywhere. */
  assert_int_equal(quic_cidmap_insert(m, cid, QUIC_CID_MAXLEN + 1, &vals[0]),
                   -1);
  assert_null(quic_cidmap_find(m, cid, QUIC_CID_MAXLEN + 1));
  assert_int_equal(quic_cidmap_remove(m, cid, QUIC_CID_MAXLEN + 1), -1);
  assert_int_equal(quic_cidmap_count(m), QUIC_CID_MAXLEN + 1);

  /* Removing one length leaves every other length in place. */
  for (len = 0; len <= QUIC_CID_MAXLEN; ++len) {
    size_t k;

    assert_int_equal(quic_cidmap_remove(m, cid, len), 0);
    assert_null(quic_cidmap_find(m, cid, len));
    for (k = len + 1; k <= QUIC_CID_MAXLEN; ++k) {
      assert_ptr_equal(quic_cidmap_find(m, cid, k), &vals[k]);
    }
  }
  assert_int_equal(quic_cidmap_count(m), 0);

  /* Again, longest first, so that a long key sharing a short key's prefix
     is already in the table when the short one goes in. */
  for (len = QUIC_CID_MAXLEN + 1; len-- > 0;) {
    assert_int_equal(quic_cidmap_insert(m, cid, len, &vals[len]), 0);
  }
  for (len = QUIC_CID_MAXLEN + 1; len-- > 0;) {
    size_t k;

    assert_int_equal(quic_cidmap_remove(m, cid, len), 0);
    for (k = 0; k < len; ++k) {
      assert_ptr_equal(quic_cidmap_find(m, cid, k), &vals[k]);
    }
  }
  assert_int_equal(quic_cidmap_count(m), 0);
  quic_cidmap_free(m);
}

/* Keys that differ in one byte only (first, middle or last) are distinct. */
static void test_one_byte_apart(void **state) {
  quic_cidmap *m;
  uint8_t cid[QUIC_CID_MAXLEN];
  static int vals[3][256];
  size_t pos[3] = {0, 9, QUIC_CID_MAXLEN - 1};
  size_t p, i;

  (void)state;
  m = quic_cidmap_new(test_key);
  assert_non_null(m);
  memset(cid, 0x77, sizeof(cid));
  for (p = 0; p < 3; ++p) {
    for (i = 0; i < 256; ++i) {
      if (i == 0x77 && p > 0) {
        continue; /* the all-0x77 key is already in */
      }
      cid[pos[p]] = (uint8_t)i;
      assert_int_equal(quic_cidmap_insert(m, cid, sizeof(cid), &vals[p][i]),
                       0);
    }
    cid[pos[p]] = 0x77;
  }
  assert_int_equal(quic_cidmap_count(m), 3 * 255 + 1);
  for (p = 0; p < 3; ++p) {
    for (i = 0; i < 256; ++i) {
      if (i == 0x77 && p > 0) {
        continue;
      }
      cid[pos[p]] = (uint8_t)i;
      assert_ptr_equal(quic_cidmap_find(m, cid, sizeof(cid)), &vals[p][i]);
    }
    cid[pos[p]] = 0x77;
  }
  quic_cidmap_free(m);
}

#define NBIG 100000

typedef struct {
  uint8_t cid[QUIC_CID_MAXLEN];
  uint8_t len;
  uint8_t present;
} test_key_rec;

static void test_many(void **state) {
  quic_cidmap *m;
  test_key_rec *keys;
  uint64_t seed = 0x9e3779b97f4a7c15;
  size_t i, n;

  (void)state;
  keys = calloc(NBIG, sizeof(*keys));
  assert_non_null(keys);
  m = quic_cidmap_new(test_key);
  assert_non_null(m);

  /* Random lengths 4..20 (shorter ones would mostly collide); 8-byte keys
     dominate like a real server's. */
  for (i = 0; i < NBIG; ++i) {
    uint64_t r = rng_next(&seed);

    keys[i].len = (r & 3) ? 8 : (uint8_t)(4 + (r >> 8) % (QUIC_CID_MAXLEN - 3));
    rng_fill(&seed, keys[i].cid, keys[i].len);
    if (quic_cidmap_find(m, keys[i].cid, keys[i].len)) {
      /* A random collision with an earlier key: skip it. */
      assert_int_equal(
          quic_cidmap_insert(m, keys[i].cid, keys[i].len, &keys[i]), -2);
      continue;
    }
    assert_int_equal(quic_cidmap_insert(m, keys[i].cid, keys[i].len, &keys[i]),
                     0);
    keys[i].present = 1;
  }
  for (i = 0, n = 0; i < NBIG; ++i) {
    n += keys[i].present;
  }
  assert_true(n > NBIG - 10);
  assert_int_equal(quic_cidmap_count(m), n);
  /* Grown, and not overloaded. */
  assert_true(m->cap >= n + n / 2);
  assert_true((m->cap & (m->cap - 1)) == 0);

  for (i = 0; i < NBIG; ++i) {
    if (keys[i].present) {
      assert_ptr_equal(quic_cidmap_find(m, keys[i].cid, keys[i].len),
                       &keys[i]);
      assert_int_equal(
          quic_cidmap_insert(m, keys[i].cid, keys[i].len, NULL), -2);
    }
  }

  /* Remove every other key; the rest stay findable. */
  for (i = 0; i < NBIG; i += 2) {
    if (keys[i].present) {
      assert_int_equal(quic_cidmap_remove(m, keys[i].cid, keys[i].len), 0);
      keys[i].present = 0;
      --n;
    }
  }
  assert_int_equal(quic_cidmap_count(m), n);
  for (i = 0; i < NBIG; ++i) {
    if (keys[i].present) {
      assert_ptr_equal(quic_cidmap_find(m, keys[i].cid, keys[i].len),
                       &keys[i]);
    } else {
      assert_null(quic_cidmap_find(m, keys[i].cid, keys[i].len));
      assert_int_equal(quic_cidmap_remove(m, keys[i].cid, keys[i].len), -1);
    }
  }

  /* Remove everything: the table shrinks back. */
  for (i = 0; i < NBIG; ++i) {
    if (keys[i].present) {
      assert_int_equal(quic_cidmap_remove(m, keys[i].cid, keys[i].len), 0);
    }
  }
  assert_int_equal(quic_cidmap_count(m), 0);
  assert_int_equal(m->cap, QUIC_CIDMAP_MINCAP);

  quic_cidmap_free(m);
  free(keys);
}

/* check_map verifies every probe-chain invariant of the table: each entry
   is reachable from its home slot without crossing an empty slot. */
static void check_map(const quic_cidmap *m) {
  size_t i, j, home, count = 0, mask = m->cap - 1;

  for (i = 0; i < m->cap; ++i) {
    const quic_cidmap_entry *e = &m->slots[i];

    if (e->len == QUIC_CIDMAP_EMPTY) {
      continue;
    }
    ++count;
    home = cidmap_home(m, e->cid, e->len);
    for (j = home; j != i; j = (j + 1) & mask) {
      assert_int_not_equal(m->slots[j].len, QUIC_CIDMAP_EMPTY);
    }
  }
  assert_int_equal(count, m->count);
}

/* A small key space hammered with interleaved inserts and removes, checked
   against a plain array model: exercises backward-shift deletion across
   long probe runs and table wrap-around, plus grow and shrink. */
static void test_churn(void **state) {
  enum { NKEYS = 3000, STEPS = 300000 };
  quic_cidmap *m;
  uint8_t *present;
  uint64_t seed = 42;
  uint8_t cid[4];
  size_t step, k;
  uint64_t r;
  int insert_bias;

  (void)state;
  present = calloc(NKEYS, 1);
  assert_non_null(present);
  m = quic_cidmap_new(test_key);
  assert_non_null(m);

  for (step = 0; step < STEPS; ++step) {
    r = rng_next(&seed);
    /* Phases bias towards inserting or removing so the table grows and
       shrinks several times. */
    insert_bias = ((step / 20000) & 1) ? 30 : 70;

    k = (size_t)(r % NKEYS);
    cid[0] = (uint8_t)(k >> 8);
    cid[1] = (uint8_t)k;
    cid[2] = 0xee;
    cid[3] = 0x11;
    if ((int)((r >> 32) % 100) < insert_bias) {
      int rv = quic_cidmap_insert(m, cid, 4, (void *)(uintptr_t)(k + 1));

      assert_int_equal(rv, present[k] ? -2 : 0);
      present[k] = 1;
    } else {
      int rv = quic_cidmap_remove(m, cid, 4);

      assert_int_equal(rv, present[k] ? 0 : -1);
      present[k] = 0;
    }

    if (step % 1000 == 0) {
      size_t n = 0;

      check_map(m);
      for (k = 0; k < NKEYS; ++k) {
        void *v;

        cid[0] = (uint8_t)(k >> 8);
        cid[1] = (uint8_t)k;
        v = quic_cidmap_find(m, cid, 4);
        if (present[k]) {
          assert_ptr_equal(v, (void *)(uintptr_t)(k + 1));
          ++n;
        } else {
          assert_null(v);
        }
      }
      assert_int_equal(quic_cidmap_count(m), n);
    }
  }

  quic_cidmap_free(m);
  free(present);
}

/* Full-scan check after each single deletion in a dense table (load just
   under the growth threshold), so that shifted runs wrap around the end of
   the array. */
static void test_dense_deletes(void **state) {
  quic_cidmap *m;
  uint8_t cid[8];
  size_t i, j, n;

  (void)state;
  m = quic_cidmap_new(test_key);
  assert_non_null(m);
  /* 21 entries in a 32-slot table (growth happens at 22). */
  n = 0;
  for (i = 0; n < 21; ++i) {
    memset(cid, 0, sizeof(cid));
    cid[0] = (uint8_t)i;
    assert_int_equal(quic_cidmap_insert(m, cid, sizeof(cid), NULL), 0);
    ++n;
  }
  assert_int_equal(m->cap, 32);
  check_map(m);

  for (i = 0; i < 21; ++i) {
    memset(cid, 0, sizeof(cid));
    cid[0] = (uint8_t)i;
    assert_int_equal(quic_cidmap_remove(m, cid, sizeof(cid)), 0);
    check_map(m);
    for (j = i + 1; j < 21; ++j) {
      cid[0] = (uint8_t)j;
      assert_int_equal(quic_cidmap_insert(m, cid, sizeof(cid), NULL), -2);
    }
  }
  assert_int_equal(quic_cidmap_count(m), 0);
  quic_cidmap_free(m);
}

static void test_keyed(void **state) {
  uint8_t key2[16];
  quic_cidmap *a, *b;
  uint8_t cid[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  int same = 0;
  size_t i;

  (void)state;
  memcpy(key2, test_key, 16);
  key2[15] ^= 1;
  a = quic_cidmap_new(test_key);
  b = quic_cidmap_new(key2);
  assert_non_null(a);
  assert_non_null(b);
  /* Different keys give different home slots for most CIDs. */
  for (i = 0; i < 64; ++i) {
    cid[0] = (uint8_t)i;
    same += cidmap_home(a, cid, 8) == cidmap_home(b, cid, 8);
  }
  assert_true(same < 32);
  quic_cidmap_free(a);
  quic_cidmap_free(b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_siphash_vectors),
      cmocka_unit_test(test_basic),
      cmocka_unit_test(test_lengths),
      cmocka_unit_test(test_one_byte_apart),
      cmocka_unit_test(test_many),
      cmocka_unit_test(test_churn),
      cmocka_unit_test(test_dense_deletes),
      cmocka_unit_test(test_keyed),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
