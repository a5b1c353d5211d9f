// Pods of an instance as the engine's Kubernetes platform sees them.
import type { Instance } from '../api/instance.js';
import type { PodFacts } from '../platform/kubernetes/kubePlatform.js';
import { LABEL, names, podFqdn } from '../render/names.js';

export interface PodObject {
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    deletionTimestamp?: string;
  };
  status?: {
    phase?: string;
    podIP?: string;
    conditions?: Array<{ type: string; status: string }>;
    containerStatuses?: Array<{ ready?: boolean }>;
  };
}

export function podFacts(inst: Instance, pod: PodObject): PodFacts {
  const n = names(inst);
  const sentinel = pod.metadata.labels?.[LABEL.component] === 'sentinel';
  const running = pod.status?.phase === 'Running';
  const podReady = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  return {
    name: pod.metadata.name,
    kind: sentinel ? 'sentinel' : 'server',
    ip: pod.status?.podIP || null,
    hostname: podFqdn(inst, pod.metadata.name, sentinel ? n.sentinelHeadless : n.dataHeadless),
    running,
    ready: running && podReady,
    terminating: !!pod.metadata.deletionTimestamp,
  };
}

/** The instance's pods among `all` (an informer's cache), by its instance label. */
export function instancePods(inst: Instance, all: readonly PodObject[]): PodObject[] {
  return all
    .filter((p) => p.metadata.namespace === inst.namespace && p.metadata.labels?.[LABEL.instance] === inst.name)
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}
