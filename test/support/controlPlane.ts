// Shared by the e2e tests: a bare control plane (apiserver + controller-manager, no
// node) for everything that needs no running pods, the rk commands run in-process with their
// output captured, and minimal CRDs standing in for cert-manager and prometheus-operator.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CliError } from '../../src/cli/input.js';
import type { Io } from '../../src/cli/applyCommand.js';
import type { KubeObject } from '../../src/render/objects.js';
import { serverSideApply } from '../../src/apply/serverSideApply.js';
import type { Session } from '../../src/apply/session.js';

export const ROOT = (() => {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6 && !existsSync(join(d, 'test', 'control-plane', 'build.sh')); i++) d = dirname(d);
  return d;
})();

export interface ControlPlane {
  kubeconfigPath: string;
  server: string;
  dir: string;
  stop(): Promise<void>;
}

/** The cached binary if there is one (a stale one serves these tests fine), else build.sh. */
function controlPlaneBinary(): string {
  if (process.env.RK_CONTROL_PLANE_BIN) return process.env.RK_CONTROL_PLANE_BIN;
  const cached = join(ROOT, 'test', 'control-plane', 'bin', 'control-plane');
  if (existsSync(cached)) return cached;
  const r = spawnSync('bash', [join(ROOT, 'test', 'control-plane', 'build.sh')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  const bin = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !existsSync(bin)) throw new Error('test/control-plane/build.sh failed');
  return bin;
}

export async function startControlPlane(timeoutMs = 120_000): Promise<ControlPlane> {
  const dir = mkdtempSync(join(tmpdir(), 'rk-apply-e2e-'));
  const proc: ChildProcess = spawn(controlPlaneBinary(), ['up', '--dir', join(dir, 'cp')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killAtExit = () => {
    proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killAtExit);
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-10_000);
  });
  const up = await new Promise<{ kubeconfig: string; server: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`control plane not up after ${timeoutMs}ms:\n${stderr}`));
    }, timeoutMs);
    createInterface({ input: proc.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line));
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`control plane exited (${code}):\n${stderr}`));
    });
  });
  const stop = async () => {
    process.removeListener('exit', killAtExit);
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return { kubeconfigPath: up.kubeconfig, server: up.server, dir, stop };
}

export interface RunResult {
  code: number;
  out: string[];
  err: string[];
}

/** Runs a command function the way main does: thrown CliErrors carry their exit code, other errors are 1. */
export async function run(fn: (io: Io) => Promise<number>): Promise<RunResult> {
  const out: string[] = [];
  const err: string[] = [];
  try {
    const code = await fn({ out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  } catch (e) {
    if (e instanceof CliError) {
      if (e.message) err.push(`error: ${e.message}`);
      return { code: e.exitCode, out, err };
    }
    err.push(`error: ${(e as Error).message}`);
    return { code: 1, out, err };
  }
}

/** A structural-schema-free CRD: enough for the API server to serve (and dry-run) the kind. */
export function minimalCrd(group: string, kind: string, plural: string): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  };
}

export const THIRD_PARTY_CRDS = [
  minimalCrd('cert-manager.io', 'Certificate', 'certificates'),
  minimalCrd('monitoring.coreos.com', 'ServiceMonitor', 'servicemonitors'),
  minimalCrd('monitoring.coreos.com', 'PrometheusRule', 'prometheusrules'),
];

/** Applies CRDs with our own server-side apply and waits until discovery serves their kinds. */
export async function installCrds(s: Session, crds: KubeObject[], timeoutMs = 30_000): Promise<void> {
  const info = await s.discovery.resolve('apiextensions.k8s.io/v1', 'CustomResourceDefinition');
  for (const crd of crds) await serverSideApply(s, info, crd, { dryRun: false });
  const deadline = Date.now() + timeoutMs;
  for (const crd of crds) {
    const spec = crd.spec as { group: string; versions: Array<{ name: string }>; names: { kind: string } };
    const apiVersion = `${spec.group}/${spec.versions[0]!.name}`;
    for (;;) {
      s.discovery.forget(apiVersion);
      if (await s.discovery.find(apiVersion, spec.names.kind)) break;
      if (Date.now() > deadline) throw new Error(`${spec.names.kind} not served after ${timeoutMs}ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
