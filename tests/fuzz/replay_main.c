/* A standalone main for the fuzz harnesses (no libFuzzer): runs every file
 * named on the command line, or every file under the given directories,
 * through LLVMFuzzerTestOneInput once. With no arguments it replays
 * $top_srcdir/tests/fuzz/corpus/FUZZ_NAME and .../crashes/FUZZ_NAME, which
 * is how `make check` runs it. Exits 0 when every input went through, 77
 * (skipped) when the default directories are missing, 1 on an unreadable
 * input; a bug in the code under test aborts (or trips a sanitizer). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#ifndef FUZZ_NAME
#error "FUZZ_NAME must name the harness"
#endif

#define REPLAY_MAX_INPUT (4 * 1024 * 1024)

static unsigned long replayed;

/* replay_file runs the file at |path| through the harness. Returns 0 or -1. */
static int replay_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "%s: %s\n", path, strerror(errno));
    return -1;
  }
  uint8_t *buf = malloc(REPLAY_MAX_INPUT);
  size_t n = buf ? fread(buf, 1, REPLAY_MAX_INPUT, f) : 0;
  int bad = !buf || ferror(f) || n == REPLAY_MAX_INPUT;
  fclose(f);
  if (bad) {
    fprintf(stderr, "%s: cannot read (or larger than %d bytes)\n", path, REPLAY_MAX_INPUT - 1);
    free(buf);
    return -1;
  }
  /* An exact-size copy, so that ASan sees a read past the end. */
  uint8_t *copy = malloc(n ? n : 1);
  if (!copy) {
    free(buf);
    return -1;
  }
  memcpy(copy, buf, n);
  free(buf);
  LLVMFuzzerTestOneInput(copy, n);
  free(copy);
  replayed++;
  return 0;
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* replay_path replays a file, or every regular file in a directory (sorted,
 * not recursive, dot files skipped). Returns 0 or -1. */
static int replay_path(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) {
    fprintf(stderr, "%s: %s\n", path, strerror(errno));
    return -1;
  }
  if (!S_ISDIR(st.st_mode))
    return replay_file(path);
  struct dirent **names;
  int n = scandir(path, &names, NULL, NULL);
  if (n < 0) {
    fprintf(stderr, "%s: %s\n", path, strerror(errno));
    return -1;
  }
  char **sorted = calloc((size_t)n + 1, sizeof(*sorted));
  int rv = sorted ? 0 : -1;
  int k = 0;
  for (int i = 0; i < n; i++) {
    if (sorted && names[i]->d_name[0] != '.')
      sorted[k++] = names[i]->d_name;
  }
  if (sorted)
    qsort(sorted, (size_t)k, sizeof(*sorted), cmp_names);
  for (int i = 0; rv == 0 && i < k; i++) {
    char full[4096];
    if (snprintf(full, sizeof(full), "%s/%s", path, sorted[i]) >= (int)sizeof(full)) {
      rv = -1;
      break;
    }
    if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && replay_file(full) != 0)
      rv = -1;
  }
  for (int i = 0; i < n; i++)
    free(names[i]);
  free(names);
  free(sorted);
  return rv;
}

int main(int argc, char **argv) {
  int rv = 0;
  if (argc > 1) {
    for (int i = 1; i < argc; i++)
      if (replay_path(argv[i]) != 0)
        rv = 1;
  } else {
    const char *top = getenv("top_srcdir");
    char corpus[4096], crashes[4096];
    struct stat st;
    if (!top)
      top = ".";
    snprintf(corpus, sizeof(corpus), "%s/tests/fuzz/corpus/%s", top, FUZZ_NAME);
    snprintf(crashes, sizeof(crashes), "%s/tests/fuzz/crashes/%s", top, FUZZ_NAME);
    if (stat(corpus, &st) != 0) {
      fprintf(stderr, "%s: no corpus (set top_srcdir)\n", corpus);
      return 77;
    }
    if (replay_path(corpus) != 0)
      rv = 1;
    if (stat(crashes, &st) == 0 && replay_path(crashes) != 0)
      rv = 1;
  }
  printf("%s: %lu inputs replayed%s\n", FUZZ_NAME, replayed, rv ? ", some unreadable" : "");
  return rv;
}
