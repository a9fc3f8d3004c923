#include "common/log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *log_prog = "wtping";
static int log_level = LOG_INFO;
static bool log_prefix;

void log_init(const char *progname, int max_level) {
  log_prog = progname;
  log_level = max_level;
  /* journald sets JOURNAL_STREAM for services whose stderr it reads. */
  log_prefix = getenv("JOURNAL_STREAM") != NULL;
}

void log_set_level(int max_level) { log_level = max_level; }

int log_get_level(void) { return log_level; }

int log_level_parse(const char *name) {
  static const struct {
    const char *name;
    int level;
  } names[] = {{"error", LOG_ERR},   {"warning", LOG_WARNING}, {"notice", LOG_NOTICE},
               {"info", LOG_INFO},   {"debug", LOG_DEBUG}};
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (strcmp(name, names[i].name) == 0)
      return names[i].level;
  return -1;
}

void log_msg(int level, const char *fmt, ...) {
  if (level > log_level)
    return;
  char line[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  if (log_prefix)
    fprintf(stderr, "<%d>%s\n", level, line);
  else
    fprintf(stderr, "%s: %s\n", log_prog, line);
}
