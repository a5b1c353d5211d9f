// Which server product an image runs. The renderer needs it for command names inside pods,
// the local platform for the binaries to start; both ask here so the answer cannot diverge.

export type Flavor = 'valkey' | 'redis';

export interface FlavorBinaries {
  server: string;
  sentinel: string;
  cli: string;
}

export function imageFlavor(repository: string): Flavor {
  const last = repository.toLowerCase().split('/').pop() ?? '';
  return last.includes('redis') && !repository.toLowerCase().includes('valkey') ? 'redis' : 'valkey';
}

export function flavorBinaries(flavor: Flavor): FlavorBinaries {
  return flavor === 'redis'
    ? { server: 'redis-server', sentinel: 'redis-sentinel', cli: 'redis-cli' }
    : { server: 'valkey-server', sentinel: 'valkey-sentinel', cli: 'valkey-cli' };
}

/** Debian packages that provide each binary, for "please install" errors. */
export const DEBIAN_PACKAGE: Record<string, string> = {
  'valkey-server': 'valkey-server (bookworm-backports)',
  'valkey-sentinel': 'valkey-sentinel (bookworm-backports)',
  'valkey-cli': 'valkey-tools (bookworm-backports)',
  'redis-server': 'redis-server',
  'redis-sentinel': 'redis-sentinel',
  'redis-cli': 'redis-tools',
};
