# CivetWeb 1.15 built from Debian's own source package, as a static library inside our build.
#
# Why not Debian's libcivetweb: it is compiled without IPv6 and for the OpenSSL 1.1 API with libssl
# loaded by dlopen(), so its TLS calls a NULL SSL_get_peer_certificate on OpenSSL 3 and crashes on the
# first HTTPS request (docs: ../shared/reference/STACK.md §4, §8). We compile the same upstream release
# with IPv6 on and TLS linked directly against OpenSSL 3 using the 3.0 API, the way prometheus-cpp's
# upstream build embeds CivetWeb. packaging/install-deps.sh fetches the source with
# `apt-get source --download-only civetweb` into third_party/civetweb-src/ (git-ignored).
#
# Provides the target hostwatch::civetweb (C library + C++ wrapper).

set(HOSTWATCH_CIVETWEB_SOURCE_DIR "${CMAKE_SOURCE_DIR}/third_party/civetweb-src"
    CACHE PATH "Directory holding Debian's civetweb source package (civetweb_1.15*.orig.tar.xz)")

find_package(OpenSSL 3.0 REQUIRED)

file(GLOB _civetweb_tarballs "${HOSTWATCH_CIVETWEB_SOURCE_DIR}/civetweb_1.15*.orig.tar.*")
if(NOT _civetweb_tarballs)
  message(FATAL_ERROR
    "CivetWeb source not found in ${HOSTWATCH_CIVETWEB_SOURCE_DIR}.\n"
    "hostwatch builds CivetWeb 1.15 from Debian's source package (IPv6 + OpenSSL 3 TLS).\n"
    "Run packaging/install-deps.sh (it adds a deb-src entry for Debian's mirror and runs\n"
    "`apt-get source --download-only civetweb` there), or point -DHOSTWATCH_CIVETWEB_SOURCE_DIR=... at a\n"
    "directory that holds civetweb_1.15+dfsg.orig.tar.xz.")
endif()
list(GET _civetweb_tarballs 0 _civetweb_tarball)

# Unpack once per build tree; re-unpack when the tarball changes.
set(_civetweb_unpack_dir "${CMAKE_BINARY_DIR}/_deps/civetweb")
set(_civetweb_root "${_civetweb_unpack_dir}/civetweb-1.15")
# Our fixes to upstream, applied after unpacking (bump the level to re-unpack existing build trees).
#  1. A Content-Length beyond LLONG_MAX saturates strtoll() and later overflows
#     `request_len + content_len` in the keep-alive check (signed overflow, undefined behaviour that
#     UBSan reported from tests/integration/test_abuse.py). Such a header is now a 400 like a negative one.
#  2. mg_start2's error paths for the worker arrays free them without clearing the pointers, and
#     free_context() then frees them again (a double free TSan and glibc reported when 2000 workers
#     ran out of descriptors for their ALTERNATIVE_QUEUE eventfds). They now clear the pointers.
#  3. Worker threads start on demand. Upstream 1.15 starts all num_threads workers (and, with
#     ALTERNATIVE_QUEUE, an eventfd each) in mg_start; with our default of 256 that was 3.1 MiB of
#     touched thread stacks (about 12 KiB per idle worker), 256 descriptors, and a /proc/self/fd
#     listing for process_open_fds that cost 9% of a scrape's CPU. Now mg_start starts one worker;
#     when a connection arrives and no started worker is idle, the master thread starts the next
#     one (up to num_threads) and hands it the connection directly (slot state 3, "handed over
#     before the worker exists", which consume_socket takes without waiting for the event).
#     Started workers stay until mg_stop, like upstream's; only the master thread starts them and
#     reads the started count, so the count needs no lock. (CivetWeb 1.16's prespawn_threads does
#     the same; Debian 12 ships 1.15.)
#  4. One time bound for reading a whole request, head and body (issue 16). Upstream waits up to
#     request_timeout_ms for each next byte of a body, and after a handler answered it reads the rest
#     of a declared body to keep the connection alive: 20 clients that declared `Content-Length:
#     100000000` and then sent a byte every 2 s held 16 workers for as long as they liked. Now the
#     body reads (pull_all) and the head reads (read_message) wait only for what is left of
#     request_timeout_ms counted from req_time (when the server started reading this request), and a
#     request whose time is up is not kept alive.
#  5. After a handler, at most 256 KiB of an unread body is discarded (as Go's net/http does); a
#     longer one closes the connection instead of being read.
#  6. mg_hostwatch_close_after_response(conn): the connection closes after the response and the
#     rest of the request body is never read, for requests whose body we refuse.
#  7. mg_hostwatch_use_inherited_listeners(fds, n): socket activation (--web.systemd-socket). A
#     listening_ports entry whose address is that of one of these already listening sockets (passed
#     by systemd) takes that socket instead of creating and binding one.
set(_civetweb_patch_level 7)

# Replaces `old` by `new` in the variable `text`, failing the configure step unless it occurs
# exactly `expected` times, so an upstream change cannot silently skip a fix.
function(hostwatch_civetweb_patch text old new expected)
  string(REPLACE "${old}" "" _without "${${text}}")
  string(LENGTH "${${text}}" _len_all)
  string(LENGTH "${_without}" _len_without)
  string(LENGTH "${old}" _len_old)
  math(EXPR _count "(${_len_all} - ${_len_without}) / ${_len_old}")
  if(NOT _count EQUAL expected)
    message(FATAL_ERROR "CivetWeb patch: found ${_count} occurrences of\n${old}\nexpected ${expected}")
  endif()
  string(REPLACE "${old}" "${new}" _patched "${${text}}")
  set(${text} "${_patched}" PARENT_SCOPE)
endfunction()

file(SHA256 "${_civetweb_tarball}" _civetweb_sha)
string(APPEND _civetweb_sha "-patch${_civetweb_patch_level}")
if(NOT EXISTS "${_civetweb_root}/src/civetweb.c" OR NOT "${_civetweb_sha}" STREQUAL "${HOSTWATCH_CIVETWEB_UNPACKED_SHA}")
  file(REMOVE_RECURSE "${_civetweb_unpack_dir}")
  file(ARCHIVE_EXTRACT INPUT "${_civetweb_tarball}" DESTINATION "${_civetweb_unpack_dir}")
  if(NOT EXISTS "${_civetweb_root}/src/civetweb.c")
    message(FATAL_ERROR "${_civetweb_tarball} did not unpack to civetweb-1.15/src/civetweb.c")
  endif()
  file(READ "${_civetweb_root}/src/civetweb.c" _civetweb_c)
  # 1. 2^53: far above any body we accept, far below the overflow (request and response parsing).
  hostwatch_civetweb_patch(_civetweb_c
    "if ((endptr == cl) || (conn->content_len < 0)) {"
    "if ((endptr == cl) || (conn->content_len < 0) || (conn->content_len > (1LL << 53))) {" 2)
  # 2. The event-creation failure path, then the socket-array allocation failure path.
  hostwatch_civetweb_patch(_civetweb_c
    "\t\t\tmg_free(ctx->client_socks);\n\t\t\tmg_free(ctx->client_wait_events);\n\t\t\tmg_free(ctx->worker_threadids);\n"
    "\t\t\tmg_free(ctx->client_socks);\n\t\t\tctx->client_socks = NULL;\n\t\t\tmg_free(ctx->client_wait_events);\n\t\t\tctx->client_wait_events = NULL;\n\t\t\tmg_free(ctx->worker_threadids);\n\t\t\tctx->worker_threadids = NULL;\n" 1)
  hostwatch_civetweb_patch(_civetweb_c
    "\t\tmg_free(ctx->client_wait_events);\n\t\tmg_free(ctx->worker_threadids);\n"
    "\t\tmg_free(ctx->client_wait_events);\n\t\tctx->client_wait_events = NULL;\n\t\tmg_free(ctx->worker_threadids);\n\t\tctx->worker_threadids = NULL;\n" 1)
  # 3. On-demand workers: the started count, ...
  hostwatch_civetweb_patch(_civetweb_c
    "\tpthread_t *worker_threadids; /* The worker thread IDs */\n"
    "\tpthread_t *worker_threadids; /* The worker thread IDs */\n\tunsigned int spawned_worker_threads; /* hostwatch: started so far; master thread only */\n" 1)
  # ... mg_start creates one event and starts one worker ...
  hostwatch_civetweb_patch(_civetweb_c
    "for (i = 0; (unsigned)i < ctx->cfg_worker_threads; i++) {\n\t\tctx->client_wait_events[i] = event_create();"
    "for (i = 0; (unsigned)i < 1; i++) {\n\t\tctx->client_wait_events[i] = event_create();" 1)
  hostwatch_civetweb_patch(_civetweb_c
    "\t/* Start worker threads */\n\tfor (i = 0; i < ctx->cfg_worker_threads; i++) {"
    "\t/* Start worker threads: the first one; the others start on demand (spawn_worker_for) */\n\tfor (i = 0; i < 1; i++) {" 1)
  hostwatch_civetweb_patch(_civetweb_c
    "\t/* Start master (listening) thread */\n"
    "\tctx->spawned_worker_threads = 1;\n\t/* Start master (listening) thread */\n" 1)
  # ... the master thread looks for an idle worker among those started, else starts one ...
  hostwatch_civetweb_patch(_civetweb_c
    "#if defined(ALTERNATIVE_QUEUE)\n\nstatic void\nproduce_socket("
    "#if defined(ALTERNATIVE_QUEUE)

static void *worker_thread(void *thread_func_param);

/* hostwatch: starts the next worker and hands it the socket; 0 when all num_threads workers are
 * started or the thread (or its event) cannot be created, and the caller waits for an idle one. */
static int
spawn_worker_for(struct mg_context *ctx, const struct socket *sp)
{
\tunsigned int i = ctx->spawned_worker_threads;

\tif (i >= ctx->cfg_worker_threads) {
\t\treturn 0;
\t}
\tif (ctx->client_wait_events[i] == NULL) {
\t\tctx->client_wait_events[i] = event_create();
\t\tif (ctx->client_wait_events[i] == NULL) {
\t\t\treturn 0;
\t\t}
\t}
\t(void)pthread_mutex_lock(&ctx->thread_mutex);
\tctx->client_socks[i] = *sp;
\tctx->client_socks[i].in_use = 3;
\t(void)pthread_mutex_unlock(&ctx->thread_mutex);
\tctx->worker_connections[i].phys_ctx = ctx;
\tif (mg_start_thread_with_id(worker_thread,
\t                            &ctx->worker_connections[i],
\t                            &ctx->worker_threadids[i])
\t    != 0) {
\t\t(void)pthread_mutex_lock(&ctx->thread_mutex);
\t\tctx->client_socks[i].in_use = 0;
\t\t(void)pthread_mutex_unlock(&ctx->thread_mutex);
\t\tctx->worker_threadids[i] = 0;
\t\treturn 0;
\t}
\tctx->spawned_worker_threads = i + 1;
\treturn 1;
}

static void
produce_socket(" 1)
  hostwatch_civetweb_patch(_civetweb_c
    "\t\tfor (i = 0; i < ctx->cfg_worker_threads; i++) {\n\t\t\t/* find a free worker slot and signal it */"
    "\t\tfor (i = 0; i < ctx->spawned_worker_threads; i++) {\n\t\t\t/* find a free worker slot and signal it */" 1)
  hostwatch_civetweb_patch(_civetweb_c
    "\t\t/* queue is full */\n\t\tmg_sleep(1);"
    "\t\tif (spawn_worker_for(ctx, sp)) {\n\t\t\treturn;\n\t\t}\n\t\t/* queue is full */\n\t\tmg_sleep(1);" 1)
  # ... and a worker started for a socket takes it without waiting for its event.
  hostwatch_civetweb_patch(_civetweb_c
    "\tDEBUG_TRACE(\"%s\", \"going idle\");\n\t(void)pthread_mutex_lock(&ctx->thread_mutex);\n\tctx->client_socks[thread_index].in_use = 2;\n"
    "\tDEBUG_TRACE(\"%s\", \"going idle\");\n\t(void)pthread_mutex_lock(&ctx->thread_mutex);\n\tif (ctx->client_socks[thread_index].in_use == 3) {\n\t\tctx->client_socks[thread_index].in_use = 1;\n\t\t*sp = ctx->client_socks[thread_index];\n\t\t(void)pthread_mutex_unlock(&ctx->thread_mutex);\n\t\treturn 1;\n\t}\n\tctx->client_socks[thread_index].in_use = 2;\n" 1)
  # 4. The time left of the request's bound, used by the body reads ...
  hostwatch_civetweb_patch(_civetweb_c
    "\n\nstatic int\npull_all(FILE *fp, struct mg_connection *conn, char *buf, int len)\n"
    "

/* hostwatch: seconds left of the time one request may take to arrive, head and body together:
 * timeout counted from req_time. 0 when it is up; a negative (unlimited) timeout and client
 * connections are returned unchanged. */
static double
hw_request_time_left(const struct mg_connection *conn, double timeout)
{
\tstruct timespec now;
\tdouble left;

\tif ((timeout < 0.0) || (conn->connection_type != CONNECTION_TYPE_REQUEST)) {
\t\treturn timeout;
\t}
\tclock_gettime(CLOCK_MONOTONIC, &now);
\tleft = timeout - mg_difftimespec(&now, &(conn->req_time));
\treturn (left > 0.0) ? left : 0.0;
}

static int
pull_all(FILE *fp, struct mg_connection *conn, char *buf, int len)
" 1)
  hostwatch_civetweb_patch(_civetweb_c
    "\t\tn = pull_inner(fp, conn, buf + nread, len, timeout);\n"
    "\t\tdouble left = hw_request_time_left(conn, timeout);\n\t\tif (left == 0.0) {\n\t\t\t/* hostwatch: the request's time is up; the rest is never read */\n\t\t\tconn->must_close = 1;\n\t\t\tbreak;\n\t\t}\n\t\tn = pull_inner(fp, conn, buf + nread, len, left);\n" 1)
  # ... and the head reads (read_message already gives up once the bound has passed, but each wait
  # was a whole request_timeout, so a byte just before the bound extended it by up to that much).
  hostwatch_civetweb_patch(_civetweb_c
    "\t\tn = pull_inner(\n\t\t    fp, conn, buf + *nread, bufsiz - *nread, request_timeout);\n"
    "\t\tn = pull_inner(fp,\n\t\t               conn,\n\t\t               buf + *nread,\n\t\t               bufsiz - *nread,\n\t\t               hw_request_time_left(conn, request_timeout));\n" 1)
  # 5. At most 256 KiB of an unread body is discarded; beyond that the connection closes.
  hostwatch_civetweb_patch(_civetweb_c
    "\tchar buf[MG_BUF_LEN];\n\n\twhile (mg_read(conn, buf, sizeof(buf)) > 0)\n\t\t;\n}\n"
    "\tchar buf[MG_BUF_LEN];
\tint left = 256 * 1024; /* hostwatch: Go's net/http discards as much */
\tint n = 1;

\twhile ((left > 0) && (n > 0)) {
\t\tn = mg_read(conn, buf, ((size_t)left < sizeof(buf)) ? (size_t)left : sizeof(buf));
\t\tleft -= (n > 0) ? n : 0;
\t}
\tif (left == 0) {
\t\tconn->must_close = 1;
\t}
}

/* hostwatch: see civetweb.h */
void
mg_hostwatch_close_after_response(struct mg_connection *conn)
{
\tif (conn != NULL) {
\t\tconn->must_close = 1;
\t}
}
" 1)
  # 7. Inherited listeners: the table, the lookup by address ...
  hostwatch_civetweb_patch(_civetweb_c
    "\n\nstatic int\nset_ports_option(struct mg_context *phys_ctx)\n"
    "

/* hostwatch: listening sockets inherited from the service manager; -1 once taken. */
static int hw_inherited_fds[64];
static int hw_inherited_count;

void
mg_hostwatch_use_inherited_listeners(const int *fds, int count)
{
\tint i;

\thw_inherited_count = (count < 64) ? count : 64;
\tfor (i = 0; i < hw_inherited_count; i++) {
\t\thw_inherited_fds[i] = fds[i];
\t}
}

/* The inherited socket bound to exactly this address (family, address, port), or INVALID_SOCKET. */
static SOCKET
hw_take_inherited(const union usa *want)
{
\tint i;
\tunion usa got;
\tsocklen_t len;

\tfor (i = 0; i < hw_inherited_count; i++) {
\t\tif (hw_inherited_fds[i] < 0) {
\t\t\tcontinue;
\t\t}
\t\tmemset(&got, 0, sizeof(got));
\t\tlen = sizeof(got);
\t\tif ((getsockname(hw_inherited_fds[i], &got.sa, &len) != 0)
\t\t    || (got.sa.sa_family != want->sa.sa_family)) {
\t\t\tcontinue;
\t\t}
\t\tif (((want->sa.sa_family == AF_INET) && (got.sin.sin_port == want->sin.sin_port)
\t\t     && (got.sin.sin_addr.s_addr == want->sin.sin_addr.s_addr))
\t\t    || ((want->sa.sa_family == AF_INET6) && (got.sin6.sin6_port == want->sin6.sin6_port)
\t\t        && (memcmp(&got.sin6.sin6_addr, &want->sin6.sin6_addr, sizeof(got.sin6.sin6_addr)) == 0))) {
\t\t\tSOCKET s = (SOCKET)hw_inherited_fds[i];
\t\t\thw_inherited_fds[i] = -1;
\t\t\treturn s;
\t\t}
\t}
\treturn INVALID_SOCKET;
}

static int
set_ports_option(struct mg_context *phys_ctx)
" 1)
  # ... used before creating a socket (the inherited one is bound and listening already) ...
  hostwatch_civetweb_patch(_civetweb_c
    "\t\t/* Create socket. */\n"
    "\t\tso.sock = hw_take_inherited(&so.lsa);
\t\tif (so.sock != INVALID_SOCKET) {
\t\t\tlen = sizeof(usa);
\t\t\tgoto hw_listening;
\t\t}
\t\t/* Create socket. */\n" 1)
  hostwatch_civetweb_patch(_civetweb_c
    "\t\tif ((getsockname(so.sock, &(usa.sa), &len) != 0)\n\t\t    || (usa.sa.sa_family != so.lsa.sa.sa_family)) {"
    "\thw_listening:\n\t\tif ((getsockname(so.sock, &(usa.sa), &len) != 0)\n\t\t    || (usa.sa.sa_family != so.lsa.sa.sa_family)) {" 1)
  file(WRITE "${_civetweb_root}/src/civetweb.c" "${_civetweb_c}")
  # 6. and 7. The declarations of mg_hostwatch_close_after_response and mg_hostwatch_use_inherited_listeners.
  file(READ "${_civetweb_root}/include/civetweb.h" _civetweb_h)
  hostwatch_civetweb_patch(_civetweb_h
    "CIVETWEB_API int mg_read(struct mg_connection *, void *buf, size_t len);\n"
    "CIVETWEB_API int mg_read(struct mg_connection *, void *buf, size_t len);

/* hostwatch: closes the connection after the response now being written, without reading the
   rest of the request body (no discard, no keep-alive). Call it before writing the response. */
CIVETWEB_API void mg_hostwatch_close_after_response(struct mg_connection *conn);

/* hostwatch: listening sockets passed by the service manager (socket activation). Before mg_start:
   a listening_ports entry with the address of one of them uses it instead of binding a new one. */
CIVETWEB_API void mg_hostwatch_use_inherited_listeners(const int *fds, int count);
" 1)
  file(WRITE "${_civetweb_root}/include/civetweb.h" "${_civetweb_h}")
  set(HOSTWATCH_CIVETWEB_UNPACKED_SHA "${_civetweb_sha}" CACHE INTERNAL "")
endif()
message(STATUS "CivetWeb: building ${_civetweb_tarball} (IPv6, OpenSSL ${OPENSSL_VERSION} linked, 3.0 API)")

# Only the two translation units we need (the server and its C++ wrapper); upstream's CMake would also
# add its executable, install rules and test options, none of which belong in our build or package.
add_library(hostwatch_civetweb STATIC "${_civetweb_root}/src/civetweb.c" "${_civetweb_root}/src/CivetServer.cpp")
target_include_directories(hostwatch_civetweb SYSTEM PUBLIC "${_civetweb_root}/include")
target_compile_definitions(hostwatch_civetweb
  PRIVATE USE_IPV6 OPENSSL_API_3_0 NO_SSL_DL NO_CGI NO_FILES
  # gmtime_r/localtime_r instead of gmtime/localtime: without it, workers writing Date headers at
  # the same time share libc's static struct tm (a data race ThreadSanitizer reported).
  REENTRANT_TIME
  # Hand each accepted connection to the idle worker with the lowest index (one eventfd per
  # worker) instead of a shared queue whose condition variable wakes workers in turn. With the
  # queue, every new connection (Prometheus reconnects after each 500 ms idle timeout) went to
  # another of the 256 workers, and each worker that ever served a scrape kept ~25 KiB of
  # touched stack and glibc per-thread malloc cache: anonymous RSS grew from 7.5 to 23 MiB over
  # 3,000 fresh-connection scrapes. Now the same few workers serve, and RSS stays at 7.7 MiB
  # (2.7 MiB once patch 3 started workers on demand). Costs: one eventfd per started worker,
  # and while every worker is busy the master thread polls every 1 ms for a free one
  # (connections wait in the listen backlog meanwhile, as they did once the old 256-entry queue
  # was full).
  ALTERNATIVE_QUEUE
  # CivetWeb's threads poll in slices of this many ms and look at the stop flag between slices,
  # so it bounds how long mg_stop waits for them. Upstream's 2000 made SIGTERM take 1.3-2.0 s
  # (3.03 s once under TSan on a busy machine: test_foundation's 3 s limit); 250 costs the idle
  # master thread four wake-ups a second.
  SOCKET_TIMEOUT_QUANTUM=250
  # The header must agree with the library on these.
  PUBLIC USE_IPV6 OPENSSL_API_3_0)
# Upstream code: not held to our warning flags.
target_compile_options(hostwatch_civetweb PRIVATE -w)
set_target_properties(hostwatch_civetweb PROPERTIES POSITION_INDEPENDENT_CODE ON)
target_link_libraries(hostwatch_civetweb PUBLIC OpenSSL::SSL OpenSSL::Crypto Threads::Threads ${CMAKE_DL_LIBS})
add_library(hostwatch::civetweb ALIAS hostwatch_civetweb)
