// Password rotation on real servers, under the consistency checker: no acknowledged write lost,
// no replication link broken, no sentinel ever sees the master down, the old password refused
// everywhere afterwards, and members restarted later come back with the new one. Then through
// the CLI: `rk rotate-password` killed half-way is finished by the next run.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'iovalkey';
import {
  exampleInstance,
  freeBase,
  localInstance,
  EXAMPLES,
  type LocalTestInstance,
} from '../../test/support/localInstance.js';
import { instanceWriter } from '../../test/support/instanceWriter.js';
import { waitForAcknowledged } from '../../test/support/writerProgress.js';
import { summarizeReport } from '../check/report.js';
import { send } from '../valkey/command.js';
import { connect, closeClient, withClient } from '../valkey/connection.js';
import { errorKind } from '../valkey/errors.js';
import { fetchReplication } from '../valkey/info.js';
import { rotatePassword } from './passwordRotation.js';
import { observeInstance } from './status.js';
import { allMembers, dataMembers } from './topology.js';
import { sleep, waitFor } from './wait.js';

/** How `password` fares at a member: accepted, refused (WRONGPASS), or another failure. */
async function passwordAt(t: LocalTestInstance, member: string, password: string): Promise<string> {
  try {
    await withClient(
      t.platform.placement(member),
      { password, connectTimeoutMs: 1000, reconnectAttempts: 0 },
      async () => undefined,
    );
    return 'accepted';
  } catch (e) {
    return errorKind(e) === 'auth' ? 'refused' : (e as Error).message;
  }
}

for (const flavor of ['valkey', 'redis'] as const) {
  describe(`password rotation in sentinel mode (${flavor})`, { timeout: 180_000 }, () => {
    let t: LocalTestInstance;
    before(async () => {
      t = await localInstance(
        exampleInstance('sentinel', (inst) => {
          if (flavor === 'redis')
            inst.image = { ...inst.image, repository: 'redis', tag: '7.0.15', ref: 'redis:7.0.15', flavor: 'redis' };
        }),
      );
      await t.ensure();
    });
    after(async () => t?.dispose());

    it('rotates under writes without a broken link, a down master or a lost write', async () => {
      const oldPassword = t.ctx.password!;
      const newPassword = `rotated-${Math.random().toString(36).slice(2)}-${flavor}`;
      const writer = instanceWriter(t, { keyPrefix: `rotate-${flavor}`, rateLimit: 1000 });
      // Watchers connected before the rotation stay authenticated through it.
      const sentinel = t.platform.placement(`${t.inst.name}-sentinel-0`);
      const events: string[] = [];
      const sub = new Redis({ host: sentinel.host, port: sentinel.port, password: oldPassword });
      sub.on('pmessage', (_p, channel: string) => events.push(channel));
      await sub.psubscribe('+sdown', '+odown', '+switch-master', '+failover-*');
      const replicas = dataMembers(t.inst)
        .map((m) => m.name)
        .filter((m) => m !== 'sessions-0');
      const probes = await Promise.all(
        replicas.map((m) => connect(t.platform.placement(m), { password: oldPassword })),
      );
      const linkDown: string[] = [];
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          for (const [i, c] of probes.entries())
            if ((await fetchReplication(c)).masterLinkStatus !== 'up') linkDown.push(replicas[i]!);
          await sleep(20); // the sampling interval
        }
      })();
      try {
        await waitForAcknowledged(writer, 500); // writes flow before the rotation starts
        t.ctx = { ...t.ctx, password: newPassword };
        const started = Date.now();
        await rotatePassword(t.ctx, { from: oldPassword, to: newPassword });
        console.log(`rotation took ${Date.now() - started} ms`);
        // Time, not a condition: what is checked is that no +sdown comes, and a sentinel refused by
        // the master would flag one within down-after-milliseconds.
        await sleep(2500);
      } finally {
        sampling = false;
        await sampler;
        await Promise.all(probes.map((c) => closeClient(c)));
        sub.disconnect();
        await writer.stop();
      }
      const report = await writer.verify({ auth: { password: newPassword, sentinelPassword: newPassword } });
      console.log(summarizeReport(report));
      assert.equal(report.lostCount, 0, summarizeReport(report));
      assert.ok(report.acknowledged > 1500, summarizeReport(report));
      assert.ok(report.longestOutageMs < 200, `writes kept flowing: ${summarizeReport(report)}`);
      assert.deepEqual(linkDown, [], 'no replication link went down');
      assert.deepEqual(events, [], 'no sentinel saw the master down or failed over');
      for (const m of allMembers(t.inst)) {
        assert.equal(await passwordAt(t, m.name, newPassword), 'accepted', `${m.name} takes the new password`);
        assert.equal(await passwordAt(t, m.name, oldPassword), 'refused', `${m.name} refuses the old password`);
      }
    });

    it('links made again after the rotation authenticate with the new password', async () => {
      // Replicas and sentinels reconnect to the master with what they now present (masterauth,
      // auth-pass); links open since before the rotation proved nothing about that.
      const master = t.platform.placement('sessions-0');
      await withClient(master, { password: t.ctx.password! }, async (c) => {
        await send(c, 'CLIENT', ['KILL', 'TYPE', 'replica']);
        await send(c, 'CLIENT', ['KILL', 'TYPE', 'pubsub']);
      });
      await waitFor(
        'replicas linked again',
        async () => {
          for (const m of ['sessions-1', 'sessions-2']) {
            const repl = await withClient(t.platform.placement(m), { password: t.ctx.password! }, (c) =>
              fetchReplication(c),
            );
            if (repl.masterLinkStatus !== 'up') return `${m}: link ${repl.masterLinkStatus}`;
          }
          return true;
        },
        { timeoutMs: 10_000, intervalMs: 100 },
      );
      // Sentinels reconnect their hello channel on their own timer: wait for all three, then Ready.
      await waitFor(
        'every sentinel subscribed to the master again',
        async () => {
          const subscribers = await withClient(master, { password: t.ctx.password! }, async (c) =>
            String(await send(c, 'CLIENT', ['LIST', 'TYPE', 'pubsub'])),
          );
          const n = subscribers.trim().split('\n').filter(Boolean).length;
          return n === 3 || `${n} pubsub clients on the master`;
        },
        { timeoutMs: 10_000, intervalMs: 100 },
      );
      const s = await observeInstance(t.ctx);
      assert.equal(s.ready, true, s.problems.join('; '));
    });

    it('members restarted afterwards use the new password: a replica resyncs, a sentinel rejoins', async () => {
      await t.platform.kill('sessions-2');
      await t.platform.kill(`${t.inst.name}-sentinel-2`);
      await t.ensure();
      await waitFor(
        'a Ready instance',
        async () => {
          const s = await observeInstance(t.ctx);
          return s.ready || s.problems.join('; ');
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      );
      const repl = await withClient(t.platform.placement('sessions-2'), { password: t.ctx.password! }, (c) =>
        fetchReplication(c),
      );
      assert.equal(repl.masterLinkStatus, 'up');
    });

    it('running it again changes nothing and keeps working', async () => {
      await rotatePassword(t.ctx, { from: t.ctx.password!, to: t.ctx.password! });
      const s = await observeInstance(t.ctx);
      assert.equal(s.ready, true, s.problems.join('; '));
    });
  });
}

describe('rk rotate-password on a cluster, killed half-way and run again', { timeout: 180_000 }, () => {
  const RK = new URL('../../../bin/rk.js', import.meta.url).pathname;
  const dir = mkdtempSync(join(tmpdir(), 'rk-rotate-'));
  const spec = join(EXAMPLES, 'cluster.yaml');
  const rk = (...args: string[]) =>
    spawnSync(process.execPath, [RK, ...args, '-f', spec, '--dir', dir], { encoding: 'utf8' });
  after(() => {
    rk('down', '--purge');
    rmSync(dir, { recursive: true, force: true });
  });

  it('finishes the rotation, loses nothing, and leaves only the new password', async () => {
    const base = await freeBase(6, true);
    const up = rk('up', '--base-port', String(base));
    assert.equal(up.status, 0, up.stderr);
    const pwFile = join(dir, 'shards', 'password');
    const oldPassword = readFileSync(pwFile, 'utf8').trim();
    const check = spawn(
      process.execPath,
      [RK, 'check', '-f', spec, '--dir', dir, '--duration', '6s', '--rate', '800', '-o', 'json'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let checkOut = '';
    check.stdout.on('data', (d: Buffer) => {
      checkOut += d.toString();
    });
    const checked = new Promise<number | null>((r) => check.on('exit', (code) => r(code)));
    // Writes flow before the rotation starts: the check's keys show up on the masters.
    const running = JSON.parse(rk('status', '-o', 'json').stdout) as {
      members: { role: string; host: string; port: number }[];
    };
    await waitFor(
      '400 keys written by rk check',
      async () => {
        let keys = 0;
        for (const m of running.members.filter((x) => x.role === 'master'))
          keys += await withClient({ host: m.host, port: m.port }, { password: oldPassword }, (c) => c.dbsize());
        return keys >= 400 || `${keys} keys${check.exitCode !== null ? `, rk check exited ${check.exitCode}` : ''}`;
      },
      { timeoutMs: 15_000, intervalMs: 50 },
    );

    // Killed once every member accepts the new password, before any drops the old one.
    const killed = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [RK, 'rotate-password', '-f', spec, '--dir', dir], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (/accept the new password/.test(err)) child.kill('SIGKILL');
      });
      child.on('exit', (code, signal) =>
        signal === 'SIGKILL'
          ? resolve(err)
          : reject(new Error(`rotate-password ended (${code}) before it could be killed:\n${err}`)),
      );
    });
    assert.match(killed, /accept the new password/);
    assert.ok(existsSync(join(dir, 'shards', 'password.previous')), 'the interrupted rotation is on record');
    const newPassword = readFileSync(pwFile, 'utf8').trim();
    assert.notEqual(newPassword, oldPassword);

    const again = rk('rotate-password');
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /password rotated/);
    assert.equal(
      readFileSync(pwFile, 'utf8').trim(),
      newPassword,
      'the second run finishes the first rotation, it does not start another',
    );
    assert.ok(!existsSync(join(dir, 'shards', 'password.previous')));
    assert.ok(
      !again.stderr.includes(newPassword) && !again.stdout.includes(newPassword),
      'the password is never printed',
    );

    assert.equal(await checked, 0, checkOut);
    const status = JSON.parse(rk('status', '-o', 'json').stdout) as { ready: boolean; members: { port: number }[] };
    assert.equal(status.ready, true);
    for (const m of status.members) {
      const cli = (pw: string) =>
        spawnSync('valkey-cli', ['-p', String(m.port), '--no-auth-warning', '-a', pw, 'PING'], {
          encoding: 'utf8',
        }).stdout.trim();
      assert.equal(cli(newPassword), 'PONG');
      assert.match(cli(oldPassword), /WRONGPASS|NOAUTH/);
    }
    const upAgain = rk('up');
    assert.equal(upAgain.status, 0, upAgain.stderr);
  });
});
