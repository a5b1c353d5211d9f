// Container probes with the kubelet's semantics: initialDelaySeconds,
// periodSeconds, timeoutSeconds, successThreshold, failureThreshold.
// Supported handlers: exec (inside the container's namespaces and env),
// tcpSocket and httpGet (from the agent to the pod IP). grpc probes count as
// succeeding (no client here) and are logged once.
import { request } from 'node:http';
import { connect } from 'node:net';
import type { V1Container, V1Probe } from '@kubernetes/client-node';
import type { ExecResult } from './container.js';

export type ProbeKind = 'startup' | 'readiness' | 'liveness';

export interface ProbeTarget {
  podIP: string;
  container: V1Container;
  exec(argv: string[], timeoutMs: number): Promise<ExecResult>;
}

/** Resolves a named or numeric port against the container's ports. */
export function resolvePort(port: number | string | undefined, c: V1Container): number | undefined {
  if (typeof port === 'number') return port;
  if (port === undefined) return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  return c.ports?.find((p) => p.name === port)?.containerPort;
}

export async function runProbeOnce(p: V1Probe, t: ProbeTarget): Promise<{ ok: boolean; output: string }> {
  const timeoutMs = Math.max(1, p.timeoutSeconds ?? 1) * 1000;
  if (p.exec?.command) {
    const r = await t.exec(p.exec.command, timeoutMs);
    return {
      ok: r.exitCode === 0 && !r.timedOut,
      output: r.timedOut ? `timed out after ${timeoutMs}ms` : (r.stdout + r.stderr).trim().slice(0, 300),
    };
  }
  if (p.tcpSocket) {
    const port = resolvePort(p.tcpSocket.port, t.container);
    if (port === undefined) return { ok: false, output: `unknown port ${String(p.tcpSocket.port)}` };
    return tcpCheck(p.tcpSocket.host || t.podIP, port, timeoutMs);
  }
  if (p.httpGet) {
    const port = resolvePort(p.httpGet.port, t.container);
    if (port === undefined) return { ok: false, output: `unknown port ${String(p.httpGet.port)}` };
    return httpCheck(p.httpGet.host || t.podIP, port, p.httpGet.path ?? '/', p.httpGet.httpHeaders ?? [], timeoutMs);
  }
  return { ok: true, output: 'no supported handler (grpc?): assumed healthy' };
}

function tcpCheck(host: string, port: number, timeoutMs: number): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean, output: string) => {
      s.destroy();
      resolve({ ok, output });
    };
    s.setTimeout(timeoutMs, () => done(false, 'timeout'));
    s.once('connect', () => done(true, ''));
    s.once('error', (e) => done(false, e.message));
  });
}

function httpCheck(
  host: string,
  port: number,
  path: string,
  headers: { name: string; value: string }[],
  timeoutMs: number,
): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    const req = request(
      {
        host,
        port,
        path,
        method: 'GET',
        timeout: timeoutMs,
        headers: Object.fromEntries(headers.map((h) => [h.name, h.value])),
      },
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        resolve({ ok: code >= 200 && code < 400, output: `HTTP ${code}` });
      },
    );
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', (e) => resolve({ ok: false, output: e.message }));
    req.end();
  });
}

/**
 * Runs one probe periodically until stopped. `onChange` fires when the
 * thresholded result flips; liveness/startup callers restart the container on
 * a failure, readiness callers update the Ready condition.
 */
export class Prober {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private successes = 0;
  private failures = 0;
  /** Thresholded state: readiness starts failed, liveness starts healthy. */
  healthy: boolean;
  lastOutput = '';

  constructor(
    readonly kind: ProbeKind,
    private readonly probe: V1Probe,
    private readonly target: ProbeTarget,
    private readonly onChange: (healthy: boolean, output: string) => void,
  ) {
    this.healthy = kind === 'liveness';
  }

  start(): void {
    this.schedule(Math.max(0, this.probe.initialDelaySeconds ?? 0) * 1000);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const started = Date.now();
    const r = await runProbeOnce(this.probe, this.target).catch((e: Error) => ({ ok: false, output: e.message }));
    if (this.stopped) return;
    this.lastOutput = r.output;
    if (r.ok) {
      this.failures = 0;
      this.successes++;
      // Liveness and startup probes must use successThreshold 1 (API-validated).
      if (!this.healthy && this.successes >= (this.probe.successThreshold ?? 1)) this.flip(true, r.output);
    } else {
      this.successes = 0;
      this.failures++;
      if ((this.healthy || this.kind === 'startup') && this.failures >= (this.probe.failureThreshold ?? 3)) {
        if (this.kind === 'startup') this.failures = 0;
        this.flip(false, r.output);
      }
    }
    const period = Math.max(1, this.probe.periodSeconds ?? 10) * 1000;
    this.schedule(Math.max(0, period - (Date.now() - started)));
  }

  private flip(healthy: boolean, output: string): void {
    this.healthy = healthy;
    this.onChange(healthy, output);
  }
}
