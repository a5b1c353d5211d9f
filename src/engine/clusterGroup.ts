// Bootstrap and healing of a CLUSTER instance. Idempotent and conservative: it never resets a
// node, never creates a cluster when any member already holds slots, and only assigns slots
// that nobody owns. A second run, or a run after a crash half-way, converges.
import type { ClusterNode } from '../valkey/clusterNodes.js';
import {
  clusterAddSlotsRange,
  clusterInfo,
  clusterMeet,
  clusterMyId,
  clusterNodes,
  clusterReplicate,
} from '../valkey/cluster.js';
import { dbsize } from '../valkey/admin.js';
import { withClient } from '../valkey/connection.js';
import { fetchReplication } from '../valkey/info.js';
import { isAt, type EngineContext } from './context.js';
import { readEngineRecord, updateEngineRecord } from './engineRecord.js';
import { adminConnection as conn } from './adminConnection.js';
import { startServer } from './launch.js';
import { myselfId, rewriteNodesConf, type NodeAddress } from './nodesConf.js';
import { SLOT_COUNT } from '../valkey/slot.js';
import { evenSlotRanges, rangesToSlots, slotsToRanges } from '../valkey/slotRanges.js';
import { clusterLayout, dataMembers } from './topology.js';
import { waitFor } from './wait.js';

interface MemberView {
  member: string;
  id: string;
  nodes: ClusterNode[];
  /** DBSIZE: keys the member holds now. */
  keys: number;
}

const slotCount = (n: ClusterNode) => n.slots.reduce((s, r) => s + r.end - r.start + 1, 0);
const isMaster = (n: ClusterNode) => n.flags.master;

/** Point every stopped member's nodes.conf at the addresses the members have now. */
function refreshAddresses(ctx: EngineContext, stopped: string[]): Map<string, string> {
  const { platform } = ctx;
  const idOf = new Map<string, string>();
  for (const m of clusterMembers(ctx)) {
    const id = myselfId(platform.readDataFile(m.name, 'nodes.conf'));
    if (id) idOf.set(m.name, id);
  }
  const addresses = new Map<string, NodeAddress>();
  for (const [member, id] of idOf) {
    const p = platform.placement(member);
    addresses.set(id, { host: p.host, port: p.port, busPort: p.busPort });
  }
  for (const member of stopped) {
    const text = platform.readDataFile(member, 'nodes.conf');
    if (!text) continue;
    const updated = rewriteNodesConf(text, addresses);
    if (updated !== text) platform.writeDataFile(member, 'nodes.conf', updated);
  }
  return idOf;
}

async function views(ctx: EngineContext, members: readonly { name: string }[]): Promise<MemberView[]> {
  return Promise.all(
    members.map((m) =>
      withClient(ctx.platform.placement(m.name), conn(ctx), async (c) => ({
        member: m.name,
        id: await clusterMyId(c),
        nodes: await clusterNodes(c),
        keys: await dbsize(c),
      })),
    ),
  );
}

/**
 * The members that form the cluster. Until a bootstrap completes, every data member of the
 * spec; afterwards only the recorded ones: members a changed spec adds are joined by the
 * scaling code (clusterScale.ts), which decides their role, not by the initial layout.
 */
export function clusterMembers(ctx: EngineContext): { name: string }[] {
  const recorded = readEngineRecord(ctx.platform).clusterMembers;
  return recorded ? recorded.map((name) => ({ name })) : dataMembers(ctx.inst);
}

export async function ensureCluster(ctx: EngineContext): Promise<void> {
  const { platform } = ctx;
  const members = clusterMembers(ctx);
  const stopped: string[] = [];
  for (const m of members) if (!(await platform.state(m.name)).running) stopped.push(m.name);
  refreshAddresses(ctx, stopped);
  for (const name of stopped) {
    ctx.log(`starting ${name}`);
    await startServer(ctx, name, null);
  }
  await formCluster(ctx);
}

/**
 * A member that owns no slot and replicates nobody but holds keys: joining it would leave those
 * keys in slots someone else serves (or lose them to a later sync). Never formed around; a
 * person must look at it.
 */
export class NodeHoldsKeysError extends Error {
  constructor(readonly members: string[]) {
    super(
      `${members.join(', ')} ${members.length === 1 ? 'holds' : 'hold'} keys but no slots: the cluster is not formed around data it would orphan; empty ${members.length === 1 ? 'it' : 'them'} (FLUSHALL) or restore ${members.length === 1 ? 'its' : 'their'} nodes.conf`,
    );
    this.name = 'NodeHoldsKeysError';
  }
}

/**
 * The part of the bootstrap that speaks only to running members: MEET, slots, replicas. Every
 * member of clusterMembers() must be running; on Kubernetes the pods are started by their
 * StatefulSet and this is all the operator runs.
 */
export async function formCluster(ctx: EngineContext): Promise<void> {
  const { platform } = ctx;
  const members = clusterMembers(ctx);
  let vs = await views(ctx, members);
  const holding = vs.filter((v) => {
    const me = v.nodes.find((n) => n.id === v.id);
    return me && isMaster(me) && !me.masterId && slotCount(me) === 0 && v.keys > 0;
  });
  if (holding.length) throw new NodeHoldsKeysError(holding.map((v) => v.member));
  const idOf = new Map(vs.map((v) => [v.member, v.id]));
  updateEngineRecord(platform, { nodeIds: Object.fromEntries(idOf) });

  // A brand-new cluster (every member knows only itself and owns nothing) gets its slots
  // before the MEETs: a master leaves its "minority" state only once it owns slots, and then
  // waits cluster-node-timeout before cluster_state turns ok. Assigning first lets that wait
  // run while the nodes are still meeting. Anything else goes the careful way below.
  if (vs.every((v) => v.nodes.length === 1 && ownSlots(v) === 0)) {
    await assignUnownedSlots(ctx, vs, idOf);
    vs = await views(ctx, members);
  }

  // Join: the member that already holds the most slots is the anchor; a new cluster starts at ordinal 0.
  const anchor = [...vs].sort((a, b) => ownSlots(b) - ownSlots(a))[0]!;
  await withClient(platform.placement(anchor.member), conn(ctx), async (c) => {
    for (const v of vs) {
      if (v.member === anchor.member) continue;
      const p = platform.placement(v.member);
      const known = anchor.nodes.find((n) => n.id === v.id);
      if (!known || known.port !== p.port || known.host !== p.host || known.flags.handshake || known.flags.noaddr) {
        ctx.log(`meeting ${v.member} at ${p.host}:${p.port}`);
        await clusterMeet(c, p.host, p.port, p.busPort);
      }
    }
  });
  await waitFor(
    'every member to know every other',
    async () => {
      vs = await views(ctx, members);
      for (const v of vs) {
        for (const [member, id] of idOf) {
          const n = v.nodes.find((x) => x.id === id);
          if (!n) return `${v.member} does not know ${member} yet`;
          if (n.flags.handshake || n.flags.noaddr) return `${v.member} is still in handshake with ${member}`;
          const p = platform.placement(member);
          // Its own address a node learns from its peers' packets: only peers' addresses are checked.
          if (n.port !== p.port || (member !== v.member && n.host !== p.host))
            return `${v.member} sees ${member} at ${n.host}:${n.port}, not ${p.host}:${p.port}`;
        }
      }
      return true;
    },
    { timeoutMs: ctx.timeoutMs, onWait: (r) => ctx.log(`waiting: ${r}`) },
  );

  await assignUnownedSlots(ctx, vs, idOf);
  // Replicas are matched to masters by the slots they serve: wait until every member's view
  // shows every slot owned, or a replica could be attached to the wrong shard.
  await waitFor(
    'slot ownership to propagate',
    async () => {
      for (const v of await views(ctx, members)) {
        const owned = v.nodes.reduce((n, x) => n + slotCount(x), 0);
        if (owned !== SLOT_COUNT) return `${v.member} sees ${owned} of ${SLOT_COUNT} slots owned`;
      }
      return true;
    },
    { timeoutMs: ctx.timeoutMs, onWait: (r) => ctx.log(`waiting: ${r}`) },
  );
  // Only while bootstrapping: once the cluster is recorded, roles are the scaling code's to decide
  // (an empty master it just added must not be taken for a replica of the initial layout).
  if (!readEngineRecord(platform).clusterMembers) await attachReplicas(ctx, idOf);
  else await repointReplicas(ctx, vs, idOf);
  await waitForHealthyCluster(ctx);
  updateEngineRecord(platform, { clusterMembers: members.map((m) => m.name) });
}

/**
 * A formed cluster some of whose members know others at an address they no longer have (every
 * pod recreated on a new IP, nodes.conf still naming the old ones): what formCluster's MEETs
 * heal, by node id. The reason, or null when every member sees every other where it is.
 */
export async function staleAddresses(ctx: EngineContext): Promise<string | null> {
  const { platform } = ctx;
  const vs = await views(ctx, clusterMembers(ctx));
  const idOf = new Map(vs.map((v) => [v.member, v.id]));
  for (const v of vs) {
    for (const [member, id] of idOf) {
      if (member === v.member) continue; // its own address a node learns from its peers
      const n = v.nodes.find((x) => x.id === id);
      const p = platform.placement(member);
      if (n && (n.host !== p.host || n.port !== p.port))
        return `${v.member} knows ${member} at ${n.host}:${n.port}, not at ${p.host}:${p.port}`;
    }
  }
  return null;
}

function ownSlots(v: MemberView): number {
  const me = v.nodes.find((n) => n.id === v.id);
  return me ? slotCount(me) : 0;
}

async function assignUnownedSlots(ctx: EngineContext, vs: MemberView[], idOf: Map<string, string>): Promise<void> {
  const { platform } = ctx;
  // Owned = owned in anyone's view: a slot one member believes taken is never handed out again.
  const owned = new Set<number>();
  for (const v of vs)
    for (const n of v.nodes) for (const r of n.slots) for (let s = r.start; s <= r.end; s++) owned.add(s);
  if (owned.size === SLOT_COUNT) return;
  const { masters } = clusterLayout(ctx.inst);
  const ranges = evenSlotRanges(masters.length);
  for (let i = 0; i < masters.length; i++) {
    const member = masters[i]!.name;
    const self = vs.find((v) => v.member === member)?.nodes.find((n) => n.id === idOf.get(member));
    // Only a master that holds nothing gets its planned range, and only the unowned part of it.
    if (!self || !isMaster(self) || self.masterId || slotCount(self) > 0) continue;
    const free = rangesToSlots([ranges[i]!]).filter((s) => !owned.has(s));
    if (!free.length) continue;
    ctx.log(`assigning ${free.length} slots to ${member}`);
    await withClient(platform.placement(member), conn(ctx), (c) => clusterAddSlotsRange(c, slotsToRanges(free)));
    for (const s of free) owned.add(s);
  }
  if (owned.size < SLOT_COUNT) {
    throw new Error(
      `${SLOT_COUNT - owned.size} slots have no owner and no empty planned master is left to take them; run rk status and check the cluster`,
    );
  }
}

async function attachReplicas(ctx: EngineContext, idOf: Map<string, string>): Promise<void> {
  const { inst, platform } = ctx;
  const { masters, replicasOf } = clusterLayout(inst);
  const nodes = await withClient(platform.placement(masters[0]!.name), conn(ctx), clusterNodes);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const memberOf = new Map([...idOf].map(([m, id]) => [id, m]));
  const replicaCount = (id: string) => nodes.filter((n) => n.masterId === id).length;
  for (const [plannedMaster, replicas] of replicasOf) {
    for (const r of replicas) {
      if (!idOf.has(r.name)) continue; // not (yet) part of the cluster: scaling decides its role
      // A node's own view is the truth about its role; others learn it by gossip, later.
      const self = await withClient(platform.placement(r.name), conn(ctx), async (c) =>
        (await clusterNodes(c)).find((n) => n.flags.myself),
      );
      if (!self || !isMaster(self) || slotCount(self) > 0) continue; // already a replica, or a master with slots (failed over)
      // Prefer the planned master; if it is a replica now (after a failover), its shard's current master.
      let target = byId.get(idOf.get(plannedMaster) ?? '');
      if (target && !isMaster(target) && target.masterId) target = byId.get(target.masterId);
      if (!target || slotCount(target) === 0) {
        target = nodes
          .filter((n) => isMaster(n) && slotCount(n) > 0)
          .sort((a, b) => replicaCount(a.id) - replicaCount(b.id))[0];
      }
      if (!target) throw new Error('no master with slots to attach a replica to');
      ctx.log(`making ${r.name} a replica of ${memberOf.get(target.id) ?? target.id}`);
      await withClient(platform.placement(r.name), conn(ctx), (c) => clusterReplicate(c, target.id));
      const known = byId.get(self.id);
      if (known) known.masterId = target.id;
    }
  }
}

/**
 * Replicas still replicating from the address their master had before it moved (redis 7.0 keeps
 * the old target when the master's new address arrives by a MEET rather than from the master
 * itself): CLUSTER REPLICATE the same master again, which re-reads its address; a partial
 * resync continues from the replica's offset.
 */
async function repointReplicas(ctx: EngineContext, vs: MemberView[], idOf: Map<string, string>): Promise<void> {
  const { platform } = ctx;
  const memberOf = new Map([...idOf].map(([m, id]) => [id, m]));
  for (const v of vs) {
    const masterId = v.nodes.find((n) => n.id === v.id)?.masterId;
    const master = masterId ? memberOf.get(masterId) : undefined;
    if (!masterId || !master) continue;
    await withClient(platform.placement(v.member), conn(ctx), async (c) => {
      const r = await fetchReplication(c);
      if (r.masterHost && r.masterPort && isAt(platform.placement(master), { host: r.masterHost, port: r.masterPort }))
        return;
      ctx.log(`re-pointing ${v.member} at ${master}'s current address (it follows ${r.masterHost}:${r.masterPort})`);
      await clusterReplicate(c, masterId);
    });
  }
}

/** cluster_state ok everywhere, every slot served, every replica linked and synced. */
export async function waitForHealthyCluster(ctx: EngineContext): Promise<void> {
  const { platform } = ctx;
  const members = clusterMembers(ctx);
  await waitFor(
    'the cluster to be healthy',
    async () => {
      for (const m of members) {
        const r = await withClient(platform.placement(m.name), conn(ctx), async (c) => ({
          info: await clusterInfo(c),
          repl: await fetchReplication(c),
        }));
        if (r.info.state !== 'ok') return `${m.name}: cluster_state ${r.info.state}`;
        if (r.info.slotsOk !== SLOT_COUNT) return `${m.name}: ${r.info.slotsOk} of ${SLOT_COUNT} slots ok`;
        if (r.info.knownNodes < members.length)
          return `${m.name}: knows ${r.info.knownNodes} of ${members.length} nodes`;
        if (r.repl.role !== 'master' && (r.repl.masterLinkStatus !== 'up' || r.repl.masterSyncInProgress))
          return `${m.name}: replica link ${r.repl.masterLinkStatus}`;
      }
      return true;
    },
    { timeoutMs: ctx.timeoutMs, onWait: (r) => ctx.log(`waiting: ${r}`) },
  );
}
