// Where the checker writes for an instance: the client its mode needs, and how many replicas a
// write must reach before it counts as acknowledged.
import type { Instance } from '../api/instance.js';
import { dataMembers, sentinelMembers } from '../engine/topology.js';
import type { Endpoint } from '../valkey/connection.js';
import type { CheckTarget } from './target.js';

export interface InstanceTarget {
  target: CheckTarget;
  /** WAIT 1 wherever a master has replicas: an acknowledged write then survives losing the master. */
  waitReplicas: number;
}

export function instanceTarget(inst: Instance, at: (member: string) => Endpoint): InstanceTarget {
  if (inst.sentinel) {
    return {
      target: {
        kind: 'sentinel',
        sentinels: sentinelMembers(inst).map((m) => at(m.name)),
        masterName: inst.sentinel.masterName,
      },
      waitReplicas: inst.dataReplicas > 1 ? 1 : 0,
    };
  }
  if (inst.cluster) {
    return {
      target: { kind: 'cluster', nodes: dataMembers(inst).map((m) => at(m.name)) },
      waitReplicas: inst.cluster.replicasPerMaster > 0 ? 1 : 0,
    };
  }
  return { target: { kind: 'standalone', endpoint: at(dataMembers(inst)[0]!.name) }, waitReplicas: 0 };
}
