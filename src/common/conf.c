/* Strict configuration-file helpers over libconfig. */
#include "common/conf.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/conf_lex.h"
#include "common/log.h"

/* read_all reads |path| into a NUL-terminated heap buffer. Returns it, or
 * NULL with |err| set. */
static char *read_all(const char *path, char *err, size_t errlen) {
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
    return NULL;
  }
  char *buf = malloc(CONF_MAX_SIZE + 1);
  size_t n = buf ? fread(buf, 1, CONF_MAX_SIZE + 1, f) : 0;
  int e = !buf ? ENOMEM : ferror(f) ? errno : 0;
  fclose(f);
  if (e || n > CONF_MAX_SIZE || (buf && memchr(buf, 0, n))) {
    if (e)
      snprintf(err, errlen, "cannot read %s: %s", path, strerror(e));
    else
      snprintf(err, errlen, "cannot read %s: %s", path,
               n > CONF_MAX_SIZE ? "file too large" : "not a text file");
    free(buf);
    return NULL;
  }
  buf[n] = '\0';
  return buf;
}

/* one_line replaces control characters other than tab in the message |m|
 * by '?': values quoted in messages can hold newlines (a string continued
 * on the next line) or terminal escapes, and a message must stay one log
 * line (fuzz_server_config). */
static void one_line(char *m) {
  for (; *m; m++)
    if (((unsigned char)*m < 0x20 && *m != '\t') || *m == 0x7f)
      *m = '?';
}

int conf_open(conf_file *cf, const char *path, char *err, size_t errlen) {
  memset(cf, 0, sizeof(*cf));
  cf->path = path;
  cf->err = err;
  cf->errlen = errlen;
  cf->text = read_all(path, err, errlen);
  if (!cf->text)
    return -1;
  /* libconfig 1.5 leaks a string that causes a syntax error (conf_lex.h):
   * it only ever sees the text before such a string. */
  size_t off;
  unsigned line;
  conf_lex_result lr = conf_lex_check(cf->text, strlen(cf->text), &off, &line);
  if (lr == CONF_LEX_INCLUDE || lr == CONF_LEX_TOO_DEEP) {
    snprintf(err, errlen, "%s:%u: %s", path, line,
             lr == CONF_LEX_INCLUDE ? "@include is not supported" : "nested too deeply");
    free(cf->text);
    cf->text = NULL;
    return -1;
  }
  if (lr == CONF_LEX_STRAY_STRING)
    cf->text[off] = '\0';
  config_init(&cf->cfg);
  if (config_read_string(&cf->cfg, cf->text) != CONFIG_TRUE) {
    const char *file = config_error_file(&cf->cfg);
    snprintf(err, errlen, "%s:%d: %s", file ? file : path, config_error_line(&cf->cfg),
             config_error_text(&cf->cfg));
    one_line(err);
    conf_close(cf);
    return -1;
  }
  if (lr == CONF_LEX_STRAY_STRING) {
    /* the text before the string is fine: the string is the error */
    snprintf(err, errlen, "%s:%u: syntax error", path, line);
    conf_close(cf);
    return -1;
  }
  return 0;
}

void conf_close(conf_file *cf) {
  if (!cf->text)
    return;
  config_destroy(&cf->cfg);
  free(cf->text);
  cf->text = NULL;
}

int conf_fail(const conf_file *cf, const config_setting_t *s, const char *fmt, ...) {
  const char *file = config_setting_source_file(s);
  int n = snprintf(cf->err, cf->errlen, "%s:%u: %s: ", file ? file : cf->path,
                   config_setting_source_line(s), s->name ? s->name : "?");
  if (n < 0 || (size_t)n >= cf->errlen)
    return -1;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cf->err + n, cf->errlen - (size_t)n, fmt, ap);
  va_end(ap);
  one_line(cf->err);
  return -1;
}

int conf_check_keys(const conf_file *cf, const config_setting_t *group,
                    const char *const *allowed) {
  for (int i = 0; i < config_setting_length(group); i++) {
    const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
    size_t k = 0;
    while (allowed[k] && strcmp(allowed[k], s->name) != 0)
      k++;
    if (!allowed[k])
      return conf_fail(cf, s, "unknown setting");
  }
  return 0;
}

config_setting_t *conf_get(const conf_file *cf, const char *name) {
  return config_setting_get_member(config_root_setting(&cf->cfg), name);
}

/* int_text_ok guards against libconfig 1.5 silently wrapping integer
 * literals that do not fit in an int (4294967297 reads as 1): it finds
 * "NAME =" on the setting's source line and checks that the literal there
 * has the value |v|. Returns false on a mismatch; true when it matches or
 * the text cannot be found (e.g. an @include'd file). */
static bool int_text_ok(const conf_file *cf, const config_setting_t *s, long long v) {
  const char *p = cf->text;
  for (unsigned l = 1; p && l < config_setting_source_line(s); l++)
    if ((p = strchr(p, '\n')))
      p++;
  if (!p || !s->name || config_setting_source_file(s))
    return true;
  size_t nl = strlen(s->name);
  for (const char *q = p; *q && *q != '\n'; q++) {
    if (strncmp(q, s->name, nl) != 0 ||
        (q > p && (isalnum((unsigned char)q[-1]) || strchr("_-*", q[-1]))))
      continue;
    const char *r = q + nl + strspn(q + nl, " \t\r\n");
    if (*r != '=' && *r != ':')
      continue;
    r++;
    r += strspn(r, " \t\r\n");
    char *end;
    errno = 0;
    long long t = strtoll(r, &end, r[0] == '0' && (r[1] == 'x' || r[1] == 'X') ? 16 : 10);
    return end == r || (errno == 0 && t == v);
  }
  return true;
}

int conf_string(const conf_file *cf, const config_setting_t *s, unsigned flags, char *out,
                size_t cap) {
  if (!s)
    return 0;
  if (config_setting_type(s) != CONFIG_TYPE_STRING)
    return conf_fail(cf, s, "expected a string");
  const char *v = config_setting_get_string(s);
  size_t n = strlen(v);
  struct stat st;
  if (n >= cap)
    return conf_fail(cf, s, "too long (at most %zu bytes)", cap - 1);
  if (n == 0 && (flags & CONF_EMPTY_OK)) {
    out[0] = '\0';
    return 0;
  }
  if ((flags & CONF_ABSPATH) && v[0] != '/')
    return conf_fail(cf, s, "must be an absolute path");
  if ((flags & CONF_READABLE) && (access(v, R_OK) != 0 || stat(v, &st) != 0))
    return conf_fail(cf, s, "cannot read %s: %s", v, strerror(errno));
  if ((flags & CONF_READABLE) && S_ISDIR(st.st_mode))
    return conf_fail(cf, s, "cannot read %s: %s", v, strerror(EISDIR));
  memcpy(out, v, n + 1);
  return 0;
}

int conf_uint(const conf_file *cf, const config_setting_t *s, unsigned min, unsigned max,
              unsigned *out) {
  if (!s)
    return 0;
  int t = config_setting_type(s);
  if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
    return conf_fail(cf, s, "expected an integer");
  long long v = config_setting_get_int64(s);
  if (!int_text_ok(cf, s, v) || v < (long long)min || v > (long long)max)
    return conf_fail(cf, s, "out of range (%u..%u)", min, max);
  *out = (unsigned)v;
  return 0;
}

int conf_seconds(const conf_file *cf, const config_setting_t *s, uint64_t min_ns,
                 uint64_t max_ns, uint64_t *out) {
  if (!s)
    return 0;
  int t = config_setting_type(s);
  double v;
  bool ok = true;
  if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
    long long i = config_setting_get_int64(s);
    ok = int_text_ok(cf, s, i);
    v = (double)i;
  } else if (t == CONFIG_TYPE_FLOAT) {
    v = config_setting_get_float(s);
  } else {
    return conf_fail(cf, s, "expected a number of seconds");
  }
  double ns = v * 1e9;
  ok = ok && ns >= 0 && ns < (double)max_ns + 0.5;
  uint64_t r = ok ? (uint64_t)(ns + 0.5) : 0;
  if (!ok || r < min_ns || r > max_ns) {
    if (min_ns == 1)
      return conf_fail(cf, s, "out of range (more than 0, at most %g seconds)",
                       (double)max_ns / 1e9);
    return conf_fail(cf, s, "out of range (%g..%g seconds)", (double)min_ns / 1e9,
                     (double)max_ns / 1e9);
  }
  *out = r;
  return 0;
}

int conf_bool(const conf_file *cf, const config_setting_t *s, bool *out) {
  if (!s)
    return 0;
  if (config_setting_type(s) != CONFIG_TYPE_BOOL)
    return conf_fail(cf, s, "expected true or false");
  *out = config_setting_get_bool(s) != 0;
  return 0;
}

int conf_mode(const conf_file *cf, const config_setting_t *s, unsigned *out) {
  if (!s)
    return 0;
  if (config_setting_type(s) != CONFIG_TYPE_STRING)
    return conf_fail(cf, s, "expected a string such as \"0660\"");
  const char *v = config_setting_get_string(s);
  unsigned m = 0;
  size_t i = 0;
  for (; v[i] >= '0' && v[i] <= '7' && m <= 0777; i++)
    m = m * 8 + (unsigned)(v[i] - '0');
  if (i == 0 || v[i] || m > 0777)
    return conf_fail(cf, s, "invalid mode \"%s\" (octal digits, at most 0777)", v);
  *out = m;
  return 0;
}

int conf_log_level(const conf_file *cf, const config_setting_t *s, int *out) {
  if (!s)
    return 0;
  if (config_setting_type(s) != CONFIG_TYPE_STRING)
    return conf_fail(cf, s, "expected a string");
  const char *v = config_setting_get_string(s);
  int level = log_level_parse(v);
  if (level < 0)
    return conf_fail(cf, s, "unknown level \"%s\" (error, warning, notice, info, debug)", v);
  *out = level;
  return 0;
}

int conf_string_list(const conf_file *cf, const config_setting_t *s, size_t max,
                     const char **out, size_t *n) {
  static const char want[] = "expected a string or a list of strings";
  if (!s)
    return 0;
  if (config_setting_type(s) == CONFIG_TYPE_STRING) {
    out[0] = config_setting_get_string(s);
    *n = 1;
    return 0;
  }
  if (!config_setting_is_list(s) && !config_setting_is_array(s))
    return conf_fail(cf, s, "%s", want);
  size_t len = (size_t)config_setting_length(s);
  if (len == 0)
    return conf_fail(cf, s, "empty list");
  if (len > max)
    return conf_fail(cf, s, "too many entries (at most %zu)", max);
  for (size_t i = 0; i < len; i++) {
    const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
    if (config_setting_type(e) != CONFIG_TYPE_STRING)
      return conf_fail(cf, s, "%s", want);
    out[i] = config_setting_get_string(e);
  }
  *n = len;
  return 0;
}
