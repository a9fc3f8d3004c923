/* Bearer token files: one token per line; blank lines and lines starting
 * with '#' are skipped; blanks around a token are ignored. The server reads
 * the tokens it accepts from one (tokens_file, or the systemd credential
 * "tokens"), the client the token it sends (token_file, or the credential
 * "token": the first token in the file). */
#ifndef WTPING_TOKEN_FILE_H
#define WTPING_TOKEN_FILE_H

#include <stddef.h>

#define TOKEN_FILE_MAX_SIZE (256 * 1024)

/* Called for each token (|len| bytes, not NUL-terminated); return 0 to go
 * on, or -1 with a static reason in |*why| to stop. */
typedef int (*token_file_cb)(void *ud, const char *token, size_t len, const char **why);

/* token_file_parse splits |text| (|len| bytes) into tokens. Returns the
 * number of tokens, or -1 when |cb| refused one or a line holds a NUL or two
 * words: |*line| is its 1-based line and |*why| the reason. Pure. */
long token_file_parse(const char *text, size_t len, token_file_cb cb, void *ud, unsigned *line,
                      const char **why);

/* token_file_read reads |path| (at most TOKEN_FILE_MAX_SIZE bytes) into a
 * heap buffer (|*len| bytes, NUL-terminated). Unless |from_cred|, the file's
 * permissions must pass secret_file_check. Returns the buffer (free it after
 * wiping it with token_file_wipe), or NULL with |err|. */
char *token_file_read(const char *path, int from_cred, size_t *len, char *err, size_t errlen);

/* token_file_wipe overwrites |len| bytes at |p| with zeros (not optimised
 * away) and frees |p|. */
void token_file_wipe(char *p, size_t len);

#endif
