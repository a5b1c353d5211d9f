#!/usr/bin/env node
// Growing a loaded cluster from 3 to 4 masters: our engine (`rk up` with masters: 4) against
// `valkey-cli --cluster add-node` + `valkey-cli --cluster rebalance --cluster-use-empty-masters`
// at its defaults, on two identical clusters in the same run. Both clusters are made by `rk up`
// (3 masters, no replicas: the bench measures key movement, and replicas would only add the
// same replication work to both sides), loaded with the same keys (100-byte values, pipelined),
// both with the spec's default persistence (AOF everysec + RDB preamble).
// keys/s = keys that moved to the new master / seconds of slot movement (our engine's own
// "moved" line; the rebalance command's wall time for valkey-cli). End to end is reported too:
// the whole `rk up` (start, MEET, move) against add-node + waiting for agreement + rebalance.
// Afterwards every key is counted on both clusters: lost must be 0.
// Prints one JSON line; exits 1 if a key is lost or ours is under 10x valkey-cli.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { Redis } from 'iovalkey';
import { keySlot } from '../dist/src/valkey/slot.js';

const ROOT = new URL('..', import.meta.url).pathname;
const RK = join(ROOT, 'bin/rk.js');
const KEYS = Number(process.env.RK_BENCH_KEYS ?? 300_000);
const VALUE = 'v'.repeat(100);
const TARGET_RATIO = 10;

const specYaml = (name, masters) =>
  [
    'apiVersion: kubernetes.project-planton.org/v1',
    'kind: RedisKubernetes',
    `metadata: { name: ${name} }`,
    'spec:',
    '  mode: CLUSTER',
    `  cluster: { masters: ${masters}, replicasPerMaster: 0 }`,
    '',
  ].join('\n');

const dir = mkdtempSync(join(tmpdir(), 'rk-bench-reshard-'));
const specFile = (name, masters) => {
  const f = join(dir, `${name}-${masters}.yaml`);
  writeFileSync(f, specYaml(name, masters));
  return f;
};
const rk = (args) =>
  execFileSync(process.execPath, [RK, ...args, '--dir', dir, ...(args[0] === 'up' ? ['--timeout', '300'] : [])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 << 20,
  });
const rkWithLog = (args) =>
  new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [RK, ...args, '--dir', dir, '--timeout', '300'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    p.stderr.on('data', (d) => {
      err += d;
    });
    p.on('exit', (code) =>
      code === 0 ? resolve(err) : reject(new Error(`rk ${args.join(' ')} exited ${code}: ${err}`)),
    );
  });
const password = (name) => readFileSync(join(dir, name, 'password'), 'utf8').trim();
const ports = (name) => JSON.parse(readFileSync(join(dir, name, 'record.json'), 'utf8')).members;
const client = (port, pw) =>
  new Redis({ host: '127.0.0.1', port, password: pw, lazyConnect: true, enableAutoPipelining: false });

async function masterPorts(name) {
  const pw = password(name);
  const out = [];
  for (const { port } of Object.values(ports(name))) {
    const c = client(port, pw);
    await c.connect();
    const role = await c.call('ROLE');
    if (role[0] === 'master') out.push(port);
    c.disconnect();
  }
  return out;
}

/** The same KEYS keys into a cluster, each straight to its owner, 10,000 per pipeline. */
async function load(name) {
  const pw = password(name);
  const c0 = client(Object.values(ports(name))[0].port, pw);
  await c0.connect();
  const owner = new Array(16384);
  for (const [start, end, master] of await c0.call('CLUSTER', 'SLOTS'))
    for (let s = start; s <= end; s++) owner[s] = master[1];
  c0.disconnect();
  const byPort = new Map();
  for (let i = 0; i < KEYS; i++) {
    const key = `key:${i}`;
    const port = owner[keySlot(key)];
    if (!byPort.has(port)) byPort.set(port, []);
    byPort.get(port).push(key);
  }
  await Promise.all(
    [...byPort].map(async ([port, keys]) => {
      const c = client(port, pw);
      await c.connect();
      for (let i = 0; i < keys.length; i += 10_000) {
        const p = c.pipeline();
        for (const k of keys.slice(i, i + 10_000)) p.set(k, VALUE);
        await p.exec();
      }
      c.disconnect();
    }),
  );
}

async function countKeys(name, extraPorts = []) {
  const pw = password(name);
  let total = 0;
  const perMaster = {};
  for (const port of [...(await masterPorts(name)), ...extraPorts]) {
    const c = client(port, pw);
    await c.connect();
    perMaster[port] = await c.dbsize();
    total += perMaster[port];
    c.disconnect();
  }
  return { total, perMaster };
}

/** A 4th server for the valkey-cli side: the config rk generated for member 0, moved to a new port and directory. */
function startExtraServer(name, port) {
  const m0 = ports(name)[`${name}-0`].port;
  const memberDir = join(dir, name, `${name}-extra`);
  mkdirSync(memberDir, { recursive: true });
  const conf = readFileSync(join(dir, name, `${name}-0`, 'valkey.conf'), 'utf8')
    .replaceAll(join(dir, name, `${name}-0`), memberDir)
    .replace(new RegExp(`\\b${m0 + 10000}\\b`, 'g'), String(port + 10000))
    .replace(new RegExp(`\\b${m0}\\b`, 'g'), String(port));
  writeFileSync(join(memberDir, 'valkey.conf'), conf, { mode: 0o600 });
  const p = spawn('valkey-server', [join(memberDir, 'valkey.conf')], {
    cwd: memberDir,
    stdio: 'ignore',
    detached: true,
  });
  p.unref();
  return p;
}

const cli = (args, pw) => {
  const out = execFileSync('valkey-cli', args, {
    encoding: 'utf8',
    env: { ...process.env, REDISCLI_AUTH: pw },
    maxBuffer: 256 << 20,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (process.env.RK_BENCH_DEBUG) process.stderr.write(out.slice(0, 3000));
  return out;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const portFree = (port) =>
  new Promise((resolve) => {
    const s = createServer()
      .once('error', () => resolve(false))
      .once('listening', () => s.close(() => resolve(true)));
    s.listen(port, '127.0.0.1');
  });

/** A base port with base..+3, +100..+103, +200 and their bus ports (+10000) all free. */
async function freeBase() {
  for (;;) {
    const base = 24000 + Math.floor(Math.random() * 1000) * 10;
    const ports = [0, 1, 2, 3, 100, 101, 102, 103, 200].map((o) => base + o);
    let ok = true;
    for (const p of ports)
      if (!(await portFree(p)) || !(await portFree(p + 10000))) {
        ok = false;
        break;
      }
    if (ok) return base;
  }
}

let extra = null;
let result;
try {
  const base = await freeBase();
  rk(['up', '-f', specFile('ours', 3), '--base-port', String(base)]);
  rk(['up', '-f', specFile('theirs', 3), '--base-port', String(base + 100)]);
  const t0 = Date.now();
  await Promise.all([load('ours'), load('theirs')]);
  const loadSecs = (Date.now() - t0) / 1000;
  const before = { ours: (await countKeys('ours')).total, theirs: (await countKeys('theirs')).total };

  // Ours.
  const o0 = Date.now();
  const log = await rkWithLog(['up', '-f', specFile('ours', 4)]);
  const oursTotal = (Date.now() - o0) / 1000;
  const moved = /moved (\d+)\/(\d+) slots, (\d+) keys in ([\d.]+) s/.exec(log);
  if (!moved) throw new Error(`no "moved" line in rk's log:\n${log}`);
  const oursKeys = Number(moved[3]);
  const oursSecs = Number(moved[4]);

  // valkey-cli.
  const pw = password('theirs');
  const newPort = base + 200;
  extra = startExtraServer('theirs', newPort);
  for (;;) {
    const probe = new Redis({
      host: '127.0.0.1',
      port: newPort,
      password: pw,
      lazyConnect: true,
      retryStrategy: () => null,
    });
    probe.on('error', () => undefined);
    const up = await probe
      .connect()
      .then(() => probe.ping())
      .then(
        () => true,
        () => false,
      );
    probe.disconnect();
    if (up) break;
    await sleep(20);
  }
  const any = `127.0.0.1:${ports('theirs')['theirs-0'].port}`;
  const c0 = Date.now();
  cli(['--cluster', 'add-node', `127.0.0.1:${newPort}`, any], pw);
  // rebalance needs every node to know every other one (it sends SETSLOT IMPORTING <id> to the
  // new node) and the new node's cluster_state ok; the same waits rk does after its MEET.
  const allPorts = [...Object.values(ports('theirs')).map((m) => m.port), newPort];
  for (;;) {
    let agreed = true;
    for (const port of allPorts) {
      const c = client(port, pw);
      await c.connect();
      const lines = String(await c.call('CLUSTER', 'NODES'))
        .trim()
        .split('\n');
      // A new master answers CLUSTERDOWN to MIGRATE's RESTOREs until its own state is ok.
      const state = /cluster_state:(\w+)/.exec(String(await c.call('CLUSTER', 'INFO')))?.[1];
      c.disconnect();
      if (lines.length !== 4 || lines.some((l) => /handshake|noaddr/.test(l)) || state !== 'ok') agreed = false;
    }
    if (agreed) break;
    await sleep(50);
  }
  const r0 = Date.now();
  cli(['--cluster', 'rebalance', any, '--cluster-use-empty-masters'], pw);
  const theirsSecs = (Date.now() - r0) / 1000;
  const theirsTotal = (Date.now() - c0) / 1000;
  const newNode = client(newPort, pw);
  await newNode.connect();
  const theirsKeys = await newNode.dbsize();
  newNode.disconnect();

  const after = { ours: await countKeys('ours'), theirs: await countKeys('theirs', [newPort]) };
  const oursRate = oursKeys / oursSecs;
  const theirsRate = theirsKeys / theirsSecs;
  result = {
    bench: 'reshard',
    keys: KEYS,
    value_bytes: 100,
    masters: '3 -> 4',
    replicas: 0,
    load_s: +loadSecs.toFixed(2),
    ours: {
      keys_moved: oursKeys,
      migrate_s: oursSecs,
      keys_per_s: Math.round(oursRate),
      rk_up_total_s: +oursTotal.toFixed(2),
      keys_lost: before.ours - after.ours.total,
    },
    valkey_cli: {
      keys_moved: theirsKeys,
      rebalance_s: +theirsSecs.toFixed(2),
      keys_per_s: Math.round(theirsRate),
      add_node_to_done_s: +theirsTotal.toFixed(2),
      keys_lost: before.theirs - after.theirs.total,
    },
    ratio_keys_per_s: +(oursRate / theirsRate).toFixed(1),
    ratio_end_to_end: +(theirsTotal / oursTotal).toFixed(1),
    target_ratio: TARGET_RATIO,
  };
  result.ok =
    theirsKeys > 0 &&
    result.ours.keys_lost === 0 &&
    result.valkey_cli.keys_lost === 0 &&
    result.ratio_keys_per_s >= TARGET_RATIO;
} finally {
  try {
    rk(['down', '-f', specFile('ours', 4), '--purge']);
  } catch {
    /* reported by the result */
  }
  try {
    rk(['down', '-f', specFile('theirs', 3), '--purge']);
  } catch {
    /* idem */
  }
  if (extra?.pid)
    try {
      process.kill(extra.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  // Whatever a failed run left: every member's pid file.
  for (const name of ['ours', 'theirs']) {
    let members = {};
    try {
      members = ports(name);
    } catch {
      /* never created */
    }
    for (const m of Object.keys(members)) {
      try {
        process.kill(Number(readFileSync(join(dir, name, m, 'pid'), 'utf8')), 'SIGKILL');
      } catch {
        /* not running */
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
process.exit(result?.ok ? 0 : 1);
