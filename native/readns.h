// native/readns.c: reading many network namespaces on the libuv threadpool.
#ifndef CTNET_READNS_H
#define CTNET_READNS_H
#include <node_api.h>
napi_value ctnet_read_netns(napi_env env, napi_callback_info info);
// Put a pool thread back into its own network namespace (`home`, opened from /proc/thread-self/ns/net), or stop
// the process loudly: stranded in another namespace, every later task of the pool would run there.
void ctnet_return_home(int home);
#endif
