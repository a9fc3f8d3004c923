/* A lexical pre-check of configuration text, run before libconfig sees it.
 *
 * libconfig 1.5 (Debian 12's libconfig9 1.5-0.4) leaks the string token
 * that causes a syntax error: a file holding just `""`, or `a = 1, "x"`,
 * loses that string's buffer on every parse, so a daemon reloaded again
 * and again with such a file would grow without bound. The leak needs a
 * string where the grammar cannot take one; conf_lex_check finds the first
 * such string (tracking only strings, comments, brackets and separators),
 * so the caller can hand libconfig just the text before it. It also refuses
 * "@include", which wtping does not support (libconfig would open the
 * named file, relative to the daemon's working directory). */
#ifndef WTPING_CONF_LEX_H
#define WTPING_CONF_LEX_H

#include <stddef.h>

typedef enum conf_lex_result {
  CONF_LEX_OK = 0,
  CONF_LEX_STRAY_STRING, /* a string where the grammar takes none */
  CONF_LEX_INCLUDE,      /* an @include directive */
  CONF_LEX_TOO_DEEP,     /* more than CONF_LEX_MAX_DEPTH nested brackets */
} conf_lex_result;

/* Deeper nesting is refused (libconfig's parser stack has its own limit;
 * wtping's files are flat). */
#define CONF_LEX_MAX_DEPTH 64

/* conf_lex_check scans the |len| bytes at |text|. Returns CONF_LEX_OK, or
 * the first problem with its byte offset in |*off| and its 1-based line in
 * |*line|. Pure: no allocation. */
conf_lex_result conf_lex_check(const char *text, size_t len, size_t *off, unsigned *line);

#endif
