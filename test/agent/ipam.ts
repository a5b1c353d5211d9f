// Pod IP allocation inside 127.0.0.0/8 (all of it routes to `lo` on Linux,
// no interface setup needed).
//
// Addresses are never reused within one agent's lifetime: a pod recreated by
// its StatefulSet always comes back with a new IP, which is the most common
// field failure that clients and sentinels must survive. Each agent starts at
// a random /16 so that two clusters on one machine (a sandbox next to a test
// run) do not hand out the same addresses.

/** Second octets reserved for pods; services use a /16 above this range. */
export const POD_OCTET_MIN = 10;
export const POD_OCTET_MAX = 89;

export class PodIPAllocator {
  private next = 1;
  private readonly base: number; // host-order 32-bit start address

  constructor(secondOctet = POD_OCTET_MIN + Math.floor(Math.random() * (POD_OCTET_MAX - POD_OCTET_MIN + 1))) {
    if (secondOctet < 1 || secondOctet > 254) throw new Error(`bad pod IP octet ${secondOctet}`);
    this.base = ((127 << 24) | (secondOctet << 16)) >>> 0;
  }

  /** A fresh address, skipping .0 and .255 in the last octet to avoid surprising tools. */
  allocate(): string {
    for (;;) {
      const n = this.next++;
      if (n >= 1 << 16) throw new Error('pod IP range exhausted (65k pods in one agent lifetime)');
      const last = n & 255;
      if (last === 0 || last === 255) continue;
      const a = (this.base + n) >>> 0;
      return [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join('.');
    }
  }
}
