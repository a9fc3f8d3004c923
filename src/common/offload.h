/* Blocking work off the event loop. offload_start runs |work| in a thread
 * of its own; when it returns, |done| runs on the event loop (a pipe watched
 * by sd-event carries the signal, as in client/resolver.c), after the thread
 * has been joined. |work| must touch nothing the loop uses while it runs:
 * give it a job of its own (inputs copied in, outputs read by |done|). The
 * worker thread blocks every signal, so they keep reaching the loop's
 * signalfd. */
#ifndef WTPING_OFFLOAD_H
#define WTPING_OFFLOAD_H

#include <systemd/sd-event.h>

typedef struct offload offload;

typedef void (*offload_fn)(void *arg);

/* offload_start starts |work|(|arg|) in a new thread; |done|(|arg|) is
 * called from |ev|'s loop once it returned. The offload frees itself before
 * |done| runs, so |done| may start another one. Returns NULL (and runs
 * nothing) when the thread or the pipe cannot be made. */
offload *offload_start(sd_event *ev, offload_fn work, offload_fn done, void *arg);

/* offload_destroy waits for |work| to return and frees |o| without calling
 * |done| (at exit, or when the loop no longer runs): the caller then owns
 * |arg| again. NULL is allowed. */
void offload_destroy(offload *o);

#endif
