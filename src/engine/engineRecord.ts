// Facts the engine must remember across runs because no live server may be left to ask:
// after every member stopped, only this says which one was master.
import type { Platform } from '../platform/platform.js';

export interface EngineRecord {
  /** Member that was master when last observed (SENTINEL mode). */
  lastMaster?: string;
  /** Members that form the cluster once bootstrapped (scaling keeps it current). */
  clusterMembers?: string[];
  /** Cluster node id of each member, as read from its nodes.conf. */
  nodeIds?: Record<string, string>;
}

const KEY = 'engine';

export function readEngineRecord(p: Platform): EngineRecord {
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
