/* Lexical pre-check of libconfig text (see conf_lex.h). The token rules
 * follow libconfig 1.5's scanner: strings in double quotes with backslash
 * escapes (newlines allowed inside), comments "#..." and "//..." to the end
 * of the line and "/" "*...*" "/", the separators = : , ; and the brackets
 * { } ( ) [ ]; every other run of characters is one "other" token (a name,
 * a number, a boolean or garbage), whose details do not matter here. */
#include "common/conf_lex.h"

#include <stdbool.h>
#include <string.h>

/* The previous significant token, as far as strings care. */
typedef enum prev_tok {
  PREV_NONE,    /* start of text */
  PREV_EQUALS,  /* = or : : a value follows */
  PREV_STRING,  /* adjacent strings are concatenated */
  PREV_OPEN,    /* ( [ or { */
  PREV_COMMA,   /* , */
  PREV_OTHER,   /* ; ) ] } or a name, number, boolean, garbage */
} prev_tok;

/* string_allowed: with every earlier token accepted by the grammar, a string
 * may follow "=", ":", another string, or "(" "[" "," directly inside a list
 * or an array (inside a group or at the top, "," ends a setting). */
static bool string_allowed(prev_tok prev, char inner) {
  if (prev == PREV_EQUALS || prev == PREV_STRING)
    return true;
  return (prev == PREV_OPEN || prev == PREV_COMMA) && (inner == '(' || inner == '[');
}

/* include_at returns true if "@include" starts at |i|, with only
 * blanks before it on its line. */
static bool include_at(const char *t, size_t len, size_t i) {
  static const char kw[] = "@include";
  if (len - i < sizeof(kw) - 1 || memcmp(t + i, kw, sizeof(kw) - 1) != 0)
    return false;
  for (size_t j = i; j > 0 && t[j - 1] != '\n'; j--)
    if (t[j - 1] != ' ' && t[j - 1] != '\t')
      return false;
  return true;
}

conf_lex_result conf_lex_check(const char *t, size_t len, size_t *off, unsigned *line) {
  char stack[CONF_LEX_MAX_DEPTH];
  size_t depth = 0;
  prev_tok prev = PREV_NONE;
  unsigned ln = 1;
  size_t i = 0;

  while (i < len) {
    char c = t[i];
    if (c == '\n') {
      ln++;
      i++;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
      i++;
    } else if (c == '#' || (c == '/' && i + 1 < len && t[i + 1] == '/')) {
      while (i < len && t[i] != '\n')
        i++;
    } else if (c == '/' && i + 1 < len && t[i + 1] == '*') {
      i += 2;
      while (i < len && !(t[i] == '*' && i + 1 < len && t[i + 1] == '/')) {
        if (t[i] == '\n')
          ln++;
        i++;
      }
      i = i < len ? i + 2 : len;
    } else if (c == '"') {
      if (!string_allowed(prev, depth ? stack[depth - 1] : 0)) {
        *off = i;
        *line = ln;
        return CONF_LEX_STRAY_STRING;
      }
      for (i++; i < len && t[i] != '"'; i++) {
        if (t[i] == '\n')
          ln++;
        else if (t[i] == '\\' && i + 1 < len) {
          i++; /* the escaped character, \" and \\ included */
          if (t[i] == '\n')
            ln++;
        }
      }
      i = i < len ? i + 1 : len; /* an unterminated string ends the text */
      prev = PREV_STRING;
    } else if (c == '@' && include_at(t, len, i)) {
      *off = i;
      *line = ln;
      return CONF_LEX_INCLUDE;
    } else if (c == '=' || c == ':') {
      prev = PREV_EQUALS;
      i++;
    } else if (c == ',') {
      prev = PREV_COMMA;
      i++;
    } else if (c == '{' || c == '(' || c == '[') {
      if (depth == CONF_LEX_MAX_DEPTH) {
        *off = i;
        *line = ln;
        return CONF_LEX_TOO_DEEP;
      }
      stack[depth++] = c;
      prev = PREV_OPEN;
      i++;
    } else if (c == '}' || c == ')' || c == ']') {
      if (depth > 0)
        depth--;
      prev = PREV_OTHER;
      i++;
    } else {
      /* ';', or a run of anything else (at least this character) up to
       * the next character that has a meaning above */
      i++;
      while (c != ';' && i < len && !strchr(" \t\r\f\n#\"=:,;{}()[]@", t[i]) &&
             !(t[i] == '/' && i + 1 < len && (t[i + 1] == '/' || t[i + 1] == '*')))
        i++;
      prev = PREV_OTHER;
    }
  }
  return CONF_LEX_OK;
}
