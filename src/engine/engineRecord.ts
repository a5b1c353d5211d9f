// Facts the engine must remember across runs because no live server may be left to ask:
// after every member stopped, only this says which one was master.
import type { Platform } from '../platform/platform.js';
import type { MemberSettings } from './memberSettings.js';

export interface EngineRecord {
  /** Member that was master when last observed (SENTINEL mode). */
  lastMaster?: string;
  /** Members that form the cluster once bootstrapped (scaling keeps it current). */
  clusterMembers?: string[];
  /** Cluster node id of each member, as read from its nodes.conf. */
  nodeIds?: Record<string, string>;
  /** What each member was last started with or changed to live: the baseline of a planned change. */
  applied?: Record<string, MemberSettings>;
}

const KEY = 'engine';

export function readEngineRecord(p: Pick<Platform, 'readRecord'>): EngineRecord {
  const text = p.readRecord(KEY);
  if (!text) return {};
  try {
    return JSON.parse(text) as EngineRecord;
  } catch {
    return {};
  }
}

export function updateEngineRecord(p: Platform, patch: Partial<EngineRecord>): void {
  p.writeRecord(KEY, JSON.stringify({ ...readEngineRecord(p), ...patch }, null, 2));
}

export function recordApplied(p: Platform, member: string, settings: MemberSettings | null): void {
  const applied = { ...(readEngineRecord(p).applied ?? {}) };
  if (settings) applied[member] = settings;
  else delete applied[member];
  updateEngineRecord(p, { applied });
}
