/* A JSON writer into a growable buffer with a hard maximum size.
 *
 * Commas and the colon after a key are written automatically. Errors are
 * sticky and checked once at the end (jw_ok): once the text would grow past
 * the maximum, |overflow| is set; a misuse (a value in an object without a
 * key, a key outside an object, an unbalanced end, nesting deeper than
 * JW_MAX_DEPTH) or a failed allocation sets |error|. After either, every
 * call is a no-op and the text is incomplete. */
#ifndef WTPING_JSON_H
#define WTPING_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JW_MAX_DEPTH 16

typedef struct jw {
  char *buf;          /* NUL-terminated text, or NULL before the first byte */
  size_t len;         /* bytes of text, without the NUL */
  size_t cap;         /* bytes allocated in buf */
  size_t max;         /* most bytes of text allowed */
  unsigned depth;     /* open containers */
  bool obj[JW_MAX_DEPTH];      /* container at each level is an object */
  bool nonempty[JW_MAX_DEPTH]; /* it has at least one member already */
  bool key_pending;   /* a key was written, its value not yet */
  bool done;          /* a complete top-level value was written */
  bool overflow;      /* the maximum size would have been exceeded */
  bool error;         /* misuse or allocation failure */
} jw;

/* jw_init prepares |w| for at most |max_bytes| bytes of text (clamped to
 * SIZE_MAX / 2). Nothing is allocated until the first write. */
void jw_init(jw *w, size_t max_bytes);

/* jw_free releases the buffer and empties |w|, which stays usable with the
 * same maximum (a later write allocates again). */
void jw_free(jw *w);

/* jw_reset empties the text and clears every flag, keeping the buffer. */
void jw_reset(jw *w);

/* jw_ok returns true if neither |overflow| nor |error| is set. */
bool jw_ok(const jw *w);

/* jw_data returns the NUL-terminated text ("" when empty). */
const char *jw_data(const jw *w);

/* jw_len returns the length of the text. */
size_t jw_len(const jw *w);

/* jw_obj_begin / jw_arr_begin open an object / array as a value (so after
 * a key inside an object); jw_obj_end / jw_arr_end close the innermost one,
 * which must be of that kind. */
void jw_obj_begin(jw *w);
void jw_obj_end(jw *w);
void jw_arr_begin(jw *w);
void jw_arr_end(jw *w);

/* jw_key writes the member name |key| (escaped like jw_str) and ':'. */
void jw_key(jw *w, const char *key);

/* jw_str writes the string |s| quoted: '"' and '\\' are escaped, control
 * characters (< 0x20) become \u00XX, valid UTF-8 passes through and each
 * byte that is not part of a valid sequence becomes U+FFFD. NULL writes
 * null. */
void jw_str(jw *w, const char *s);

/* jw_strn is jw_str for the |len| bytes at |s| (which may contain NUL). */
void jw_strn(jw *w, const char *s, size_t len);

/* jw_int and jw_uint write |v| in decimal. */
void jw_int(jw *w, int64_t v);
void jw_uint(jw *w, uint64_t v);

/* jw_double writes a finite |v| in C "%g" form (always valid JSON) with the
 * fewest significant digits that read back as |v|, at most 15 (beyond that
 * it is rounded to 15, so 0.1 + 0.2 writes 0.3); integer parts of up to 15
 * digits are written in full. Examples: 0.25, -0, 1500, 1000000, 1e-07,
 * 1e+15, 1.5e+20. NaN and infinities write null. */
void jw_double(jw *w, double v);

/* jw_bool writes true or false; jw_null writes null. */
void jw_bool(jw *w, bool v);
void jw_null(jw *w);

/* jw_kv_* write the key |key| and then the value, as jw_key + jw_<type>. */
void jw_kv_str(jw *w, const char *key, const char *s);
void jw_kv_int(jw *w, const char *key, int64_t v);
void jw_kv_uint(jw *w, const char *key, uint64_t v);
void jw_kv_double(jw *w, const char *key, double v);
void jw_kv_bool(jw *w, const char *key, bool v);
void jw_kv_null(jw *w, const char *key);

#endif
