/* Connection ID -> connection map: open addressing, linear probing. */
#include "quic/quic_cidmap.h"

#include <stdlib.h>
#include <string.h>

/*
 * The table is an array of power-of-two size.  A key lives at or after its
 * home slot (hash & mask) with no empty slot in between.  Removal uses
 * backward-shift deletion, so there are no tombstones and lookups stop at
 * the first empty slot.
 *
 * The table grows when the load would exceed 2/3 and shrinks when it falls
 * below 1/8 (never under QUIC_CIDMAP_MINCAP).
 */

#define QUIC_CIDMAP_MINCAP 16

/* QUIC_CIDMAP_EMPTY marks a free slot in quic_cidmap_entry.len. */
#define QUIC_CIDMAP_EMPTY UINT8_MAX

typedef struct quic_cidmap_entry {
  void *val;
  uint8_t len; /* QUIC_CIDMAP_EMPTY if the slot is free */
  uint8_t cid[QUIC_CID_MAXLEN];
} quic_cidmap_entry;

struct quic_cidmap {
  quic_cidmap_entry *slots;
  size_t cap; /* power of two */
  size_t count;
  uint64_t k0, k1; /* SipHash key */
};

/* SipHash-2-4 (Aumasson and Bernstein), 64-bit output. */

#define SIPHASH_ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define SIPHASH_ROUND(v0, v1, v2, v3)                                          \
  do {                                                                         \
    v0 += v1;                                                                  \
    v1 = SIPHASH_ROTL(v1, 13);                                                 \
    v1 ^= v0;                                                                  \
    v0 = SIPHASH_ROTL(v0, 32);                                                 \
    v2 += v3;                                                                  \
    v3 = SIPHASH_ROTL(v3, 16);                                                 \
    v3 ^= v2;                                                                  \
    v0 += v3;                                                                  \
    v3 = SIPHASH_ROTL(v3, 21);                                                 \
    v3 ^= v0;                                                                  \
    v2 += v1;                                                                  \
    v1 = SIPHASH_ROTL(v1, 17);                                                 \
    v1 ^= v2;                                                                  \
    v2 = SIPHASH_ROTL(v2, 32);                                                 \
  } while (0)

static uint64_t siphash_load64le(const uint8_t *p) {
  return (uint64_t)p[0] | ((uint64_t)p[1] << 8) | ((uint64_t)p[2] << 16) |
         ((uint64_t)p[3] << 24) | ((uint64_t)p[4] << 32) |
         ((uint64_t)p[5] << 40) | ((uint64_t)p[6] << 48) |
         ((uint64_t)p[7] << 56);
}

static uint64_t siphash24(uint64_t k0, uint64_t k1, const uint8_t *data,
                          size_t len) {
  uint64_t v0 = k0 ^ UINT64_C(0x736f6d6570736575);
  uint64_t v1 = k1 ^ UINT64_C(0x646f72616e646f6d);
  uint64_t v2 = k0 ^ UINT64_C(0x6c7967656e657261);
  uint64_t v3 = k1 ^ UINT64_C(0x7465646279746573);
  uint64_t m;
  size_t i, left = len & 7, full = len - left;

  for (i = 0; i < full; i += 8) {
    m = siphash_load64le(data + i);
    v3 ^= m;
    SIPHASH_ROUND(v0, v1, v2, v3);
    SIPHASH_ROUND(v0, v1, v2, v3);
    v0 ^= m;
  }

  /* Last block: the remaining bytes and the length's low byte on top. */
  m = (uint64_t)len << 56;
  for (i = 0; i < left; ++i) {
    m |= (uint64_t)data[full + i] << (8 * i);
  }
  v3 ^= m;
  SIPHASH_ROUND(v0, v1, v2, v3);
  SIPHASH_ROUND(v0, v1, v2, v3);
  v0 ^= m;

  v2 ^= 0xff;
  SIPHASH_ROUND(v0, v1, v2, v3);
  SIPHASH_ROUND(v0, v1, v2, v3);
  SIPHASH_ROUND(v0, v1, v2, v3);
  SIPHASH_ROUND(v0, v1, v2, v3);

  return v0 ^ v1 ^ v2 ^ v3;
}

static size_t cidmap_home(const quic_cidmap *m, const uint8_t *cid,
                          size_t len) {
  return (size_t)siphash24(m->k0, m->k1, cid, len) & (m->cap - 1);
}

static quic_cidmap_entry *cidmap_alloc_slots(size_t cap) {
  quic_cidmap_entry *slots;
  size_t i;

  if (cap > SIZE_MAX / sizeof(*slots)) {
    return NULL;
  }
  slots = malloc(cap * sizeof(*slots));
  if (slots == NULL) {
    return NULL;
  }
  for (i = 0; i < cap; ++i) {
    slots[i].len = QUIC_CIDMAP_EMPTY;
  }
  return slots;
}

/* cidmap_lookup returns the slot index holding |cid|, or m->cap if it is
   absent. */
static size_t cidmap_lookup(const quic_cidmap *m, const uint8_t *cid,
                            size_t len) {
  size_t mask = m->cap - 1, i;
  const quic_cidmap_entry *e;

  for (i = cidmap_home(m, cid, len);; i = (i + 1) & mask) {
    e = &m->slots[i];
    if (e->len == QUIC_CIDMAP_EMPTY) {
      return m->cap;
    }
    if (e->len == len && (len == 0 || memcmp(e->cid, cid, len) == 0)) {
      return i;
    }
  }
}

/* cidmap_resize moves every entry into a table of |cap| slots.  Returns 0,
   or -1 on allocation failure (the map is unchanged then). */
static int cidmap_resize(quic_cidmap *m, size_t cap) {
  quic_cidmap_entry *old = m->slots, *e;
  size_t oldcap = m->cap, i, j;

  m->slots = cidmap_alloc_slots(cap);
  if (m->slots == NULL) {
    m->slots = old;
    return -1;
  }
  m->cap = cap;

  for (i = 0; i < oldcap; ++i) {
    e = &old[i];
    if (e->len == QUIC_CIDMAP_EMPTY) {
      continue;
    }
    for (j = cidmap_home(m, e->cid, e->len);
         m->slots[j].len != QUIC_CIDMAP_EMPTY; j = (j + 1) & (cap - 1))
      ;
    m->slots[j] = *e;
  }

  free(old);
  return 0;
}

quic_cidmap *quic_cidmap_new(const uint8_t key[16]) {
  quic_cidmap *m = malloc(sizeof(*m));

  if (m == NULL) {
    return NULL;
  }
  m->slots = cidmap_alloc_slots(QUIC_CIDMAP_MINCAP);
  if (m->slots == NULL) {
    free(m);
    return NULL;
  }
  m->cap = QUIC_CIDMAP_MINCAP;
  m->count = 0;
  m->k0 = siphash_load64le(key);
  m->k1 = siphash_load64le(key + 8);
  return m;
}

void quic_cidmap_free(quic_cidmap *m) {
  if (m == NULL) {
    return;
  }
  free(m->slots);
  free(m);
}

int quic_cidmap_insert(quic_cidmap *m, const uint8_t *cid, size_t len,
                       void *val) {
  quic_cidmap_entry *e;
  size_t i, mask;

  if (len > QUIC_CID_MAXLEN) {
    return -1;
  }
  if (cidmap_lookup(m, cid, len) != m->cap) {
    return -2;
  }
  /* Keep the load at or below 2/3. */
  if ((m->count + 1) * 3 > m->cap * 2) {
    if (m->cap > SIZE_MAX / 2 || cidmap_resize(m, m->cap * 2) != 0) {
      return -1;
    }
  }

  mask = m->cap - 1;
  for (i = cidmap_home(m, cid, len); m->slots[i].len != QUIC_CIDMAP_EMPTY;
       i = (i + 1) & mask)
    ;
  e = &m->slots[i];
  e->val = val;
  e->len = (uint8_t)len;
  if (len) {
    memcpy(e->cid, cid, len);
  }
  ++m->count;
  return 0;
}

void *quic_cidmap_find(const quic_cidmap *m, const uint8_t *cid, size_t len) {
  size_t i;

  if (len > QUIC_CID_MAXLEN) {
    return NULL;
  }
  i = cidmap_lookup(m, cid, len);
  return i == m->cap ? NULL : m->slots[i].val;
}

int quic_cidmap_remove(quic_cidmap *m, const uint8_t *cid, size_t len) {
  size_t mask = m->cap - 1, i, j, home;
  quic_cidmap_entry *e;

  if (len > QUIC_CID_MAXLEN) {
    return -1;
  }
  i = cidmap_lookup(m, cid, len);
  if (i == m->cap) {
    return -1;
  }

  /* Backward-shift deletion: pull later entries of the probe run into the
     hole when their home slot is not cyclically within (i, j]. */
  for (j = (i + 1) & mask;; j = (j + 1) & mask) {
    e = &m->slots[j];
    if (e->len == QUIC_CIDMAP_EMPTY) {
      break;
    }
    home = cidmap_home(m, e->cid, e->len);
    if (((j - home) & mask) >= ((j - i) & mask)) {
      m->slots[i] = *e;
      i = j;
    }
  }
  m->slots[i].len = QUIC_CIDMAP_EMPTY;
  --m->count;

  /* Shrink below 1/8 load; a failure just keeps the larger table. */
  if (m->cap > QUIC_CIDMAP_MINCAP && m->count * 8 < m->cap) {
    (void)cidmap_resize(m, m->cap / 2);
  }
  return 0;
}

size_t quic_cidmap_count(const quic_cidmap *m) { return m->count; }
