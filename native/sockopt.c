/*
 * meshrr_sockopt: the socket options Node has no API for, as a small N-API addon (C, built
 * by node-gyp against the Node headers, binding.gyp at the repository root).
 *
 *  - TCP_MD5SIG / TCP_MD5SIG_EXT (RFC 2385): a key per peer address, or per address prefix
 *    (TCP_MD5SIG_FLAG_PREFIX) for listen ranges, on listening and connecting sockets;
 *  - IP_MINTTL / IPV6_MINHOPCOUNT (RFC 5082 GTSM) and IP_TTL / IPV6_UNICAST_HOPS;
 *  - IP_RECVTTL / IPV6_RECVHOPLIMIT on a listener, so that the TTL of the SYN of an accepted
 *    connection can be read back (Linux keeps it for IP_PKTOPTIONS / IPV6_2292PKTOPTIONS);
 *  - socket(): a non-blocking TCP socket, so that options are set before the SYN is sent
 *    (Node then adopts the descriptor with `new net.Socket({ fd })` and connects it).
 *
 * Owns: syscalls only. Must not: keep state, log, or hold keys longer than one call (the
 * key bytes are copied into a stack struct that is wiped before returning).
 * Every failure throws an Error whose `code` is the errno name (EINVAL, ENOENT, ...).
 * Linux only (TCP_MD5SIG_EXT needs 4.13).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <node_api.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef TCP_MD5SIG_EXT
#define TCP_MD5SIG_EXT 32
#endif
#ifndef TCP_MD5SIG_FLAG_PREFIX
#define TCP_MD5SIG_FLAG_PREFIX 1
#endif
#ifndef IP_MINTTL
#define IP_MINTTL 21
#endif
#ifndef IPV6_MINHOPCOUNT
#define IPV6_MINHOPCOUNT 73
#endif
#ifndef IPV6_2292PKTOPTIONS
#define IPV6_2292PKTOPTIONS 6
#endif

static napi_value throw_errno(napi_env env, int err, const char *what) {
  char msg[160];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  const char *name = strerrorname_np(err);
  napi_throw_error(env, name != NULL ? name : "EUNKNOWN", msg);
  return NULL;
}

static napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
  return NULL;
}

static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return -1;
  return argc < want ? -1 : 0;
}

static int get_int(napi_env env, napi_value v, int32_t *out) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_number) return -1;
  return napi_get_value_int32(env, v, out) == napi_ok ? 0 : -1;
}

static napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

static napi_value int_value(napi_env env, int32_t n) {
  napi_value v;
  napi_create_int32(env, n, &v);
  return v;
}

/* The address family of a socket (AF_INET or AF_INET6), or -1 with errno set. */
static int sock_family(int fd) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  memset(&ss, 0, sizeof ss);
  if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) return -1;
  return ss.ss_family;
}

/* family(fd) -> 4 | 6 */
static napi_value js_family(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t fd;
  if (get_args(env, info, 1, argv) != 0 || get_int(env, argv[0], &fd) != 0) return throw_type(env, "family(fd)");
  int f = sock_family(fd);
  if (f < 0) return throw_errno(env, errno, "getsockname");
  return int_value(env, f == AF_INET6 ? 6 : 4);
}

/* socket(4 | 6) -> fd: a non-blocking, close-on-exec TCP socket. */
static napi_value js_socket(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t v;
  if (get_args(env, info, 1, argv) != 0 || get_int(env, argv[0], &v) != 0 || (v != 4 && v != 6)) return throw_type(env, "socket(4 | 6)");
  int fd = socket(v == 6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) return throw_errno(env, errno, "socket");
  return int_value(env, fd);
}

/* close(fd): for a descriptor from socket() that could not be handed to Node. */
static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t fd;
  if (get_args(env, info, 1, argv) != 0 || get_int(env, argv[0], &fd) != 0) return throw_type(env, "close(fd)");
  if (close(fd) != 0) return throw_errno(env, errno, "close");
  return undefined(env);
}

/*
 * setMd5(fd, address: Buffer(4 | 16), prefixLength: number (-1: exact address), key: Buffer | null)
 * A null or empty key deletes the key for that address or prefix. An IPv4 peer on an IPv6
 * socket is given as its IPv4-mapped address (the kernel keys it as IPv4).
 */
static napi_value js_set_md5(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int32_t fd, plen;
  void *addr = NULL, *key = NULL;
  size_t alen = 0, klen = 0;
  bool is_buf = false;
  if (get_args(env, info, 4, argv) != 0 || get_int(env, argv[0], &fd) != 0 || get_int(env, argv[2], &plen) != 0) {
    return throw_type(env, "setMd5(fd, address, prefixLength, key)");
  }
  if (napi_is_buffer(env, argv[1], &is_buf) != napi_ok || !is_buf || napi_get_buffer_info(env, argv[1], &addr, &alen) != napi_ok || (alen != 4 && alen != 16)) {
    return throw_type(env, "setMd5: address must be a Buffer of 4 or 16 octets");
  }
  napi_valuetype kt;
  napi_typeof(env, argv[3], &kt);
  if (kt != napi_null && kt != napi_undefined) {
    if (napi_is_buffer(env, argv[3], &is_buf) != napi_ok || !is_buf || napi_get_buffer_info(env, argv[3], &key, &klen) != napi_ok) {
      return throw_type(env, "setMd5: key must be a Buffer or null");
    }
  }
  if (klen > TCP_MD5SIG_MAXKEYLEN) return throw_type(env, "setMd5: key longer than 80 octets (TCP_MD5SIG_MAXKEYLEN)");
  int fam = sock_family(fd);
  if (fam < 0) return throw_errno(env, errno, "getsockname");

  struct tcp_md5sig sig;
  memset(&sig, 0, sizeof sig);
  int max_plen = alen == 4 ? 32 : 128;
  if (plen > max_plen) return throw_type(env, "setMd5: prefix length too long for the address");
  if (fam == AF_INET) {
    if (alen != 4) return throw_type(env, "setMd5: IPv6 address on an IPv4 socket");
    struct sockaddr_in *sin = (struct sockaddr_in *)&sig.tcpm_addr;
    sin->sin_family = AF_INET;
    memcpy(&sin->sin_addr, addr, 4);
  } else {
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&sig.tcpm_addr;
    sin6->sin6_family = AF_INET6;
    if (alen == 4) {
      /* ::ffff:a.b.c.d; the prefix length stays an IPv4 one (tcp_v6_parse_md5_keys). */
      sin6->sin6_addr.s6_addr[10] = 0xff;
      sin6->sin6_addr.s6_addr[11] = 0xff;
      memcpy(&sin6->sin6_addr.s6_addr[12], addr, 4);
    } else {
      memcpy(&sin6->sin6_addr, addr, 16);
    }
  }
  int opt = TCP_MD5SIG;
  if (plen >= 0) {
    opt = TCP_MD5SIG_EXT;
    sig.tcpm_flags = TCP_MD5SIG_FLAG_PREFIX;
    sig.tcpm_prefixlen = (uint8_t)plen;
  }
  sig.tcpm_keylen = (uint16_t)klen;
  if (klen > 0) memcpy(sig.tcpm_key, key, klen);
  int rc = setsockopt(fd, IPPROTO_TCP, opt, &sig, sizeof sig);
  int err = errno;
  explicit_bzero(&sig, sizeof sig);
  /* Deleting a key that is not there is not an error for our callers. */
  if (rc != 0 && !(klen == 0 && err == ENOENT)) return throw_errno(env, err, plen >= 0 ? "setsockopt(TCP_MD5SIG_EXT)" : "setsockopt(TCP_MD5SIG)");
  return undefined(env);
}

static int set_int_opt(int fd, int level, int name, int value) {
  return setsockopt(fd, level, name, &value, sizeof value);
}

/* setMinTtl(fd, minTtl): IP_MINTTL (and IPV6_MINHOPCOUNT on IPv6 sockets); 0 switches it off. */
static napi_value js_set_min_ttl(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t fd, ttl;
  if (get_args(env, info, 2, argv) != 0 || get_int(env, argv[0], &fd) != 0 || get_int(env, argv[1], &ttl) != 0 || ttl < 0 || ttl > 255) {
    return throw_type(env, "setMinTtl(fd, 0..255)");
  }
  int fam = sock_family(fd);
  if (fam < 0) return throw_errno(env, errno, "getsockname");
  if (fam == AF_INET6) {
    if (set_int_opt(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, ttl) != 0) return throw_errno(env, errno, "setsockopt(IPV6_MINHOPCOUNT)");
  } else if (set_int_opt(fd, IPPROTO_IP, IP_MINTTL, ttl) != 0) {
    return throw_errno(env, errno, "setsockopt(IP_MINTTL)");
  }
  return undefined(env);
}

/* setTtl(fd, ttl): IP_TTL / IPV6_UNICAST_HOPS of the packets we send. */
static napi_value js_set_ttl(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t fd, ttl;
  if (get_args(env, info, 2, argv) != 0 || get_int(env, argv[0], &fd) != 0 || get_int(env, argv[1], &ttl) != 0 || ttl < 1 || ttl > 255) {
    return throw_type(env, "setTtl(fd, 1..255)");
  }
  int fam = sock_family(fd);
  if (fam < 0) return throw_errno(env, errno, "getsockname");
  if (fam == AF_INET6) {
    if (set_int_opt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, ttl) != 0) return throw_errno(env, errno, "setsockopt(IPV6_UNICAST_HOPS)");
  } else if (set_int_opt(fd, IPPROTO_IP, IP_TTL, ttl) != 0) {
    return throw_errno(env, errno, "setsockopt(IP_TTL)");
  }
  return undefined(env);
}

/* recordSynTtl(fd): on a listener, keep the TTL / hop limit of each SYN for synTtl(). */
static napi_value js_record_syn_ttl(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t fd;
  if (get_args(env, info, 1, argv) != 0 || get_int(env, argv[0], &fd) != 0) return throw_type(env, "recordSynTtl(fd)");
  int fam = sock_family(fd);
  if (fam < 0) return throw_errno(env, errno, "getsockname");
  if (fam == AF_INET6) {
    if (set_int_opt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1) != 0) return throw_errno(env, errno, "setsockopt(IPV6_RECVHOPLIMIT)");
  } else if (set_int_opt(fd, IPPROTO_IP, IP_RECVTTL, 1) != 0) {
    return throw_errno(env, errno, "setsockopt(IP_RECVTTL)");
  }
  return undefined(env);
}

/*
 * synTtl(fd) -> number: the TTL (hop limit) of the SYN that opened this accepted connection,
 * or -1 when the kernel did not record one. Linux stores it when the child socket is created
 * (tcp_v4_syn_recv_sock: mc_ttl; tcp_v6_syn_recv_sock: mcast_hops) and returns it as a
 * control message from IP_PKTOPTIONS / IPV6_2292PKTOPTIONS when the listener had
 * IP_RECVTTL / IPV6_RECVHOPLIMIT set.
 */
static napi_value js_syn_ttl(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t fd;
  if (get_args(env, info, 1, argv) != 0 || get_int(env, argv[0], &fd) != 0) return throw_type(env, "synTtl(fd)");
  int fam = sock_family(fd);
  if (fam < 0) return throw_errno(env, errno, "getsockname");
  union {
    char buf[256];
    struct cmsghdr align;
  } u;
  socklen_t len = sizeof u.buf;
  memset(&u, 0, sizeof u);
  int rc = fam == AF_INET6 ? getsockopt(fd, IPPROTO_IPV6, IPV6_2292PKTOPTIONS, u.buf, &len) : getsockopt(fd, IPPROTO_IP, IP_PKTOPTIONS, u.buf, &len);
  if (rc != 0) return throw_errno(env, errno, fam == AF_INET6 ? "getsockopt(IPV6_2292PKTOPTIONS)" : "getsockopt(IP_PKTOPTIONS)");
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_control = u.buf;
  msg.msg_controllen = len;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
    int want4 = c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL;
    int want6 = c->cmsg_level == IPPROTO_IPV6 && (c->cmsg_type == IPV6_HOPLIMIT || c->cmsg_type == IPV6_2292HOPLIMIT);
    if ((want4 || want6) && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
      int ttl;
      memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
      return int_value(env, ttl);
    }
  }
  return int_value(env, -1);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor d[] = {
    {"family", NULL, js_family, NULL, NULL, NULL, napi_enumerable, NULL},
    {"socket", NULL, js_socket, NULL, NULL, NULL, napi_enumerable, NULL},
    {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
    {"setMd5", NULL, js_set_md5, NULL, NULL, NULL, napi_enumerable, NULL},
    {"setMinTtl", NULL, js_set_min_ttl, NULL, NULL, NULL, napi_enumerable, NULL},
    {"setTtl", NULL, js_set_ttl, NULL, NULL, NULL, napi_enumerable, NULL},
    {"recordSynTtl", NULL, js_record_syn_ttl, NULL, NULL, NULL, napi_enumerable, NULL},
    {"synTtl", NULL, js_syn_ttl, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof d / sizeof d[0], d) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
