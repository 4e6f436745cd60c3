// Host locks (src/kernel/lock.ts): an abstract unix socket name that only one process can bind, whose holder
// answers each connection with who it is.
//
// Why here and not node:net: the abstract name node:net binds depends on the Node version. Node 20 and 22 pad
// it with NULs to the whole sun_path (108 bytes), Node 24 binds exactly the name: to the kernel those are two
// different names, so a ctnet on Node 22 and one on Node 24 on the same host did not exclude each other. This
// file binds both forms, so it excludes an earlier ctnet on any Node version and is found by one, whichever
// form that one asks. A thread of its own answers askers, so a holder answers while its main thread is busy in
// a long synchronous step, and a command that takes a lock does not load node:net (and node:cluster, which
// its listen() loads): ~5 ms of every apply's start.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <node_api.h>
#include "addon.h"

#define FORMS 2      // exact, padded
#define BACKLOG 16
#define NAME_MAX_LEN 100

struct hold {
  int id;
  int fds[FORMS];
  int forms;
  int stop[2];       // a pipe: a byte on it ends the thread
  char *answer;
  size_t answer_len;
  pthread_t thread;
  struct hold *next;
};

static struct hold *holds; // touched by the main thread only
static int next_id = 1;

// The address of `name` (without its leading NUL) in one form; returns its length.
static socklen_t address(const char *name, size_t len, int padded, struct sockaddr_un *a) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  memcpy(a->sun_path + 1, name, len);
  return padded ? sizeof *a : (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len);
}

static void *serve(void *arg) {
  struct hold *h = arg;
  struct pollfd p[FORMS + 1];
  for (;;) {
    for (int i = 0; i < h->forms; i++) p[i] = (struct pollfd){ .fd = h->fds[i], .events = POLLIN };
    p[h->forms] = (struct pollfd){ .fd = h->stop[0], .events = POLLIN };
    if (poll(p, h->forms + 1, -1) < 0) {
      if (errno == EINTR) continue;
      return NULL;
    }
    if (p[h->forms].revents) return NULL;
    for (int i = 0; i < h->forms; i++) {
      if (!(p[i].revents & POLLIN)) continue;
      int c = accept4(h->fds[i], NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (c < 0) {
        // Out of descriptors or memory: the asker waits in the queue; try again later rather than spin.
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) poll(NULL, 0, 100);
        continue; // otherwise the asker left already (or EAGAIN): nobody to answer
      }
      // An answer is a line of JSON, far below a socket's buffer; an asker that hung up gets nothing (no SIGPIPE).
      (void)!send(c, h->answer, h->answer_len, MSG_NOSIGNAL | MSG_DONTWAIT);
      close(c);
    }
  }
}

static int get_name(napi_env env, napi_value v, char *out, size_t *len) {
  if (napi_get_value_string_utf8(env, v, out, NAME_MAX_LEN + 1, len) != napi_ok || *len == 0 || *len >= NAME_MAX_LEN) {
    napi_throw_type_error(env, NULL, "lock name must be a string of 1 to 99 bytes");
    return -1;
  }
  return 0;
}

static void close_all(int *fds, int n) {
  for (int i = 0; i < n; i++) if (fds[i] >= 0) close(fds[i]);
}

// lockHold(name, answer): binds both forms of the abstract name `name` (given without its NUL) in the calling
// thread's network namespace and answers whoever connects with `answer`, until lockRelease. Returns the
// hold's id, or null when another process holds either form.
napi_value ctnet_lock_hold(napi_env env, napi_callback_info info) {
  size_t argc = 2, len = 0, answer_len = 0;
  napi_value argv[2], out;
  char name[NAME_MAX_LEN + 1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2 || get_name(env, argv[0], name, &len) != 0) return NULL;
  if (napi_get_value_string_utf8(env, argv[1], NULL, 0, &answer_len) != napi_ok) {
    napi_throw_type_error(env, NULL, "lockHold(name, answer): answer must be a string");
    return NULL;
  }
  struct hold *h = calloc(1, sizeof *h);
  char *answer = malloc(answer_len + 1);
  if (!h || !answer) { free(h); free(answer); napi_throw_error(env, NULL, "lockHold: out of memory"); return NULL; }
  napi_get_value_string_utf8(env, argv[1], answer, answer_len + 1, &answer_len);
  h->answer = answer;
  h->answer_len = answer_len;
  h->forms = FORMS;
  h->fds[0] = h->fds[1] = h->stop[0] = h->stop[1] = -1;
  int err = 0;
  const char *syscall = NULL;
  for (int i = 0; i < FORMS && !err; i++) {
    struct sockaddr_un a;
    socklen_t alen = address(name, len, i == 1, &a);
    h->fds[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (h->fds[i] < 0) { err = errno; syscall = "socket"; }
    else if (bind(h->fds[i], (struct sockaddr *)&a, alen) != 0) { err = errno; syscall = "bind"; }
    else if (listen(h->fds[i], BACKLOG) != 0) { err = errno; syscall = "listen"; }
  }
  if (!err && pipe2(h->stop, O_CLOEXEC) != 0) { err = errno; syscall = "pipe2"; }
  if (!err) {
    // The thread takes no signals: Node's handlers stay with the threads Node knows.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    err = pthread_create(&h->thread, NULL, serve, h);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err) syscall = "pthread_create";
  }
  if (err) {
    close_all(h->fds, FORMS);
    close_all(h->stop, 2);
    free(h->answer);
    free(h);
    if (err == EADDRINUSE) { napi_get_null(env, &out); return out; }
    return ctnet_throw_errno(env, err, syscall, NULL);
  }
  h->id = next_id++;
  h->next = holds;
  holds = h;
  napi_create_int32(env, h->id, &out);
  return out;
}

// lockRelease(id): stops answering and unbinds both forms before it returns (a lock released can be taken at
// once, by this process too). An id already released is nothing to do.
napi_value ctnet_lock_release(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t id = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_int32(env, argv[0], &id) != napi_ok) {
    napi_throw_type_error(env, NULL, "lockRelease(id): id must be an integer");
    return NULL;
  }
  for (struct hold **p = &holds; *p; p = &(*p)->next) {
    struct hold *h = *p;
    if (h->id != id) continue;
    *p = h->next;
    while (write(h->stop[1], "x", 1) < 0 && errno == EINTR) {}
    pthread_join(h->thread, NULL);
    close_all(h->fds, FORMS);
    close_all(h->stop, 2);
    free(h->answer);
    free(h);
    break;
  }
  return NULL;
}

static long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

// lockAsk(name, timeoutMs): who holds the lock, in the calling thread's network namespace: what its holder
// answered (a string, empty when it said nothing within timeoutMs), or null when nobody holds either form.
// Waits on the main thread: a holder of this file answers from its own thread at once; an earlier ctnet from
// its event loop.
napi_value ctnet_lock_ask(napi_env env, napi_callback_info info) {
  size_t argc = 2, len = 0;
  napi_value argv[2], out;
  char name[NAME_MAX_LEN + 1];
  int32_t timeout = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2 || get_name(env, argv[0], name, &len) != 0) return NULL;
  if (napi_get_value_int32(env, argv[1], &timeout) != napi_ok || timeout < 0) {
    napi_throw_type_error(env, NULL, "lockAsk(name, timeoutMs): timeoutMs must be an integer of 0 or more");
    return NULL;
  }
  for (int i = 0; i < FORMS; i++) {
    struct sockaddr_un a;
    socklen_t alen = address(name, len, i == 1, &a);
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) return ctnet_throw_errno(env, errno, "socket", NULL);
    if (connect(s, (struct sockaddr *)&a, alen) != 0) {
      int err = errno;
      close(s);
      if (err == ECONNREFUSED) continue; // nobody holds this form
      // EAGAIN: held, and its holder's queue of askers is full: held, without a word.
      if (err == EAGAIN) { napi_create_string_utf8(env, "", 0, &out); return out; }
      return ctnet_throw_errno(env, err, "connect", NULL);
    }
    char buf[8192];
    size_t got = 0;
    long deadline = now_ms() + timeout;
    for (;;) {
      long left = deadline - now_ms();
      struct pollfd p = { .fd = s, .events = POLLIN };
      if (left <= 0 || got == sizeof buf) break;
      int ready = poll(&p, 1, (int)left);
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) break;
      ssize_t n = read(s, buf + got, sizeof buf - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break; // the end of the answer (or a reset: what came is what there is)
      got += (size_t)n;
    }
    close(s);
    napi_create_string_utf8(env, buf, got, &out);
    return out;
  }
  napi_get_null(env, &out);
  return out;
}
