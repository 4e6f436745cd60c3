// native/nftrun.c: nftables commands through libnftables on the libuv threadpool.
#ifndef CTNET_NFTRUN_H
#define CTNET_NFTRUN_H
#include <node_api.h>
napi_value ctnet_nft_run(napi_env env, napi_callback_info info);
// Keep low file descriptors for libnftables' select(): call when the addon is loaded.
void ctnet_nft_reserve(void);
#endif
