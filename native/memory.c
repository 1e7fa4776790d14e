/*
 * meshrr_memory: transparent huge pages for the RIB's large typed arrays, as a small N-API
 * addon (C, built by node-gyp with meshrr_sockopt, binding.gyp at the repository root).
 *
 * A full table keeps ~60 MB in a handful of typed arrays that the hash table and the path
 * arrays touch at random. On 4 KiB pages that is ~15,000 first-touch page faults and a TLB
 * miss on most hash probes; on 2 MiB pages it is a few dozen faults and far fewer misses.
 * Linux backs an anonymous mapping with huge pages when THP is "always", or "madvise" (the
 * Debian and Ubuntu default) and the range was advised MADV_HUGEPAGE. This is what glibc's
 * glibc.malloc.hugetlb=1 tunable does for every malloc; that tunable is ignored in
 * secure-execution mode, i.e. for a node binary given file capabilities to bind port 179 as
 * a non-root user, as the meshrr image does.
 *
 * hugeAdvise(arrayBuffer, bytes): the offset in the buffer of its first 2 MiB boundary, after
 * advising MADV_HUGEPAGE for [boundary, boundary + bytes rounded up to 2 MiB) when that range
 * lies inside the buffer; -1 when it does not (the caller then uses offset 0). The caller
 * allocates 2 MiB more than it needs and places its view at the returned offset. A failed
 * madvise (THP compiled out, EINVAL) is not an error: the memory works as before.
 *
 * Owns: one syscall. Must not: keep state or log. Linux only.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <stdint.h>
#include <sys/mman.h>

#define HUGE_PAGE ((uintptr_t)2 << 20)

static napi_value int_value(napi_env env, int64_t n) {
  napi_value v;
  napi_create_int64(env, n, &v);
  return v;
}

static napi_value js_huge_advise(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "hugeAdvise(arrayBuffer, bytes)");
    return NULL;
  }
  bool is_ab = false;
  if (napi_is_arraybuffer(env, argv[0], &is_ab) != napi_ok || !is_ab) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "hugeAdvise: the first argument must be an ArrayBuffer");
    return NULL;
  }
  int64_t want = 0;
  if (napi_get_value_int64(env, argv[1], &want) != napi_ok || want <= 0) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "hugeAdvise: bytes must be a positive number");
    return NULL;
  }
  void *data = NULL;
  size_t len = 0;
  if (napi_get_arraybuffer_info(env, argv[0], &data, &len) != napi_ok || data == NULL) return int_value(env, -1);
  uintptr_t start = (uintptr_t)data;
  uintptr_t aligned = (start + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
  uintptr_t span = ((uintptr_t)want + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
  // The view must fit: [aligned, aligned + want) inside [start, start + len).
  if (aligned - start + (uintptr_t)want > len) return int_value(env, -1);
  // Advise only whole huge pages inside the buffer.
  uintptr_t end = aligned + span;
  if (end > start + len) end = (start + len) & ~(HUGE_PAGE - 1);
  if (end > aligned) (void)madvise((void *)aligned, end - aligned, MADV_HUGEPAGE);
  return int_value(env, (int64_t)(aligned - start));
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor d[] = {
    {"hugeAdvise", NULL, js_huge_advise, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof d / sizeof d[0], d) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
