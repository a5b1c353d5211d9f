// What runs now, as seen by the servers themselves (never by our own bookkeeping alone):
// the role each member reports, its replication link, the cluster's slot map, and the master
// each sentinel believes in. Ready means a client could use the instance fully right now.
import { clusterInfo, clusterMyId, clusterNodes } from '../valkey/cluster.js';
import { withClient } from '../valkey/connection.js';
import { fetchReplication } from '../valkey/info.js';
import { getMasterAddrByName, sentinelMaster } from '../valkey/sentinel.js';
import { adminConnection } from './adminConnection.js';
import { memberAt, type EngineContext } from './context.js';
import { SLOT_COUNT } from '../valkey/slot.js';
import { rangesToSlots, slotsToRanges } from '../valkey/slotRanges.js';
import { allMembers, dataMembers } from './topology.js';

export interface MemberStatus {
  name: string;
  kind: 'server' | 'sentinel';
  /** pending: named by the spec but not placed yet (a grown spec before `rk up`). */
  role: 'master' | 'replica' | 'sentinel' | 'down' | 'unknown' | 'pending';
  /** Null while pending: the platform has not given the member an address yet. */
  host: string | null;
  port: number | null;
  pid: number | null;
  /** Replicas: the member they replicate from, link state and bytes behind. */
  masterName?: string | null;
  link?: string;
  lagBytes?: number;
  /** Cluster masters: served slots as "a-b" ranges. */
  slots?: string[];
  clusterState?: string;
  /** Cluster members: nodes this one knows (itself included) and slots assigned in its view. */
  knownNodes?: number;
  slotsAssigned?: number;
  /** Sentinels: the member they consider master, and the config epoch of that view (higher is newer). */
  sees?: string | null;
  configEpoch?: number;
  /** Sentinels: the replicas and peer sentinels they know (removed members stay until a SENTINEL RESET). */
  knownReplicas?: number;
  knownSentinels?: number;
  problem?: string;
}

export interface InstanceStatus {
  name: string;
  mode: string;
  ready: boolean;
  problems: string[];
  /** Members the spec names that do not exist yet; `rk up` starts them (and moves slots to them). */
  pending: string[];
  master: string | null;
  members: MemberStatus[];
}

export async function observeInstance(ctx: EngineContext): Promise<InstanceStatus> {
  const { inst, platform } = ctx;
  const data = dataMembers(inst).map((m) => m.name);
  const conn = adminConnection(ctx);
  const placed = new Set(platform.members());
  const members: MemberStatus[] = await Promise.all(
    allMembers(inst).map(async (m): Promise<MemberStatus> => {
      if (!placed.has(m.name))
        return { name: m.name, kind: m.kind, role: 'pending', host: null, port: null, pid: null };
      const at = platform.placement(m.name);
      const st = await platform.state(m.name);
      const base: MemberStatus = {
        name: m.name,
        kind: m.kind,
        role: 'down',
        host: at.host,
        port: at.port,
        pid: st.pid,
      };
      if (!st.running) return base;
      try {
        if (m.kind === 'sentinel') {
          return await withClient(at, conn, async (c) => {
            const addr = await getMasterAddrByName(c, inst.sentinel!.masterName);
            const view = await sentinelMaster(c, inst.sentinel!.masterName);
            const sees = addr ? (memberAt(ctx, data, addr) ?? `${addr.host}:${addr.port}`) : null;
            const problem =
              view.flags.sDown || view.flags.oDown || view.flags.failoverInProgress
                ? `master flagged ${view.flags.list.join(',')}`
                : undefined;
            return {
              ...base,
              role: 'sentinel' as const,
              sees,
              configEpoch: view.configEpoch,
              knownReplicas: view.numReplicas,
              knownSentinels: view.numOtherSentinels,
              ...(problem ? { problem } : {}),
            };
          });
        }
        return await withClient(at, conn, async (c) => {
          const r = await fetchReplication(c);
          const s: MemberStatus = { ...base, role: r.role === 'master' ? 'master' : 'replica' };
          if (r.role !== 'master') {
            s.masterName =
              r.masterHost && r.masterPort
                ? (memberAt(ctx, data, { host: r.masterHost, port: r.masterPort }) ?? `${r.masterHost}:${r.masterPort}`)
                : null;
            s.link = r.masterLinkStatus + (r.masterSyncInProgress ? ' (syncing)' : '');
          }
          if (inst.cluster) {
            const info = await clusterInfo(c);
            const myId = await clusterMyId(c);
            const me = (await clusterNodes(c)).find((n) => n.id === myId);
            s.clusterState = info.state;
            s.knownNodes = info.knownNodes;
            s.slotsAssigned = info.slotsAssigned;
            if (me && s.role === 'master')
              s.slots = me.slots.map((x) => (x.start === x.end ? `${x.start}` : `${x.start}-${x.end}`));
          }
          return s;
        });
      } catch (e) {
        return { ...base, role: 'unknown', problem: (e as Error).message };
      }
    }),
  );

  // Lag: how far each replica is behind its master's offset.
  await Promise.all(
    members
      .filter((m) => m.role === 'master')
      .map(async (m) => {
        try {
          const r = await withClient(platform.placement(m.name), conn, fetchReplication);
          for (const rep of r.replicas) {
            const who = memberAt(ctx, data, { host: rep.ip, port: rep.port });
            const ms = members.find((x) => x.name === who);
            if (ms) ms.lagBytes = Math.max(0, r.masterReplOffset - rep.offset);
          }
        } catch {
          /* reported on the member already */
        }
      }),
  );

  const problems: string[] = [];
  for (const m of members) {
    if (m.role === 'down') problems.push(`${m.name} is not running`);
    else if (m.problem) problems.push(`${m.name}: ${m.problem}`);
    if (m.role === 'replica' && m.link !== 'up') problems.push(`${m.name}: replication link ${m.link}`);
  }
  const masters = members.filter((m) => m.role === 'master');
  let master: string | null;
  if (inst.mode === 'SENTINEL') {
    if (masters.length !== 1)
      problems.push(`${masters.length} masters (${masters.map((m) => m.name).join(', ') || 'none'})`);
    master = masters[0]?.name ?? null;
    for (const s of members.filter((m) => m.role === 'sentinel')) {
      if (s.sees !== master) problems.push(`${s.name} sees ${s.sees ?? 'no master'} as master`);
    }
  } else if (inst.mode === 'CLUSTER') {
    const served = new Set(
      masters.flatMap((m) =>
        rangesToSlots(
          (m.slots ?? []).map((r) => {
            const [a, b] = r.split('-').map(Number);
            return { start: a!, end: b ?? a! };
          }),
        ),
      ),
    );
    if (served.size !== SLOT_COUNT)
      problems.push(
        `${SLOT_COUNT - served.size} slots not served (${slotsToRanges(
          [...Array(SLOT_COUNT).keys()].filter((s) => !served.has(s)),
        )
          .slice(0, 3)
          .map((r) => `${r.start}-${r.end}`)
          .join(', ')})`,
      );
    for (const m of members)
      if (m.clusterState && m.clusterState !== 'ok') problems.push(`${m.name}: cluster_state ${m.clusterState}`);
    master = masters.map((m) => m.name).join(',') || null;
  } else {
    master = masters[0]?.name ?? null;
    if (!master) problems.push('the server is not running');
  }
  // What runs now is judged as it is; members still to come are listed apart, not as faults.
  const pending = members.filter((m) => m.role === 'pending').map((m) => m.name);
  return { name: inst.name, mode: inst.mode, ready: problems.length === 0, problems, pending, master, members };
}
