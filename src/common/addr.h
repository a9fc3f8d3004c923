/* Socket address parsing and formatting for options and logs. */
#ifndef WTPING_ADDR_H
#define WTPING_ADDR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define ADDR_STRLEN 64 /* "[ffff:...:ffff%ifname]:65535" fits */

/* addr_parse parses a numeric "IPv4:PORT", "[IPv6]:PORT", or "*:PORT" (which
 * means [::], dual-stack) into |out|. With no ":PORT", |default_port| is
 * used (for IPv6 the brackets are then optional). No name resolution.
 * Returns 0, or -1 with a static message in |*err| (e.g. "port 70000 out of
 * range", "not a numeric address"). */
int addr_parse(const char *s, uint16_t default_port, struct sockaddr_storage *out,
               socklen_t *outlen, const char **err);

/* addr_format writes "1.2.3.4:443" or "[::1]:443" into |buf| (|cap| bytes;
 * ADDR_STRLEN is enough) and returns |buf|. IPv4-mapped IPv6 addresses are
 * shown as IPv4. */
char *addr_format(const struct sockaddr *sa, char *buf, size_t cap);

/* addr_format_host is addr_format without the port (and without brackets). */
char *addr_format_host(const struct sockaddr *sa, char *buf, size_t cap);

#endif
