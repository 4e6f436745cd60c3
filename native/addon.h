// What the addon's files share: the functions setns.c registers (each defined in the file named) and the helpers
// the files call of each other.
#ifndef CTNET_ADDON_H
#define CTNET_ADDON_H
#include <node_api.h>

// setns.c: an Error (not thrown) for a failed call: message "syscall [path]: strerror", properties errno
// (positive) and syscall.
napi_value ctnet_errno_error(napi_env env, int err, const char *syscall, const char *path);
// The same Error, thrown; returns NULL (what a function that threw returns).
napi_value ctnet_throw_errno(napi_env env, int err, const char *syscall, const char *path);

// readns.c: reading many network namespaces on the libuv threadpool.
napi_value ctnet_read_netns(napi_env env, napi_callback_info info);
// Put a pool thread back into its own network namespace (`home`, opened from /proc/thread-self/ns/net), or stop
// the process loudly: stranded in another namespace, every later task of the pool would run there.
void ctnet_return_home(int home);

// nftrun.c: nftables commands through libnftables on the libuv threadpool.
napi_value ctnet_nft_run(napi_env env, napi_callback_info info);
// Keep low file descriptors for libnftables' select(): call when the addon is loaded.
void ctnet_nft_reserve(void);

// nlreq.c: netlink requests answered within one call on the main thread.
napi_value ctnet_nl_open(napi_env env, napi_callback_info info);
napi_value ctnet_nl_request(napi_env env, napi_callback_info info);
napi_value ctnet_nl_close(napi_env env, napi_callback_info info);

// hostlock.c: host locks, an abstract unix socket name bound in both forms, answered by a thread.
napi_value ctnet_lock_hold(napi_env env, napi_callback_info info);
napi_value ctnet_lock_release(napi_env env, napi_callback_info info);
napi_value ctnet_lock_ask(napi_env env, napi_callback_info info);

// digest.c: SHA-1 and SHA-256 by the OpenSSL of the Node that loaded the addon.
napi_value ctnet_hash_available(napi_env env, napi_callback_info info);
napi_value ctnet_hash(napi_env env, napi_callback_info info);

#endif
