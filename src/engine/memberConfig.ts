// The configuration of one member on a platform: the shared generator's directives for the
// member's placement, plus what only the engine knows at start (secrets, replicaof, the
// monitored master). The secret-free, role-free part is also what a planned change compares
// (memberSettings.ts), so both come from the same functions here.
import type { Instance } from '../api/instance.js';
import {
  formatConfig,
  replicaOfDirective,
  sentinelAuthDirectives,
  sentinelDirectives,
  serverAuthDirectives,
  serverDirectives,
  type Directive,
} from '../render/config.js';
import type { Endpoint, MemberPlacement } from '../platform/platform.js';

/** A server's settings for its placement, without secrets and without its role. */
export function serverPlacedDirectives(inst: Instance, at: MemberPlacement): Directive[] {
  return serverDirectives(inst, {
    bind: at.bind,
    port: at.port,
    dataDir: at.dataDir,
    busPort: at.busPort,
    announceIp: at.host,
    ...(at.pidFile ? { pidFile: at.pidFile } : {}),
    ...(at.logFile ? { logFile: at.logFile } : {}),
  });
}

/** A sentinel's settings for its placement, monitoring `master`, without secrets. */
export function sentinelPlacedDirectives(inst: Instance, at: MemberPlacement, master: Endpoint): Directive[] {
  return sentinelDirectives(
    inst,
    {
      bind: at.bind,
      port: at.port,
      dataDir: at.dataDir,
      announceIp: at.host,
      ...(at.pidFile ? { pidFile: at.pidFile } : {}),
      ...(at.logFile ? { logFile: at.logFile } : {}),
    },
    master,
  );
}

export function serverConfigText(
  inst: Instance,
  at: MemberPlacement,
  opts: { password: string | null; replicaOf: Endpoint | null },
): string {
  const d: Directive[] = serverPlacedDirectives(inst, at);
  if (opts.password !== null && inst.auth.enabled) d.push(...serverAuthDirectives(opts.password));
  if (opts.replicaOf && !inst.cluster) d.push(replicaOfDirective(opts.replicaOf.host, opts.replicaOf.port));
  return formatConfig(d);
}

export function sentinelConfigText(
  inst: Instance,
  at: MemberPlacement,
  opts: { password: string | null; master: Endpoint; myid?: string },
): string {
  const d: Directive[] = sentinelPlacedDirectives(inst, at, opts.master);
  // Keeping the id across restarts stops peers from counting a restarted sentinel twice.
  if (opts.myid) d.push(['sentinel', 'myid', opts.myid]);
  if (opts.password !== null && inst.auth.enabled) d.push(...sentinelAuthDirectives(inst, opts.password));
  return formatConfig(d);
}

/** The `sentinel myid` a sentinel wrote into its own config file, if any. */
export function sentinelMyId(configText: string | null): string | undefined {
  return configText?.match(/^sentinel myid ([0-9a-f]{40})$/m)?.[1];
}
