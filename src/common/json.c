/* A JSON writer with a hard maximum size. */
#include "common/json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"

#define JW_INITIAL_CAP 256

void jw_init(jw *w, size_t max_bytes) {
  memset(w, 0, sizeof(*w));
  /* so that len + n + 1 and max + 1 never wrap */
  w->max = max_bytes > SIZE_MAX / 2 ? SIZE_MAX / 2 : max_bytes;
}

void jw_free(jw *w) {
  free(w->buf);
  jw_init(w, w->max);
}

void jw_reset(jw *w) {
  w->len = 0;
  if (w->buf) {
    w->buf[0] = '\0';
  }
  w->depth = 0;
  w->key_pending = false;
  w->done = false;
  w->overflow = false;
  w->error = false;
}

bool jw_ok(const jw *w) { return !w->overflow && !w->error; }

const char *jw_data(const jw *w) { return w->buf ? w->buf : ""; }

size_t jw_len(const jw *w) { return w->len; }

/*
 * jw_reserve makes room for |n| more bytes of text plus the NUL. Returns 0,
 * or -1 after setting |overflow| (past |max|) or |error| (no memory).
 */
static int jw_reserve(jw *w, size_t n) {
  size_t need, cap;
  char *p;

  if (n > w->max - w->len) {
    w->overflow = true;
    return -1;
  }
  need = w->len + n + 1;
  if (need <= w->cap) {
    return 0;
  }
  cap = w->cap ? w->cap : JW_INITIAL_CAP;
  while (cap < need) {
    cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
  }
  /* never allocate much beyond what max allows */
  if (cap > w->max + 1) {
    cap = w->max + 1;
  }
  p = realloc(w->buf, cap);
  if (p == NULL) {
    w->error = true;
    return -1;
  }
  w->buf = p;
  w->cap = cap;
  return 0;
}

/*
 * jw_put appends the |n| bytes at |p| entirely or not at all.
 */
static int jw_put(jw *w, const char *p, size_t n) {
  if (!jw_ok(w)) {
    return -1;
  }
  if (jw_reserve(w, n) != 0) {
    return -1;
  }
  memcpy(w->buf + w->len, p, n);
  w->len += n;
  w->buf[w->len] = '\0';
  return 0;
}

static int jw_putc(jw *w, char c) { return jw_put(w, &c, 1); }

/*
 * jw_before_value writes the comma a value needs, or sets |error| if a value
 * is not allowed here. Returns 0 or -1.
 */
static int jw_before_value(jw *w) {
  if (!jw_ok(w)) {
    return -1;
  }
  if (w->depth == 0) {
    if (w->done) {
      w->error = true;
      return -1;
    }
    return 0;
  }
  if (w->obj[w->depth - 1]) {
    if (!w->key_pending) {
      w->error = true;
      return -1;
    }
    return 0;
  }
  if (w->nonempty[w->depth - 1]) {
    return jw_putc(w, ',');
  }
  return 0;
}

/*
 * jw_after_value records that a whole value was written.
 */
static void jw_after_value(jw *w) {
  if (!jw_ok(w)) {
    return;
  }
  if (w->depth == 0) {
    w->done = true;
    return;
  }
  w->nonempty[w->depth - 1] = true;
  w->key_pending = false;
}

static void jw_begin(jw *w, bool obj) {
  if (jw_before_value(w) != 0) {
    return;
  }
  if (w->depth == JW_MAX_DEPTH) {
    w->error = true;
    return;
  }
  if (jw_putc(w, obj ? '{' : '[') != 0) {
    return;
  }
  w->obj[w->depth] = obj;
  w->nonempty[w->depth] = false;
  w->depth++;
  w->key_pending = false;
}

static void jw_end(jw *w, bool obj) {
  if (!jw_ok(w)) {
    return;
  }
  if (w->depth == 0 || w->obj[w->depth - 1] != obj || w->key_pending) {
    w->error = true;
    return;
  }
  if (jw_putc(w, obj ? '}' : ']') != 0) {
    return;
  }
  w->depth--;
  jw_after_value(w);
}

void jw_obj_begin(jw *w) { jw_begin(w, true); }
void jw_obj_end(jw *w) { jw_end(w, true); }
void jw_arr_begin(jw *w) { jw_begin(w, false); }
void jw_arr_end(jw *w) { jw_end(w, false); }

/*
 * jw_utf8_seq returns the length of the valid UTF-8 sequence at the start of
 * the |len| bytes at |p| (|len| > 0), or 0 if the first byte does not start
 * one.
 */
static size_t jw_utf8_seq(const uint8_t *p, size_t len) {
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
  if (len < n || !utf8_valid(p, n)) {
    return 0;
  }
  return n;
}

/*
 * jw_quote writes the |len| bytes at |s| as a quoted, escaped string.
 */
static void jw_quote(jw *w, const char *s, size_t len) {
  static const char hex[] = "0123456789abcdef";
  const uint8_t *p = (const uint8_t *)s;
  size_t i = 0, run, n;
  char esc[6];

  if (jw_putc(w, '"') != 0) {
    return;
  }
  while (i < len) {
    /* copy the longest run that needs no escaping at once */
    run = i;
    while (run < len && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\') {
      run++;
    }
    if (run > i) {
      if (jw_put(w, s + i, run - i) != 0) {
        return;
      }
      i = run;
      continue;
    }
    if (p[i] == '"' || p[i] == '\\') {
      esc[0] = '\\';
      esc[1] = (char)p[i];
      if (jw_put(w, esc, 2) != 0) {
        return;
      }
      i++;
    } else if (p[i] < 0x20) {
      memcpy(esc, "\\u00", 4);
      esc[4] = hex[p[i] >> 4];
      esc[5] = hex[p[i] & 0xf];
      if (jw_put(w, esc, 6) != 0) {
        return;
      }
      i++;
    } else {
      n = jw_utf8_seq(p + i, len - i);
      if (n == 0) {
        /* U+FFFD REPLACEMENT CHARACTER for the one bad byte */
        if (jw_put(w, "\xef\xbf\xbd", 3) != 0) {
          return;
        }
        i++;
      } else {
        if (jw_put(w, s + i, n) != 0) {
          return;
        }
        i += n;
      }
    }
  }
  jw_putc(w, '"');
}

void jw_key(jw *w, const char *key) {
  if (!jw_ok(w)) {
    return;
  }
  if (w->depth == 0 || !w->obj[w->depth - 1] || w->key_pending || key == NULL) {
    w->error = true;
    return;
  }
  if (w->nonempty[w->depth - 1] && jw_putc(w, ',') != 0) {
    return;
  }
  jw_quote(w, key, strlen(key));
  if (jw_putc(w, ':') != 0) {
    return;
  }
  w->key_pending = true;
}

void jw_strn(jw *w, const char *s, size_t len) {
  if (jw_before_value(w) != 0) {
    return;
  }
  jw_quote(w, s, len);
  jw_after_value(w);
}

void jw_str(jw *w, const char *s) {
  if (s == NULL) {
    jw_null(w);
    return;
  }
  jw_strn(w, s, strlen(s));
}

/*
 * jw_literal writes the |n| bytes at |p| as one value.
 */
static void jw_literal(jw *w, const char *p, size_t n) {
  if (jw_before_value(w) != 0) {
    return;
  }
  if (jw_put(w, p, n) != 0) {
    return;
  }
  jw_after_value(w);
}

void jw_int(jw *w, int64_t v) {
  char tmp[24];
  int n = snprintf(tmp, sizeof(tmp), "%" PRId64, v);

  jw_literal(w, tmp, (size_t)n);
}

void jw_uint(jw *w, uint64_t v) {
  char tmp[24];
  int n = snprintf(tmp, sizeof(tmp), "%" PRIu64, v);

  jw_literal(w, tmp, (size_t)n);
}

void jw_double(jw *w, double v) {
  char tmp[40], *e;
  int n = 0, prec, exp10;

  if (!isfinite(v)) {
    jw_null(w);
    return;
  }
  for (prec = 1; prec <= 15; prec++) {
    n = snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
    if (strtod(tmp, NULL) == v) {
      break;
    }
  }
  /* prec 16 means none read back exactly: tmp holds the %.15g form */
  if (prec > 15) {
    prec = 15;
  }
  /* %g switches to an exponent once it is >= the precision ("1.5e+03");
   * print up to 15 integer digits in full instead ("1500") */
  e = strchr(tmp, 'e');
  if (e) {
    exp10 = atoi(e + 1);
    if (exp10 >= prec && exp10 < 15) {
      n = snprintf(tmp, sizeof(tmp), "%.*g", exp10 + 1, v);
    }
  }
  for (int i = 0; i < n; i++) {
    /* a locale with a decimal comma must not break the JSON */
    if (tmp[i] == ',') {
      tmp[i] = '.';
    }
  }
  jw_literal(w, tmp, (size_t)n);
}

void jw_bool(jw *w, bool v) {
  if (v) {
    jw_literal(w, "true", 4);
  } else {
    jw_literal(w, "false", 5);
  }
}

void jw_null(jw *w) { jw_literal(w, "null", 4); }

void jw_kv_str(jw *w, const char *key, const char *s) {
  jw_key(w, key);
  jw_str(w, s);
}

void jw_kv_int(jw *w, const char *key, int64_t v) {
  jw_key(w, key);
  jw_int(w, v);
}

void jw_kv_uint(jw *w, const char *key, uint64_t v) {
  jw_key(w, key);
  jw_uint(w, v);
}

void jw_kv_double(jw *w, const char *key, double v) {
  jw_key(w, key);
  jw_double(w, v);
}

void jw_kv_bool(jw *w, const char *key, bool v) {
  jw_key(w, key);
  jw_bool(w, v);
}

void jw_kv_null(jw *w, const char *key) {
  jw_key(w, key);
  jw_null(w);
}
