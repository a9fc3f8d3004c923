/* The control socket's JSON through json-c. */
#include "ctl/ctl_json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"

/* the wire form: compact, and '/' as it is */
#define CJ_WRITE_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* ---------------------------------------------------------------- values */

/* utf8_seq returns the length of the valid UTF-8 sequence at the start of
 * the |len| bytes at |p| (|len| > 0), or 0 if none starts there. */
static size_t utf8_seq(const uint8_t *p, size_t len) {
  size_t n;

  if (p[0] < 0x80) {
    return 1;
  }
  if ((p[0] & 0xe0) == 0xc0) {
    n = 2;
  } else if ((p[0] & 0xf0) == 0xe0) {
    n = 3;
  } else if ((p[0] & 0xf8) == 0xf0) {
    n = 4;
  } else {
    return 0;
  }
  return len >= n && utf8_valid(p, n) ? n : 0;
}

json_object *cj_string(const char *s, size_t len) {
  static const char fffd[] = "\xef\xbf\xbd";
  const uint8_t *p = (const uint8_t *)s;
  json_object *v;
  char *buf;
  size_t i = 0, o = 0, n;

  /* json-c counts in int; each bad byte grows to 3 */
  if (len > INT32_MAX / 3) {
    return NULL;
  }
  if (utf8_valid(p, len)) {
    return json_object_new_string_len(s, (int)len);
  }
  if ((buf = malloc(len * 3 + 1)) == NULL) {
    return NULL;
  }
  while (i < len) {
    n = utf8_seq(p + i, len - i);
    if (n == 0) {
      memcpy(buf + o, fffd, 3);
      o += 3;
      i++;
    } else {
      memcpy(buf + o, s + i, n);
      o += n;
      i += n;
    }
  }
  v = json_object_new_string_len(buf, (int)o);
  free(buf);
  return v;
}

bool cj_format_double(char *buf, size_t len, double v) {
  char *e;
  int n = 0, prec, exp10;

  if (!isfinite(v)) {
    snprintf(buf, len, "null");
    return false;
  }
  for (prec = 1; prec <= 15; prec++) {
    n = snprintf(buf, len, "%.*g", prec, v);
    if (strtod(buf, NULL) == v) {
      break;
    }
  }
  /* prec 16: none read back exactly, buf holds the %.15g form */
  if (prec > 15) {
    prec = 15;
  }
  /* %g takes an exponent once it is >= the precision ("1.5e+03"): write up
   * to 15 integer digits in full instead ("1500") */
  e = strchr(buf, 'e');
  if (e != NULL) {
    exp10 = atoi(e + 1);
    if (exp10 >= prec && exp10 < 15) {
      n = snprintf(buf, len, "%.*g", exp10 + 1, v);
    }
  }
  /* a locale with a decimal comma must not break the JSON */
  for (int i = 0; i < n && (size_t)i < len; i++) {
    if (buf[i] == ',') {
      buf[i] = '.';
    }
  }
  return true;
}

/* new_double returns a double value written as cj_format_double does, or
 * NULL with |*null| true for NaN and infinities. Its value is what the text
 * reads back as, so that cj_write's check compares like with like. */
static json_object *new_double(double v, bool *null) {
  char buf[40];

  *null = !cj_format_double(buf, sizeof(buf), v);
  return *null ? NULL : json_object_new_double_s(strtod(buf, NULL), buf);
}

/* add puts |v| (a new value; NULL when its constructor failed, unless
 * |null|) into |o| as |key|. Returns 0, or -1 having released |v|. */
static int add(json_object *o, const char *key, json_object *v, bool null) {
  if (o == NULL || (v == NULL && !null)) {
    json_object_put(v);
    return -1;
  }
  if (json_object_object_add_ex(o, key, v, JSON_C_OBJECT_ADD_CONSTANT_KEY) != 0) {
    json_object_put(v);
    return -1;
  }
  return 0;
}

/* push appends |v| to |a| like add. */
static int push(json_object *a, json_object *v, bool null) {
  if (a == NULL || (v == NULL && !null)) {
    json_object_put(v);
    return -1;
  }
  if (json_object_array_add(a, v) != 0) {
    json_object_put(v);
    return -1;
  }
  return 0;
}

int cj_add_str(json_object *o, const char *key, const char *s) {
  return add(o, key, s ? cj_string(s, strlen(s)) : NULL, s == NULL);
}

int cj_add_int(json_object *o, const char *key, int64_t v) {
  return add(o, key, json_object_new_int64(v), false);
}

int cj_add_uint(json_object *o, const char *key, uint64_t v) {
  return add(o, key, json_object_new_uint64(v), false);
}

int cj_add_double(json_object *o, const char *key, double v) {
  bool null;
  json_object *d = new_double(v, &null);

  return add(o, key, d, null);
}

int cj_add_bool(json_object *o, const char *key, bool v) {
  return add(o, key, json_object_new_boolean(v), false);
}

int cj_add_null(json_object *o, const char *key) { return add(o, key, NULL, true); }

json_object *cj_add_object(json_object *o, const char *key) {
  json_object *v = json_object_new_object();

  return add(o, key, v, false) == 0 ? v : NULL;
}

json_object *cj_add_array(json_object *o, const char *key) {
  json_object *v = json_object_new_array();

  return add(o, key, v, false) == 0 ? v : NULL;
}

int cj_push_str(json_object *a, const char *s) {
  return push(a, s ? cj_string(s, strlen(s)) : NULL, s == NULL);
}

int cj_push_uint(json_object *a, uint64_t v) {
  return push(a, json_object_new_uint64(v), false);
}

int cj_push_double(json_object *a, double v) {
  bool null;
  json_object *d = new_double(v, &null);

  return push(a, d, null);
}

json_object *cj_push_object(json_object *a) {
  json_object *v = json_object_new_object();

  return push(a, v, false) == 0 ? v : NULL;
}

/* ---------------------------------------------------------------- writing */

static bool is_number(json_object *v) {
  return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
}

/* same_int compares two integers, either of which may be beyond INT64_MAX
 * (json-c keeps those as uint64). */
static bool same_int(json_object *a, json_object *b) {
  int64_t x = json_object_get_int64(a), y = json_object_get_int64(b);

  if (x != y) {
    return false;
  }
  return x != INT64_MAX || json_object_get_uint64(a) == json_object_get_uint64(b);
}

bool cj_same(json_object *a, json_object *b) {
  size_t i, n;

  if (a == NULL || b == NULL) {
    return a == b;
  }
  if (is_number(a) && is_number(b)) {
    if (json_object_is_type(a, json_type_int) && json_object_is_type(b, json_type_int)) {
      return same_int(a, b);
    }
    return json_object_get_double(a) == json_object_get_double(b);
  }
  if (json_object_get_type(a) != json_object_get_type(b)) {
    return false;
  }
  switch (json_object_get_type(a)) {
  case json_type_boolean:
    return json_object_get_boolean(a) == json_object_get_boolean(b);
  case json_type_string:
    return json_object_get_string_len(a) == json_object_get_string_len(b) &&
           memcmp(json_object_get_string(a), json_object_get_string(b),
                  (size_t)json_object_get_string_len(a)) == 0;
  case json_type_array:
    n = json_object_array_length(a);
    if (n != json_object_array_length(b)) {
      return false;
    }
    for (i = 0; i < n; i++) {
      if (!cj_same(json_object_array_get_idx(a, i), json_object_array_get_idx(b, i))) {
        return false;
      }
    }
    return true;
  case json_type_object: {
    json_object *bv;

    if (json_object_object_length(a) != json_object_object_length(b)) {
      return false;
    }
    json_object_object_foreach(a, key, av) {
      if (!json_object_object_get_ex(b, key, &bv) || !cj_same(av, bv)) {
        return false;
      }
    }
    return true;
  }
  default:
    return false;
  }
}

const char *cj_write(json_object *v, size_t *len) {
  const char *text = json_object_to_json_string_length(v, CJ_WRITE_FLAGS, len);
  json_object *back;
  char err[8];
  bool ok, same;

  if (text == NULL) {
    return NULL;
  }
  back = cj_parse(text, *len, &ok, err, sizeof(err));
  same = ok && cj_same(v, back);
  json_object_put(back);
  return same ? text : NULL;
}

/* ---------------------------------------------------------------- reading */

json_object *cj_parse(const char *s, size_t len, bool *ok, char *err, size_t errlen) {
  json_tokener *tok;
  json_object *v;
  enum json_tokener_error jerr;
  size_t end;

  const char *nul = memchr(s, '\0', len);

  *ok = false;
  /* json-c takes a NUL for the end of the input; JSON has none outside
   * strings and none raw inside */
  if (nul != NULL) {
    snprintf(err, errlen, "at byte %zu: NUL byte", (size_t)(nul - s));
    return NULL;
  }
  if (len > INT32_MAX) {
    snprintf(err, errlen, "at byte 0: too long");
    return NULL;
  }
  /* json-c's own check (JSON_TOKENER_VALIDATE_UTF8) lets overlong forms
   * such as C0 AF through: the whole text must be UTF-8 (RFC 8259 8.1) */
  if (!utf8_valid((const uint8_t *)s, len)) {
    size_t at = 0, n;

    while (at < len && (n = utf8_seq((const uint8_t *)s + at, len - at)) > 0) {
      at += n;
    }
    snprintf(err, errlen, "at byte %zu: not UTF-8", at);
    return NULL;
  }
  tok = json_tokener_new_ex(CJ_MAX_DEPTH);
  if (tok == NULL) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
  v = json_tokener_parse_ex(tok, s, (int)len);
  jerr = json_tokener_get_error(tok);
  end = json_tokener_get_parse_end(tok);
  if (jerr == json_tokener_continue) {
    /* json-c waits for more; a number at the very end is complete */
    v = json_tokener_parse_ex(tok, "", 1);
    jerr = json_tokener_get_error(tok);
    if (jerr == json_tokener_continue || jerr == json_tokener_success) {
      end = len;
    }
    if (jerr == json_tokener_continue) {
      snprintf(err, errlen, "at byte %zu: unexpected end of input", len);
      json_tokener_free(tok);
      return NULL;
    }
  }
  if (jerr != json_tokener_success) {
    snprintf(err, errlen, "at byte %zu: %s", end, json_tokener_error_desc(jerr));
    json_tokener_free(tok);
    return NULL;
  }
  json_tokener_free(tok);
  /* only white space may follow the value */
  while (end < len && strchr(" \t\r\n", s[end]) != NULL && s[end] != '\0') {
    end++;
  }
  if (end < len) {
    snprintf(err, errlen, "at byte %zu: unexpected data after the value", end);
    json_object_put(v);
    return NULL;
  }
  *ok = true;
  return v;
}

json_object *cj_get(json_object *v, const char *key) {
  json_object *m = NULL;

  if (!json_object_is_type(v, json_type_object) || !json_object_object_get_ex(v, key, &m)) {
    return NULL;
  }
  return m;
}

bool cj_number(json_object *v, double *out) {
  if (!is_number(v)) {
    return false;
  }
  *out = json_object_get_double(v);
  return true;
}

bool cj_int(json_object *v, int64_t *out) {
  double d;

  if (json_object_is_type(v, json_type_int)) {
    *out = json_object_get_int64(v);
    /* json-c clamps what is beyond INT64_MAX */
    return *out != INT64_MAX || json_object_get_uint64(v) == (uint64_t)INT64_MAX;
  }
  if (!json_object_is_type(v, json_type_double)) {
    return false;
  }
  d = json_object_get_double(v);
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || d != floor(d)) {
    return false;
  }
  *out = (int64_t)d;
  return true;
}

bool cj_bool(json_object *v, bool *out) {
  if (!json_object_is_type(v, json_type_boolean)) {
    return false;
  }
  *out = json_object_get_boolean(v);
  return true;
}

const char *cj_str(json_object *v, size_t *len) {
  if (!json_object_is_type(v, json_type_string)) {
    return NULL;
  }
  if (len != NULL) {
    *len = (size_t)json_object_get_string_len(v);
  }
  return json_object_get_string(v);
}

bool cj_is_object(json_object *v) { return json_object_is_type(v, json_type_object); }

bool cj_is_array(json_object *v) { return json_object_is_type(v, json_type_array); }

size_t cj_len(json_object *v) {
  return json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
}

json_object *cj_at(json_object *v, size_t i) {
  return i < cj_len(v) ? json_object_array_get_idx(v, i) : NULL;
}
