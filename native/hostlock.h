// Host locks: an abstract unix socket name bound in both forms, answered by a thread (hostlock.c).
#ifndef CTNET_HOSTLOCK_H
#define CTNET_HOSTLOCK_H
#include <node_api.h>

napi_value ctnet_lock_hold(napi_env env, napi_callback_info info);
napi_value ctnet_lock_release(napi_env env, napi_callback_info info);
napi_value ctnet_lock_ask(napi_env env, napi_callback_info info);

#endif
