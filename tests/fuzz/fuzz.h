/* The entry point every harness under tests/fuzz/ defines. Built two ways:
 * with libFuzzer (configure --enable-fuzzing, `make fuzz`) and with
 * replay_main.c, which feeds the committed corpus and crash inputs through
 * the same function during `make check`. */
#ifndef WTPING_FUZZ_H
#define WTPING_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* FUZZ_CHECK aborts when an invariant of the code under test is broken, so
 * libFuzzer (and the replay driver) report it as a crash. */
#define FUZZ_CHECK(cond)                                                                    \
  do {                                                                                      \
    if (!(cond))                                                                            \
      fuzz_fail(__FILE__, __LINE__, #cond);                                                 \
  } while (0)

void fuzz_fail(const char *file, int line, const char *what) __attribute__((noreturn));

#endif
