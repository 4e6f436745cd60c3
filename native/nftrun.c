// nftables commands run in-process on the libuv threadpool through libnftables, the library the `nft` program
// is a thin front end of (its main() hands the command line or the -f file to nft_run_cmd_from_buffer or
// _from_filename): the same JSON in and out as `nft -j`, without forking the Node process (3-5 ms of the main
// thread per call at 60 MB of heap) and starting a program (another ~5 ms) for each read and write.
//
// The library is opened with dlopen at the first call, not linked: the addon then builds and loads where
// libnftables' headers or the library itself are missing, and the caller falls back to spawning `nft`
// (src/kernel/nft.ts). Only its stable public API (libnftables.h, unchanged since 0.9.1) is declared here.
//
// libnftables waits for the kernel's answers with select(), which takes only descriptors below FD_SETSIZE
// (1024; glibc aborts the process on a higher one): a process with a thousand descriptors open (a daemon has a
// netlink event socket per container; it spawns nft, src/kernel/nft.ts) has none free down there. A few low
// descriptors are therefore kept open from when the addon is loaded (early in every ctnet process) and closed
// just before a context opens its socket, which then gets one of them (the kernel gives the lowest free number;
// all of them are closed, so a few other threads opening descriptors at that moment cannot push it above); they
// are taken again afterwards. When they cannot be taken again below FD_SETSIZE, calls report the library
// unavailable and ctnet spawns `nft` instead.
//
// Calls are serialised by one mutex: libnftables keeps a once-only initialisation without a lock
// (nft_ctx_new's init_once), and nftables commits are serialised by the kernel anyway. Each call makes its
// own context while its thread is inside the target namespace: a context's netlink socket belongs to the
// namespace it was opened in, and a fresh context has no cache from before another writer's change.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/select.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <node_api.h>
#include "addon.h"

#define NFT_CTX_DEFAULT 0
#define NFT_CTX_OUTPUT_JSON (1 << 4)

struct nft_ctx;
static struct {
  struct nft_ctx *(*ctx_new)(unsigned);
  void (*ctx_free)(struct nft_ctx *);
  void (*output_set_flags)(struct nft_ctx *, unsigned);
  int (*buffer_output)(struct nft_ctx *);
  int (*buffer_error)(struct nft_ctx *);
  const char *(*get_output_buffer)(struct nft_ctx *);
  const char *(*get_error_buffer)(struct nft_ctx *);
  int (*run_cmd_from_buffer)(struct nft_ctx *, const char *);
} lib;
static int lib_state; // 0 not tried, 1 loaded, -1 unavailable
static char lib_error[256];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

#define LOW_FDS 8
static int low_fds[LOW_FDS];
static int n_low;

// Take low descriptors up to LOW_FDS (under the lock, or before any call). A descriptor at or above FD_SETSIZE
// is given back: the lowest free number is that high already.
void ctnet_nft_reserve(void) {
  while (n_low < LOW_FDS) {
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    if (fd >= FD_SETSIZE) { close(fd); return; }
    low_fds[n_low++] = fd;
  }
}

static int load_lib(void) {
  if (lib_state) return lib_state;
  void *h = dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
  if (h) {
#define SYM(field, name) if (!(*(void **)&lib.field = dlsym(h, name))) goto missing;
    SYM(ctx_new, "nft_ctx_new") SYM(ctx_free, "nft_ctx_free") SYM(output_set_flags, "nft_ctx_output_set_flags")
    SYM(buffer_output, "nft_ctx_buffer_output") SYM(buffer_error, "nft_ctx_buffer_error")
    SYM(get_output_buffer, "nft_ctx_get_output_buffer") SYM(get_error_buffer, "nft_ctx_get_error_buffer")
    SYM(run_cmd_from_buffer, "nft_run_cmd_from_buffer")
#undef SYM
    return lib_state = 1;
  missing:
    snprintf(lib_error, sizeof lib_error, "libnftables.so.1 lacks %s", dlerror());
    dlclose(h);
    return lib_state = -1;
  }
  const char *e = dlerror();
  snprintf(lib_error, sizeof lib_error, "%s", e ? e : "dlopen libnftables.so.1 failed");
  return lib_state = -1;
}

struct run_job {
  char *path;          // the namespace file, NULL: the process's own namespace
  char *cmd;
  const char *unavailable; // why the library cannot be used (then nothing was run)
  int rc;              // nft_run_cmd_from_buffer's result: 0 ok
  int err;             // errno of a failed namespace switch or context
  const char *syscall;
  char *out, *errtext;
  napi_async_work work;
  napi_deferred deferred;
};

static void run(struct run_job *j) {
  if (n_low == 0) { j->unavailable = "no file descriptor below FD_SETSIZE is free for libnftables' select()"; return; }
  while (n_low > 0) close(low_fds[--n_low]);
  struct nft_ctx *ctx = lib.ctx_new(NFT_CTX_DEFAULT);
  if (!ctx) { j->err = ENOMEM; j->syscall = "nft_ctx_new"; ctnet_nft_reserve(); return; }
  lib.output_set_flags(ctx, NFT_CTX_OUTPUT_JSON);
  lib.buffer_output(ctx);
  lib.buffer_error(ctx);
  j->rc = lib.run_cmd_from_buffer(ctx, j->cmd);
  const char *o = lib.get_output_buffer(ctx), *e = lib.get_error_buffer(ctx);
  j->out = strdup(o ? o : "");
  j->errtext = strdup(e ? e : "");
  lib.ctx_free(ctx);
  ctnet_nft_reserve();
}

static void execute(napi_env env, void *data) {
  (void)env;
  struct run_job *j = data;
  pthread_mutex_lock(&lock);
  if (load_lib() < 0) {
    j->unavailable = lib_error; // written once, by the first call
  } else if (!j->path) {
    run(j);
  } else {
    int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    int fd = home < 0 ? -1 : open(j->path, O_RDONLY | O_CLOEXEC);
    if (home < 0 || fd < 0) {
      j->err = errno; j->syscall = "open";
    } else if (setns(fd, CLONE_NEWNET) != 0) {
      j->err = errno; j->syscall = "setns"; // EINVAL: the file is no namespace
    } else {
      run(j);
      ctnet_return_home(home);
    }
    if (fd >= 0) close(fd);
    if (home >= 0) close(home);
  }
  pthread_mutex_unlock(&lock);
}

static void set_string(napi_env env, napi_value obj, const char *name, const char *v) {
  napi_value s;
  napi_create_string_utf8(env, v, NAPI_AUTO_LENGTH, &s);
  napi_set_named_property(env, obj, name, s);
}

static void complete(napi_env env, napi_status status, void *data) {
  struct run_job *j = data;
  napi_value out, num;
  napi_create_object(env, &out);
  if (status != napi_ok) { j->err = ECANCELED; j->syscall = "nft"; }
  if (j->unavailable) {
    set_string(env, out, "unavailable", j->unavailable);
  } else if (j->err) {
    napi_create_int32(env, j->err, &num);
    napi_set_named_property(env, out, "errno", num);
    set_string(env, out, "syscall", j->syscall);
  } else {
    napi_create_int32(env, j->rc, &num);
    napi_set_named_property(env, out, "rc", num);
    set_string(env, out, "stdout", j->out ? j->out : "");
    set_string(env, out, "stderr", j->errtext ? j->errtext : "");
  }
  napi_resolve_deferred(env, j->deferred, out);
  napi_delete_async_work(env, j->work);
  free(j->path); free(j->cmd); free(j->out); free(j->errtext); free(j);
}

static char *string_arg(napi_env env, napi_value v) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return NULL;
  char *s = malloc(len + 1);
  if (s) napi_get_value_string_utf8(env, v, s, len + 1, &len);
  return s;
}

// nftRun(path: string | null, command: string): Promise<{ rc, stdout, stderr } | { errno, syscall } | { unavailable }>
napi_value ctnet_nft_run(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], promise, name;
  napi_valuetype t0 = napi_undefined, t1 = napi_undefined;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc == 2) { napi_typeof(env, argv[0], &t0); napi_typeof(env, argv[1], &t1); }
  if ((t0 != napi_null && t0 != napi_string) || t1 != napi_string) {
    napi_throw_type_error(env, NULL, "nftRun(path, command): path must be a string or null, command a string");
    return NULL;
  }
  struct run_job *j = calloc(1, sizeof *j);
  if (!j || (t0 == napi_string && !(j->path = string_arg(env, argv[0]))) || !(j->cmd = string_arg(env, argv[1]))) {
    if (j) { free(j->path); free(j); }
    napi_throw_error(env, NULL, "nftRun: out of memory");
    return NULL;
  }
  napi_create_promise(env, &j->deferred, &promise);
  napi_create_string_utf8(env, "ctnet.nftRun", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, execute, complete, j, &j->work);
  napi_queue_async_work(env, j->work);
  return promise;
}
