// readNetns(paths): the links, addresses and routes of many network namespaces, read on the libuv
// threadpool. Reading 1000 container namespaces through the `netlink` package costs ~200 ms of the
// main thread (a socket object per namespace, a JS round trip per request, a message object per
// answer); the kernel itself needs ~35 ms for the same 1000 setns + 3000 dumps. Here a pool thread
// enters each namespace (setns changes only the calling thread's namespace), opens a NETLINK_ROUTE
// socket, switches back at once (the socket stays bound to the namespace), and runs the three dumps
// ctnet's observe reads; the answers come back as the raw netlink messages, parsed in JavaScript.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <node_api.h>
#include "addon.h"

#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

#define DUMP_RETRIES 5
#define RECV_SIZE (64 * 1024) // a dump answer is at most 32 KB per datagram (netlink_dump's largest skb)

// One namespace's result: where its messages lie in the job's buffer, or why there are none.
struct ns_result {
  size_t start, end;
  int err;             // errno, 0 when read
  const char *syscall; // what failed
  dev_t dev;
  ino_t ino;
  int have_id;
};

struct read_job {
  size_t n;
  char **paths;        // NULL entry: the thread's own namespace (the process's)
  struct ns_result *res;
  char *out;
  size_t len, cap;
  napi_async_work work;
  napi_deferred deferred;
};

// The answers and the receive buffer are mapped, not malloc'd: glibc gives each pool thread its own arena
// and keeps what is freed there, which a daemon reading 1000 namespaces (~4 MB of answers) at every resync
// would carry. A mapping goes back to the system when it is unmapped: here, or when JavaScript's garbage
// collector drops the Buffer handed over without a copy (finalize_out).
static int append(struct read_job *j, const void *p, size_t n) {
  if (j->len + n > j->cap) {
    size_t cap = j->cap ? j->cap * 2 : 256 * 1024;
    while (cap < j->len + n) cap *= 2;
    void *grown = j->out ? mremap(j->out, j->cap, cap, MREMAP_MAYMOVE) : mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (grown == MAP_FAILED) return ENOMEM;
    j->out = grown;
    j->cap = cap;
  }
  memcpy(j->out + j->len, p, n);
  j->len += n;
  return 0;
}

// One dump request: links without statistics, every address, the main table's routes (a filter the
// kernel applies on a strictly checked socket, since 4.20: the local table's routes, about half of a
// container's, are then not sent; an older kernel sends them all and src/kernel/dump.ts leaves them).
static int send_dump(int s, int type, unsigned seq) {
  struct {
    struct nlmsghdr h;
    union { struct ifinfomsg link; struct ifaddrmsg addr; struct rtmsg route; } body;
    char attr[RTA_SPACE(4)];
  } req;
  memset(&req, 0, sizeof req);
  size_t body = type == RTM_GETLINK ? sizeof(struct ifinfomsg) : type == RTM_GETADDR ? sizeof(struct ifaddrmsg) : sizeof(struct rtmsg);
  req.h.nlmsg_len = NLMSG_LENGTH(body);
  req.h.nlmsg_type = type;
  req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.h.nlmsg_seq = seq;
  if (type == RTM_GETLINK) {
    struct rtattr *a = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.h.nlmsg_len));
    a->rta_type = IFLA_EXT_MASK;
    a->rta_len = RTA_LENGTH(4);
    unsigned mask = RTEXT_FILTER_SKIP_STATS;
    memcpy(RTA_DATA(a), &mask, 4);
    req.h.nlmsg_len = NLMSG_ALIGN(req.h.nlmsg_len) + RTA_LENGTH(4);
  }
  if (type == RTM_GETROUTE) req.body.route.rtm_table = RT_TABLE_MAIN;
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  if (sendto(s, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) return errno;
  return 0;
}

// Run one dump and append its answers (without NLMSG_DONE). A dump the kernel flags inconsistent
// (NLM_F_DUMP_INTR: the table changed under it) is dropped and asked again.
static int dump(struct read_job *j, int s, int type, unsigned *seq, char *buf) {
  for (int attempt = 0;; attempt++) {
    size_t mark = j->len;
    int intr = 0, err = send_dump(s, type, ++*seq);
    if (err) return err;
    for (int done = 0; !done;) {
      struct iovec iov = { buf, RECV_SIZE };
      struct sockaddr_nl from;
      struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1 };
      ssize_t n = recvmsg(s, &mh, 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno;
      }
      if (mh.msg_flags & MSG_TRUNC) return EMSGSIZE;
      if (from.nl_pid != 0) continue; // only the kernel answers a dump
      int left = (int)n;
      for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
        if (h->nlmsg_seq != *seq) continue; // not ours (nothing else is sent on this socket)
        if (h->nlmsg_flags & NLM_F_DUMP_INTR) intr = 1;
        if (h->nlmsg_type == NLMSG_DONE) { done = 1; break; }
        if (h->nlmsg_type == NLMSG_ERROR) {
          const struct nlmsgerr *e = NLMSG_DATA(h);
          if (e->error) return -e->error;
          continue;
        }
        if ((err = append(j, h, NLMSG_ALIGN(h->nlmsg_len)))) return err;
      }
    }
    if (!intr || attempt >= DUMP_RETRIES) return 0;
    j->len = mark;
  }
}

// addon.h: back home, or stop loudly.
void ctnet_return_home(int home) {
  if (setns(home, CLONE_NEWNET) != 0) {
    // The thread is stranded in another namespace, and every later task of the pool (file reads,
    // name lookups, nft commands) would run there. Nothing sensible can continue.
    fprintf(stderr, "ctnet: could not return a thread to its network namespace: %s\n", strerror(errno));
    abort();
  }
}

// A socket in the namespace at `path` (NULL: this thread's own), the thread back home before returning.
static int open_in(const char *path, int home, struct ns_result *r) {
  if (!path) {
    int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (s < 0) { r->err = errno; r->syscall = "socket"; }
    return s;
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) { r->err = errno; r->syscall = "open"; return -1; }
  struct stat st;
  if (fstat(fd, &st) == 0) { r->dev = st.st_dev; r->ino = st.st_ino; r->have_id = 1; }
  if (setns(fd, CLONE_NEWNET) != 0) {
    r->err = errno; r->syscall = "setns"; // EINVAL: the file is no namespace (not mounted)
    close(fd);
    return -1;
  }
  int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  int socket_err = errno;
  ctnet_return_home(home);
  close(fd);
  if (s < 0) { r->err = socket_err; r->syscall = "socket"; }
  return s;
}

static void execute(napi_env env, void *data) {
  (void)env;
  struct read_job *j = data;
  // This pool thread's namespace: the process's (src/kernel/setns.ts starts the pool before any switch).
  int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  char *buf = mmap(NULL, RECV_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (home < 0 || buf == MAP_FAILED) {
    for (size_t i = 0; i < j->n; i++) { j->res[i].err = home < 0 ? errno : ENOMEM; j->res[i].syscall = "open"; }
    if (home >= 0) close(home);
    if (buf != MAP_FAILED) munmap(buf, RECV_SIZE);
    return;
  }
  unsigned seq = 0;
  for (size_t i = 0; i < j->n; i++) {
    struct ns_result *r = &j->res[i];
    r->start = j->len;
    int s = open_in(j->paths[i], home, r);
    if (s < 0) continue;
    int strict = 1; // failing (before 4.20) only means the route filter is ignored
    setsockopt(s, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &strict, sizeof strict);
    static const int types[] = { RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE };
    for (int t = 0; t < 3 && !r->err; t++) {
      int err = dump(j, s, types[t], &seq, buf);
      if (err) { r->err = err; r->syscall = "dump"; j->len = r->start; }
    }
    close(s);
    r->end = j->len;
  }
  close(home);
  munmap(buf, RECV_SIZE);
}

static void free_job(struct read_job *j) {
  for (size_t i = 0; i < j->n; i++) free(j->paths[i]);
  free(j->paths);
  free(j->res);
  if (j->out) munmap(j->out, j->cap);
  free(j);
}

static void finalize_out(napi_env env, void *data, void *hint) {
  (void)env;
  munmap(data, (size_t)(uintptr_t)hint);
}

static void set_number(napi_env env, napi_value obj, const char *name, double v) {
  napi_value num;
  napi_create_double(env, v, &num);
  napi_set_named_property(env, obj, name, num);
}

// Resolves with { data: Buffer, results: [{ start, end } | { errno, syscall }, each with dev, ino when the
// file was opened] } in the order of the paths.
static void complete(napi_env env, napi_status status, void *data) {
  struct read_job *j = data;
  napi_value out, buffer, list;
  napi_create_object(env, &out);
  // The mapping becomes the Buffer's memory (no copy of a few MB); unmapped when the Buffer is collected.
  if (!j->out || napi_create_external_buffer(env, j->len, j->out, finalize_out, (void *)(uintptr_t)j->cap, &buffer) != napi_ok) {
    void *copy;
    napi_create_buffer_copy(env, j->len, j->len ? j->out : "", &copy, &buffer);
  } else {
    j->out = NULL; // the Buffer owns it now
  }
  napi_set_named_property(env, out, "data", buffer);
  napi_create_array_with_length(env, j->n, &list);
  for (size_t i = 0; i < j->n; i++) {
    struct ns_result *r = &j->res[i];
    napi_value item;
    napi_create_object(env, &item);
    if (status != napi_ok) { r->err = ECANCELED; r->syscall = "read"; }
    if (r->err) {
      napi_value syscall;
      set_number(env, item, "errno", r->err);
      napi_create_string_utf8(env, r->syscall, NAPI_AUTO_LENGTH, &syscall);
      napi_set_named_property(env, item, "syscall", syscall);
    } else {
      set_number(env, item, "start", (double)r->start);
      set_number(env, item, "end", (double)r->end);
    }
    if (r->have_id) {
      set_number(env, item, "dev", (double)r->dev);
      set_number(env, item, "ino", (double)r->ino);
    }
    napi_set_element(env, list, (uint32_t)i, item);
  }
  napi_set_named_property(env, out, "results", list);
  napi_resolve_deferred(env, j->deferred, out);
  napi_delete_async_work(env, j->work);
  free_job(j);
}

// readNetns(paths: (string | null)[]): Promise<...>; null reads the process's own namespace.
napi_value ctnet_read_netns(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], promise, name;
  uint32_t n = 0;
  bool is_array = false;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_is_array(env, argv[0], &is_array) != napi_ok || !is_array) {
    napi_throw_type_error(env, NULL, "readNetns(paths): paths must be an array");
    return NULL;
  }
  napi_get_array_length(env, argv[0], &n);
  struct read_job *j = calloc(1, sizeof *j);
  if (!j || !(j->paths = calloc(n ? n : 1, sizeof *j->paths)) || !(j->res = calloc(n ? n : 1, sizeof *j->res))) {
    if (j) { free(j->paths); free(j); }
    napi_throw_error(env, NULL, "readNetns: out of memory");
    return NULL;
  }
  j->n = n;
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    napi_valuetype t;
    size_t len = 0;
    napi_get_element(env, argv[0], i, &v);
    napi_typeof(env, v, &t);
    if (t == napi_null) continue;
    if (t != napi_string || napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok || len == 0 || len > 4096) {
      free_job(j);
      napi_throw_type_error(env, NULL, "readNetns(paths): each path must be a non-empty string or null");
      return NULL;
    }
    j->paths[i] = malloc(len + 1);
    if (!j->paths[i]) { free_job(j); napi_throw_error(env, NULL, "readNetns: out of memory"); return NULL; }
    napi_get_value_string_utf8(env, v, j->paths[i], len + 1, &len);
  }
  napi_create_promise(env, &j->deferred, &promise);
  napi_create_string_utf8(env, "ctnet.readNetns", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, execute, complete, j, &j->work);
  napi_queue_async_work(env, j->work);
  return promise;
}
