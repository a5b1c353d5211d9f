// What a changed spec means for a running instance, member by member, decided before anything
// is touched: `rk plan` prints it, `rk up` carries it out (rollout.ts). The baseline is what
// each member was last started with (the engine record), not what anybody remembers.
import type { MemberKind } from '../platform/platform.js';
import type { EngineContext } from './context.js';
import { readEngineRecord } from './engineRecord.js';
import { isLiveChange } from './liveSettings.js';
import { desiredSettings, settingChanges, type MemberSettings, type SettingChange } from './memberSettings.js';
import { allMembers, knownDataMembers, knownSentinelMembers } from './topology.js';

export type MemberAction = 'start' | 'restart' | 'live' | 'retire';

export interface MemberChange {
  member: string;
  kind: MemberKind;
  action: MemberAction;
  /** Human reasons: "image redis:7.0 → valkey/valkey:8.0", "databases 16 → 32". */
  reasons: string[];
  /** Settings applied with CONFIG SET / SENTINEL SET (action 'live'). */
  live: SettingChange[];
  desired: MemberSettings | null;
}

export interface ChangePlan {
  instance: string;
  changes: MemberChange[];
}

const show = (v: string | undefined) => (v === undefined ? '(default)' : v === '' ? '""' : v);
export const describeSetting = (c: SettingChange) => `${c.key} ${show(c.from)} → ${show(c.to)}`;

/** Members the platform holds that the spec no longer names (cluster members are left to clusterScale). */
function retiringMembers(ctx: EngineContext): { member: string; kind: MemberKind }[] {
  if (ctx.inst.mode === 'CLUSTER') return [];
  const wanted = new Set(allMembers(ctx.inst).map((m) => m.name));
  const known = knownDataMembers(ctx);
  const data = new Set(known);
  return [...known, ...knownSentinelMembers(ctx)]
    .filter((m) => !wanted.has(m))
    .map((m) => ({ member: m, kind: data.has(m) ? ('server' as const) : ('sentinel' as const) }));
}

export async function planChanges(ctx: EngineContext): Promise<ChangePlan> {
  const { inst, platform } = ctx;
  const applied = readEngineRecord(platform).applied ?? {};
  const changes: MemberChange[] = [];
  const members =
    ctx.inst.mode === 'CLUSTER'
      ? allMembers(inst).filter((m) => knownDataMembers(ctx).includes(m.name) && applied[m.name])
      : allMembers(inst);
  for (const m of members) {
    const before = applied[m.name];
    if (!platform.members().includes(m.name)) {
      changes.push({ member: m.name, kind: m.kind, action: 'start', reasons: ['new member'], live: [], desired: null });
      continue;
    }
    const desired = desiredSettings(inst, platform.placement(m.name), m.kind);
    const running = (await platform.state(m.name)).running;
    if (!running) {
      const reasons = before ? ['stopped; starts with the current spec'] : ['new member'];
      changes.push({ member: m.name, kind: m.kind, action: 'start', reasons, live: [], desired });
      continue;
    }
    // Started before the engine kept records: nothing to compare with; the next start records it.
    if (!before) continue;
    const settings = settingChanges(before.settings, desired.settings);
    const imageChanged = before.image !== desired.image;
    const restartFor = settings.filter((c) => !isLiveChange(m.kind, c));
    if (imageChanged || restartFor.length) {
      const reasons = [
        ...(imageChanged ? [`image ${before.image} → ${desired.image}`] : []),
        ...settings.map(describeSetting),
      ];
      changes.push({ member: m.name, kind: m.kind, action: 'restart', reasons, live: [], desired });
    } else if (settings.length) {
      changes.push({
        member: m.name,
        kind: m.kind,
        action: 'live',
        reasons: settings.map(describeSetting),
        live: settings,
        desired,
      });
    }
  }
  for (const r of retiringMembers(ctx)) {
    const why =
      r.kind === 'sentinel'
        ? 'sentinelReplicas lowered: stopped, data removed, SENTINEL RESET on the others'
        : 'redisReplicas lowered: handed over first if master, stopped, data removed, SENTINEL RESET';
    changes.push({ member: r.member, kind: r.kind, action: 'retire', reasons: [why], live: [], desired: null });
  }
  return { instance: inst.name, changes };
}

export function describePlan(plan: ChangePlan): string[] {
  if (!plan.changes.length) return [`${plan.instance}: no changes`];
  const lines: string[] = [];
  const order: MemberAction[] = ['live', 'start', 'restart', 'retire'];
  const verb: Record<MemberAction, string> = {
    live: 'change live',
    start: 'start',
    restart: 'restart',
    retire: 'retire',
  };
  for (const action of order) {
    for (const c of plan.changes.filter((x) => x.action === action)) {
      lines.push(`${verb[action].padEnd(11)} ${c.member}`);
      for (const r of c.reasons) lines.push(`              ${r}`);
    }
  }
  if (plan.changes.some((c) => c.action === 'restart' && c.kind === 'server')) {
    lines.push(
      'restarts go one member at a time, replicas first; a master hands its role to a synced replica before it restarts',
    );
  }
  return lines;
}

export const hasChanges = (plan: ChangePlan) => plan.changes.length > 0;
