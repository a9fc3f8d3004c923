#include "common/offload.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

struct offload {
  pthread_t thread;
  int pipefd[2];
  sd_event_source *io;
  offload_fn work, done;
  void *arg;
};

static void *run(void *p) {
  offload *o = p;
  o->work(o->arg);
  char one = 1;
  while (write(o->pipefd[1], &one, 1) < 0 && errno == EINTR)
    ;
  return NULL;
}

/* release joins the thread (it has returned or is returning) and frees. */
static void release(offload *o) {
  pthread_join(o->thread, NULL);
  sd_event_source_disable_unref(o->io);
  close(o->pipefd[0]);
  close(o->pipefd[1]);
  free(o);
}

static int on_finished(sd_event_source *es, int fd, uint32_t revents, void *ud) {
  (void)es;
  (void)fd;
  (void)revents;
  offload *o = ud;
  offload_fn done = o->done;
  void *arg = o->arg;
  release(o); /* the join orders |work|'s writes before |done|'s reads */
  done(arg);
  return 0;
}

offload *offload_start(sd_event *ev, offload_fn work, offload_fn done, void *arg) {
  offload *o = calloc(1, sizeof(*o));
  if (!o)
    return NULL;
  o->work = work;
  o->done = done;
  o->arg = arg;
  if (pipe2(o->pipefd, O_CLOEXEC) != 0) {
    free(o);
    return NULL;
  }
  if (sd_event_add_io(ev, &o->io, o->pipefd[0], EPOLLIN, on_finished, o) < 0)
    goto fail;
  /* signals stay with the loop: the thread starts with all of them blocked */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int r = pthread_create(&o->thread, NULL, run, o);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (r != 0) {
    sd_event_source_disable_unref(o->io);
    goto fail;
  }
  return o;
fail:
  close(o->pipefd[0]);
  close(o->pipefd[1]);
  free(o);
  return NULL;
}

void offload_destroy(offload *o) {
  if (o)
    release(o);
}
