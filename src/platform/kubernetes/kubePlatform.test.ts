import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KubePlatform, type PodFacts } from './kubePlatform.js';

const pod = (name: string, extra: Partial<PodFacts> = {}): PodFacts => ({
  name,
  kind: name.includes('-sentinel-') ? 'sentinel' : 'server',
  ip: '127.10.0.1',
  hostname: `${name}.h.ns.svc.cluster.local`,
  ready: true,
  running: true,
  terminating: false,
  ...extra,
});

describe('KubePlatform', () => {
  test('members are pods at their IP, announcing their headless name, on the fixed ports', () => {
    const p = new KubePlatform([pod('a-0'), pod('a-sentinel-0', { ip: '127.10.0.2' })]);
    assert.deepEqual(p.members(), ['a-0', 'a-sentinel-0']);
    assert.deepEqual(
      [p.placement('a-0').host, p.placement('a-0').hostname, p.placement('a-0').port, p.placement('a-0').busPort],
      ['127.10.0.1', 'a-0.h.ns.svc.cluster.local', 6379, 16379],
    );
    assert.equal(p.placement('a-sentinel-0').port, 26379);
  });

  test('running only with an IP, Running and not terminating; a missing pod is simply not running', async () => {
    const p = new KubePlatform([
      pod('a-0'),
      pod('a-1', { ip: null }),
      pod('a-2', { terminating: true }),
      pod('a-3', { running: false }),
    ]);
    const running = await Promise.all(['a-0', 'a-1', 'a-2', 'a-3', 'a-4'].map(async (m) => (await p.state(m)).running));
    assert.deepEqual(running, [true, false, false, false, false]);
    assert.equal(p.placement('a-4').host, '', 'no address for a pod that does not exist');
  });

  test('start holds once the StatefulSet runs the pod; stop and purge only for members past the desired size', async () => {
    const p = new KubePlatform([pod('a-0'), pod('a-1', { running: false }), pod('a-2')], {}, 2);
    const launch = { kind: 'server' as const, image: { repository: 'r', tag: 't' }, configText: '' };
    await p.start('a-0', launch);
    await assert.rejects(p.start('a-1', launch), /not running yet/);
    await assert.rejects(p.stop('a-0'), /StatefulSet/);
    await assert.rejects(p.purge('a-1'), /StatefulSet/);
    await p.stop('a-2');
    await p.purge('a-2');
    assert.deepEqual(p.purgedMembers(), ['a-2']);
    await assert.rejects(p.kill('a-2'), /StatefulSet/);
    assert.equal(p.readDataFile(), null);
  });

  test('records start from what the caller loaded; the snapshot says whether the engine changed any', () => {
    const p = new KubePlatform([], { engine: '{"a":1}' });
    assert.equal(p.readRecord('engine'), '{"a":1}');
    p.writeRecord('engine', '{"a":1}');
    assert.equal(p.snapshotRecords().changed, false, 'the same content is no change');
    p.writeRecord('engine', '{"a":2}');
    assert.deepEqual(p.snapshotRecords(), { records: { engine: '{"a":2}' }, changed: true });
  });
});
