// Resizing a running local cluster on real servers, under the consistency checker: 3 -> 4
// masters and back, an rk process killed mid-migration and re-run, replicas 1 -> 0 -> 1, and the
// basic scale-out on Redis 7.0. Each time: no acknowledged write lost, every preloaded key
// present, valkey-cli --cluster check clean, removed nodes forgotten everywhere.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { Instance } from '../api/instance.js';
import { freeBase, instanceFrom } from '../../test/support/localInstance.js';
import { waitForAcknowledged } from '../../test/support/writerProgress.js';
import { closeCheckClient, createCheckClient } from '../check/clients.js';
import { startWriter, type Writer } from '../check/writer.js';
import { summarizeReport } from '../check/report.js';
import { LocalPlatform } from '../platform/local/localPlatform.js';
import { isAlive, readPidFile } from '../platform/local/process.js';
import { clusterNodes, clusterSetSlot } from '../valkey/cluster.js';
import { send } from '../valkey/command.js';
import { withClient } from '../valkey/connection.js';
import { migrateKeys } from '../valkey/migrate.js';
import { keySlot } from '../valkey/slot.js';
import { adminConnection } from './adminConnection.js';
import type { EngineContext } from './context.js';
import { ensureInstance } from './ensure.js';
import { observeCluster } from './clusterScale.js';
import { observeInstance } from './status.js';
import { allMembers } from './topology.js';

const run = promisify(execFile);
const RK = new URL('../../../bin/rk.js', import.meta.url).pathname;

function specYaml(name: string, masters: number, replicasPerMaster: number, flavor: 'valkey' | 'redis'): string {
  return [
    'apiVersion: kubernetes.project-planton.org/v1',
    'kind: RedisKubernetes',
    `metadata: { name: ${name} }`,
    'spec:',
    '  mode: CLUSTER',
    `  cluster: { masters: ${masters}, replicasPerMaster: ${replicasPerMaster}, nodeTimeoutMilliseconds: 2000 }`,
    ...(flavor === 'redis' ? ['  image: { repository: redis, tag: "7.0.15" }'] : []),
    '',
  ].join('\n');
}

/** One local cluster whose spec the test changes, as successive `rk up` runs would. */
class Rig {
  readonly root = mkdtempSync(join(tmpdir(), 'rk-scale-'));
  readonly password = `pw-${Math.random().toString(36).slice(2)}`;
  readonly logs: string[] = [];
  inst!: Instance;
  platform!: LocalPlatform;
  ctx!: EngineContext;
  constructor(
    readonly name: string,
    readonly flavor: 'valkey' | 'redis' = 'valkey',
  ) {}

  specFile(masters: number, rpm: number): string {
    const file = join(this.root, `spec-${masters}x${rpm}.yaml`);
    writeFileSync(file, specYaml(this.name, masters, rpm, this.flavor));
    return file;
  }

  async open(masters: number, rpm: number, basePort?: number): Promise<void> {
    this.inst = instanceFrom(specYaml(this.name, masters, rpm, this.flavor));
    this.platform = await LocalPlatform.open({
      root: this.root,
      inst: this.inst,
      members: allMembers(this.inst).map((m) => m.name),
      ...(basePort ? { basePort } : {}),
    });
    // The file rk up reads, so a child `rk up --dir` uses the same password.
    writeFileSync(join(this.platform.dir, 'password'), this.password + '\n', { mode: 0o600 });
    this.ctx = {
      inst: this.inst,
      platform: this.platform,
      password: this.password,
      log: (l) => this.logs.push(l),
      timeoutMs: 60_000,
    };
  }

  async up(masters: number, rpm: number): Promise<void> {
    await this.open(masters, rpm, this.platform ? undefined : await freeBase(masters * (1 + rpm) + 4, true));
    const logged = this.logs.length;
    try {
      await ensureInstance(this.ctx);
    } catch (err) {
      // What the engine did before it failed is the first thing to read.
      (err as Error).message += `\nengine log:\n${this.logs.slice(logged).join('\n')}`;
      throw err;
    }
  }

  masters(): Promise<string[]> {
    return observeInstance(this.ctx).then((s) => s.members.filter((m) => m.role === 'master').map((m) => m.name));
  }

  endpoints() {
    return this.platform
      .members()
      .filter((m) => readPidFile(join(this.platform.memberDir(m), 'pid')))
      .map((m) => this.platform.placement(m));
  }

  async dispose(): Promise<void> {
    for (const m of this.platform?.members() ?? []) {
      const pid = readPidFile(join(this.platform.memberDir(m), 'pid'));
      if (pid && isAlive(pid))
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}

async function preload(rig: Rig, prefix: string, n: number): Promise<string[]> {
  const client = createCheckClient(
    { kind: 'cluster', nodes: rig.endpoints() },
    { password: rig.password },
    { connectTimeoutMs: 2000, commandTimeoutMs: 10_000, reconnectDelayMs: 50, autoPipelining: true },
  );
  const keys = Array.from({ length: n }, (_, i) => `${prefix}:${i}`);
  try {
    await client.connect();
    for (let i = 0; i < n; i += 5000)
      await Promise.all(keys.slice(i, i + 5000).map((k) => client.set(k, `value-of-${k}`)));
  } finally {
    closeCheckClient(client);
  }
  return keys;
}

async function missingKeys(rig: Rig, keys: readonly string[]): Promise<string[]> {
  const client = createCheckClient(
    { kind: 'cluster', nodes: rig.endpoints() },
    { password: rig.password },
    { connectTimeoutMs: 2000, commandTimeoutMs: 10_000, reconnectDelayMs: 50, autoPipelining: true },
  );
  const missing: string[] = [];
  try {
    await client.connect();
    for (let i = 0; i < keys.length; i += 5000) {
      const chunk = keys.slice(i, i + 5000);
      const values = await Promise.all(chunk.map((k) => client.get(k)));
      chunk.forEach((k, j) => {
        if (values[j] !== `value-of-${k}`) missing.push(k);
      });
    }
  } finally {
    closeCheckClient(client);
  }
  return missing;
}

async function clusterCheck(rig: Rig): Promise<string> {
  const at = rig.platform.placement((await rig.masters())[0]!);
  const cli = rig.flavor === 'redis' ? 'redis-cli' : 'valkey-cli';
  const { stdout } = await run(cli, ['--cluster', 'check', `${at.host}:${at.port}`], {
    env: { ...process.env, REDISCLI_AUTH: rig.password },
  });
  return stdout;
}

function startClusterWriter(rig: Rig, prefix: string): Writer {
  return startWriter({
    target: { kind: 'cluster', nodes: rig.endpoints() },
    auth: { password: rig.password },
    keyPrefix: prefix,
    durationMs: 120_000,
    concurrency: 4,
    rateLimit: 1500,
    waitReplicas: 0,
  });
}

async function assertConsistent(rig: Rig, writer: Writer, keys: string[], what: string): Promise<void> {
  await writer.stop();
  const report = await writer.verify();
  const summary = summarizeReport(report);
  assert.equal(report.lostCount, 0, `${what}: ${summary}`);
  assert.equal(report.corruptedCount, 0, `${what}: ${summary}`);
  assert.ok(report.acknowledged > 200, `${what}: the writer wrote through the change: ${summary}`);
  assert.deepEqual((await missingKeys(rig, keys)).slice(0, 5), [], `${what}: every preloaded key present`);
  const check = await clusterCheck(rig);
  assert.match(check, /\[OK\] All 16384 slots covered/, check);
  assert.doesNotMatch(check, /\[ERR\]|\[WARNING\]/, check);
  console.log(`# ${what}: ${summary}`);
}

async function assertForgotten(rig: Rig, ids: string[]): Promise<void> {
  for (const m of rig.platform.members()) {
    const nodes = await withClient(rig.platform.placement(m), adminConnection(rig.ctx), clusterNodes);
    for (const id of ids) assert.ok(!nodes.some((n) => n.id === id), `${m} still lists forgotten node ${id}`);
  }
}

describe('cluster scale-out and scale-in under writes (valkey)', { timeout: 240_000 }, () => {
  const rig = new Rig('grow');
  let keys: string[] = [];
  before(async () => {
    await rig.up(3, 1);
    keys = await preload(rig, 'pre', 20_000);
  });
  after(() => rig.dispose());

  it('3 -> 4 masters: a new master and replica join, a quarter of the slots move, nothing lost', async () => {
    const writer = startClusterWriter(rig, 'out');
    await waitForAcknowledged(writer, 100); // writes flow before the change
    await rig.up(4, 1);
    const s = await observeInstance(rig.ctx);
    assert.equal(s.ready, true, s.problems.join('; '));
    const masters = s.members.filter((m) => m.role === 'master');
    assert.equal(masters.length, 4);
    assert.equal(s.members.find((m) => m.name === 'grow-7')?.masterName, 'grow-6');
    assert.ok(
      rig.logs.some((l) => /^moved 4096\/4096 slots, \d+ keys .* keys\/s, legacy\)$/.test(l)),
      rig.logs.filter((l) => l.startsWith('moved')).join('\n'),
    );
    await assertConsistent(rig, writer, keys, '3 -> 4 masters');
  });

  it('re-running with the same spec changes nothing', async () => {
    const logged = rig.logs.length;
    await rig.up(4, 1);
    assert.deepEqual(
      rig.logs.slice(logged).filter((l) => /^(plan|starting|meeting|making|moved|stopping)/.test(l)),
      [],
    );
  });

  it('4 -> 3 masters: the extra master is drained, forgotten everywhere, stopped and purged', async () => {
    const ids = Object.fromEntries((await observeCluster(rig.ctx)).nodes.map((n) => [n.member, n.id]));
    const writer = startClusterWriter(rig, 'in');
    await waitForAcknowledged(writer, 100); // writes flow before the change
    await rig.up(3, 1);
    const s = await observeInstance(rig.ctx);
    assert.equal(s.ready, true, s.problems.join('; '));
    assert.deepEqual(
      s.members
        .filter((m) => m.role === 'master')
        .map((m) => m.name)
        .sort(),
      ['grow-0', 'grow-1', 'grow-2'],
    );
    assert.deepEqual(rig.platform.members().sort(), ['grow-0', 'grow-1', 'grow-2', 'grow-3', 'grow-4', 'grow-5']);
    await assertForgotten(rig, [ids['grow-6']!, ids['grow-7']!]);
    await assertConsistent(rig, writer, keys, '4 -> 3 masters');
  });

  it('replicas per master 1 -> 0 -> 1', async () => {
    const writer = startClusterWriter(rig, 'rpm');
    await rig.up(3, 0);
    let s = await observeInstance(rig.ctx);
    assert.equal(s.ready, true, s.problems.join('; '));
    assert.deepEqual(
      s.members.map((m) => m.role),
      ['master', 'master', 'master'],
    );
    await rig.up(3, 1);
    s = await observeInstance(rig.ctx);
    assert.equal(s.ready, true, s.problems.join('; '));
    assert.deepEqual(
      s.members.filter((m) => m.role === 'replica').map((m) => m.masterName),
      ['grow-0', 'grow-1', 'grow-2'],
    );
    await assertConsistent(rig, writer, keys, 'replicas 1 -> 0 -> 1');
  });
});

describe('scale-out interrupted: rk killed mid-migration, then re-run', { timeout: 240_000 }, () => {
  const rig = new Rig('halt');
  let keys: string[] = [];
  before(async () => {
    await rig.up(3, 0);
    keys = await preload(rig, 'pre', 150_000);
  });
  after(() => rig.dispose());

  it('converges from a killed run and from a slot with its keys split between two masters', async () => {
    const writer = startClusterWriter(rig, 'kill');
    // The new spec, applied by a real rk process that is SIGKILLed once slots started moving.
    const file = rig.specFile(4, 0);
    await rig.open(4, 0);
    const child = spawn(process.execPath, [RK, 'up', '-f', file, '--dir', rig.root], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/moving slots: [1-9]/.test(stderr) && child.exitCode === null) child.kill('SIGKILL');
    });
    await exited;
    assert.equal(child.signalCode, 'SIGKILL', `rk was killed mid-migration, not finished: ${stderr}`);
    const half = await observeCluster(rig.ctx);
    const owned = half.nodes.find((n) => n.member === 'halt-3')?.slots.length ?? 0;
    assert.ok(owned > 0 && owned < 4096, `some but not all slots moved (${owned})`);

    // Make sure one slot is split for certain: half of its keys on halt-3, markers on both ends.
    // Not the slot the killed run left half-moved (if any): that one answers new keys with ASK.
    const tag = Array.from({ length: 10 }, (_, i) => `{split-${i}}`).find(
      (x) => !half.openSlots.some((m) => m.slot === keySlot(x)),
    )!;
    const slot = keySlot(tag);
    const ownerOf = half.nodes.find((n) => n.slots.includes(slot))!;
    const target = ownerOf.member === 'halt-3' ? 'halt-0' : 'halt-3';
    const conn = adminConnection(rig.ctx);
    const splitKeys = Array.from({ length: 200 }, (_, i) => `${tag}:${i}`);
    await withClient(rig.platform.placement(ownerOf.member), conn, async (src) => {
      await Promise.all(splitKeys.map((k) => send(src, 'SET', [k, `value-of-${k}`])));
      const targetId = half.nodes.find((n) => n.member === target)!.id;
      await withClient(rig.platform.placement(target), conn, (t) => clusterSetSlot(t, slot, 'IMPORTING', ownerOf.id));
      await clusterSetSlot(src, slot, 'MIGRATING', targetId);
      const r = await migrateKeys(src, rig.platform.placement(target), splitKeys.slice(0, 100), {
        timeoutMs: 5000,
        auth: { password: rig.password },
      });
      assert.equal(r.outcome, 'migrated');
    });
    assert.ok(
      (await observeCluster(rig.ctx)).openSlots.some((m) => m.slot === slot),
      'the split slot is seen as half-moved',
    );

    // The re-run, again as a real rk process.
    const { stderr: rerun } = await run(process.execPath, [RK, 'up', '-f', file, '--dir', rig.root], {
      timeout: 120_000,
    });
    assert.match(rerun, /finish \d+ half-moved slot/);
    const s = await observeInstance(rig.ctx);
    assert.equal(s.ready, true, s.problems.join('; '));
    const done = await observeCluster(rig.ctx);
    assert.deepEqual(done.openSlots, []);
    assert.deepEqual(done.nodes.map((n) => n.slots.length).sort(), [4096, 4096, 4096, 4096]);
    assert.deepEqual(await missingKeys(rig, splitKeys), []);
    await assertConsistent(rig, writer, keys, 'interrupted 3 -> 4');
  });
});

describe('cluster scale-out on Redis 7.0', { timeout: 120_000 }, () => {
  const rig = new Rig('red', 'redis');
  after(() => rig.dispose());

  it('3 -> 4 masters with the legacy protocol, nothing lost', async () => {
    await rig.up(3, 0);
    const keys = await preload(rig, 'pre', 10_000);
    const writer = startClusterWriter(rig, 'red');
    await rig.up(4, 0);
    const s = await observeInstance(rig.ctx);
    assert.equal(s.ready, true, s.problems.join('; '));
    assert.equal(s.members.filter((m) => m.role === 'master').length, 4);
    await assertConsistent(rig, writer, keys, 'redis 3 -> 4');
  });
});
