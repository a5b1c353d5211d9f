// Who holds the Lease, decided the way client-go's leaderelection does: a lease is expired when
// its record has not changed for leaseDurationSeconds *as observed by us* (our clock, not the
// holder's renewTime, so clock skew between replicas cannot hand the lease to two of them).
export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export type LeaseDecision =
  { action: 'create' | 'acquire' | 'renew'; spec: LeaseSpec } | { action: 'wait'; holder: string; expiresInMs: number };

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
export const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/**
 * @param current the Lease's spec, or null when there is no Lease yet
 * @param observedAtMs when we first saw `current` in its present form (holder and renewTime)
 */
export function decideLease(
  current: LeaseSpec | null,
  observedAtMs: number,
  nowMs: number,
  identity: string,
  durationSeconds: number,
): LeaseDecision {
  const now = microTime(nowMs);
  const mine = (acquireTime: string, transitions: number): LeaseSpec => ({
    holderIdentity: identity,
    leaseDurationSeconds: durationSeconds,
    acquireTime,
    renewTime: now,
    leaseTransitions: transitions,
  });
  if (!current) return { action: 'create', spec: mine(now, 0) };
  const transitions = current.leaseTransitions ?? 0;
  if (current.holderIdentity === identity)
    return { action: 'renew', spec: mine(current.acquireTime ?? now, transitions) };
  const holder = current.holderIdentity ?? '';
  // An empty holder is a released lease: free at once.
  const expiresAt = holder ? observedAtMs + (current.leaseDurationSeconds ?? durationSeconds) * 1000 : 0;
  if (nowMs < expiresAt) return { action: 'wait', holder, expiresInMs: expiresAt - nowMs };
  return { action: 'acquire', spec: mine(now, transitions + 1) };
}
