/* Logging to stderr. Under systemd (JOURNAL_STREAM set, or forced) each line
 * gets an sd-daemon "<N>" priority prefix so journald keeps the level;
 * on a terminal lines are plain. */
#ifndef WTPING_LOG_H
#define WTPING_LOG_H

#include <syslog.h>

/* log_init sets the program name and the most verbose level shown
 * (LOG_ERR..LOG_DEBUG). */
void log_init(const char *progname, int max_level);
void log_set_level(int max_level);
int log_get_level(void);
/* log_level_parse maps "error", "warning", "notice", "info", "debug" to a
 * level. Returns -1 for an unknown name. */
int log_level_parse(const char *name);

void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)                                                                             \
  do {                                                                                             \
    if (log_get_level() >= LOG_DEBUG)                                                              \
      log_msg(LOG_DEBUG, __VA_ARGS__);                                                             \
  } while (0)

#endif
