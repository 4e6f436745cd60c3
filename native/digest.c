// hash(algorithm, text): SHA-1 or SHA-256 of a string's UTF-8 bytes by the OpenSSL inside the Node that loaded
// this addon (src/builtin.ts). node:crypto would do the same, but requiring it loads ~30 of Node's modules
// (its ciphers bring the streams): 2-4 ms of every `apply` and `plan`, which hash a few dozen short texts
// (veth names, a digest per object for the record). Node exports its OpenSSL's functions to addons; they are
// looked up at the first call, not linked, so an addon loaded by a Node without them still loads, and
// hashAvailable() says so (builtin.ts then takes node:crypto).
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <node_api.h>
#include "addon.h"

typedef unsigned char *(*one_shot)(const unsigned char *data, size_t len, unsigned char *out);

static one_shot sha1_fn, sha256_fn;
static int looked_up;

static void look_up(void) {
  if (looked_up) return;
  looked_up = 1;
  sha1_fn = (one_shot)dlsym(RTLD_DEFAULT, "SHA1");
  sha256_fn = (one_shot)dlsym(RTLD_DEFAULT, "SHA256");
}

// hashAvailable(): whether this Node's OpenSSL is there to hash with.
napi_value ctnet_hash_available(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  look_up();
  napi_get_boolean(env, sha1_fn && sha256_fn, &out);
  return out;
}

// hash(algorithm, text): the digest's bytes in a Buffer; algorithm 1 is SHA-1, 256 SHA-256.
napi_value ctnet_hash(napi_env env, napi_callback_info info) {
  size_t argc = 2, len = 0;
  napi_value argv[2], out;
  int32_t algorithm = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  look_up();
  one_shot fn = NULL;
  size_t size = 0;
  if (argc >= 2 && napi_get_value_int32(env, argv[0], &algorithm) == napi_ok) {
    if (algorithm == 1) { fn = sha1_fn; size = 20; }
    if (algorithm == 256) { fn = sha256_fn; size = 32; }
  }
  if (!fn || napi_get_value_string_utf8(env, argv[1], NULL, 0, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "hash(algorithm, text): algorithm 1 or 256 (available: hashAvailable()), text a string");
    return NULL;
  }
  char small[4096], *text = len < sizeof small ? small : malloc(len + 1);
  if (!text) { napi_throw_error(env, NULL, "hash: out of memory"); return NULL; }
  napi_get_value_string_utf8(env, argv[1], text, len + 1, &len);
  unsigned char md[32];
  fn((const unsigned char *)text, len, md);
  if (text != small) free(text);
  void *data;
  napi_create_buffer_copy(env, size, md, &data, &out);
  return out;
}
