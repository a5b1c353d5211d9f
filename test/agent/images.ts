// Which local binaries stand in for which container images. This is the one
// place to edit when a test needs another image.
//
// A mapped image gets a private /usr/local/bin (bind-mounted in the
// container's mount namespace) holding symlinks to the host binaries under the
// names the real image uses, plus an emulation of the image's entrypoint
// script. Commands therefore run exactly as written in the pod spec:
// `valkey-server /etc/valkey/valkey.conf`, `/usr/local/bin/valkey-server`,
// `sh -c '... redis-cli ...'` all resolve as they would in the image.
//
// An image that matches no mapping is "unmapped": if the container's command
// names a binary that exists on the host it is run anyway; otherwise the
// container is reported Waiting (reason ImageNotMapped) and counts as ready,
// so an optional sidecar (e.g. a metrics exporter) never blocks its pod.
import { accessSync, constants, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ImageMapping {
  /** Human-readable name, shown in imageID and in logs. */
  name: string;
  /** Matches the image reference without tag/digest, e.g. `valkey/valkey`, `docker.io/library/redis`. */
  match: RegExp;
  /** Names visible in the container's /usr/local/bin → host binary names (looked up on PATH). */
  binaries: Record<string, string>;
  /** The image's ENTRYPOINT and CMD, as Kubernetes combines them with command/args. */
  entrypoint: string[];
  cmd: string[];
  /** Body of an emulated /usr/local/bin/docker-entrypoint.sh, if the image has one. */
  entrypointScript?: string;
  /** The image's WORKDIR (used when it exists on the host and the pod sets no workingDir). */
  workdir?: string;
  /**
   * Don't bind-mount the symlink dir over /usr/local/bin; prepend it to PATH only.
   * For plain OS images whose commands are the host's anyway.
   */
  hostRoot?: boolean;
  /**
   * Host paths that stand for the image's own files: a pod volume mounted above one of them (e.g.
   * an emptyDir on /tmp over a checkout under /tmp) is left out, so it cannot hide them.
   */
  imagePaths?: string[];
}

/**
 * The official valkey/redis images' docker-entrypoint.sh, minus the switch to
 * the non-root user: a leading option or .conf file means "run the server",
 * and protected mode is turned off unless a given config file sets it.
 */
const serverEntrypoint = (server: string) => `#!/bin/sh
set -e
# first arg is \`-f\` or \`--some-option\`, or a .conf file: run the server with it
if [ "\${1#-}" != "$1" ] || [ "\${1%.conf}" != "$1" ]; then
  set -- ${server} "$@"
fi
if [ "$1" = '${server}' ]; then
  doProtectedMode=1
  configFile=
  if [ -f "$2" ]; then
    configFile="$2"
    if grep -q '^protected-mode' "$configFile"; then doProtectedMode=; fi
  fi
  if [ "$doProtectedMode" ]; then
    shift
    if [ "$configFile" ]; then shift; fi
    set -- --protected-mode no "$@"
    if [ "$configFile" ]; then set -- "$configFile" "$@"; fi
    set -- ${server} "$@"
  fi
fi
exec "$@"
`;

const valkeyBinaries = {
  'valkey-server': 'valkey-server',
  'valkey-sentinel': 'valkey-sentinel',
  'valkey-cli': 'valkey-cli',
  'valkey-benchmark': 'valkey-benchmark',
  'valkey-check-aof': 'valkey-check-aof',
  'valkey-check-rdb': 'valkey-check-rdb',
  // The valkey image ships redis-* compatibility links to the valkey binaries.
  'redis-server': 'valkey-server',
  'redis-sentinel': 'valkey-sentinel',
  'redis-cli': 'valkey-cli',
  'redis-benchmark': 'valkey-benchmark',
  'redis-check-aof': 'valkey-check-aof',
  'redis-check-rdb': 'valkey-check-rdb',
};

const redisBinaries = {
  'redis-server': 'redis-server',
  'redis-sentinel': 'redis-sentinel',
  'redis-cli': 'redis-cli',
  'redis-benchmark': 'redis-benchmark',
  'redis-check-aof': 'redis-check-aof',
  'redis-check-rdb': 'redis-check-rdb',
};

/** This checkout (found from test/agent/ or dist/test/agent/): its bin/rk.js is what the operator image runs. */
const RK_ROOT = (() => {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6 && !existsSync(join(d, 'bin', 'rk.js')); i++) d = dirname(d);
  return d;
})();

export const DEFAULT_IMAGES: ImageMapping[] = [
  {
    // The operator image (Dockerfile: ENTRYPOINT node /app/bin/rk.js): the local build instead.
    name: 'rk',
    match: /^(?:ghcr\.io\/)?redis-kubernetes\/rk$/,
    binaries: {},
    entrypoint: [process.execPath, join(RK_ROOT, 'bin', 'rk.js')],
    cmd: ['operator'],
    hostRoot: true,
    imagePaths: [RK_ROOT],
  },
  {
    name: 'valkey',
    match:
      /^(?:(?:docker\.io|registry-1\.docker\.io|ghcr\.io|public\.ecr\.aws)\/)?(?:valkey\/valkey|valkey-io\/valkey|library\/valkey|bitnami\/valkey)[^/]*$/,
    binaries: valkeyBinaries,
    entrypoint: ['docker-entrypoint.sh'],
    cmd: ['valkey-server'],
    entrypointScript: serverEntrypoint('valkey-server'),
    workdir: '/data',
  },
  {
    name: 'redis',
    match: /^(?:(?:docker\.io|registry-1\.docker\.io)\/)?(?:library\/)?redis$|^(?:docker\.io\/)?bitnami\/redis[^/]*$/,
    binaries: redisBinaries,
    entrypoint: ['docker-entrypoint.sh'],
    cmd: ['redis-server'],
    entrypointScript: serverEntrypoint('redis-server'),
    workdir: '/data',
  },
  {
    // Plain OS images used for init containers and debugging pods.
    name: 'os',
    match: /^(?:docker\.io\/)?(?:library\/)?(?:busybox|alpine|debian|ubuntu)$/,
    binaries: {},
    entrypoint: [],
    cmd: ['sh'],
    hostRoot: true,
  },
  {
    name: 'redis_exporter',
    match: /^(?:(?:docker\.io|quay\.io|ghcr\.io)\/)?oliver006\/redis_exporter$/,
    binaries: { redis_exporter: 'redis_exporter' },
    entrypoint: ['/redis_exporter'],
    cmd: [],
  },
];

/** `registry/ns/name:tag@sha256:...` → `registry/ns/name`. */
export function imageRepository(image: string): string {
  const noDigest = image.split('@')[0] ?? image;
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > lastSlash ? noDigest.slice(0, colon) : noDigest;
}

export function findMapping(image: string, mappings: ImageMapping[]): ImageMapping | undefined {
  const repo = imageRepository(image);
  return mappings.find((m) => m.match.test(repo));
}

/** Absolute path of an executable on the agent's PATH, or undefined. */
export function which(
  name: string,
  path = process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
): string | undefined {
  if (name.includes('/')) return isExecutable(name) ? name : undefined;
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    if (isExecutable(p)) return p;
  }
  return undefined;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The argv Kubernetes would run: command overrides ENTRYPOINT, args override CMD. */
export function effectiveArgv(
  command: string[] | undefined,
  args: string[] | undefined,
  m: Pick<ImageMapping, 'entrypoint' | 'cmd'>,
): string[] {
  if (command && command.length > 0) return [...command, ...(args ?? [])];
  return [...m.entrypoint, ...(args && args.length > 0 ? args : m.cmd)];
}

/** How a container will be run, decided from its image and command. */
export type LaunchPlan =
  | { kind: 'run'; argv: string[]; mapping?: ImageMapping; binDir?: string; workdir?: string; imagePaths?: string[] }
  | { kind: 'unmapped'; reason: string; message: string };

/**
 * Builds (once) the directory that stands in for the image's /usr/local/bin:
 * symlinks to the host binaries under the image's names, and the emulated
 * entrypoint script. Binaries missing on the host are left out.
 */
export function prepareImageBinDir(m: ImageMapping, root: string): string {
  const dir = join(root, m.name);
  mkdirSync(dir, { recursive: true });
  for (const [name, hostName] of Object.entries(m.binaries)) {
    const target = which(hostName);
    const link = join(dir, name);
    rmSync(link, { force: true });
    if (target) symlinkSync(target, link);
  }
  if (m.entrypointScript) {
    writeFileSync(join(dir, 'docker-entrypoint.sh'), m.entrypointScript, { mode: 0o755 });
  }
  return dir;
}

export function planLaunch(
  image: string,
  command: string[] | undefined,
  args: string[] | undefined,
  mappings: ImageMapping[],
  binDirs: Map<string, string>,
): LaunchPlan {
  const m = findMapping(image, mappings);
  if (m) {
    const argv = effectiveArgv(command, args, m);
    if (argv.length === 0)
      return {
        kind: 'unmapped',
        reason: 'NoCommand',
        message: `image ${image} has no entrypoint and the container sets no command`,
      };
    const binDir = binDirs.get(m.name);
    if (!m.hostRoot && binDir) {
      // The program must exist either in the emulated /usr/local/bin or on the host.
      const exe = argv[0]!;
      const base = exe.split('/').pop()!;
      const inImage =
        existsSync(join(binDir, base)) && (exe === base || exe === `/usr/local/bin/${base}` || exe === `/${base}`);
      if (!inImage && !which(exe)) {
        return {
          kind: 'unmapped',
          reason: 'ImageNotMapped',
          message: `"${exe}" of image ${image} has no local binary (see test/agent/images.ts)`,
        };
      }
      if (exe === `/${base}` && inImage) argv[0] = base; // e.g. /redis_exporter at the image root
    }
    return {
      kind: 'run',
      argv,
      mapping: m,
      binDir: m.hostRoot ? undefined : binDir,
      workdir: m.workdir,
      imagePaths: m.imagePaths ?? [],
    };
  }
  // Unknown image: run it only if its command is a program this host has.
  if (command && command.length > 0 && which(command[0]!)) return { kind: 'run', argv: [...command, ...(args ?? [])] };
  return {
    kind: 'unmapped',
    reason: 'ImageNotMapped',
    message: `image ${image} has no local mapping${command?.length ? ` and "${command[0]}" is not on this host` : ''}; treated as a ready no-op (see test/agent/images.ts)`,
  };
}
