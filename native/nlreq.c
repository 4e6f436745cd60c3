// nlOpen(protocol) and nlRequest(fd, type, flags, body): netlink requests answered on the main thread, in one
// call. The kernel handles a rtnetlink (or sock_diag) request inside the sendmsg(2) that carries it and queues
// its answer before that call returns (a dump's later parts are made inside the recvmsg(2) that reads them),
// so waiting for the answer through the event loop, as the `netlink` package does (a poll handle per socket,
// a promise and a JavaScript round trip per request), only adds work: ~0.1 ms of the main thread per request,
// ~600 requests in an apply of 100 containers (bench/RESULTS.md §5o). Nothing here blocks longer than the
// kernel takes, and a poll(2) with a timeout guards the wait for an answer that never comes.
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <node_api.h>
#include "addon.h"

#define ANSWER_TIMEOUT_MS 15000
#define RECV_SIZE (64 * 1024) // a dump answer is at most 32 KB per datagram (netlink_dump's largest skb)

static unsigned seq_counter;

// ctnet_errno_error's Error, with `kernel`: true when the kernel answered the request with that error (an
// NLMSG_ERROR), false when a system call failed.
static napi_value throw_nl(napi_env env, int err, const char *syscall, int kernel) {
  napi_value error = ctnet_errno_error(env, err, syscall, NULL), k;
  napi_get_boolean(env, kernel, &k);
  napi_set_named_property(env, error, "kernel", k);
  napi_throw(env, error);
  return NULL;
}

// nlOpen(protocol): a netlink socket of that protocol in the calling thread's namespace (the caller enters
// the namespace around this call), bound to a port the kernel picks. Returns the file descriptor.
napi_value ctnet_nl_open(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  int32_t protocol = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_int32(env, argv[0], &protocol) != napi_ok) {
    napi_throw_type_error(env, NULL, "nlOpen(protocol): protocol must be an integer");
    return NULL;
  }
  int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
  if (s < 0) return throw_nl(env, errno, "socket", 0);
  struct sockaddr_nl me = { .nl_family = AF_NETLINK };
  if (bind(s, (struct sockaddr *)&me, sizeof me) != 0) {
    int err = errno;
    close(s);
    return throw_nl(env, err, "bind", 0);
  }
  napi_create_int32(env, s, &out);
  return out;
}

// nlClose(fd): closes a socket of nlOpen (through close(2): Node's fs.closeSync warns about a descriptor it did
// not open itself).
napi_value ctnet_nl_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd = -1;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, NULL, "nlClose(fd): fd must be a descriptor");
    return NULL;
  }
  if (close(fd) != 0 && errno != EINTR) return throw_nl(env, errno, "close", 0);
  return NULL;
}

struct answer { char *data; size_t len, cap; };

static int keep(struct answer *a, const void *p, size_t n) {
  if (a->len + n > a->cap) {
    size_t cap = a->cap ? a->cap * 2 : 4096;
    while (cap < a->len + n) cap *= 2;
    char *grown = realloc(a->data, cap);
    if (!grown) return ENOMEM;
    a->data = grown;
    a->cap = cap;
  }
  memcpy(a->data + a->len, p, n);
  a->len += n;
  return 0;
}

// Send one request (header made here, body as given) and read until its ACK, error or NLMSG_DONE. The
// answer's other messages are kept. Returns 0, a positive errno of a failed call (*syscall says which), or
// the negative errno the kernel answered with.
static int exchange(int s, unsigned type, unsigned flags, const void *body, size_t body_len, struct answer *a, const char **syscall) {
  static char buf[RECV_SIZE];
  unsigned seq = ++seq_counter;
  struct nlmsghdr h = {
    .nlmsg_len = NLMSG_HDRLEN + body_len, .nlmsg_type = type,
    .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags, .nlmsg_seq = seq,
  };
  struct iovec iov[2] = { { &h, NLMSG_HDRLEN }, { (void *)body, body_len } };
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  struct msghdr out = { .msg_name = &kernel, .msg_namelen = sizeof kernel, .msg_iov = iov, .msg_iovlen = 2 };
  while (sendmsg(s, &out, 0) < 0) {
    if (errno != EINTR) { *syscall = "sendmsg"; return errno; }
  }
  for (;;) {
    struct pollfd p = { .fd = s, .events = POLLIN };
    int ready = poll(&p, 1, ANSWER_TIMEOUT_MS);
    if (ready < 0) {
      if (errno == EINTR) continue;
      *syscall = "poll";
      return errno;
    }
    if (ready == 0) { *syscall = "poll"; return ETIMEDOUT; }
    struct iovec in_iov = { buf, sizeof buf };
    struct sockaddr_nl from;
    struct msghdr in = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &in_iov, .msg_iovlen = 1 };
    ssize_t n = recvmsg(s, &in, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      *syscall = "recvmsg"; // ENOBUFS: the kernel dropped answers (a receive queue overrun)
      return errno;
    }
    if (in.msg_flags & MSG_TRUNC) { *syscall = "recvmsg"; return EMSGSIZE; }
    if (from.nl_pid != 0) continue; // only the kernel answers
    int left = (int)n;
    for (struct nlmsghdr *m = (struct nlmsghdr *)buf; NLMSG_OK(m, left); m = NLMSG_NEXT(m, left)) {
      if (m->nlmsg_seq != seq) continue; // an answer to an earlier request that gave up waiting
      if (m->nlmsg_type == NLMSG_DONE) return 0;
      if (m->nlmsg_type == NLMSG_ERROR) {
        const struct nlmsgerr *e = NLMSG_DATA(m);
        return e->error; // 0: the ACK
      }
      int err = keep(a, m, NLMSG_ALIGN(m->nlmsg_len));
      if (err) { *syscall = "malloc"; return err; }
    }
  }
}

// nlRequest(fd, type, flags, body: Buffer): the answer's messages (without the ACK or NLMSG_DONE) as one
// Buffer of netlink messages. Throws an Error with errno and `kernel: true` when the kernel refused the
// request, `kernel: false` and the failed call in `syscall` otherwise.
napi_value ctnet_nl_request(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4], out;
  int32_t fd = -1;
  uint32_t type = 0, flags = 0;
  void *body = NULL;
  size_t body_len = 0;
  bool is_buffer = false;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 4 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || napi_get_value_uint32(env, argv[1], &type) != napi_ok
      || napi_get_value_uint32(env, argv[2], &flags) != napi_ok || napi_is_buffer(env, argv[3], &is_buffer) != napi_ok || !is_buffer
      || napi_get_buffer_info(env, argv[3], &body, &body_len) != napi_ok || type > 0xffff || flags > 0xffff) {
    napi_throw_type_error(env, NULL, "nlRequest(fd, type, flags, body): integers and a Buffer");
    return NULL;
  }
  struct answer a = { NULL, 0, 0 };
  const char *syscall = "netlink";
  int r = exchange(fd, type, flags, body, body_len, &a, &syscall);
  if (r != 0) {
    free(a.data);
    return r < 0 ? throw_nl(env, -r, "netlink", 1) : throw_nl(env, r, syscall, 0);
  }
  void *copy;
  napi_status st = napi_create_buffer_copy(env, a.len, a.len ? a.data : "", &copy, &out);
  free(a.data);
  if (st != napi_ok) { napi_throw_error(env, NULL, "nlRequest: out of memory"); return NULL; }
  return out;
}
