// Throwaway valkey/redis servers and sentinels for tests: loopback only, free ports, a temp dir
// each, and always cleaned up, by stopTestServers() in an after() hook or, if a test run dies
// first, by the process 'exit' guard (SIGKILL to every group, temp dirs removed).
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePorts } from '../../src/platform/local/ports.js';
import { startServerProcess, waitForPing, tailFile, type ServerProcess } from '../../src/platform/local/process.js';
import { flavorBinaries, type Flavor } from '../../src/api/flavor.js';
import { resolveBinary } from '../../src/platform/local/binaries.js';
import { closeClient, connect, type ConnectOptions, type Endpoint } from '../../src/valkey/connection.js';
import * as cluster from '../../src/valkey/cluster.js';
import { fetchReplication } from '../../src/valkey/info.js';
import { evenSlotRanges } from '../../src/valkey/slotRanges.js';

export interface TestServerOptions {
  flavor?: Flavor;
  /** Extra config lines appended after the defaults (later lines win). */
  config?: string;
  /** cluster-enabled yes, with its nodes file in the temp dir and a free bus port. */
  cluster?: boolean;
  /** requirepass (and masterauth, so replicas of each other can sync). */
  password?: string;
  /** Startup budget (default 5000 ms). */
  startTimeoutMs?: number;
}

export interface TestServer {
  kind: 'server' | 'sentinel';
  flavor: Flavor;
  endpoint: Endpoint;
  port: number;
  dir: string;
  configPath: string;
  logFile: string;
  process: ServerProcess;
  /** Connect options for this server (password, if any). */
  auth: ConnectOptions;
  /** Graceful stop (SIGTERM, SIGKILL after graceMs); keeps the dir for restart(). */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL: a crash, no shutdown save, no goodbye to replicas. */
  crash(): Promise<void>;
  /** Starts again on the same port, dir and (possibly rewritten) config. */
  restart(): Promise<void>;
  log(): string;
}

const live = new Set<TestServer>();
const dirs = new Set<string>();
let guardInstalled = false;

function installExitGuard(): void {
  if (guardInstalled) return;
  guardInstalled = true;
  process.on('exit', () => {
    for (const server of live) {
      if (!server.process.running) continue;
      try {
        process.kill(-server.process.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
}

function baseConfig(port: number, dir: string, opts: TestServerOptions): string {
  const lines = [
    `port ${port}`,
    'bind 127.0.0.1',
    `dir ${dir}`,
    'daemonize no',
    'logfile ""',
    'save ""',
    'appendonly no',
    // A test master with lagging replicas must not wait 10 s on SIGTERM.
    'shutdown-timeout 0',
    // Diskless full sync otherwise waits 5 s for more replicas to join: first syncs take 5 s.
    'repl-diskless-sync-delay 0',
    // DEBUG SLEEP / DEBUG RELOAD make slow or stuck servers on demand.
    'enable-debug-command local',
  ];
  if (opts.cluster) {
    lines.push('cluster-enabled yes', `cluster-config-file ${join(dir, 'nodes.conf')}`, 'cluster-node-timeout 1000');
  }
  if (opts.password !== undefined) lines.push(`requirepass "${opts.password}"`, `masterauth "${opts.password}"`);
  return lines.join('\n') + '\n';
}

async function launch(
  kind: 'server' | 'sentinel',
  configFor: (port: number, dir: string) => string,
  opts: TestServerOptions,
): Promise<TestServer> {
  installExitGuard();
  const flavor = opts.flavor ?? 'valkey';
  const names = flavorBinaries(flavor);
  const binary = resolveBinary(kind === 'server' ? names.server : names.sentinel);
  const dir = mkdtempSync(join(tmpdir(), `rk-test-${kind}-`));
  dirs.add(dir);
  const logFile = join(dir, 'server.log');
  const configPath = join(dir, kind === 'server' ? 'server.conf' : 'sentinel.conf');
  const auth: ConnectOptions = opts.password !== undefined ? { password: opts.password } : {};
  const startTimeoutMs = opts.startTimeoutMs ?? 5000;

  for (let attempt = 1; ; attempt++) {
    const [port] = await findFreePorts(1, '127.0.0.1', { clusterBus: opts.cluster === true });
    if (port === undefined) throw new Error('no free port');
    writeFileSync(configPath, configFor(port, dir), { mode: 0o600 });
    const endpoint = { host: '127.0.0.1', port };
    let proc = startServerProcess({ binary, configPath, cwd: dir, logFile });
    try {
      await waitForPing(endpoint, auth, startTimeoutMs, { process: proc, logFile });
    } catch (err) {
      await proc.stop({ graceMs: 0 });
      // Another process may have grabbed the port between the check and the bind.
      if (attempt < 3 && /Address already in use/.test(tailFile(logFile))) continue;
      throw err;
    }
    const server: TestServer = {
      kind,
      flavor,
      endpoint,
      port,
      dir,
      configPath,
      logFile,
      auth,
      get process() {
        return proc;
      },
      async stop(graceMs = 2000) {
        await proc.stop({ graceMs });
      },
      async crash() {
        proc.kill('SIGKILL');
        await proc.exited;
      },
      async restart() {
        if (proc.running) await proc.stop({ graceMs: 2000 });
        proc = startServerProcess({ binary, configPath, cwd: dir, logFile });
        await waitForPing(endpoint, auth, startTimeoutMs, { process: proc, logFile });
      },
      log: () => readFileSync(logFile, 'utf8'),
    };
    live.add(server);
    return server;
  }
}

/** A valkey-server (or redis-server) on a free loopback port in a fresh temp dir. */
export function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  return launch('server', (port, dir) => baseConfig(port, dir, opts) + (opts.config ?? ''), opts);
}

/**
 * A sentinel monitoring nothing yet (use SENTINEL MONITOR). `password` here protects the
 * sentinel itself (requirepass); the monitored master's password is set with SENTINEL SET auth-pass.
 */
export function startTestSentinel(opts: TestServerOptions = {}): Promise<TestServer> {
  return launch(
    'sentinel',
    (port, dir) =>
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        'daemonize no',
        'logfile ""',
        ...(opts.password !== undefined ? [`requirepass "${opts.password}"`] : []),
      ].join('\n') +
      '\n' +
      (opts.config ?? ''),
    opts,
  );
}

/** Stops one server for good and removes its directory. */
export async function disposeTestServer(server: TestServer): Promise<void> {
  await server.process.stop({ graceMs: 0 });
  live.delete(server);
  rmSync(server.dir, { recursive: true, force: true });
  dirs.delete(server.dir);
}

/** Kills every server started here and removes their directories. For after() hooks. */
export async function stopTestServers(): Promise<void> {
  await Promise.all([...live].map((s) => disposeTestServer(s)));
}

export interface TestCluster {
  /** Masters first (in slot order), then replicas (replica i of master m at masters + m*perMaster + i). */
  nodes: TestServer[];
  masters: TestServer[];
  replicas: TestServer[];
  /** Node ids, same order as `nodes`. */
  ids: string[];
}

/**
 * A ready cluster built the way the engine bootstraps one: ADDSLOTSRANGE on each master, MEET,
 * REPLICATE, then waiting until every node reports cluster_state:ok and every replica is synced.
 */
export async function startTestCluster(
  opts: { masters?: number; replicasPerMaster?: number; flavor?: Flavor; config?: string; timeoutMs?: number } = {},
): Promise<TestCluster> {
  const masterCount = opts.masters ?? 3;
  const perMaster = opts.replicasPerMaster ?? 0;
  const total = masterCount * (1 + perMaster);
  const serverOpts: TestServerOptions = {
    cluster: true,
    ...(opts.flavor ? { flavor: opts.flavor } : {}),
    ...(opts.config ? { config: opts.config } : {}),
  };
  const nodes = await Promise.all(Array.from({ length: total }, () => startTestServer(serverOpts)));
  const clients = await Promise.all(nodes.map((n) => connect(n.endpoint)));
  const deadline = Date.now() + (opts.timeoutMs ?? 15000);
  const until = async (what: string, cond: () => Promise<boolean>): Promise<void> => {
    while (!(await cond().catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`test cluster: timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  try {
    const ids = await Promise.all(clients.map((c) => cluster.clusterMyId(c)));
    const ranges = evenSlotRanges(masterCount);
    await Promise.all(ranges.map((r, i) => cluster.clusterAddSlotsRange(clients[i]!, [r])));
    const first = nodes[0]!;
    await Promise.all(clients.slice(1).map((c) => cluster.clusterMeet(c, first.endpoint.host, first.port)));
    await until('every node to know every other', async () => {
      for (const c of clients) {
        const known = await cluster.clusterNodes(c);
        if (known.length !== total || known.some((n) => n.flags.handshake)) return false;
      }
      return true;
    });
    for (let m = 0; m < masterCount; m++) {
      for (let i = 0; i < perMaster; i++)
        await cluster.clusterReplicate(clients[masterCount + m * perMaster + i]!, ids[m]!);
    }
    await until('cluster_state ok everywhere and replicas synced', async () => {
      for (const c of clients) if ((await cluster.clusterInfo(c)).state !== 'ok') return false;
      for (const c of clients.slice(masterCount))
        if ((await fetchReplication(c)).masterLinkStatus !== 'up') return false;
      return true;
    });
    return { nodes, masters: nodes.slice(0, masterCount), replicas: nodes.slice(masterCount), ids };
  } finally {
    await Promise.all(clients.map((c) => closeClient(c)));
  }
}
