// Scaling a running cluster to a changed spec (masters, replicasPerMaster): which members join,
// which leave, which slots move where. planClusterScale is pure (an observation and a spec in,
// a plan out) so `rk plan` can show it; scaleCluster observes, plans and carries it out.
//
// Roles: members keep the role they have where the spec still has room for it (a master that
// holds slots stays master, most slots first; a replica stays with its master while that master
// has room); new members fill what is missing, masters first, lowest ordinal first; a replica is
// only turned into a master (CLUSTER RESET SOFT, it holds a copy only) when no new member is
// left to be one. Every replica follows a different member than itself: its master.
//
// Removed members: a master is drained first (its slots go to the remaining masters with the
// same minimal rebalance), its replicas are re-attached before it goes, then it is forgotten by
// every remaining node (CLUSTER FORGET, all within the 60 s ban, so gossip cannot bring it
// back), then stopped, then its data directory is purged. Purged, not kept: a drained master
// holds no key (checked: DBSIZE 0 before it goes) and a replica only a copy, while a kept
// nodes.conf would make the member rejoin the cluster by itself, with a stale view, when a later
// scale-out starts a member of that name again.
import type { Instance } from '../api/instance.js';
import {
  clusterForget,
  clusterInfo,
  clusterMeet,
  clusterMyId,
  clusterNodes,
  clusterReplicate,
  clusterReset,
} from '../valkey/cluster.js';
import type { ClusterNode } from '../valkey/clusterNodes.js';
import { send } from '../valkey/command.js';
import { withClient } from '../valkey/connection.js';
import { fetchReplication } from '../valkey/info.js';
import { rangesToSlots } from '../valkey/slotRanges.js';
import { adminConnection as conn } from './adminConnection.js';
import { clusterMembers, waitForHealthyCluster } from './clusterGroup.js';
import type { EngineContext } from './context.js';
import { updateEngineRecord } from './engineRecord.js';
import { startServer } from './launch.js';
import { migrateSlots, type MigrationNode, type SlotMigrationOptions } from './slotMigration.js';
import { describeMoves, rebalanceMoves, type SlotMove } from './slotPlan.js';
import { dataMembers } from './topology.js';
import { waitFor } from './wait.js';

/** One cluster member as it reports itself. */
export interface ObservedNode {
  member: string;
  id: string;
  role: 'master' | 'replica';
  /** Replicas: the member they follow (null when it is not one of ours). */
  masterMember: string | null;
  /** Slots it owns in its own view. */
  slots: number[];
  /** Keys it holds (DBSIZE). */
  keys: number;
}

export interface ClusterObservation {
  /** The recorded cluster members. */
  nodes: ObservedNode[];
  /** Slots an interrupted run left half-moved (IMPORTING / MIGRATING markers). */
  openSlots: SlotMove[];
  /** Running members that are neither in the spec nor in the cluster any more (a removal interrupted after FORGET). */
  leftovers: string[];
}

export interface ClusterScalePlan {
  /** Half-moved slots, finished first. */
  finish: SlotMove[];
  /** Members started and introduced (MEET). */
  add: string[];
  /** Replicas turned into empty masters. */
  promote: string[];
  /** Slot moves to the balanced layout. */
  moves: SlotMove[];
  /** Replica attachments that change (new replicas, re-attached ones, masters that become replicas). */
  attach: Array<{ member: string; to: string }>;
  /** Members drained, forgotten, stopped and purged. */
  remove: string[];
  /** Leftover processes of an interrupted removal: stopped and purged. */
  leftovers: string[];
  /** The masters and replicas once done. */
  masters: string[];
  replicasOf: Record<string, string[]>;
}

const ordinal = (member: string): number => Number(/-(\d+)$/.exec(member)?.[1] ?? Number.MAX_SAFE_INTEGER);
const byOrdinal = (a: string, b: string) => ordinal(a) - ordinal(b) || a.localeCompare(b);

export function isEmptyPlan(p: ClusterScalePlan): boolean {
  return (
    !p.finish.length &&
    !p.add.length &&
    !p.promote.length &&
    !p.moves.length &&
    !p.attach.length &&
    !p.remove.length &&
    !p.leftovers.length
  );
}

/** The change from what runs (`obs`) to the spec (`inst`); pure. */
export function planClusterScale(obs: ClusterObservation, inst: Instance): ClusterScalePlan {
  if (!inst.cluster) throw new Error('planClusterScale needs a CLUSTER instance');
  const { masters: M, replicasPerMaster: R } = inst.cluster;
  const spec = dataMembers(inst).map((m) => m.name);
  const inSpec = new Set(spec);
  const observed = new Map(obs.nodes.map((n) => [n.member, n]));

  // Slot owners once the half-moved slots are finished.
  const owners = new Map<string, number[]>();
  const finishing = new Map(obs.openSlots.map((m) => [m.slot, m.to]));
  for (const n of obs.nodes) {
    if (n.role !== 'master') continue;
    owners.set(
      n.member,
      n.slots.filter((s) => !finishing.has(s) || finishing.get(s) === n.member),
    );
  }
  for (const m of obs.openSlots)
    if (!owners.get(m.to)?.includes(m.slot)) owners.set(m.to, [...(owners.get(m.to) ?? []), m.slot]);

  // Masters: kept masters with the most slots, then new members, then promoted replicas.
  const keptMasters = obs.nodes
    .filter((n) => n.role === 'master' && inSpec.has(n.member))
    .sort(
      (a, b) =>
        (owners.get(b.member)?.length ?? 0) - (owners.get(a.member)?.length ?? 0) || byOrdinal(a.member, b.member),
    );
  const masters = keptMasters.slice(0, M).map((n) => n.member);
  const add = spec.filter((m) => !observed.has(m));
  const newMembers = [...add];
  while (masters.length < M && newMembers.length) masters.push(newMembers.shift()!);
  const promote: string[] = [];
  if (masters.length < M) {
    // Prefer replicas of masters that keep the most replicas (their shard loses the least).
    const candidates = obs.nodes
      .filter((n) => n.role === 'replica' && inSpec.has(n.member))
      .sort(
        (a, b) =>
          replicaCount(obs, b.masterMember) - replicaCount(obs, a.masterMember) || byOrdinal(a.member, b.member),
      );
    for (const c of candidates) {
      if (masters.length >= M) break;
      masters.push(c.member);
      promote.push(c.member);
    }
  }
  if (masters.length < M)
    throw new Error(`the spec asks for ${M} masters but only ${masters.length} members can be masters`);
  const masterSet = new Set(masters);

  // Replicas: keep an attachment while its master is a final master with room, then fill.
  const replicasOf: Record<string, string[]> = Object.fromEntries(masters.map((m) => [m, []]));
  const pool = spec.filter((m) => !masterSet.has(m)).sort(byOrdinal);
  const unplaced: string[] = [];
  for (const m of pool) {
    const n = observed.get(m);
    const current = n?.role === 'replica' ? n.masterMember : null;
    if (current && masterSet.has(current) && replicasOf[current]!.length < R) replicasOf[current]!.push(m);
    else unplaced.push(m);
  }
  for (const m of unplaced) {
    const to = masters
      .filter((x) => replicasOf[x]!.length < R)
      .sort((a, b) => replicasOf[a]!.length - replicasOf[b]!.length || byOrdinal(a, b))[0];
    if (!to) throw new Error(`no master has room for replica ${m}`);
    replicasOf[to]!.push(m);
  }
  const attach: Array<{ member: string; to: string }> = [];
  for (const [master, reps] of Object.entries(replicasOf)) {
    for (const r of reps) {
      const n = observed.get(r);
      if (!(n?.role === 'replica' && n.masterMember === master)) attach.push({ member: r, to: master });
    }
  }
  attach.sort((a, b) => byOrdinal(a.member, b.member));

  const moves = rebalanceMoves(owners, masters);
  const remove = obs.nodes
    .filter((n) => !inSpec.has(n.member))
    .map((n) => n.member)
    .sort(byOrdinal);
  return {
    finish: obs.openSlots,
    add,
    promote,
    moves,
    attach,
    remove,
    leftovers: obs.leftovers,
    masters: [...masters].sort(byOrdinal),
    replicasOf,
  };
}

function replicaCount(obs: ClusterObservation, master: string | null): number {
  return master ? obs.nodes.filter((n) => n.role === 'replica' && n.masterMember === master).length : 0;
}

/** The plan as lines for people (rk plan, and the log of rk up). */
export function describeClusterScale(p: ClusterScalePlan): string[] {
  if (isEmptyPlan(p)) return ['cluster layout matches the spec: nothing to change'];
  const lines: string[] = [];
  if (p.leftovers.length) lines.push(`stop and purge leftovers of an interrupted removal: ${p.leftovers.join(', ')}`);
  if (p.finish.length)
    lines.push(`finish ${p.finish.length} half-moved slot(s):`, ...describeMoves(p.finish).map((l) => `  ${l}`));
  for (const m of p.add)
    lines.push(
      `add ${m} as ${p.masters.includes(m) ? 'master' : `replica of ${p.attach.find((a) => a.member === m)?.to}`}`,
    );
  for (const m of p.promote) lines.push(`turn replica ${m} into an empty master`);
  if (p.moves.length) lines.push(`move ${p.moves.length} slot(s):`, ...describeMoves(p.moves).map((l) => `  ${l}`));
  for (const a of p.attach) if (!p.add.includes(a.member)) lines.push(`make ${a.member} a replica of ${a.to}`);
  for (const m of p.remove) lines.push(`remove ${m}: forget it on every node, stop it, purge its data`);
  lines.push(
    `then: masters ${p.masters.join(', ')}${
      Object.values(p.replicasOf).some((r) => r.length)
        ? `; replicas ${Object.entries(p.replicasOf)
            .map(([m, r]) => `${m}: ${r.join(', ') || '-'}`)
            .join('; ')}`
        : ''
    }`,
  );
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Observation

interface LiveView {
  member: string;
  self: ClusterNode;
  nodes: ClusterNode[];
  keys: number;
}

async function liveViews(ctx: EngineContext, members: readonly string[]): Promise<LiveView[]> {
  return Promise.all(
    members.map((m) =>
      withClient(ctx.platform.placement(m), conn(ctx), async (c) => {
        const [nodes, id, keys] = await Promise.all([clusterNodes(c), clusterMyId(c), send<number>(c, 'DBSIZE')]);
        const self = nodes.find((n) => n.id === id);
        if (!self) throw new Error(`${m} does not list itself in CLUSTER NODES`);
        return { member: m, self, nodes, keys };
      }),
    ),
  );
}

export async function observeCluster(ctx: EngineContext): Promise<ClusterObservation> {
  const members = clusterMembers(ctx).map((m) => m.name);
  const views = await liveViews(ctx, members);
  const memberOf = new Map(views.map((v) => [v.self.id, v.member]));
  const nodes: ObservedNode[] = views.map((v) => ({
    member: v.member,
    id: v.self.id,
    role: v.self.flags.master ? 'master' : 'replica',
    masterMember: v.self.masterId ? (memberOf.get(v.self.masterId) ?? null) : null,
    slots: rangesToSlots(v.self.slots),
    keys: v.keys,
  }));
  const open = new Map<number, SlotMove>();
  // Masters only: Valkey 8 replicates SETSLOT, so replicas show their master's markers too.
  const masters = views.filter((v) => v.self.flags.master);
  for (const v of masters) {
    for (const m of v.self.migrating) {
      const to = memberOf.get(m.nodeId);
      if (!to)
        throw new Error(
          `${v.member} migrates slot ${m.slot} to node ${m.nodeId}, which is none of this instance's members`,
        );
      open.set(m.slot, { slot: m.slot, from: v.member, to });
    }
  }
  for (const v of masters) {
    for (const m of v.self.importing) {
      if (open.has(m.slot)) continue;
      const from = memberOf.get(m.nodeId);
      if (!from)
        throw new Error(
          `${v.member} imports slot ${m.slot} from node ${m.nodeId}, which is none of this instance's members`,
        );
      open.set(m.slot, { slot: m.slot, from, to: v.member });
    }
  }
  const inSpec = new Set(dataMembers(ctx.inst).map((m) => m.name));
  const leftovers: string[] = [];
  for (const m of ctx.platform.members()) {
    if (inSpec.has(m) || members.includes(m) || !/-\d+$/.test(m) || m.includes('-sentinel-')) continue;
    if ((await ctx.platform.state(m)).running) leftovers.push(m);
  }
  return { nodes, openSlots: [...open.values()].sort((a, b) => a.slot - b.slot), leftovers: leftovers.sort(byOrdinal) };
}

// ---------------------------------------------------------------------------------------------
// Execution

export interface ScaleOptions {
  /** Passed to the slot migration: progress after every batch; throwing aborts (tests). */
  onProgress?: SlotMigrationOptions['onProgress'];
  forceLegacyMigration?: boolean;
}

/** Observes, plans and applies the spec's cluster size. Safe to re-run after an interruption. */
export async function scaleCluster(ctx: EngineContext, opts: ScaleOptions = {}): Promise<ClusterScalePlan> {
  const plan = planClusterScale(await observeCluster(ctx), ctx.inst);
  if (isEmptyPlan(plan)) return plan;
  for (const l of describeClusterScale(plan)) ctx.log(`plan: ${l}`);
  const recorded = clusterMembers(ctx).map((m) => m.name);

  for (const m of plan.leftovers) await purgeLeftover(ctx, m);
  // Half-moved slots carry the legacy protocol's markers: finish them with that protocol.
  if (plan.finish.length)
    await moveSlots(ctx, plan.finish, { ...opts, forceLegacyMigration: true }, 'finishing half-moved slots');

  // Join: start the new members, turn promoted replicas into empty masters, introduce them all.
  for (const m of plan.add) {
    ctx.log(`starting ${m}`);
    await startServer(ctx, m, null);
  }
  for (const m of plan.promote) {
    ctx.log(`turning replica ${m} into an empty master`);
    await withClient(ctx.platform.placement(m), conn(ctx), (c) => clusterReset(c, 'SOFT'));
  }
  const joining = [...plan.add, ...plan.promote];
  const members = [...new Set([...recorded, ...plan.add])].sort(byOrdinal);
  if (joining.length) {
    await meetAll(ctx, members, joining);
    updateEngineRecord(ctx.platform, { clusterMembers: members, nodeIds: await nodeIds(ctx, members) });
    // Slots will move to them: a run that takes over after an interruption must know them as members.
    await ctx.platform.commitRecords();
  }

  // Replicas that hold no slots attach now, so new masters have a replica before data lands.
  const views = new Map((await liveViews(ctx, members)).map((v) => [v.member, v]));
  const ids = new Map([...views].map(([m, v]) => [m, v.self.id]));
  const now = plan.attach.filter((a) => (views.get(a.member)?.self.slots.length ?? 0) === 0);
  await attachReplicas(ctx, now, ids);

  if (plan.moves.length) await moveSlots(ctx, plan.moves, opts, 'rebalancing');
  // Masters that stop being masters attach once drained.
  await attachReplicas(
    ctx,
    plan.attach.filter((a) => !now.includes(a)),
    ids,
  );

  if (plan.remove.length) {
    const remaining = members.filter((m) => !plan.remove.includes(m));
    await removeMembers(ctx, plan.remove, remaining, ids);
    updateEngineRecord(ctx.platform, {
      clusterMembers: remaining,
      nodeIds: Object.fromEntries(remaining.map((m) => [m, ids.get(m)!])),
    });
    // Forgotten by every node: a later run must not take them for members that went missing.
    await ctx.platform.commitRecords();
    for (const m of plan.remove) {
      ctx.log(`stopping ${m} and purging its data`);
      await ctx.platform.stop(m, { graceMs: 30_000 });
      await ctx.platform.purge(m);
    }
  }
  await waitForHealthyCluster(ctx);
  return plan;
}

async function nodeIds(ctx: EngineContext, members: readonly string[]): Promise<Record<string, string>> {
  return Object.fromEntries(
    await Promise.all(
      members.map(
        async (m) => [m, await withClient(ctx.platform.placement(m), conn(ctx), (c) => clusterMyId(c))] as const,
      ),
    ),
  );
}

async function meetAll(ctx: EngineContext, members: readonly string[], joining: readonly string[]): Promise<void> {
  const anchor = members.find((m) => !joining.includes(m));
  if (!anchor) throw new Error('no existing member to introduce new members to');
  await withClient(ctx.platform.placement(anchor), conn(ctx), async (c) => {
    for (const m of joining) {
      const p = ctx.platform.placement(m);
      ctx.log(`meeting ${m} at ${p.host}:${p.port}`);
      await clusterMeet(c, p.host, p.port, p.busPort);
    }
  });
  const ids = await nodeIds(ctx, members);
  await waitFor(
    'every member to know every other',
    async () => {
      for (const v of await liveViews(ctx, members)) {
        for (const [m, id] of Object.entries(ids)) {
          const n = v.nodes.find((x) => x.id === id);
          if (!n || n.flags.handshake || n.flags.noaddr) return `${v.member} does not know ${m} yet`;
        }
      }
      // A new master answers CLUSTERDOWN (also to the RESTOREs of a MIGRATE) until it has seen
      // the whole slot map and its start-up write delay is over.
      for (const m of joining) {
        const info = await withClient(ctx.platform.placement(m), conn(ctx), clusterInfo);
        if (info.state !== 'ok') return `${m}: cluster_state ${info.state}`;
      }
      return true;
    },
    { timeoutMs: ctx.timeoutMs, onWait: (r) => ctx.log(`waiting: ${r}`) },
  );
}

async function attachReplicas(
  ctx: EngineContext,
  attach: ReadonlyArray<{ member: string; to: string }>,
  ids: ReadonlyMap<string, string>,
): Promise<void> {
  for (const a of attach) {
    ctx.log(`making ${a.member} a replica of ${a.to}`);
    await withClient(ctx.platform.placement(a.member), conn(ctx), (c) => clusterReplicate(c, ids.get(a.to)!));
  }
  // Valkey 8 replicates SETSLOT to replicas and waits for them: let them finish syncing first.
  await waitFor(
    'new replicas to sync',
    async () => {
      for (const a of attach) {
        const r = await withClient(ctx.platform.placement(a.member), conn(ctx), fetchReplication);
        if (r.role === 'master' || r.masterLinkStatus !== 'up' || r.masterSyncInProgress)
          return `${a.member}: link ${r.masterLinkStatus}`;
      }
      return true;
    },
    { timeoutMs: ctx.timeoutMs, onWait: (r) => ctx.log(`waiting: ${r}`) },
  );
}

async function moveSlots(ctx: EngineContext, moves: SlotMove[], opts: ScaleOptions, what: string): Promise<void> {
  const members = [...new Set([...clusterMembers(ctx).map((m) => m.name), ...moves.flatMap((m) => [m.from, m.to])])];
  const views = await liveViews(ctx, members);
  const nodes = new Map<string, MigrationNode>(
    views
      .filter((v) => v.self.flags.master)
      .map((v) => [v.member, { name: v.member, id: v.self.id, endpoint: ctx.platform.placement(v.member) }]),
  );
  ctx.log(`${what}: ${moves.length} slot(s)`);
  await migrateSlots({
    nodes,
    moves,
    conn: conn(ctx),
    password: ctx.password,
    log: ctx.log,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.forceLegacyMigration ? { forceLegacy: true } : {}),
  });
  // Gossip settles the new owners everywhere before anything else relies on them.
  await waitFor(
    'every node to agree on the moved slots',
    async () => {
      const ids = new Map(views.map((v) => [v.member, v.self.id]));
      for (const v of await liveViews(ctx, members)) {
        const owner = new Map<number, string>();
        for (const n of v.nodes) for (const s of rangesToSlots(n.slots)) owner.set(s, n.id);
        const wrong = moves.find((m) => owner.get(m.slot) !== ids.get(m.to));
        if (wrong) return `${v.member} still sees slot ${wrong.slot} elsewhere than ${wrong.to}`;
      }
      return true;
    },
    { timeoutMs: ctx.timeoutMs, onWait: (r) => ctx.log(`waiting: ${r}`) },
  );
}

async function removeMembers(
  ctx: EngineContext,
  remove: readonly string[],
  remaining: readonly string[],
  ids: ReadonlyMap<string, string>,
): Promise<void> {
  for (const v of await liveViews(ctx, remove)) {
    // The last check before a member goes: a master must hold nothing any more.
    if (v.self.flags.master && (v.self.slots.length > 0 || v.keys > 0)) {
      throw new Error(
        `${v.member} still holds ${rangesToSlots(v.self.slots).length} slot(s) and ${v.keys} key(s); not removing it`,
      );
    }
  }
  const gone = remove.map((m) => ids.get(m)!);
  // Every remaining node forgets every removed one, all at once: the 60 s ban starts now.
  await Promise.all(
    remaining.map((m) =>
      withClient(ctx.platform.placement(m), conn(ctx), async (c) => {
        for (const id of gone) {
          await clusterForget(c, id).catch((err: Error) => {
            if (!/unknown node/i.test(err.message)) throw err;
          });
        }
      }),
    ),
  );
  ctx.log(`forgot ${remove.join(', ')} on ${remaining.length} node(s)`);
  await waitFor(
    'the removed members to be forgotten everywhere',
    async () => {
      for (const v of await liveViews(ctx, remaining)) {
        const still = v.nodes.find((n) => gone.includes(n.id));
        if (still) return `${v.member} still lists ${still.id}`;
      }
      return true;
    },
    { timeoutMs: ctx.timeoutMs },
  );
}

async function purgeLeftover(ctx: EngineContext, member: string): Promise<void> {
  const v = (await liveViews(ctx, [member]))[0]!;
  if (v.self.flags.master && v.keys > 0)
    throw new Error(`${member} is outside the spec and the cluster but still holds ${v.keys} key(s); not purging it`);
  ctx.log(`stopping leftover ${member} and purging its data`);
  await ctx.platform.stop(member, { graceMs: 30_000 });
  await ctx.platform.purge(member);
}
