// A real one-node Kubernetes cluster for end-to-end tests: embedded etcd,
// kube-apiserver and kube-controller-manager (test/control-plane, built on
// demand and cached) plus the in-process node agent (test/agent) that runs
// pods as local processes on loopback IPs.
//
//   const cluster = await startTestCluster();
//   ... cluster.kubeconfig (KubeConfig), cluster.agent (fault hooks) ...
//   await cluster.stop();
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { Agent, type AgentOptions } from '../agent/agent.js';
import { stateRoot } from '../agent/stateRoot.js';
import { waitFor } from '../agent/wait.js';

export interface TestClusterOptions {
  /** Node name (default `rk-node`). */
  nodeName?: string;
  /** Extra agent options (image mappings, pod IP octet, log sink). */
  agent?: Omit<AgentOptions, 'kubeconfig' | 'nodeName'>;
  /** Print phase timings to stderr (default true). */
  printTimings?: boolean;
  /** Give up on startup after this long, build excluded (default 180s). */
  startTimeoutMs?: number;
}

export interface TestCluster {
  /** Admin kubeconfig file (client certificate in group system:masters). */
  kubeconfigPath: string;
  kubeconfig: KubeConfig;
  /** https://127.0.0.1:<port> */
  server: string;
  agent: Agent;
  /** State dir: kubeconfig, PKI, etcd data, component logs (apiserver.log, controller-manager.log), agent/ (pods, PVC data, container logs). */
  dir: string;
  /** Phase durations in ms: build, controlPlane, agent, ready, total. */
  timings: Record<string, number>;
  /** Stops the agent (kills all pods) and the control plane, and removes all state. Idempotent. */
  stop(): Promise<void>;
}

function repoRoot(): string {
  // Works from dist/test/e2e/cluster.js and from test/e2e/cluster.ts alike.
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(d, 'test', 'control-plane', 'build.sh'))) return d;
    d = dirname(d);
  }
  throw new Error('cannot find the repository root (test/control-plane/build.sh)');
}

/** Runs build.sh (a no-op when the binary for the current sources exists) and returns the binary path. */
export function buildControlPlane(): Promise<string> {
  const script = join(repoRoot(), 'test', 'control-plane', 'build.sh');
  return new Promise((resolve, reject) => {
    const p = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.once('error', reject);
    p.once('exit', (code) => {
      const bin = out.trim().split('\n').pop() ?? '';
      if (code === 0 && bin && existsSync(bin)) resolve(bin);
      else reject(new Error(`test/control-plane/build.sh failed (exit ${code})`));
    });
  });
}

interface UpResult {
  kubeconfig: string;
  server: string;
  dir: string;
  timingsMs: Record<string, number>;
}

/** Starts `control-plane up` and resolves with its ready line. */
function startControlPlane(
  bin: string,
  dir: string,
  serviceCIDR: string,
  timeoutMs: number,
): Promise<{ proc: ChildProcess; up: UpResult }> {
  return new Promise((resolve, reject) => {
    // --remove-dir: if this process dies without stop(), `up` still removes
    // the whole state dir (agent data included) when it notices.
    const proc = spawn(bin, ['up', '--dir', dir, '--remove-dir', '--service-cidr', serviceCIDR], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-20_000);
      if (process.env.RK_CLUSTER_DEBUG === '1') process.stderr.write(d);
    });
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`control plane not ready after ${timeoutMs}ms:\n${stderr}`));
    }, timeoutMs);
    const lines = createInterface({ input: proc.stdout });
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve({ proc, up: JSON.parse(line) as UpResult });
      } catch (err) {
        proc.kill('SIGKILL');
        reject(new Error(`unexpected output from control-plane up: ${line}`));
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`control-plane up exited (${code}) before becoming ready:\n${stderr}`));
    });
  });
}

export async function startTestCluster(opts: TestClusterOptions = {}): Promise<TestCluster> {
  const timings: Record<string, number> = {};
  const t0 = Date.now();
  let t = t0;
  const lap = (name: string) => {
    const now = Date.now();
    timings[name] = now - t;
    t = now;
  };

  const bin = await buildControlPlane();
  lap('build');

  const dir = mkdtempSync(join(stateRoot(), 'rk-cluster-'));
  // Services get 127.S.0.0/16 with S in 100..199, pods 127.P.0.0/16 with P in
  // 10..89 (agent/ipam.ts): two clusters on one machine rarely collide.
  const serviceCIDR = `127.${100 + Math.floor(Math.random() * 100)}.0.0/16`;
  let proc: ChildProcess | undefined;
  let agent: Agent | undefined;
  const killSync = () => {
    proc?.kill('SIGKILL');
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      /* best effort at exit */
    }
  };
  process.once('exit', killSync);

  const stop = async () => {
    process.removeListener('exit', killSync);
    await agent?.stop().catch(() => undefined);
    agent = undefined;
    const p = proc;
    proc = undefined;
    if (p && p.exitCode === null && p.signalCode === null) {
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      const timer = setTimeout(() => p.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const timeoutMs = opts.startTimeoutMs ?? 180_000;
    const cp = await startControlPlane(bin, dir, serviceCIDR, timeoutMs);
    proc = cp.proc;
    lap('controlPlane');

    const kubeconfig = new KubeConfig();
    kubeconfig.loadFromFile(cp.up.kubeconfig);
    agent = await Agent.start({
      dataDir: join(dir, 'agent'),
      ...opts.agent,
      kubeconfig,
      nodeName: opts.nodeName ?? 'rk-node',
    });
    lap('agent');

    const core = kubeconfig.makeApiClient(CoreV1Api);
    const nodeName = agent.nodeName;
    await waitFor('node Ready', timeoutMs, async () => {
      const n = await core.readNode({ name: nodeName });
      return n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? true : undefined;
    });
    await waitFor(
      'default ServiceAccount',
      timeoutMs,
      async () => (await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' })) ?? undefined,
    );
    lap('ready');
    timings.total = Date.now() - t0;

    if (opts.printTimings ?? true) {
      const c = cp.up.timingsMs;
      process.stderr.write(
        `[cluster] up in ${timings.total}ms: build ${timings.build}ms, control plane ${timings.controlPlane}ms ` +
          `(etcd ${c.etcd}ms, apiserver ${c.apiserver}ms, controller-manager ${c.controllerManager}ms), ` +
          `agent ${timings.agent}ms, node+serviceaccount ${timings.ready}ms\n`,
      );
    }
    const a = agent;
    return { kubeconfigPath: cp.up.kubeconfig, kubeconfig, server: cp.up.server, agent: a, dir, timings, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
