// Which local executables stand in for an image. The flavour decision itself lives in
// api/flavor.ts (render asks the same question for in-pod command names), so both layers
// always agree on whether an image is valkey or redis.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { flavorBinaries, imageFlavor, type Flavor } from '../../api/flavor.js';

export type BinaryRole = 'server' | 'sentinel' | 'cli';

export interface DebianSource {
  package: string;
  /** Debian suite to install from when the package is not in the stable release. */
  suite: string | null;
}

/** Where each executable comes from on Debian bookworm. */
export const DEBIAN_SOURCE: Readonly<Record<string, DebianSource>> = {
  'valkey-server': { package: 'valkey-server', suite: 'bookworm-backports' },
  'valkey-sentinel': { package: 'valkey-sentinel', suite: 'bookworm-backports' },
  'valkey-cli': { package: 'valkey-tools', suite: 'bookworm-backports' },
  'redis-server': { package: 'redis-server', suite: null },
  'redis-sentinel': { package: 'redis-sentinel', suite: null },
  'redis-cli': { package: 'redis-tools', suite: null },
};

export class MissingBinaryError extends Error {
  override name = 'MissingBinaryError';
  constructor(
    readonly binary: string,
    readonly debian: DebianSource | null,
    readonly searched: string[],
    readonly image: string | null,
  ) {
    super(missingBinaryMessage(binary, debian, image));
  }
}

function missingBinaryMessage(binary: string, debian: DebianSource | null, image: string | null): string {
  const forImage = image ? ` (needed to run image ${image} locally)` : '';
  if (!debian) return `${binary} not found on PATH${forImage}`;
  const apt = debian.suite
    ? `apt-get install -t ${debian.suite} ${debian.package}`
    : `apt-get install ${debian.package}`;
  const from = debian.suite ? ` from ${debian.suite}` : '';
  return `${binary} not found on PATH${forImage}; install the Debian package ${debian.package}${from}: ${apt}`;
}

export interface LocalBinaries {
  flavor: Flavor;
  server: string;
  sentinel: string;
  cli: string;
}

/** Executable names (not paths) for an image repository such as `valkey/valkey` or `bitnami/redis`. */
export function binaryNamesForImage(repository: string): LocalBinaries {
  const flavor = imageFlavor(repository);
  return { flavor, ...flavorBinaries(flavor) };
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of `name` found on `pathEnv`, or null. An absolute `name` is checked as is. */
export function findOnPath(name: string, pathEnv: string = process.env.PATH ?? ''): string | null {
  if (isAbsolute(name)) return isExecutableFile(name) ? name : null;
  for (const dir of pathEnv.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

/** Absolute path of `name`, or a MissingBinaryError that says which Debian package provides it. */
export function resolveBinary(name: string, opts: { pathEnv?: string; image?: string } = {}): string {
  const pathEnv = opts.pathEnv ?? process.env.PATH ?? '';
  const found = findOnPath(name, pathEnv);
  if (found) return found;
  throw new MissingBinaryError(
    name,
    DEBIAN_SOURCE[name] ?? null,
    pathEnv.split(delimiter).filter(Boolean),
    opts.image ?? null,
  );
}

/**
 * Resolved paths of the executables an image needs locally. Only the roles asked for are
 * resolved (a standalone deployment does not need the sentinel binary installed); the others
 * are left as bare names.
 */
export function resolveLocalBinaries(
  repository: string,
  roles: readonly BinaryRole[] = ['server', 'sentinel', 'cli'],
  opts: { pathEnv?: string } = {},
): LocalBinaries {
  const names = binaryNamesForImage(repository);
  const resolved: LocalBinaries = { ...names };
  for (const role of roles) {
    resolved[role] = resolveBinary(names[role], { ...opts, image: repository });
  }
  return resolved;
}
