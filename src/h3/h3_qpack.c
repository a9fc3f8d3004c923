/* QPACK (RFC 9204) with a dynamic table of capacity 0, on top of nghttp3
 * 0.8.0's standalone encoder and decoder.
 *
 * With capacity 0 neither side ever writes to its QPACK encoder or decoder
 * stream: the encoder only produces static-table references and literals
 * (Required Insert Count 0), and the decoder never has to send Section
 * Acknowledgments, Insert Count Increments or (RFC 9204 section 4.4.2: "A
 * decoder with a maximum dynamic table capacity equal to zero MAY omit
 * sending Stream Cancellations") Stream Cancellations. A section that
 * references the dynamic table at all is a decoding error.
 *
 * Error handling: nghttp3 marks its decoder (encoder) permanently unusable
 * after any failure. Because a capacity-0 codec carries no state from one
 * field section to the next, h3_qpack replaces a broken decoder (encoder)
 * with a fresh one on the next call, so one bad section does not poison the
 * codec. That is a convenience, not permission to go on: RFC 9204 section
 * 2.2 makes a malformed field section a connection error of type
 * QPACK_DECOMPRESSION_FAILED, so a caller that gets 0x200 from
 * h3_qpack_decode should close the connection with that code.
 *
 * Memory: for the same reason the encoder and the decoder are made for each
 * field section and freed after it. A connection carries one request and
 * one response per WebTransport session, then none for as long as the
 * session lives; keeping nghttp3's codec around cost ~3 KiB per idle
 * session (massif). */
#include "h3/h3_qpack.h"

#include <stdlib.h>
#include <string.h>

#include <nghttp3/nghttp3.h>

#include "h3/h3_error.h"

struct h3_qpack {
  /* enc and dec exist only during h3_qpack_encode / h3_qpack_decode. */
  nghttp3_qpack_encoder *enc;
  nghttp3_qpack_decoder *dec;
};

/*
 * qpack_encoder_new creates a capacity-0 encoder in |*penc|. Returns 0 or a
 * negative nghttp3 error code.
 */
static int qpack_encoder_new(nghttp3_qpack_encoder **penc) {
  /* hard_max_dtable_capacity 0; the maximum capacity is never raised. */
  return nghttp3_qpack_encoder_new(penc, 0, nghttp3_mem_default());
}

/*
 * qpack_decoder_new creates a capacity-0 decoder that allows no blocked
 * streams in |*pdec|. Returns 0 or a negative nghttp3 error code.
 */
static int qpack_decoder_new(nghttp3_qpack_decoder **pdec) {
  return nghttp3_qpack_decoder_new(pdec, 0, 0, nghttp3_mem_default());
}

h3_qpack *h3_qpack_new(void) {
  return calloc(1, sizeof(h3_qpack)); /* the codec itself is made on use */
}

void h3_qpack_free(h3_qpack *q) {
  if (q == NULL) {
    return;
  }

  if (q->enc) {
    nghttp3_qpack_encoder_del(q->enc);
  }
  if (q->dec) {
    nghttp3_qpack_decoder_del(q->dec);
  }
  free(q);
}

/* Enough for the fields wtping sends without touching the heap. */
#define QPACK_NV_STACK 16

size_t h3_qpack_encode(h3_qpack *q, int64_t stream_id, const h3_header *hdrs, size_t n,
                       uint8_t *out, size_t cap) {
  const nghttp3_mem *mem = nghttp3_mem_default();
  nghttp3_nv nvstack[QPACK_NV_STACK];
  nghttp3_nv *nva = nvstack;
  nghttp3_buf pbuf, rbuf, ebuf;
  size_t i, plen, rlen, total = 0;
  int rv;

  if (q == NULL || (n > 0 && hdrs == NULL) || (cap > 0 && out == NULL)) {
    return 0;
  }

  if (q->enc == NULL && qpack_encoder_new(&q->enc) != 0) {
    q->enc = NULL;
    return 0;
  }

  if (n > QPACK_NV_STACK) {
    if (n > SIZE_MAX / sizeof(*nva)) {
      return 0;
    }
    nva = malloc(n * sizeof(*nva));
    if (nva == NULL) {
      return 0;
    }
  }

  for (i = 0; i < n; ++i) {
    /* nghttp3 does not write through these pointers. */
    nva[i].name = (uint8_t *)(uintptr_t)hdrs[i].name;
    nva[i].namelen = hdrs[i].namelen;
    nva[i].value = (uint8_t *)(uintptr_t)hdrs[i].value;
    nva[i].valuelen = hdrs[i].valuelen;
    nva[i].flags = NGHTTP3_NV_FLAG_NONE;
  }

  nghttp3_buf_init(&pbuf);
  nghttp3_buf_init(&rbuf);
  nghttp3_buf_init(&ebuf);

  rv = nghttp3_qpack_encoder_encode(q->enc, &pbuf, &rbuf, &ebuf, stream_id, nva, n);
  if (rv != 0) {
    /* The encoder is now unusable; build a new one next time. */
    nghttp3_qpack_encoder_del(q->enc);
    q->enc = NULL;
    goto out;
  }

  /* Capacity 0: nothing may ever go to the encoder stream. */
  if (nghttp3_buf_len(&ebuf) != 0) {
    goto out;
  }

  plen = nghttp3_buf_len(&pbuf);
  rlen = nghttp3_buf_len(&rbuf);
  if (plen == 0 || plen > cap || rlen > cap - plen) {
    goto out;
  }

  memcpy(out, pbuf.pos, plen);
  if (rlen) {
    memcpy(out + plen, rbuf.pos, rlen);
  }
  total = plen + rlen;

out:
  nghttp3_buf_free(&pbuf, mem);
  nghttp3_buf_free(&rbuf, mem);
  nghttp3_buf_free(&ebuf, mem);
  if (nva != nvstack) {
    free(nva);
  }
  if (q->enc) {
    nghttp3_qpack_encoder_del(q->enc);
    q->enc = NULL;
  }

  return total;
}

uint64_t h3_qpack_decode(h3_qpack *q, int64_t stream_id, const uint8_t *payload, size_t len,
                         h3_header_cb cb, void *ud) {
  const nghttp3_mem *mem = nghttp3_mem_default();
  nghttp3_qpack_stream_context *sctx;
  nghttp3_qpack_nv nv;
  nghttp3_vec name, value;
  nghttp3_ssize nread;
  const uint8_t *p = payload, *end;
  uint8_t flags;
  uint64_t res = QPACK_DECOMPRESSION_FAILED;
  int cbrv;

  if (q == NULL || cb == NULL || (len > 0 && payload == NULL)) {
    return QPACK_DECOMPRESSION_FAILED;
  }

  /* An empty field section is malformed (it lacks the prefix); catching it
   * here also keeps a NULL |payload| away from pointer arithmetic. */
  if (len == 0) {
    return QPACK_DECOMPRESSION_FAILED;
  }

  end = payload + len;

  if (q->dec == NULL && qpack_decoder_new(&q->dec) != 0) {
    q->dec = NULL;
    return QPACK_DECOMPRESSION_FAILED;
  }

  if (nghttp3_qpack_stream_context_new(&sctx, stream_id, mem) != 0) {
    return QPACK_DECOMPRESSION_FAILED;
  }

  for (;;) {
    nread = nghttp3_qpack_decoder_read_request(q->dec, sctx, &nv, &flags, p,
                                               (size_t)(end - p), /* fin = */ 1);
    if (nread < 0) {
      goto fail;
    }

    p += nread;

    if (flags & NGHTTP3_QPACK_DECODE_FLAG_BLOCKED) {
      /* Impossible with capacity 0: the section needs the dynamic table. */
      goto fail;
    }

    if (flags & NGHTTP3_QPACK_DECODE_FLAG_EMIT) {
      name = nghttp3_rcbuf_get_buf(nv.name);
      value = nghttp3_rcbuf_get_buf(nv.value);
      cbrv = cb(ud, name.base, name.len, value.base, value.len);
      nghttp3_rcbuf_decref(nv.name);
      nghttp3_rcbuf_decref(nv.value);
      if (cbrv != 0) {
        /* The callback's value is an int; keep negative values recognisable
         * as such (they become huge uint64_t values, never 0x200). */
        res = (uint64_t)(int64_t)cbrv;
        goto out;
      }
    }

    if (flags & NGHTTP3_QPACK_DECODE_FLAG_FINAL) {
      if (p != end) {
        goto fail;
      }
      res = 0;
      goto out;
    }

    if (nread == 0 && !(flags & NGHTTP3_QPACK_DECODE_FLAG_EMIT)) {
      /* No progress and no verdict: never loop forever. */
      goto fail;
    }
  }

fail:
  /* nghttp3 marked the decoder bad; replace it on the next call. */
  nghttp3_qpack_decoder_del(q->dec);
  q->dec = NULL;
  res = QPACK_DECOMPRESSION_FAILED;

out:
  nghttp3_qpack_stream_context_del(sctx);
  if (q->dec) {
    nghttp3_qpack_decoder_del(q->dec);
    q->dec = NULL;
  }

  return res;
}
