// What a member runs with, in a form two runs can compare: the image and every generated
// setting as name → value. Secrets and the role (replicaof, the monitored master's address)
// are left out: they change through failovers and rotations, not through the spec.
import type { Instance } from '../api/instance.js';
import type { Directive } from '../render/config.js';
import type { MemberKind, MemberPlacement } from '../platform/platform.js';
import { sentinelPlacedDirectives, serverPlacedDirectives } from './memberConfig.js';

export type Settings = Record<string, string>;

export interface MemberSettings {
  image: string;
  settings: Settings;
}

export const imageRef = (inst: Instance): string => `${inst.image.repository}:${inst.image.tag}`;

/**
 * Directives keyed by name. Sentinel per-master options (`sentinel down-after-milliseconds
 * <name> 5000`) are keyed by option without the master name, which never changes.
 */
export function settingsOf(directives: readonly Directive[], masterName?: string): Settings {
  const out: Settings = {};
  for (const d of directives) {
    if (d[0] === 'sentinel') {
      const [, option, ...rest] = d;
      const args = masterName !== undefined && rest[0] === masterName ? rest.slice(1) : rest;
      out[`sentinel ${option}`] = args.join(' ');
    } else {
      out[d[0]] = d.slice(1).join(' ');
    }
  }
  return out;
}

// The address sentinelDirectives needs for its monitor line; the line is dropped below.
const NO_MASTER = { host: '0.0.0.0', port: 0 };

export function desiredSettings(inst: Instance, at: MemberPlacement, kind: MemberKind): MemberSettings {
  if (kind === 'server') return { image: imageRef(inst), settings: settingsOf(serverPlacedDirectives(inst, at)) };
  const s = inst.sentinel!;
  const settings = settingsOf(sentinelPlacedDirectives(inst, at, NO_MASTER), s.masterName);
  delete settings['sentinel monitor'];
  settings['sentinel quorum'] = String(s.quorum);
  return { image: imageRef(inst), settings };
}

export interface SettingChange {
  key: string;
  from: string | undefined;
  to: string | undefined;
}

export function settingChanges(applied: Settings, desired: Settings): SettingChange[] {
  const keys = [...new Set([...Object.keys(applied), ...Object.keys(desired)])].sort();
  return keys.filter((k) => applied[k] !== desired[k]).map((key) => ({ key, from: applied[key], to: desired[key] }));
}
