// Minimal N-API binding for setns(2). No maintained npm package exposes it
// (KERNEL-FACTS.md B4), and entering a namespace in-process costs ~4 us
// against 4-8 ms for spawning `ip -n`. The caller must switch back before
// doing anything asynchronous (see src/kernel/netns-enter.ts).
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <node_api.h>

static napi_value throw_errno(napi_env env, int err, const char *syscall) {
  napi_value msg, error, code, num;
  char buf[128];
  snprintf(buf, sizeof buf, "%s: %s", syscall, strerror(err));
  napi_create_string_utf8(env, buf, NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, NULL, msg, &error);
  napi_create_int32(env, err, &num);
  napi_set_named_property(env, error, "errno", num);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &code);
  napi_set_named_property(env, error, "syscall", code);
  napi_throw(env, error);
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
  if (setns(fd, nstype) != 0) return throw_errno(env, errno, "setns");
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "setns", NAPI_AUTO_LENGTH, js_setns, NULL, &fn);
  napi_set_named_property(env, exports, "setns", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
