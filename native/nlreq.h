// native/nlreq.c: netlink requests answered within one call on the main thread.
#ifndef CTNET_NLREQ_H
#define CTNET_NLREQ_H
#include <node_api.h>

napi_value ctnet_nl_open(napi_env env, napi_callback_info info);
napi_value ctnet_nl_request(napi_env env, napi_callback_info info);
napi_value ctnet_nl_close(napi_env env, napi_callback_info info);

#endif
