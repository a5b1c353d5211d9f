// The pods of one applied instance as valkey-cli targets: data pods on their `valkey` port,
// sentinels on `sentinel`, with the instance's password and TLS CA.
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import type { Instance } from '../../src/api/instance.js';
import { isPodReady, waitFor } from '../agent/wait.js';
import type { Target } from './valkeyCli.js';

export interface PodTarget extends Target {
  name: string;
  uid: string;
  role: 'data' | 'sentinel';
}

export interface Access {
  password?: string;
  tlsCaFile?: string;
}

const portOf = (pod: V1Pod, name: string) =>
  pod.spec?.containers.flatMap((c) => c.ports ?? []).find((p) => p.name === name)?.containerPort;

export function toTarget(pod: V1Pod, access: Access): PodTarget {
  const sentinelPort = portOf(pod, 'sentinel');
  const port = sentinelPort ?? portOf(pod, 'valkey');
  if (!port) throw new Error(`pod ${pod.metadata?.name} has neither a "valkey" nor a "sentinel" port`);
  return {
    name: pod.metadata!.name!,
    uid: pod.metadata!.uid!,
    ip: pod.status!.podIP!,
    port,
    role: sentinelPort ? 'sentinel' : 'data',
    ...(access.password ? { password: access.password } : {}),
    ...(access.tlsCaFile ? { tlsCaFile: access.tlsCaFile } : {}),
  };
}

export const instanceSelector = (inst: Instance) => `app.kubernetes.io/instance=${inst.name}`;

export async function listPods(core: CoreV1Api, inst: Instance): Promise<V1Pod[]> {
  return (
    await core.listNamespacedPod({ namespace: inst.namespace, labelSelector: instanceSelector(inst) })
  ).items.sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
}

/** Waits for `count` pods, all Running and Ready, none terminating. */
export function readyPods(
  core: CoreV1Api,
  inst: Instance,
  count: number,
  access: Access,
  timeoutMs = 120_000,
): Promise<PodTarget[]> {
  return waitFor(
    `${count} ready pods of ${inst.namespace}/${inst.name}`,
    timeoutMs,
    async () => {
      const pods = await listPods(core, inst);
      if (
        pods.length !== count ||
        !pods.every((p) => !p.metadata?.deletionTimestamp && p.status?.phase === 'Running' && isPodReady(p))
      )
        return undefined;
      return pods.map((p) => toTarget(p, access));
    },
    300,
  );
}

/** Deletes one pod and waits for its StatefulSet to bring a new one (new uid) to Ready. */
export async function recreatePod(
  core: CoreV1Api,
  inst: Instance,
  pod: PodTarget,
  access: Access,
  timeoutMs = 90_000,
): Promise<PodTarget> {
  await core.deleteNamespacedPod({ namespace: inst.namespace, name: pod.name });
  return waitFor(
    `${pod.name} recreated and Ready`,
    timeoutMs,
    async () => {
      const p = (await listPods(core, inst)).find((x) => x.metadata?.name === pod.name);
      if (!p || p.metadata?.uid === pod.uid || p.metadata?.deletionTimestamp || !isPodReady(p)) return undefined;
      return toTarget(p, access);
    },
    300,
  );
}
