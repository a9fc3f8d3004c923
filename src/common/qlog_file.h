/* qlog files for diagnostics (--qlog DIR): one file per QUIC connection,
 * named after the connection's original destination connection ID so that
 * the client's and the server's files of one connection share a prefix:
 * DIR/<odcid hex>.<role>.sqlog. The content is what ngtcp2's qlog writer
 * produces (JSON text sequences, qlog 0.3), which qvis opens as is. */
#ifndef WTPING_QLOG_FILE_H
#define WTPING_QLOG_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct qlog_file qlog_file;

/* qlog_file_name writes "<dir>/<hex of id>.<role>.sqlog" into |out|.
 * Returns 0, or -1 if it does not fit |cap| or |idlen| is 0 or above 20. */
int qlog_file_name(char *out, size_t cap, const char *dir, const uint8_t *id, size_t idlen,
                   const char *role);

/* qlog_file_open creates the file (it must not exist; mode 0640). Returns
 * the handle, or NULL with the reason in |err|. */
qlog_file *qlog_file_open(const char *dir, const uint8_t *id, size_t idlen, const char *role,
                          char *err, size_t errlen);

/* qlog_file_write appends |len| bytes; |fin| (ngtcp2's
 * NGTCP2_QLOG_WRITE_FLAG_FIN) flushes and closes the file, later writes are
 * ignored. A write error stops further writes. */
void qlog_file_write(qlog_file *q, const void *data, size_t len, bool fin);

/* qlog_file_close flushes, closes and frees (NULL is fine). */
void qlog_file_close(qlog_file *q);

#endif
