// The consistency checker pointed at a local test instance, through the same target rk check
// builds (src/check/instanceTarget.ts).
import { instanceTarget } from '../../src/check/instanceTarget.js';
import { startWriter, type Writer, type WriterOptions } from '../../src/check/writer.js';
import type { LocalTestInstance } from './localInstance.js';

export function instanceWriter(t: LocalTestInstance, opts: Partial<WriterOptions> & { keyPrefix: string }): Writer {
  const { target, waitReplicas } = instanceTarget(t.inst, (m) => ({
    host: t.platform.placement(m).host,
    port: t.platform.placement(m).port,
  }));
  const password = t.ctx.password ?? undefined;
  return startWriter({
    target,
    auth: password ? { password, sentinelPassword: password } : {},
    waitReplicas,
    waitTimeoutMs: 500,
    concurrency: 4,
    rateLimit: 2000,
    durationMs: 120_000,
    ...opts,
  });
}
