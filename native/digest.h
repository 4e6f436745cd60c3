// SHA-1 and SHA-256 by the OpenSSL of the Node that loaded the addon (digest.c).
#ifndef CTNET_DIGEST_H
#define CTNET_DIGEST_H
#include <node_api.h>

napi_value ctnet_hash_available(napi_env env, napi_callback_info info);
napi_value ctnet_hash(napi_env env, napi_callback_info info);

#endif
