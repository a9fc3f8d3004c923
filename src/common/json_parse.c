/* A strict recursive-descent JSON parser (RFC 8259). Depth is bounded by
 * JSON_MAX_DEPTH, so the recursion is too. */
#include "common/json_parse.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct json_member {
  char *key;
  size_t keylen;
  size_t off; /* byte offset of the name in the document, for errors */
  json_value *value;
} json_member;

struct json_value {
  json_type type;
  union {
    bool b;
    struct {
      double d;
      int64_t i;
      bool is_int;
    } num;
    struct {
      char *s;
      size_t len;
    } str;
    struct {
      json_value **v;
      size_t n;
    } arr;
    struct {
      json_member *m;
      size_t n;
    } obj;
  } u;
};

typedef struct parser {
  const unsigned char *s;
  size_t len, pos;
  int depth;
  bool failed;
  size_t erroff;
  char *err;
  size_t errlen;
} parser;

/* Objects with at most this many members are checked for duplicate names
 * pair by pair; larger ones by sorting. */
#define DUP_LINEAR_MAX 16

/* The largest number literal converted from the stack; longer ones (legal,
 * if silly: "0.000...1") are copied to the heap. */
#define NUMBUF_LEN 64

static void fail(parser *p, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* fail records the first error only: inner failures come first and are the
 * precise ones. */
static void fail(parser *p, size_t off, const char *fmt, ...) {
  va_list ap;
  int n;

  if (p->failed) {
    return;
  }
  p->failed = true;
  p->erroff = off;
  if (p->errlen == 0) {
    return;
  }
  n = snprintf(p->err, p->errlen, "at byte %zu: ", off);
  if (n < 0 || (size_t)n >= p->errlen) {
    return;
  }
  va_start(ap, fmt);
  vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
  va_end(ap);
}

static void fail_eoi(parser *p) { fail(p, p->len, "unexpected end of input"); }

/* fail_char reports the byte at the current position as unexpected, with
 * |what| saying what was expected. */
static void fail_char(parser *p, const char *what) {
  unsigned char c = p->s[p->pos];

  if (c >= 0x20 && c < 0x7f) {
    fail(p, p->pos, "unexpected character '%c', expected %s", c, what);
  } else {
    fail(p, p->pos, "unexpected byte 0x%02x, expected %s", c, what);
  }
}

static void skip_ws(parser *p) {
  while (p->pos < p->len) {
    unsigned char c = p->s[p->pos];

    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      break;
    }
    ++p->pos;
  }
}

static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static json_value *new_value(parser *p, json_type t) {
  json_value *v = calloc(1, sizeof(*v));

  if (v == NULL) {
    fail(p, p->pos, "out of memory");
    return NULL;
  }
  v->type = t;
  return v;
}

/* ---------------------------------------------------------------- strings */

typedef struct strbuf {
  char *s;
  size_t len, cap;
} strbuf;

static int sb_reserve(parser *p, strbuf *b, size_t n) {
  size_t cap;
  char *s;

  if (b->cap - b->len > n) { /* keep room for the final NUL */
    return 0;
  }
  cap = b->cap ? b->cap : 32;
  while (cap - b->len <= n) {
    cap *= 2;
  }
  s = realloc(b->s, cap);
  if (s == NULL) {
    fail(p, p->pos, "out of memory");
    return -1;
  }
  b->s = s;
  b->cap = cap;
  return 0;
}

static int sb_add(parser *p, strbuf *b, const void *data, size_t n) {
  if (sb_reserve(p, b, n) != 0) {
    return -1;
  }
  memcpy(b->s + b->len, data, n);
  b->len += n;
  return 0;
}

static int sb_add_utf8(parser *p, strbuf *b, uint32_t cp) {
  unsigned char u[4];
  size_t n;

  if (cp < 0x80) {
    u[0] = (unsigned char)cp;
    n = 1;
  } else if (cp < 0x800) {
    u[0] = (unsigned char)(0xc0 | (cp >> 6));
    u[1] = (unsigned char)(0x80 | (cp & 0x3f));
    n = 2;
  } else if (cp < 0x10000) {
    u[0] = (unsigned char)(0xe0 | (cp >> 12));
    u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
    u[2] = (unsigned char)(0x80 | (cp & 0x3f));
    n = 3;
  } else {
    u[0] = (unsigned char)(0xf0 | (cp >> 18));
    u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
    u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
    u[3] = (unsigned char)(0x80 | (cp & 0x3f));
    n = 4;
  }
  return sb_add(p, b, u, n);
}

/* read_hex4 reads the four hex digits of a \u escape at the current
 * position into |*cp|. */
static int read_hex4(parser *p, uint32_t *cp) {
  uint32_t v = 0;
  int i;

  for (i = 0; i < 4; ++i) {
    unsigned char c;

    if (p->pos == p->len) {
      fail_eoi(p);
      return -1;
    }
    c = p->s[p->pos];
    if (c >= '0' && c <= '9') {
      v = v << 4 | (uint32_t)(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      v = v << 4 | (uint32_t)(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      v = v << 4 | (uint32_t)(c - 'A' + 10);
    } else {
      fail_char(p, "a hex digit in \\u escape");
      return -1;
    }
    ++p->pos;
  }
  *cp = v;
  return 0;
}

/* parse_unicode_escape decodes "\uXXXX" (or a surrogate pair
 * "\uD8xx\uDCxx"); the current position is just after the 'u' and |start|
 * is the offset of the backslash. */
static int parse_unicode_escape(parser *p, strbuf *b, size_t start) {
  uint32_t hi, lo;

  if (read_hex4(p, &hi) != 0) {
    return -1;
  }
  if (hi >= 0xdc00 && hi <= 0xdfff) {
    fail(p, start, "unpaired low surrogate \\u%04X", hi);
    return -1;
  }
  if (hi < 0xd800 || hi > 0xdbff) {
    return sb_add_utf8(p, b, hi);
  }
  /* A high surrogate: a low one must follow at once. */
  if (p->pos == p->len) {
    fail_eoi(p);
    return -1;
  }
  if (p->s[p->pos] != '\\') {
    fail(p, start, "unpaired high surrogate \\u%04X", hi);
    return -1;
  }
  ++p->pos;
  if (p->pos == p->len) {
    fail_eoi(p);
    return -1;
  }
  if (p->s[p->pos] != 'u') {
    fail(p, start, "unpaired high surrogate \\u%04X", hi);
    return -1;
  }
  ++p->pos;
  if (read_hex4(p, &lo) != 0) {
    return -1;
  }
  if (lo < 0xdc00 || lo > 0xdfff) {
    fail(p, start, "unpaired high surrogate \\u%04X", hi);
    return -1;
  }
  return sb_add_utf8(p, b, 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00));
}

/* utf8_seq checks the UTF-8 sequence at the current position (Unicode
 * Table 3-7: no overlongs, no surrogates, nothing above U+10FFFF) and
 * returns its length, or 0 after failing. */
static size_t utf8_seq(parser *p) {
  unsigned char c = p->s[p->pos];
  unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
  size_t n, k;

  if (c < 0xc2 || c > 0xf4) {
    fail(p, p->pos, "invalid UTF-8 byte 0x%02x in string", c);
    return 0;
  }
  if (c < 0xe0) {
    n = 2;
  } else if (c < 0xf0) {
    n = 3;
    if (c == 0xe0) {
      lo = 0xa0;
    } else if (c == 0xed) {
      hi = 0x9f;
    }
  } else {
    n = 4;
    if (c == 0xf0) {
      lo = 0x90;
    } else if (c == 0xf4) {
      hi = 0x8f;
    }
  }
  for (k = 1; k < n; ++k) {
    unsigned char d;

    if (p->pos + k == p->len) {
      fail_eoi(p);
      return 0;
    }
    d = p->s[p->pos + k];
    if (k == 1 ? (d < lo || d > hi) : (d & 0xc0) != 0x80) {
      fail(p, p->pos, "invalid UTF-8 sequence in string");
      return 0;
    }
  }
  return n;
}

/* parse_string_raw parses the string at the current position (a '"') into
 * a new NUL-terminated buffer |*out| of |*outlen| bytes. */
static int parse_string_raw(parser *p, char **out, size_t *outlen) {
  strbuf b = {NULL, 0, 0};

  ++p->pos; /* the opening quote */
  for (;;) {
    unsigned char c;

    if (p->pos == p->len) {
      fail_eoi(p);
      goto fail;
    }
    c = p->s[p->pos];
    if (c == '"') {
      ++p->pos;
      break;
    }
    if (c < 0x20) {
      fail(p, p->pos, "control character 0x%02x in string", c);
      goto fail;
    }
    if (c == '\\') {
      size_t start = p->pos;
      char e;

      ++p->pos;
      if (p->pos == p->len) {
        fail_eoi(p);
        goto fail;
      }
      switch (p->s[p->pos]) {
      case '"':
        e = '"';
        break;
      case '\\':
        e = '\\';
        break;
      case '/':
        e = '/';
        break;
      case 'b':
        e = '\b';
        break;
      case 'f':
        e = '\f';
        break;
      case 'n':
        e = '\n';
        break;
      case 'r':
        e = '\r';
        break;
      case 't':
        e = '\t';
        break;
      case 'u':
        ++p->pos;
        if (parse_unicode_escape(p, &b, start) != 0) {
          goto fail;
        }
        continue;
      default:
        fail(p, start, "invalid escape sequence");
        goto fail;
      }
      ++p->pos;
      if (sb_add(p, &b, &e, 1) != 0) {
        goto fail;
      }
      continue;
    }
    if (c < 0x80) {
      if (sb_add(p, &b, &c, 1) != 0) {
        goto fail;
      }
      ++p->pos;
    } else {
      size_t n = utf8_seq(p);

      if (n == 0 || sb_add(p, &b, p->s + p->pos, n) != 0) {
        goto fail;
      }
      p->pos += n;
    }
  }
  if (sb_reserve(p, &b, 0) != 0) { /* the empty string has no buffer yet */
    goto fail;
  }
  b.s[b.len] = '\0';
  *out = b.s;
  *outlen = b.len;
  return 0;

fail:
  free(b.s);
  return -1;
}

/* ---------------------------------------------------------------- scalars */

static json_value *parse_literal(parser *p, const char *word, json_type t, bool b) {
  size_t i, n = strlen(word);
  json_value *v;

  for (i = 0; i < n; ++i) {
    if (p->pos + i == p->len) {
      fail_eoi(p);
      return NULL;
    }
    if (p->s[p->pos + i] != (unsigned char)word[i]) {
      fail(p, p->pos + i, "invalid literal, expected '%s'", word);
      return NULL;
    }
  }
  v = new_value(p, t);
  if (v == NULL) {
    return NULL;
  }
  p->pos += n;
  v->u.b = b;
  return v;
}

/* expect_digits skips one or more digits; |what| names them for the
 * error. */
static int expect_digits(parser *p, const char *what) {
  if (p->pos == p->len) {
    fail_eoi(p);
    return -1;
  }
  if (!is_digit(p->s[p->pos])) {
    fail_char(p, what);
    return -1;
  }
  while (p->pos < p->len && is_digit(p->s[p->pos])) {
    ++p->pos;
  }
  return 0;
}

static json_value *parse_number(parser *p) {
  size_t start = p->pos, n;
  bool integral = true;
  char stackbuf[NUMBUF_LEN], *buf = stackbuf;
  json_value *v;
  double d;

  if (p->s[p->pos] == '-') {
    ++p->pos;
  }
  if (p->pos == p->len) {
    fail_eoi(p);
    return NULL;
  }
  if (p->s[p->pos] == '0') {
    ++p->pos;
    if (p->pos < p->len && is_digit(p->s[p->pos])) {
      fail(p, p->pos, "leading zeros are not allowed");
      return NULL;
    }
  } else if (expect_digits(p, "a digit") != 0) {
    return NULL;
  }
  if (p->pos < p->len && p->s[p->pos] == '.') {
    ++p->pos;
    integral = false;
    if (expect_digits(p, "a digit after '.'") != 0) {
      return NULL;
    }
  }
  if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
    ++p->pos;
    integral = false;
    if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-')) {
      ++p->pos;
    }
    if (expect_digits(p, "a digit in the exponent") != 0) {
      return NULL;
    }
  }

  n = p->pos - start;
  if (n >= sizeof(stackbuf)) {
    buf = malloc(n + 1);
    if (buf == NULL) {
      fail(p, start, "out of memory");
      return NULL;
    }
  }
  memcpy(buf, p->s + start, n);
  buf[n] = '\0';
  /* The grammar above is a subset of strtod's in the C locale, which
   * wtpctl never leaves. */
  d = strtod(buf, NULL);
  if (isinf(d)) {
    if (buf != stackbuf) {
      free(buf);
    }
    fail(p, start, "number out of range");
    return NULL;
  }
  v = new_value(p, JSON_NUMBER);
  if (v != NULL) {
    v->u.num.d = d;
    if (integral) {
      long long ll;

      errno = 0;
      ll = strtoll(buf, NULL, 10);
      if (errno == 0) {
        v->u.num.i = ll;
        v->u.num.is_int = true;
      }
    } else if (d == trunc(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
      v->u.num.i = (int64_t)d;
      v->u.num.is_int = true;
    }
  }
  if (buf != stackbuf) {
    free(buf);
  }
  return v;
}

/* ---------------------------------------------------------------- containers */

static json_value *parse_value(parser *p);

static int enter(parser *p) {
  if (p->depth == JSON_MAX_DEPTH) {
    fail(p, p->pos, "nesting deeper than %d levels", JSON_MAX_DEPTH);
    return -1;
  }
  ++p->depth;
  ++p->pos; /* the '[' or '{' */
  return 0;
}

static json_value *parse_array(parser *p) {
  json_value *v;
  size_t cap = 0;

  if (enter(p) != 0) {
    return NULL;
  }
  v = new_value(p, JSON_ARRAY);
  if (v == NULL) {
    return NULL;
  }
  skip_ws(p);
  if (p->pos < p->len && p->s[p->pos] == ']') {
    ++p->pos;
    --p->depth;
    return v;
  }
  for (;;) {
    json_value *e = parse_value(p);

    if (e == NULL) {
      goto fail;
    }
    if (v->u.arr.n == cap) {
      size_t ncap = cap ? cap * 2 : 4;
      json_value **a = realloc(v->u.arr.v, ncap * sizeof(*a));

      if (a == NULL) {
        json_free(e);
        fail(p, p->pos, "out of memory");
        goto fail;
      }
      v->u.arr.v = a;
      cap = ncap;
    }
    v->u.arr.v[v->u.arr.n++] = e;
    skip_ws(p);
    if (p->pos == p->len) {
      fail_eoi(p);
      goto fail;
    }
    if (p->s[p->pos] == ']') {
      ++p->pos;
      break;
    }
    if (p->s[p->pos] != ',') {
      fail_char(p, "',' or ']'");
      goto fail;
    }
    ++p->pos;
  }
  --p->depth;
  return v;

fail:
  json_free(v);
  return NULL;
}

static bool same_key(const json_member *a, const json_member *b) {
  return a->keylen == b->keylen && memcmp(a->key, b->key, a->keylen) == 0;
}

static int cmp_member(const void *x, const void *y) {
  const json_member *a = *(const json_member *const *)x;
  const json_member *b = *(const json_member *const *)y;
  size_t n = a->keylen < b->keylen ? a->keylen : b->keylen;
  int c = memcmp(a->key, b->key, n);

  if (c != 0) {
    return c;
  }
  if (a->keylen != b->keylen) {
    return a->keylen < b->keylen ? -1 : 1;
  }
  return a->off < b->off ? -1 : a->off > b->off; /* document order */
}

/* check_duplicates fails on the earliest member whose name appeared before
 * in the same object. */
static int check_duplicates(parser *p, const json_value *v) {
  const json_member *m = v->u.obj.m;
  size_t n = v->u.obj.n, i, j;
  size_t dup = SIZE_MAX;

  if (n <= DUP_LINEAR_MAX) {
    for (j = 1; j < n && dup == SIZE_MAX; ++j) {
      for (i = 0; i < j; ++i) {
        if (same_key(&m[i], &m[j])) {
          dup = m[j].off;
          break;
        }
      }
    }
  } else {
    const json_member **idx = malloc(n * sizeof(*idx));

    if (idx == NULL) {
      fail(p, p->pos, "out of memory");
      return -1;
    }
    for (i = 0; i < n; ++i) {
      idx[i] = &m[i];
    }
    qsort(idx, n, sizeof(*idx), cmp_member);
    for (i = 1; i < n; ++i) {
      if (same_key(idx[i - 1], idx[i]) && idx[i]->off < dup) {
        dup = idx[i]->off;
      }
    }
    free(idx);
  }
  if (dup != SIZE_MAX) {
    fail(p, dup, "duplicate member name");
    return -1;
  }
  return 0;
}

static json_value *parse_object(parser *p) {
  json_value *v;
  size_t cap = 0;

  if (enter(p) != 0) {
    return NULL;
  }
  v = new_value(p, JSON_OBJECT);
  if (v == NULL) {
    return NULL;
  }
  skip_ws(p);
  if (p->pos < p->len && p->s[p->pos] == '}') {
    ++p->pos;
    --p->depth;
    return v;
  }
  for (;;) {
    json_member m = {NULL, 0, 0, NULL};

    skip_ws(p);
    if (p->pos == p->len) {
      fail_eoi(p);
      goto fail;
    }
    if (p->s[p->pos] != '"') {
      fail_char(p, "a member name");
      goto fail;
    }
    m.off = p->pos;
    if (parse_string_raw(p, &m.key, &m.keylen) != 0) {
      goto fail;
    }
    skip_ws(p);
    if (p->pos == p->len) {
      free(m.key);
      fail_eoi(p);
      goto fail;
    }
    if (p->s[p->pos] != ':') {
      free(m.key);
      fail_char(p, "':'");
      goto fail;
    }
    ++p->pos;
    m.value = parse_value(p);
    if (m.value == NULL) {
      free(m.key);
      goto fail;
    }
    if (v->u.obj.n == cap) {
      size_t ncap = cap ? cap * 2 : 4;
      json_member *a = realloc(v->u.obj.m, ncap * sizeof(*a));

      if (a == NULL) {
        free(m.key);
        json_free(m.value);
        fail(p, p->pos, "out of memory");
        goto fail;
      }
      v->u.obj.m = a;
      cap = ncap;
    }
    v->u.obj.m[v->u.obj.n++] = m;
    skip_ws(p);
    if (p->pos == p->len) {
      fail_eoi(p);
      goto fail;
    }
    if (p->s[p->pos] == '}') {
      ++p->pos;
      break;
    }
    if (p->s[p->pos] != ',') {
      fail_char(p, "',' or '}'");
      goto fail;
    }
    ++p->pos;
  }
  if (check_duplicates(p, v) != 0) {
    goto fail;
  }
  --p->depth;
  return v;

fail:
  json_free(v);
  return NULL;
}

static json_value *parse_value(parser *p) {
  json_value *v;

  skip_ws(p);
  if (p->pos == p->len) {
    fail_eoi(p);
    return NULL;
  }
  switch (p->s[p->pos]) {
  case '{':
    return parse_object(p);
  case '[':
    return parse_array(p);
  case '"':
    v = new_value(p, JSON_STRING);
    if (v != NULL && parse_string_raw(p, &v->u.str.s, &v->u.str.len) != 0) {
      json_free(v);
      return NULL;
    }
    return v;
  case 't':
    return parse_literal(p, "true", JSON_BOOL, true);
  case 'f':
    return parse_literal(p, "false", JSON_BOOL, false);
  case 'n':
    return parse_literal(p, "null", JSON_NULL, false);
  default:
    if (p->s[p->pos] == '-' || is_digit(p->s[p->pos])) {
      return parse_number(p);
    }
    fail_char(p, "a value");
    return NULL;
  }
}

/* ---------------------------------------------------------------- API */

json_value *json_parse_at(const char *s, size_t len, size_t *erroff, char *err, size_t errlen) {
  parser p;
  json_value *v;

  memset(&p, 0, sizeof(p));
  p.s = (const unsigned char *)s;
  p.len = len;
  p.err = err;
  p.errlen = errlen;
  if (errlen > 0) {
    err[0] = '\0';
  }
  if (len > JSON_MAX_INPUT) {
    fail(&p, JSON_MAX_INPUT, "document longer than %u bytes", JSON_MAX_INPUT);
    v = NULL;
  } else if (s == NULL && len > 0) {
    fail(&p, 0, "no input");
    v = NULL;
  } else {
    v = parse_value(&p);
    if (v != NULL) {
      skip_ws(&p);
      if (p.pos != p.len) {
        fail_char(&p, "the end of the document");
        json_free(v);
        v = NULL;
      }
    }
  }
  if (v == NULL && erroff != NULL) {
    *erroff = p.erroff;
  }
  return v;
}

json_value *json_parse(const char *s, size_t len, char *err, size_t errlen) {
  return json_parse_at(s, len, NULL, err, errlen);
}

void json_free(json_value *v) {
  size_t i;

  if (v == NULL) {
    return;
  }
  switch (v->type) {
  case JSON_STRING:
    free(v->u.str.s);
    break;
  case JSON_ARRAY:
    for (i = 0; i < v->u.arr.n; ++i) {
      json_free(v->u.arr.v[i]);
    }
    free(v->u.arr.v);
    break;
  case JSON_OBJECT:
    for (i = 0; i < v->u.obj.n; ++i) {
      free(v->u.obj.m[i].key);
      json_free(v->u.obj.m[i].value);
    }
    free(v->u.obj.m);
    break;
  default:
    break;
  }
  free(v);
}

json_type json_type_of(const json_value *v) { return v ? v->type : JSON_NULL; }

const char *json_type_name(json_type t) {
  switch (t) {
  case JSON_NULL:
    return "null";
  case JSON_BOOL:
    return "boolean";
  case JSON_NUMBER:
    return "number";
  case JSON_STRING:
    return "string";
  case JSON_ARRAY:
    return "array";
  case JSON_OBJECT:
    return "object";
  }
  return "?";
}

const json_value *json_get(const json_value *v, const char *key) {
  size_t i, n;

  if (v == NULL || v->type != JSON_OBJECT || key == NULL) {
    return NULL;
  }
  n = strlen(key);
  for (i = 0; i < v->u.obj.n; ++i) {
    const json_member *m = &v->u.obj.m[i];

    if (m->keylen == n && memcmp(m->key, key, n) == 0) {
      return m->value;
    }
  }
  return NULL;
}

bool json_is_null(const json_value *v) { return v != NULL && v->type == JSON_NULL; }

bool json_bool(const json_value *v, bool *out) {
  if (v == NULL || v->type != JSON_BOOL) {
    return false;
  }
  *out = v->u.b;
  return true;
}

bool json_number(const json_value *v, double *out) {
  if (v == NULL || v->type != JSON_NUMBER) {
    return false;
  }
  *out = v->u.num.d;
  return true;
}

bool json_int(const json_value *v, int64_t *out) {
  if (v == NULL || v->type != JSON_NUMBER || !v->u.num.is_int) {
    return false;
  }
  *out = v->u.num.i;
  return true;
}

const char *json_string(const json_value *v, size_t *len) {
  if (v == NULL || v->type != JSON_STRING) {
    return NULL;
  }
  if (len != NULL) {
    *len = v->u.str.len;
  }
  return v->u.str.s;
}

size_t json_array_len(const json_value *v) {
  return v != NULL && v->type == JSON_ARRAY ? v->u.arr.n : 0;
}

const json_value *json_array_at(const json_value *v, size_t i) {
  if (v == NULL || v->type != JSON_ARRAY || i >= v->u.arr.n) {
    return NULL;
  }
  return v->u.arr.v[i];
}

size_t json_object_len(const json_value *v) {
  return v != NULL && v->type == JSON_OBJECT ? v->u.obj.n : 0;
}

const char *json_object_key(const json_value *v, size_t i, size_t *len) {
  if (v == NULL || v->type != JSON_OBJECT || i >= v->u.obj.n) {
    return NULL;
  }
  if (len != NULL) {
    *len = v->u.obj.m[i].keylen;
  }
  return v->u.obj.m[i].key;
}

const json_value *json_object_value(const json_value *v, size_t i) {
  if (v == NULL || v->type != JSON_OBJECT || i >= v->u.obj.n) {
    return NULL;
  }
  return v->u.obj.m[i].value;
}
