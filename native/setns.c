// Minimal N-API binding for setns(2) and for creating/deleting named network
// namespaces. No maintained npm package exposes setns (KERNEL-FACTS.md B4), and
// entering a namespace in-process costs ~4 us against 4-8 ms for spawning
// `ip -n`; likewise `ip netns add` costs ~5 ms per namespace, too slow for a
// thousand containers. The caller must switch back before doing anything
// asynchronous (see src/kernel/setns.ts).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>
#include <node_api.h>
#include "addon.h"
#ifdef __GLIBC__
#include <malloc.h>
#endif

#define NETNS_RUN_DIR "/run/netns"

// addon.h: an Error for a failed call, with errno (positive) and syscall.
napi_value ctnet_errno_error(napi_env env, int err, const char *syscall, const char *path) {
  napi_value msg, error, code, num;
  char buf[512];
  if (path) snprintf(buf, sizeof buf, "%s %s: %s", syscall, path, strerror(err));
  else snprintf(buf, sizeof buf, "%s: %s", syscall, strerror(err));
  napi_create_string_utf8(env, buf, NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, NULL, msg, &error);
  napi_create_int32(env, err, &num);
  napi_set_named_property(env, error, "errno", num);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &code);
  napi_set_named_property(env, error, "syscall", code);
  return error;
}

// addon.h: that Error, thrown; NULL for the caller to return.
napi_value ctnet_throw_errno(napi_env env, int err, const char *syscall, const char *path) {
  napi_throw(env, ctnet_errno_error(env, err, syscall, path));
  return NULL;
}

// setns(fd, nstype): nstype 0 accepts any namespace type.
static napi_value js_setns(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fd = -1, nstype = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) {
    napi_throw_type_error(env, NULL, "setns(fd, nstype): fd must be an integer");
    return NULL;
  }
  if (argc > 1) napi_get_value_int32(env, argv[1], &nstype);
  if (setns(fd, nstype) != 0) return ctnet_throw_errno(env, errno, "setns", NULL);
  return NULL;
}

static int get_path(napi_env env, napi_value v, char *out, size_t len) {
  size_t n = 0;
  if (napi_get_value_string_utf8(env, v, out, len, &n) != napi_ok || n == 0 || n >= len - 1) {
    napi_throw_type_error(env, NULL, "path must be a non-empty string");
    return -1;
  }
  return 0;
}

// Same dance as iproute2's netns_add(): make /run/netns a shared mount point
// (bind it onto itself first if it is not a mount point yet), so that
// unmounting a namespace file propagates to other mount namespaces and the
// namespace can be freed.
static int prepare_run_dir(const char **failed) {
  int made_mount = 0;
  if (mkdir(NETNS_RUN_DIR, 0755) != 0 && errno != EEXIST) { *failed = "mkdir"; return -1; }
  while (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) != 0) {
    if (errno != EINVAL || made_mount) { *failed = "mount --make-shared"; return -1; }
    if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC, NULL) != 0) { *failed = "mount --bind"; return -1; }
    made_mount = 1;
  }
  return 0;
}

struct unshare_job { const char *path; int err; const char *failed; };

// Runs on a throw-away thread: unshare(CLONE_NEWNET) only moves the calling
// thread, so Node's main thread never leaves its namespace, and the new
// namespace lives on through the bind mount after the thread exits.
static void *unshare_thread(void *arg) {
  struct unshare_job *job = arg;
  if (unshare(CLONE_NEWNET) != 0) { job->err = errno; job->failed = "unshare"; return NULL; }
  if (mount("/proc/thread-self/ns/net", job->path, "none", MS_BIND, NULL) != 0) {
    job->err = errno; job->failed = "mount --bind";
  }
  return NULL;
}

// netnsCreate(path, shareOf?): create the file and bind a new namespace (or
// the existing namespace file shareOf) onto it. Removes the file on failure.
static napi_value js_netns_create(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  char path[4096], share[4096];
  napi_valuetype t = napi_undefined;
  const char *failed = NULL;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || get_path(env, argv[0], path, sizeof path) != 0) return NULL;
  if (argc > 1) napi_typeof(env, argv[1], &t);
  if (t == napi_string && get_path(env, argv[1], share, sizeof share) != 0) return NULL;
  if (prepare_run_dir(&failed) != 0) return ctnet_throw_errno(env, errno, failed, NETNS_RUN_DIR);
  int fd = open(path, O_RDONLY | O_CREAT | O_EXCL, 0);
  if (fd < 0) return ctnet_throw_errno(env, errno, "create", path);
  close(fd);
  struct unshare_job job = { path, 0, NULL };
  if (t == napi_string) {
    if (mount(share, path, "none", MS_BIND, NULL) != 0) { job.err = errno; job.failed = "mount --bind"; }
  } else {
    pthread_t th;
    int rc = pthread_create(&th, NULL, unshare_thread, &job);
    if (rc != 0) { job.err = rc; job.failed = "pthread_create"; }
    else pthread_join(th, NULL);
  }
  if (job.failed) {
    unlink(path);
    return ctnet_throw_errno(env, job.err, job.failed, path);
  }
  return NULL;
}

// netnsDelete(path): like `ip netns del`. A file that is not mounted (a crash
// between create and mount) is still removed; a missing file is not an error.
static napi_value js_netns_delete(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char path[4096];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || get_path(env, argv[0], path, sizeof path) != 0) return NULL;
  if (umount2(path, MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) return ctnet_throw_errno(env, errno, "umount", path);
  if (unlink(path) != 0 && errno != ENOENT) return ctnet_throw_errno(env, errno, "unlink", path);
  return NULL;
}

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

// The cookie of the calling thread's network namespace (Linux >= 5.14): a 64-bit number the kernel
// never hands out twice until reboot, unlike the namespace's inode number, which is reused as soon
// as the namespace is gone. Returned as a decimal string (JSON has no 64-bit integers).
static napi_value js_netns_cookie(napi_env env, napi_callback_info info) {
  (void)info;
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ctnet_throw_errno(env, errno, "socket", NULL);
  uint64_t cookie = 0;
  socklen_t len = sizeof cookie;
  int r = getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len);
  int err = errno;
  close(fd);
  if (r != 0) return ctnet_throw_errno(env, err, "getsockopt SO_NETNS_COOKIE", NULL);
  char buf[24];
  snprintf(buf, sizeof buf, "%llu", (unsigned long long)cookie);
  napi_value out;
  napi_create_string_utf8(env, buf, NAPI_AUTO_LENGTH, &out);
  return out;
}

// Give the memory malloc keeps free back to the system (glibc keeps what was freed inside its heaps;
// only what lies at the very top is returned by itself): the `netlink` package's buffers of a daemon's
// requests and events, freed when JavaScript collects them (src/kernel/memory.ts). True when something was
// released; false where the C library has no such call.
static napi_value js_malloc_trim(napi_env env, napi_callback_info info) {
  (void)info;
  int released = 0;
#ifdef __GLIBC__
  released = malloc_trim(0);
#endif
  napi_value out;
  napi_get_boolean(env, released != 0, &out);
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  static const struct { const char *name; napi_callback fn; } exported[] = {
    { "setns", js_setns }, { "netnsCreate", js_netns_create }, { "netnsDelete", js_netns_delete },
    { "netnsCookie", js_netns_cookie }, { "mallocTrim", js_malloc_trim }, { "readNetns", ctnet_read_netns },
    { "nftRun", ctnet_nft_run }, { "nlOpen", ctnet_nl_open }, { "nlRequest", ctnet_nl_request }, { "nlClose", ctnet_nl_close },
    { "lockHold", ctnet_lock_hold }, { "lockRelease", ctnet_lock_release }, { "lockAsk", ctnet_lock_ask },
    { "hashAvailable", ctnet_hash_available }, { "hash", ctnet_hash },
  };
  ctnet_nft_reserve();
  for (size_t i = 0; i < sizeof exported / sizeof exported[0]; i++) {
    napi_value fn;
    napi_create_function(env, exported[i].name, NAPI_AUTO_LENGTH, exported[i].fn, NULL, &fn);
    napi_set_named_property(env, exports, exported[i].name, fn);
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
