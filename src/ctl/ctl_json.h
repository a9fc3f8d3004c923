/* The control socket's JSON (docs/control.md) through json-c: building a
 * reply with every allocation checked, writing it in the wire form, and
 * reading a reply in wtpctl. Prefix cj_ ("control JSON").
 *
 * json-c represents the JSON literal null as a NULL json_object pointer,
 * so a constructor's NULL would silently become null: the cj_add_* and
 * cj_push_* functions check every allocation and return -1 instead. They
 * return 0 or -1 and may be chained with |= to check once at the end; on
 * -1 the reply is incomplete and must be dropped. */
#ifndef WTPING_CTL_JSON_H
#define WTPING_CTL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* CJ_MAX_DEPTH is the deepest nesting cj_parse accepts ("[[1]]" is 2). */
#define CJ_MAX_DEPTH 32

/* ---------------------------------------------------------------- building */

/* cj_add_* add the member |key| to the object |o|. |key| is not copied: it
 * must outlive |o| (a string literal). cj_add_str writes NULL as null and
 * replaces each byte of |s| that is not part of valid UTF-8 with U+FFFD.
 * cj_add_double writes a finite |v| in C's "%g" form with the fewest
 * significant digits that read back as |v|, at most 15 (0.1 + 0.2 is 0.3),
 * and integer parts of up to 15 digits in full ("1500", "1e-07",
 * "1e+15"); NaN and infinities as null. */
int cj_add_str(json_object *o, const char *key, const char *s);
int cj_add_int(json_object *o, const char *key, int64_t v);
int cj_add_uint(json_object *o, const char *key, uint64_t v);
int cj_add_double(json_object *o, const char *key, double v);
int cj_add_bool(json_object *o, const char *key, bool v);
int cj_add_null(json_object *o, const char *key);

/* cj_add_object / cj_add_array add an empty object / array as member |key|
 * of |o| and return it (owned by |o|), or NULL when out of memory. */
json_object *cj_add_object(json_object *o, const char *key);
json_object *cj_add_array(json_object *o, const char *key);

/* cj_push_* append a value to the array |a|, like cj_add_*. */
int cj_push_str(json_object *a, const char *s);
int cj_push_uint(json_object *a, uint64_t v);
int cj_push_double(json_object *a, double v);
json_object *cj_push_object(json_object *a);

/* cj_string returns a new string value holding the |len| bytes at |s| with
 * invalid UTF-8 replaced (see cj_add_str), or NULL when out of memory or
 * longer than INT32_MAX / 3 bytes (json-c counts in int). */
json_object *cj_string(const char *s, size_t len);

/* cj_format_double writes |v| as cj_add_double does into |buf| (at least
 * 32 bytes) and returns false for NaN and infinities (|buf| is then
 * "null"). */
bool cj_format_double(char *buf, size_t len, double v);

/* cj_write returns the compact wire form of |v| (no spaces, '/' not
 * escaped), its length in |*len|. The text belongs to |v| and is valid
 * until |v| changes or is released. Returns NULL when out of memory. json-c
 * 0.16 does not report every failed allocation while it writes (it ignores
 * printbuf_memappend's result), so cj_write reads the text back and checks
 * that it holds exactly |v|: a text with a piece missing is never
 * returned. */
const char *cj_write(json_object *v, size_t *len);

/* cj_same returns true when |a| and |b| hold the same JSON: numbers compare
 * by value (an integer and a double with the same value are the same),
 * objects by their members in any order. */
bool cj_same(json_object *a, json_object *b);

/* ---------------------------------------------------------------- reading */

/* cj_parse parses the |len| bytes at |s| with json-c in its strict mode:
 * exactly one value with optional white space around it, no trailing
 * commas, no leading zeros, no comments, no NUL byte, well-formed UTF-8
 * (checked here: json-c's own check lets overlong forms through), at most
 * CJ_MAX_DEPTH deep. json-c 0.16 still accepts some things RFC 8259 does
 * not: single-quoted strings, NaN and Infinity, raw control characters in
 * strings, "1.", lone surrogate escapes (as U+FFFD) and duplicate member
 * names (the last wins). Returns the value, to release with
 * json_object_put (NULL is the literal null: |*ok| tells it apart), or
 * sets |*ok| false and writes "at byte N: ..." into |err|. */
json_object *cj_parse(const char *s, size_t len, bool *ok, char *err, size_t errlen);

/* cj_get returns the member |key| of the object |v|, or NULL when |v| is
 * not an object, has no such member or it is null. */
json_object *cj_get(json_object *v, const char *key);

/* cj_number stores the number |v| in |*out| and returns true, or returns
 * false when |v| is not a number. */
bool cj_number(json_object *v, double *out);

/* cj_int stores |v| in |*out| and returns true when |v| is a number with an
 * integral value in the range of int64_t: integers exactly
 * (9007199254740993 stays odd), others (1.0, 1e3) through their double. */
bool cj_int(json_object *v, int64_t *out);

/* cj_bool stores the boolean |v| in |*out| and returns true, or false when
 * |v| is not a boolean. */
bool cj_bool(json_object *v, bool *out);

/* cj_str returns the string |v| (NUL-terminated; its length in |*len| if
 * not NULL, counting NUL bytes from \u0000), or NULL when |v| is not a
 * string. */
const char *cj_str(json_object *v, size_t *len);

/* cj_is_object / cj_is_array say whether |v| is one. */
bool cj_is_object(json_object *v);
bool cj_is_array(json_object *v);

/* cj_len returns the number of elements of the array |v|, 0 for anything
 * else; cj_at returns element |i| of it, or NULL. */
size_t cj_len(json_object *v);
json_object *cj_at(json_object *v, size_t i);

#endif
