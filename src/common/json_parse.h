/* A small, strict JSON parser (RFC 8259) into a tree, for the replies of
 * the control socket. Strict: exactly one value, surrounded by optional
 * whitespace (space, tab, LF, CR); no byte order mark, no comments, no
 * trailing commas, no leading zeros, no duplicate member names, strings
 * must be well-formed UTF-8 without raw control characters, \u escapes
 * must pair their surrogates. Numbers outside the range of a double are
 * rejected. */
#ifndef WTPING_JSON_PARSE_H
#define WTPING_JSON_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* JSON_MAX_DEPTH is the deepest nesting of arrays and objects accepted:
 * "[[1]]" has depth 2. */
#define JSON_MAX_DEPTH 32
/* JSON_MAX_INPUT is the longest document accepted, in bytes. */
#define JSON_MAX_INPUT (1u << 20)

typedef enum json_type {
  JSON_NULL,
  JSON_BOOL,
  JSON_NUMBER,
  JSON_STRING,
  JSON_ARRAY,
  JSON_OBJECT
} json_type;

typedef struct json_value json_value;

/* json_parse parses the |len| bytes at |s| (which need not be
 * NUL-terminated). It returns the root of a tree to release with
 * json_free, or NULL with a message "at byte N: ..." in |err| (|errlen|
 * bytes, may be 0). */
json_value *json_parse(const char *s, size_t len, char *err, size_t errlen);

/* json_parse_at is json_parse that also stores the byte offset of the error
 * in |*erroff| (if not NULL). The offset of running out of input is |len|. */
json_value *json_parse_at(const char *s, size_t len, size_t *erroff, char *err, size_t errlen);

/* json_free releases |v| and everything below it. NULL is fine. */
void json_free(json_value *v);

/* json_type_of returns the type of |v|; JSON_NULL for NULL. */
json_type json_type_of(const json_value *v);

/* json_type_name returns "null", "boolean", "number", ... */
const char *json_type_name(json_type t);

/* json_get returns the member |key| of the object |v|, or NULL when |v| is
 * not an object (or NULL) or has no such member. */
const json_value *json_get(const json_value *v, const char *key);

/* json_is_null returns true when |v| is the literal null (not when |v| is
 * NULL). */
bool json_is_null(const json_value *v);

/* json_bool stores the boolean |v| in |*out| and returns true, or returns
 * false when |v| is not a boolean. */
bool json_bool(const json_value *v, bool *out);

/* json_number stores the number |v| in |*out| and returns true, or returns
 * false when |v| is not a number. */
bool json_number(const json_value *v, double *out);

/* json_int stores |v| in |*out| and returns true when |v| is a number with
 * an integral value in the range of int64_t. A literal without fraction or
 * exponent is converted exactly (9007199254740993 stays odd); others, such
 * as 1.0 or 1e3, through their double. */
bool json_int(const json_value *v, int64_t *out);

/* json_string returns the decoded, NUL-terminated UTF-8 string |v| and its
 * length in bytes in |*len| (if not NULL; the string may contain NUL bytes
 * from \u0000), or NULL when |v| is not a string. */
const char *json_string(const json_value *v, size_t *len);

/* json_array_len returns the number of elements of the array |v|, 0 when
 * |v| is not an array. */
size_t json_array_len(const json_value *v);

/* json_array_at returns element |i| of the array |v|, or NULL. */
const json_value *json_array_at(const json_value *v, size_t i);

/* json_object_len returns the number of members of the object |v|, 0 when
 * |v| is not an object. Members keep the order of the document. */
size_t json_object_len(const json_value *v);

/* json_object_key returns the name of member |i| of the object |v| (NUL
 * terminated; its length, which counts NUL bytes from \u0000, in |*len| if
 * not NULL), or NULL. */
const char *json_object_key(const json_value *v, size_t i, size_t *len);

/* json_object_value returns the value of member |i| of the object |v|, or
 * NULL. */
const json_value *json_object_value(const json_value *v, size_t i);

#endif
