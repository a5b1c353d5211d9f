// Bounded polling helpers for e2e tests against the agent's cluster.
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';

export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
      last = undefined;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline)
      throw new Error(
        `timed out after ${timeoutMs}ms waiting for ${what}${last ? `: ${last instanceof Error ? last.message : JSON.stringify(last)}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export const isPodReady = (p: V1Pod) =>
  p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** Waits until exactly `count` pods match, none terminating, all Running and Ready; returns them sorted by name. */
export function waitForReadyPods(
  core: CoreV1Api,
  namespace: string,
  labelSelector: string,
  count: number,
  timeoutMs: number,
): Promise<V1Pod[]> {
  return waitFor(`${count} ready pods ${labelSelector} in ${namespace}`, timeoutMs, async () => {
    const pods = (await core.listNamespacedPod({ namespace, labelSelector })).items;
    if (pods.length !== count) return undefined;
    if (!pods.every((p) => !p.metadata?.deletionTimestamp && p.status?.phase === 'Running' && isPodReady(p)))
      return undefined;
    return pods.sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
  });
}
