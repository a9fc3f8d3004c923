/* When a self-rotating server makes, switches and publishes its browser
 * certificates. Sans-I/O: the caller passes the wall-clock time (UNIX
 * seconds) and the validity of the certificates it holds; nothing here reads
 * a clock or a file.
 *
 * The schedule: every certificate is an ECDSA P-256 leaf valid |lifetime|
 * seconds (browsers accept <= 14 days for serverCertificateHashes). The
 * current one is served for |period| seconds from its start; a "next" one is
 * made as soon as a current one exists, valid from the switch time, so that
 * its hash is published a whole period ahead and a page carrying both hashes
 * keeps working across the switch. Not-before is backdated by |backdate|
 * seconds against small clock differences. */
#ifndef WTPING_CERT_SCHEDULE_H
#define WTPING_CERT_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CERT_DAY_S 86400
/* The default: a new certificate every 6 days, each valid 13 days. */
#define CERT_PERIOD_DEFAULT_S (6 * CERT_DAY_S)
/* Limits of the rotation period (the setting certificate_rotation). Values
 * below a day are for tests only. */
#define CERT_PERIOD_MIN_S 12
#define CERT_PERIOD_MAX_S CERT_PERIOD_DEFAULT_S
/* Browsers refuse hashes of certificates valid longer than 14 days. */
#define CERT_BROWSER_MAX_VALIDITY_S (14 * CERT_DAY_S)
/* File mode: a certificate this close to its end is a warning. */
#define CERT_WARN_BEFORE_S (14 * CERT_DAY_S)

typedef struct cert_schedule_cfg {
  int64_t period;   /* seconds a certificate is served */
  int64_t lifetime; /* not_after - not_before */
  int64_t backdate; /* not_before = start - backdate */
} cert_schedule_cfg;

/* cert_schedule_cfg_init derives the schedule from the rotation period:
 * lifetime = period * 13 / 6 (13 days for 6), backdate = min(1 h,
 * period / 12). Returns 0, or -1 when |period| is outside
 * [CERT_PERIOD_MIN_S, CERT_PERIOD_MAX_S]. */
int cert_schedule_cfg_init(cert_schedule_cfg *c, int64_t period);

/* The validity of a certificate the server holds (|present| false: none). */
typedef struct cert_slot {
  bool present;
  int64_t not_before, not_after;
} cert_slot;

typedef enum cert_action {
  CERT_ACT_NONE = 0,     /* nothing to do before |wake_at| */
  CERT_ACT_MAKE_CURRENT, /* make a certificate and serve it now (none usable) */
  CERT_ACT_PROMOTE_NEXT, /* serve the next certificate from now on */
  CERT_ACT_MAKE_NEXT,    /* make the next certificate (valid from the switch) */
  CERT_ACT_DROP_NEXT,    /* the next certificate is unusable: forget it */
} cert_action;

typedef struct cert_plan {
  cert_action action;
  int64_t not_before, not_after; /* for CERT_ACT_MAKE_* */
  int64_t wake_at;               /* for CERT_ACT_NONE: ask again then */
} cert_plan;

/* cert_switch_at is when |cur| stops being served: not_before + backdate +
 * period, but never later than not_after - backdate (a certificate made
 * under another schedule is replaced before it expires). */
int64_t cert_switch_at(const cert_schedule_cfg *c, const cert_slot *cur);

/* cert_schedule_step decides the one thing to do at |now| given the current
 * and next certificates. The caller performs the action, updates the slots
 * and calls again until CERT_ACT_NONE, then sleeps until wake_at (it also
 * calls again whenever the clock may have jumped).
 * - no current, or the current one expired or not yet valid (downtime,
 *   clock set back): a next one valid now is promoted, else a new current
 *   one valid from now is made at once;
 * - the current one is due for its switch: the next one is promoted if it
 *   is valid now, else dropped;
 * - a next one that does not start at the current one's switch time or
 *   expires before the switch after that is dropped;
 * - no next one: it is made. */
cert_plan cert_schedule_step(const cert_schedule_cfg *c, const cert_slot *cur,
                             const cert_slot *next, int64_t now);

/* cert_schedule_published tells which certificates' hashes to publish at
 * |now| (current first): out[i] = 0 for the current, 1 for the next. Only
 * certificates that are present and not expired are published. Returns how
 * many (0..2). */
size_t cert_schedule_published(const cert_slot *cur, const cert_slot *next, int64_t now,
                               int out[2]);

/* The state of a certificate in file mode. */
typedef enum cert_expiry {
  CERT_EXPIRY_OK = 0,
  CERT_EXPIRY_SOON,    /* within min(|warn_before|, a quarter of its
                        * validity) seconds of not_after */
  CERT_EXPIRY_EXPIRED, /* now >= not_after */
  CERT_EXPIRY_NOT_YET, /* now < not_before */
} cert_expiry;

cert_expiry cert_expiry_state(int64_t not_before, int64_t not_after, int64_t now,
                              int64_t warn_before);
const char *cert_expiry_name(cert_expiry e);

#endif
