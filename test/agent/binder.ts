// Stands in for kube-scheduler on a one-node cluster: every pending pod that
// is not bound yet is bound to our node through the pods/binding subresource
// (exactly what the scheduler does). Nothing else is honoured: no resources,
// affinity, taints or topology spread. Pods bound to another node are ignored.
import type { V1Pod } from '@kubernetes/client-node';
import type { Clients } from './kube.js';
import { describeError, statusCode } from './kube.js';

export class Binder {
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly c: Clients,
    private readonly nodeName: string,
    private readonly log: (m: string) => void,
  ) {}

  /** Binds the pod if it is ours to bind. Idempotent; safe to call on every event. */
  consider(pod: V1Pod): void {
    const uid = pod.metadata?.uid;
    if (!uid || pod.spec?.nodeName || pod.metadata?.deletionTimestamp) return;
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;
    if (this.inFlight.has(uid)) return;
    this.inFlight.add(uid);
    const name = pod.metadata!.name!;
    const namespace = pod.metadata!.namespace!;
    this.c.core
      .createNamespacedPodBinding({
        name,
        namespace,
        body: {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name, namespace, uid },
          target: { apiVersion: 'v1', kind: 'Node', name: this.nodeName },
        },
      })
      .catch((err) => {
        // 409: already bound (by us earlier, or someone else); 404: pod gone.
        const code = statusCode(err);
        if (code !== 409 && code !== 404) this.log(`bind ${namespace}/${name} failed: ${describeError(err)}`);
      })
      .finally(() => this.inFlight.delete(uid));
  }
}
