// Warnings: the spec is valid (an instance is produced) but something in it is risky. Each one
// must name the field the user wrote, so they can find and fix it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorsOf, FILE, lineOf, validateText, warningsOf, withSpec } from '../../test/support/specs.js';

interface Case {
  name: string;
  text: string;
  path: string;
  at: string;
  message: RegExp;
}

const GUARANTEED = '  container:\n    resources:\n      limits:\n        memory: 1Gi\n';

const cases: Case[] = [
  {
    name: 'memory request below the limit (not Guaranteed QoS)',
    text: withSpec(
      '  container:\n    resources:\n      requests:\n        memory: 512Mi\n      limits:\n        memory: 1Gi\n',
    ),
    path: 'spec.container.resources.requests.memory',
    at: 'memory: 512Mi',
    message: /differs from the limit 1Gi/,
  },
  {
    name: 'disk smaller than twice maxmemory',
    text: withSpec(`${GUARANTEED}  persistence:\n    diskSize: 1Gi\n`),
    path: 'spec.persistence.diskSize',
    at: 'diskSize:',
    message: /less than twice maxmemory \(768Mi\)/,
  },
  {
    name: 'legacy disk smaller than twice maxmemory',
    text: withSpec('  container:\n    diskSize: 1Gi\n    resources:\n      limits:\n        memory: 1Gi\n'),
    path: 'spec.container.diskSize',
    at: 'diskSize:',
    message: /less than twice maxmemory/,
  },
  {
    name: 'sentinel group with a single data pod',
    text: withSpec('  mode: SENTINEL\n  sentinel:\n    redisReplicas: 1\n'),
    path: 'spec.sentinel.redisReplicas',
    at: 'redisReplicas:',
    message: /no replica to fail over to/,
  },
  {
    name: 'single data pod set through the legacy container.replicas',
    text: withSpec('  mode: SENTINEL\n  container:\n    replicas: 1\n'),
    path: 'spec.container.replicas',
    at: 'replicas:',
    message: /no replica to fail over to/,
  },
  {
    name: 'cluster masters without replicas',
    text: withSpec('  mode: CLUSTER\n  cluster:\n    replicasPerMaster: 0\n'),
    path: 'spec.cluster.replicasPerMaster',
    at: 'replicasPerMaster:',
    message: /losing any master/,
  },
  {
    name: 'quorum at half the sentinels',
    text: withSpec('  mode: SENTINEL\n  sentinel:\n    sentinelReplicas: 5\n    quorum: 2\n'),
    path: 'spec.sentinel.quorum',
    at: 'quorum:',
    message: /2 of 5 is not a majority/,
  },
  {
    name: 'quorum of 1 out of 3',
    text: withSpec('  mode: SENTINEL\n  sentinel:\n    quorum: 1\n'),
    path: 'spec.sentinel.quorum',
    at: 'quorum:',
    message: /1 of 3 is not a majority/,
  },
  {
    name: 'container.replicas > 1 without mode',
    text: withSpec('  container:\n    replicas: 3\n'),
    path: 'spec.container.replicas',
    at: 'replicas:',
    message: /single STANDALONE pod.*set mode: SENTINEL/,
  },
  {
    name: 'container.replicas in CLUSTER mode is ignored',
    text: withSpec('  mode: CLUSTER\n  container:\n    replicas: 4\n'),
    path: 'spec.container.replicas',
    at: 'replicas:',
    message: /ignored in CLUSTER mode/,
  },
  {
    name: 'floating tag',
    text: withSpec('  image:\n    tag: "8.1"\n'),
    path: 'spec.image.tag',
    at: 'tag:',
    message: /"8.1" floats between releases/,
  },
  {
    name: 'floating tag with a repository',
    text: withSpec('  image:\n    repository: valkey/valkey\n    tag: "8"\n'),
    path: 'spec.image.tag',
    at: 'tag:',
    message: /floats/,
  },
  {
    name: 'metrics without the namespaces that may scrape them',
    text: withSpec('  metrics:\n    enabled: true\n'),
    path: 'spec.metrics.enabled',
    at: 'enabled: true',
    message: /port 9121 is open to pods of every namespace/,
  },
  {
    name: 'auth disabled',
    text: withSpec('  auth:\n    enabled: false\n'),
    path: 'spec.auth.enabled',
    at: 'enabled: false',
    message: /anyone who can reach the pods/,
  },
  {
    name: 'no persistence in an HA mode',
    text: withSpec('  mode: SENTINEL\n  persistence:\n    mode: NONE\n'),
    path: 'spec.persistence.mode',
    at: 'mode: NONE',
    message: /loses all data/,
  },
  {
    name: 'redis image under a non-BSD license',
    text: withSpec('  image:\n    repository: redis\n    tag: 7.4.2\n'),
    path: 'spec.image.tag',
    at: 'tag:',
    message: /RSALv2/,
  },
  {
    name: 'serviceMonitor asked for without metrics',
    text: withSpec('  metrics:\n    serviceMonitor: true\n'),
    path: 'spec.metrics.enabled',
    at: 'metrics:',
    message: /not rendered/,
  },
];

for (const c of cases) {
  test(`warning: ${c.name}`, () => {
    const r = validateText(c.text);
    assert.deepEqual(errorsOf(r), []);
    assert.ok(r.instance, 'a warning must not block the instance');
    const ws = warningsOf(r).filter((w) => w.path === c.path);
    assert.equal(ws.length, 1, `one warning at ${c.path} expected, got ${JSON.stringify(r.diagnostics)}`);
    assert.match(ws[0]!.message, c.message);
    assert.equal(ws[0]!.location, `${FILE}:${lineOf(c.text, c.at)}`);
  });
}

test('an even sentinel count warns on sentinelReplicas', () => {
  const text = withSpec('  mode: SENTINEL\n  sentinel:\n    sentinelReplicas: 4\n');
  const r = validateText(text);
  assert.ok(r.instance);
  // The default quorum for 4 is 3, a majority: only the even count is worth a warning.
  assert.deepEqual(
    warningsOf(r).map((w) => [w.path, w.location]),
    [['spec.sentinel.sentinelReplicas', `${FILE}:${lineOf(text, 'sentinelReplicas:')}`]],
  );
  assert.match(warningsOf(r)[0]!.message, /4 is even/);
});

test('fewer than 3 sentinels warns that losing one is fatal', () => {
  const r = validateText(withSpec('  mode: SENTINEL\n  sentinel:\n    sentinelReplicas: 2\n'));
  assert.match(
    warningsOf(r).find((w) => w.path === 'spec.sentinel.sentinelReplicas')?.message ?? '',
    /cannot survive the loss of one/,
  );
});

test('the recommended shapes produce no warnings at all', () => {
  for (const body of [
    GUARANTEED,
    `  mode: SENTINEL\n  sentinel:\n    redisReplicas: 3\n    sentinelReplicas: 3\n${GUARANTEED}`,
    `  mode: SENTINEL\n  sentinel:\n    sentinelReplicas: 5\n    quorum: 3\n${GUARANTEED}`,
    `  mode: CLUSTER\n  cluster:\n    masters: 3\n    replicasPerMaster: 1\n${GUARANTEED}`,
    `${GUARANTEED}  persistence:\n    diskSize: 2Gi\n`,
    `  image:\n    repository: valkey/valkey\n    tag: 8.1.11\n`,
  ]) {
    const r = validateText(withSpec(body));
    assert.ok(r.instance);
    assert.deepEqual(r.diagnostics, [], body);
  }
});
