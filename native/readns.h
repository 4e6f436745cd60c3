// native/readns.c: reading many network namespaces on the libuv threadpool.
#ifndef CTNET_READNS_H
#define CTNET_READNS_H
#include <node_api.h>
napi_value ctnet_read_netns(napi_env env, napi_callback_info info);
#endif
