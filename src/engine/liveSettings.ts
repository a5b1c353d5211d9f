// Which setting changes a running member can take without a restart, and applying them.
// Servers take CONFIG SET for most parameters; a few are read only at start (files, thread
// and database counts, cluster identity). Sentinels take SENTINEL SET for the per-master
// options. Anything we do not know to be live is treated as needing a restart: a restart is
// always safe with the rollout's handover, a refused CONFIG SET half-way is not.
import type { MemberKind } from '../platform/platform.js';
import { configSet } from '../valkey/admin.js';
import { withClient } from '../valkey/connection.js';
import { sentinelSet } from '../valkey/sentinel.js';
import { adminConnection } from './adminConnection.js';
import type { EngineContext } from './context.js';
import type { SettingChange } from './memberSettings.js';

// Parameters the server only reads at start (immutable in CONFIG SET), or that move the
// member's files or addresses, which the platform has to know about.
const SERVER_RESTART_ONLY = new Set([
  'bind',
  'port',
  'tls-port',
  'dir',
  'dbfilename',
  'appenddirname',
  'pidfile',
  'logfile',
  'databases',
  'io-threads',
  'tcp-backlog',
  'cluster-enabled',
  'cluster-config-file',
  'cluster-port',
  'aof-timestamp-enabled',
  'protected-mode',
]);

const SENTINEL_LIVE = new Map([
  ['sentinel down-after-milliseconds', 'down-after-milliseconds'],
  ['sentinel failover-timeout', 'failover-timeout'],
  ['sentinel parallel-syncs', 'parallel-syncs'],
  ['sentinel quorum', 'quorum'],
]);

export function isLiveChange(kind: MemberKind, c: SettingChange): boolean {
  // A removed setting means "back to the server's default", which only a restart gives reliably.
  if (c.to === undefined) return false;
  if (kind === 'sentinel') return SENTINEL_LIVE.has(c.key);
  return !SERVER_RESTART_ONLY.has(c.key);
}

/** Applies live changes to one running member; false when the server refused (restart instead). */
export async function applyLiveChanges(
  ctx: EngineContext,
  member: string,
  kind: MemberKind,
  changes: readonly SettingChange[],
): Promise<boolean> {
  if (!changes.length) return true;
  const at = ctx.platform.placement(member);
  try {
    await withClient(at, adminConnection(ctx), async (c) => {
      if (kind === 'server') {
        await configSet(c, Object.fromEntries(changes.map((x) => [x.key, x.to!])));
      } else {
        const name = ctx.inst.sentinel!.masterName;
        await sentinelSet(c, name, Object.fromEntries(changes.map((x) => [SENTINEL_LIVE.get(x.key)!, x.to!])));
      }
    });
    return true;
  } catch (e) {
    ctx.log(`${member} refused a live change (${(e as Error).message}): it will be restarted instead`);
    return false;
  }
}
