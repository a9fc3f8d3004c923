/* Strict configuration-file helpers over libconfig, shared by the server and
 * client loaders. Every error is formatted "FILE:LINE: NAME: problem" into
 * the caller's buffer, FILE being the path as given to conf_open. */
#ifndef WTPING_CONF_H
#define WTPING_CONF_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONF_MAX_SIZE (1024 * 1024) /* larger files are refused */

typedef struct conf_file {
  config_t cfg;
  const char *path; /* as given, for messages */
  char *text;       /* the file's contents, NUL-terminated */
  char *err;        /* the caller's error buffer */
  size_t errlen;
} conf_file;

/* conf_open reads and parses |path|. On failure |err| gets "cannot read
 * PATH: REASON" or "PATH:LINE: LIBCONFIG-TEXT", nothing is left to free,
 * and -1 is returned. On success conf_close must be called. */
int conf_open(conf_file *cf, const char *path, char *err, size_t errlen);

/* conf_close frees everything conf_open allocated. */
void conf_close(conf_file *cf);

/* conf_fail writes "FILE:LINE: NAME: " and the formatted text into the error
 * buffer, |s| (a named setting) giving the line and the name. Returns -1. */
int conf_fail(const conf_file *cf, const config_setting_t *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* conf_check_keys fails with "NAME: unknown setting" for the first member of
 * |group| not in |allowed| (NULL-terminated). Returns 0 or -1. */
int conf_check_keys(const conf_file *cf, const config_setting_t *group,
                    const char *const *allowed);

/* conf_get returns the top-level setting |name|, or NULL when absent. */
config_setting_t *conf_get(const conf_file *cf, const char *name);

/* Every getter below does nothing and returns 0 when |s| is NULL (the
 * setting is absent, the default stays); it returns -1 after conf_fail. */

enum {
  CONF_ABSPATH = 1u << 0,  /* must start with '/' */
  CONF_READABLE = 1u << 1, /* must name a readable file (not a directory) */
  CONF_EMPTY_OK = 1u << 2, /* "" is accepted whatever the other flags say */
};

/* conf_string copies a string shorter than |cap| bytes into |out|. */
int conf_string(const conf_file *cf, const config_setting_t *s, unsigned flags, char *out,
                size_t cap);

/* conf_uint reads an integer in [|min|, |max|]. */
int conf_uint(const conf_file *cf, const config_setting_t *s, unsigned min, unsigned max,
              unsigned *out);

/* conf_seconds reads a number of seconds (integer or float) and stores it in
 * nanoseconds, which must be in [|min_ns|, |max_ns|]. */
int conf_seconds(const conf_file *cf, const config_setting_t *s, uint64_t min_ns,
                 uint64_t max_ns, uint64_t *out);

/* conf_bool reads true or false. */
int conf_bool(const conf_file *cf, const config_setting_t *s, bool *out);

/* conf_mode reads a string of octal digits such as "0660", at most 0777. */
int conf_mode(const conf_file *cf, const config_setting_t *s, unsigned *out);

/* conf_log_level reads a level name (log_level_parse) into a LOG_* value. */
int conf_log_level(const conf_file *cf, const config_setting_t *s, int *out);

/* conf_string_list accepts a string or a non-empty list/array of at most
 * |max| strings and points |out|[0..*|n|) at them (valid until conf_close).
 * Callers report a bad element with conf_fail on |s| (the list's line)
 * quoting the element. */
int conf_string_list(const conf_file *cf, const config_setting_t *s, size_t max,
                     const char **out, size_t *n);

#endif
