// The consistency checker pointed at a local test instance through the client its mode needs:
// sentinel-aware for SENTINEL (with WAIT 1), cluster-aware for CLUSTER (WAIT 1 where masters
// have replicas), plain for STANDALONE.
import { startWriter, type Writer, type WriterOptions } from '../../src/check/writer.js';
import type { CheckTarget } from '../../src/check/target.js';
import { dataMembers, sentinelMembers } from '../../src/engine/topology.js';
import type { LocalTestInstance } from './localInstance.js';

export function instanceWriter(t: LocalTestInstance, opts: Partial<WriterOptions> & { keyPrefix: string }): Writer {
  const { inst, platform } = t;
  const at = (m: string) => ({ host: platform.placement(m).host, port: platform.placement(m).port });
  let target: CheckTarget;
  let waitReplicas = 0;
  if (inst.sentinel) {
    target = { kind: 'sentinel', sentinels: sentinelMembers(inst).map((m) => at(m.name)), masterName: inst.sentinel.masterName };
    waitReplicas = 1;
  } else if (inst.cluster) {
    target = { kind: 'cluster', nodes: dataMembers(inst).map((m) => at(m.name)) };
    waitReplicas = inst.cluster.replicasPerMaster > 0 ? 1 : 0;
  } else {
    target = { kind: 'standalone', endpoint: at(dataMembers(inst)[0]!.name) };
  }
  const password = t.ctx.password ?? undefined;
  return startWriter({
    target,
    auth: password ? { password, sentinelPassword: password } : {},
    waitReplicas,
    waitTimeoutMs: 500,
    concurrency: 4,
    rateLimit: 2000,
    durationMs: 120_000,
    ...opts,
  });
}
