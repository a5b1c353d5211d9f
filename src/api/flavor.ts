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
