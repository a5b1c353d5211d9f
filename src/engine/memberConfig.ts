// The configuration file of one member on a platform: the shared generator's directives for
// the member's placement, plus what only the engine knows at start (secrets, replicaof,
// the monitored master).
import type { Instance } from '../api/instance.js';
import {
  formatConfig, replicaOfDirective, sentinelAuthDirectives, sentinelDirectives, serverAuthDirectives, serverDirectives, type Directive,
} from '../render/config.js';
import type { Endpoint, MemberPlacement } from '../platform/platform.js';

export function serverConfigText(inst: Instance, at: MemberPlacement, opts: { password: string | null; replicaOf: Endpoint | null }): string {
  const d: Directive[] = serverDirectives(inst, {
    bind: at.bind, port: at.port, dataDir: at.dataDir, busPort: at.busPort, announceIp: at.host,
    ...(at.pidFile ? { pidFile: at.pidFile } : {}), ...(at.logFile ? { logFile: at.logFile } : {}),
  });
  if (opts.password !== null && inst.auth.enabled) d.push(...serverAuthDirectives(opts.password));
  if (opts.replicaOf && !inst.cluster) d.push(replicaOfDirective(opts.replicaOf.host, opts.replicaOf.port));
  return formatConfig(d);
}

export function sentinelConfigText(inst: Instance, at: MemberPlacement, opts: { password: string | null; master: Endpoint; myid?: string }): string {
  const d: Directive[] = sentinelDirectives(inst, {
    bind: at.bind, port: at.port, dataDir: at.dataDir, announceIp: at.host,
    ...(at.pidFile ? { pidFile: at.pidFile } : {}), ...(at.logFile ? { logFile: at.logFile } : {}),
  }, opts.master);
  // Keeping the id across restarts stops peers from counting a restarted sentinel twice.
  if (opts.myid) d.push(['sentinel', 'myid', opts.myid]);
  if (opts.password !== null && inst.auth.enabled) d.push(...sentinelAuthDirectives(inst, opts.password));
  return formatConfig(d);
}

/** The `sentinel myid` a sentinel wrote into its own config file, if any. */
export function sentinelMyId(configText: string | null): string | undefined {
  return configText?.match(/^sentinel myid ([0-9a-f]{40})$/m)?.[1];
}
