// What the addon's files share (defined in native/setns.c).
#ifndef CTNET_ADDON_H
#define CTNET_ADDON_H
#include <node_api.h>

// An Error (not thrown) for a failed call: message "syscall [path]: strerror", properties errno (positive) and
// syscall.
napi_value ctnet_errno_error(napi_env env, int err, const char *syscall, const char *path);

#endif
