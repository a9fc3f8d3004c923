/* Connection ID -> connection map for the server's demultiplexer. Open
 * addressing with a keyed hash (SipHash-2-4, random key) so that peer-chosen
 * CIDs cannot force collisions. */
#ifndef WTPING_QUIC_CIDMAP_H
#define WTPING_QUIC_CIDMAP_H

#include <stddef.h>
#include <stdint.h>

#define QUIC_CID_MAXLEN 20

typedef struct quic_cidmap quic_cidmap;

/* quic_cidmap_new creates an empty map hashing with the 16-byte |key|.
 * Returns NULL on allocation failure. */
quic_cidmap *quic_cidmap_new(const uint8_t key[16]);
void quic_cidmap_free(quic_cidmap *m);

/* quic_cidmap_insert maps |cid| (|len| <= QUIC_CID_MAXLEN) to |val|. Returns
 * 0, -1 on allocation failure (or len too large), -2 if |cid| is present. */
int quic_cidmap_insert(quic_cidmap *m, const uint8_t *cid, size_t len, void *val);

/* quic_cidmap_find returns the value for |cid|, or NULL. */
void *quic_cidmap_find(const quic_cidmap *m, const uint8_t *cid, size_t len);

/* quic_cidmap_remove removes |cid|. Returns 0, or -1 if it was absent. */
int quic_cidmap_remove(quic_cidmap *m, const uint8_t *cid, size_t len);

/* quic_cidmap_count returns the number of entries. */
size_t quic_cidmap_count(const quic_cidmap *m);

#endif
