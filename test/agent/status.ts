// Pod status as a kubelet reports it, computed from the runner's view of its
// containers. Sent as a strategic-merge patch of pods/status: conditions
// merge by type, so conditions owned by others (readiness gates, DisruptionTarget)
// survive; container status lists are ours and replaced whole.
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { apiTime } from './node.js';

export type ContainerState =
  | { kind: 'waiting'; reason: string; message?: string }
  | { kind: 'running'; startedAt: Date }
  | {
      kind: 'terminated';
      exitCode: number;
      signal?: number;
      reason: string;
      message?: string;
      startedAt: Date;
      finishedAt: Date;
    };

export interface ContainerView {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  state: ContainerState;
  lastState?: ContainerState;
  ready: boolean;
  started: boolean;
  restartCount: number;
}

export interface PodView {
  pod: V1Pod;
  podIP: string;
  hostIP: string;
  startTime: Date;
  /** Every init container has completed (or, for sidecars, started). */
  initialized: boolean;
  /** Sandbox ready: IP assigned and volumes materialised. */
  sandboxReady: boolean;
  init: ContainerView[];
  containers: ContainerView[];
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
}

function stateJson(s: ContainerState): Record<string, unknown> {
  switch (s.kind) {
    case 'waiting':
      return { waiting: { reason: s.reason, ...(s.message ? { message: s.message } : {}) } };
    case 'running':
      return { running: { startedAt: apiTime(s.startedAt) } };
    case 'terminated':
      return {
        terminated: {
          exitCode: s.exitCode,
          reason: s.reason,
          startedAt: apiTime(s.startedAt),
          finishedAt: apiTime(s.finishedAt),
          ...(s.signal ? { signal: s.signal } : {}),
          ...(s.message ? { message: s.message } : {}),
        },
      };
  }
}

function containerJson(c: ContainerView): V1ContainerStatus {
  return {
    name: c.name,
    image: c.image,
    imageID: c.imageID,
    ...(c.containerID ? { containerID: c.containerID } : {}),
    ready: c.ready,
    started: c.started,
    restartCount: c.restartCount,
    state: stateJson(c.state),
    lastState: c.lastState ? stateJson(c.lastState) : {},
  };
}

/** Readiness gates: every listed condition must be True (set by someone else). */
function gatesPass(pod: V1Pod): boolean {
  return (pod.spec?.readinessGates ?? []).every((g) =>
    pod.status?.conditions?.some((c) => c.type === g.conditionType && c.status === 'True'),
  );
}

/** Per condition type: the status last reported and when it last changed. */
export type Transitions = Map<string, { status: string; at: Date }>;

export function buildStatus(v: PodView, transitions: Transitions): Record<string, unknown> {
  const terminal = v.phase === 'Succeeded' || v.phase === 'Failed';
  const containersReady = !terminal && v.initialized && v.containers.every((c) => c.ready);
  const ready = containersReady && gatesPass(v.pod);
  const now = new Date();
  const cond = (type: string, ok: boolean, reason?: string) => {
    const status = ok ? 'True' : 'False';
    let t = transitions.get(type);
    if (!t || t.status !== status) transitions.set(type, (t = { status, at: now }));
    return {
      type,
      status,
      lastProbeTime: null,
      lastTransitionTime: apiTime(t.at),
      ...(!ok && reason ? { reason } : {}),
    };
  };
  return {
    phase: v.phase,
    hostIP: v.hostIP,
    hostIPs: [{ ip: v.hostIP }],
    podIP: v.podIP,
    podIPs: [{ ip: v.podIP }],
    startTime: apiTime(v.startTime),
    conditions: [
      cond('PodReadyToStartContainers', v.sandboxReady),
      cond('PodScheduled', true),
      cond('Initialized', v.initialized, 'ContainersNotInitialized'),
      cond('ContainersReady', containersReady, 'ContainersNotReady'),
      cond('Ready', ready, containersReady ? 'ReadinessGatesNotReady' : 'ContainersNotReady'),
    ],
    ...(v.init.length ? { initContainerStatuses: v.init.map(containerJson) } : {}),
    containerStatuses: v.containers.map(containerJson),
  };
}
