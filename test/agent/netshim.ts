// Pod networking on loopback: every pod owns one address in 127.0.0.0/8, and
// an LD_PRELOAD shim makes the processes of a pod behave as if that address
// were their only interface:
//   - bind() to 0.0.0.0 or 127.0.0.1 binds the pod IP instead, so every pod can
//     listen on the same port (valkey's default `bind * -::*` just works);
//     bind() to :: / ::1 binds ::ffff:<pod IP> on a dual-stack socket and fails
//     with EADDRNOTAVAIL on an IPv6-only one (valkey treats `-::*` as optional);
//   - connect() to 127.0.0.1 / 0.0.0.0 / ::1 reaches the pod's own IP
//     ("localhost" is the pod), and every outgoing TCP connection to loopback
//     is sourced from the pod IP, so peers see the pod's address (replication,
//     sentinel and cluster-bus discovery report the right IP).
// It affects dynamically linked programs only (valkey, redis, sh, coreutils);
// statically linked ones (most Go binaries) are not rewritten.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { which } from './images.js';

const SOURCE = String.raw`
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static in_addr_t pod_ip; /* network order; 0 = shim disabled */
static int (*real_bind)(int, const struct sockaddr *, socklen_t);
static int (*real_connect)(int, const struct sockaddr *, socklen_t);

__attribute__((constructor)) static void rk_init(void) {
  real_bind = dlsym(RTLD_NEXT, "bind");
  real_connect = dlsym(RTLD_NEXT, "connect");
  const char *s = getenv("RK_POD_IP");
  struct in_addr a;
  if (s && inet_pton(AF_INET, s, &a) == 1) pod_ip = a.s_addr;
}

static int is_local4(in_addr_t a) { return a == htonl(INADDR_ANY) || a == htonl(INADDR_LOOPBACK); }
static int is_local6(const struct in6_addr *a) {
  return IN6_IS_ADDR_UNSPECIFIED(a) || IN6_IS_ADDR_LOOPBACK(a);
}
static void mapped(struct in6_addr *a) {
  memset(a, 0, sizeof *a);
  a->s6_addr[10] = 0xff; a->s6_addr[11] = 0xff;
  memcpy(&a->s6_addr[12], &pod_ip, 4);
}

int bind(int fd, const struct sockaddr *addr, socklen_t len) {
  if (pod_ip && addr && addr->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
    struct sockaddr_in in = *(const struct sockaddr_in *)addr;
    if (is_local4(in.sin_addr.s_addr)) {
      in.sin_addr.s_addr = pod_ip;
      return real_bind(fd, (struct sockaddr *)&in, sizeof in);
    }
  } else if (pod_ip && addr && addr->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
    struct sockaddr_in6 in6 = *(const struct sockaddr_in6 *)addr;
    if (is_local6(&in6.sin6_addr)) {
      int v6only = 0; socklen_t l = sizeof v6only;
      if (getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &l) == 0 && v6only) {
        errno = EADDRNOTAVAIL;
        return -1;
      }
      mapped(&in6.sin6_addr);
      return real_bind(fd, (struct sockaddr *)&in6, sizeof in6);
    }
  }
  return real_bind(fd, addr, len);
}

static int is_stream(int fd) {
  int type = 0; socklen_t l = sizeof type;
  return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l) == 0 && type == SOCK_STREAM;
}

static int is_unbound(int fd, int family) {
  struct sockaddr_storage ss; socklen_t l = sizeof ss;
  if (getsockname(fd, (struct sockaddr *)&ss, &l) != 0) return 0;
  if (family == AF_INET) return ((struct sockaddr_in *)&ss)->sin_port == 0;
  return ((struct sockaddr_in6 *)&ss)->sin6_port == 0;
}

int connect(int fd, const struct sockaddr *addr, socklen_t len) {
  if (pod_ip && addr && addr->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
    struct sockaddr_in in = *(const struct sockaddr_in *)addr;
    if (is_local4(in.sin_addr.s_addr)) in.sin_addr.s_addr = pod_ip;
    if ((ntohl(in.sin_addr.s_addr) >> 24) == 127 && is_stream(fd) && is_unbound(fd, AF_INET)) {
      struct sockaddr_in src = { .sin_family = AF_INET, .sin_port = 0, .sin_addr = { pod_ip } };
      (void)real_bind(fd, (struct sockaddr *)&src, sizeof src);
    }
    return real_connect(fd, (struct sockaddr *)&in, sizeof in);
  }
  if (pod_ip && addr && addr->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
    struct sockaddr_in6 in6 = *(const struct sockaddr_in6 *)addr;
    if (IN6_IS_ADDR_LOOPBACK(&in6.sin6_addr)) {
      mapped(&in6.sin6_addr);
      return real_connect(fd, (struct sockaddr *)&in6, sizeof in6);
    }
  }
  return real_connect(fd, addr, len);
}
`;

/**
 * Compiles the shim into cacheDir (once per source version) and returns its
 * path, or undefined when no C compiler is available: pods then still run,
 * but must bind their pod IP ($RK_POD_IP / status.podIP) explicitly.
 */
export function buildNetShim(cacheDir: string, log: (m: string) => void): string | undefined {
  const hash = createHash('sha256').update(SOURCE).digest('hex').slice(0, 12);
  const so = join(cacheDir, `rk-netshim-${hash}.so`);
  if (existsSync(so)) return so;
  const cc = which('cc') ?? which('gcc');
  if (!cc) {
    log('no C compiler: pods run without the loopback network shim (they must bind $RK_POD_IP themselves)');
    return undefined;
  }
  mkdirSync(cacheDir, { recursive: true });
  const src = join(cacheDir, `rk-netshim-${hash}.c`);
  writeFileSync(src, SOURCE);
  const tmp = `${so}.${process.pid}.tmp`;
  execFileSync(cc, ['-shared', '-fPIC', '-O2', '-Wall', '-o', tmp, src, '-ldl'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  renameSync(tmp, so);
  return so;
}
