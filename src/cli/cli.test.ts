// The rk command line as users (and scripts) see it: `node bin/rk.js` in a child process, its
// exit codes, its stdout and the exact shape of its stderr. Needs a build (dist/) first.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { CROSS_FIELD_RULES } from '../api/rules.js';
import { ROOT } from '../../test/support/specs.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const allStderr: string[] = [];

/** Runs rk from the repository root, so file names in messages are relative like a user's. */
function rk(args: string[], input?: string): Run {
  const r = spawnSync(process.execPath, ['bin/rk.js', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    input,
    env: { ...process.env, RK_DEBUG: '' },
  });
  allStderr.push(r.stderr);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const F = 'test/fixtures/specs';
const lines = (s: string) => s.split('\n').filter((l) => l !== '');
const tmp = mkdtempSync(join(tmpdir(), 'rk-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('validate: a valid spec exits 0, says so on stderr, prints nothing on stdout', () => {
  const r = rk(['validate', '-f', 'examples/standalone.yaml']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'examples/standalone.yaml: 1 valid RedisKubernetes document\n');
});

test('validate: warnings go to stderr prefixed "warning: " with path and file:line, exit 0', () => {
  const r = rk(['validate', '-f', `${F}/warn-risky.yaml`]);
  assert.equal(r.code, 0);
  assert.deepEqual(
    lines(r.stderr)
      .slice(0, -1)
      .map((l) => l.replace(/^(warning: [^:]+): .*\(/, '$1: … (')),
    [
      `warning: spec.sentinel.redisReplicas: … (${F}/warn-risky.yaml:10)`,
      `warning: spec.sentinel.sentinelReplicas: … (${F}/warn-risky.yaml:11)`,
      `warning: spec.image.tag: … (${F}/warn-risky.yaml:13)`,
    ],
  );
});

test('validate: the classic Planton example warns about its memory request and passes', () => {
  const r = rk(['validate', '-f', 'examples/planton-basic.yaml']);
  assert.equal(r.code, 0);
  assert.match(
    r.stderr,
    /^warning: spec\.container\.resources\.requests\.memory: 256Mi differs from the limit 1Gi: .* \(examples\/planton-basic\.yaml:17\)$/m,
  );
});

test('validate: errors exit 1 with exactly one "path: message (file:line)" line each', () => {
  const r = rk(['validate', '-f', `${F}/bad-rules.yaml`]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  const ls = lines(r.stderr);
  for (const l of ls) assert.match(l, /^spec\.[\w.]+: .+ \(test\/fixtures\/specs\/bad-rules\.yaml:\d+\)$/);
  assert.deepEqual(
    ls.map((l) => [l.split(':')[0], l.match(/:(\d+)\)$/)![1]]),
    [
      ['spec.sentinel.quorum', '11'],
      ['spec.ingress.enabled', '13'],
      ['spec.tls.enabled', '16'],
    ],
  );
});

test('validate: unknown fields and bad quantities point at their lines', () => {
  const r = rk(['validate', '-f', `${F}/bad-several-errors.yaml`]);
  assert.equal(r.code, 1);
  assert.deepEqual(lines(r.stderr), [
    `spec.sentinal: unknown field (did you mean "sentinel"?) (${F}/bad-several-errors.yaml:9)`,
    `spec.container.resources.limits.memory: "2GB" is not a Kubernetes quantity (write e.g. 512Mi, 2Gi or 500m; "GB" is not a unit) (${F}/bad-several-errors.yaml:16)`,
  ]);
});

test('validate -f - reads stdin and names it <stdin>', () => {
  const ok = rk(['validate', '-f', '-'], readFileSync(`${ROOT}examples/cluster.yaml`, 'utf8'));
  assert.equal(ok.code, 0);
  assert.equal(ok.stderr, '<stdin>: 1 valid RedisKubernetes document\n');
  const bad = rk(['validate', '-f', '-'], readFileSync(`${ROOT}${F}/bad-rules.yaml`, 'utf8'));
  assert.equal(bad.code, 1);
  assert.match(lines(bad.stderr)[0]!, /^spec\.sentinel\.quorum: .* \(<stdin>:11\)$/);
});

test('multi-document files: every document is validated and located as file#N:line', () => {
  const ok = rk(['validate', '-f', `${F}/multi-valid.yaml`]);
  assert.equal(ok.code, 0);
  assert.equal(ok.stderr, `${F}/multi-valid.yaml: 2 valid RedisKubernetes documents\n`);
  const bad = rk(['validate', '-f', `${F}/multi-second-invalid.yaml`]);
  assert.equal(bad.code, 1);
  assert.deepEqual(lines(bad.stderr), [
    `spec.cluster.masters: must be at least 3 (a cluster needs a majority of masters to fail over), got 2 (${F}/multi-second-invalid.yaml#2:16)`,
  ]);
});

test('unreadable input gets one clear line and exit 1', () => {
  const cases: Array<[string, RegExp]> = [
    [`${F}/empty.yaml`, /^error: test\/fixtures\/specs\/empty\.yaml: empty: no YAML document found\n$/],
    [`${F}/comments-only.yaml`, /^error: .*comments-only\.yaml: empty: no YAML document found\n$/],
    [`${F}/does-not-exist.yaml`, /^error: .*does-not-exist\.yaml: cannot read file: no such file\n$/],
    [F, /^error: test\/fixtures\/specs: cannot read file: is a directory\n$/],
    [`${F}/bad-syntax.yaml`, /^error: test\/fixtures\/specs\/bad-syntax\.yaml:[67]: YAML syntax error: [^\n]+\n$/],
  ];
  for (const [file, expected] of cases) {
    for (const cmd of ['validate', 'render']) {
      const r = rk([cmd, '-f', file]);
      assert.equal(r.code, 1, `${cmd} ${file}`);
      assert.match(r.stderr, expected, `${cmd} ${file}`);
      assert.equal(r.stdout, '');
    }
  }
  const stdinEmpty = rk(['validate', '-f', '-'], '');
  assert.equal(stdinEmpty.code, 1);
  assert.equal(stdinEmpty.stderr, 'error: <stdin>: empty: no YAML document found\n');
});

test('usage errors exit 2', () => {
  for (const args of [
    [],
    ['validate'],
    ['frobnicate'],
    ['render', '-f', 'examples/standalone.yaml', '--bogus'],
    ['render', '-f', 'examples/standalone.yaml', '-o', 'xml'],
    ['crd', '-o', 'toml'],
    ['validate', '-f', 'examples/standalone.yaml', 'extra'],
  ]) {
    const r = rk(args);
    assert.equal(r.code, 2, `rk ${args.join(' ')}: ${r.stderr}`);
    // Bare `rk` prints the usage; every other usage error says what is wrong.
    assert.match(r.stderr, args.length ? /error: / : /^Usage: rk/, args.join(' '));
  }
});

test('--help and --version exit 0', () => {
  assert.equal(rk(['--help']).code, 0);
  const v = rk(['--version']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^\d+\.\d+\.\d+\n$/);
});

test('render: stdout is exactly the golden YAML, the Secret note goes to stderr', () => {
  for (const example of ['standalone', 'production']) {
    const r = rk(['render', '-f', `examples/${example}.yaml`]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, readFileSync(`${ROOT}test/golden/${example}.yaml`, 'utf8'));
  }
  const note = rk(['render', '-f', 'examples/standalone.yaml']).stderr;
  assert.match(note, /^note: Secret demo\/cache-auth \(key "password"\) is not rendered/m);
  // production uses an existing Secret: nothing to note.
  assert.equal(rk(['render', '-f', 'examples/production.yaml']).stderr, '');
});

test('render: an invalid spec prints nothing on stdout', () => {
  const r = rk(['render', '-f', `${F}/bad-rules.yaml`]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(lines(r.stderr).length, 3);
});

test('render -o json: a v1 List of the same objects as the YAML', () => {
  const json = rk(['render', '-f', 'examples/sentinel.yaml', '-o', 'json']);
  assert.equal(json.code, 0);
  const list = JSON.parse(json.stdout);
  assert.equal(list.apiVersion, 'v1');
  assert.equal(list.kind, 'List');
  const yamlDocs = parseAllDocuments(rk(['render', '-f', 'examples/sentinel.yaml']).stdout).map((d) => d.toJS());
  assert.deepEqual(list.items, yamlDocs);
});

test('render of a multi-document file renders every instance', () => {
  const r = rk(['render', '-f', `${F}/multi-valid.yaml`, '-o', 'json']);
  assert.equal(r.code, 0);
  const instances = new Set(
    JSON.parse(r.stdout)
      .items.map((o: any) => o.metadata.labels?.['app.kubernetes.io/instance'])
      .filter(Boolean),
  );
  assert.deepEqual([...instances].sort(), ['first', 'second']);
});

test('render -f - reads stdin', () => {
  const r = rk(['render', '-f', '-'], readFileSync(`${ROOT}examples/cluster.yaml`, 'utf8'));
  assert.equal(r.code, 0);
  assert.equal(r.stdout, readFileSync(`${ROOT}test/golden/cluster.yaml`, 'utf8'));
});

test('apply -o: anything but text or json is a one-line usage error (exit 2), before any cluster is contacted', () => {
  const r = rk(['apply', '-o', 'yaml', '-f', 'examples/standalone.yaml', '--kubeconfig', '/nonexistent']);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'error: -o must be text or json, got "yaml"\n');
});

test('kubectl-rk: an unknown subcommand, a missing name or an unreadable kubeconfig is one line, non-zero, no trace', () => {
  const plugin = (args: string[]) => {
    const r = spawnSync(process.execPath, ['bin/kubectl-rk.js', ...args], { cwd: ROOT, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const cases: Array<[string[], number, RegExp]> = [
    [['frobnicate'], 2, /^error: unknown command 'frobnicate' \(kubectl rk --help lists commands\)\n$/],
    [['status'], 2, /^error: missing required argument 'name' \(kubectl rk --help lists commands\)\n$/],
    [
      ['status', 'cache', '--kubeconfig', '/nonexistent'],
      1,
      /^error: cannot load kubeconfig \/nonexistent: no such file\n$/,
    ],
  ];
  for (const [args, code, err] of cases) {
    const r = plugin(args);
    assert.deepEqual([r.code, r.stdout], [code, ''], args.join(' '));
    assert.match(r.stderr, err);
  }
  assert.equal(plugin(['--help']).code, 0);
});

test('render --output-dir: one file per object, in apply order, each parseable', () => {
  for (const format of ['yaml', 'json']) {
    const dir = join(tmp, format);
    const r = rk(['render', '-f', 'examples/production.yaml', '-o', format, '--output-dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    const files = readdirSync(dir).sort();
    const expected = parseAllDocuments(readFileSync(`${ROOT}test/golden/production.yaml`, 'utf8')).map((d) => d.toJS());
    assert.equal(files.length, expected.length);
    assert.match(r.stderr, new RegExp(`^wrote ${files.length} files to `, 'm'));
    files.forEach((f, i) => {
      assert.match(f, new RegExp(`^${String(i).padStart(2, '0')}-[a-z]+-[a-z0-9-]+\\.${format}$`));
      const text = readFileSync(join(dir, f), 'utf8');
      assert.deepEqual(format === 'json' ? JSON.parse(text) : parse(text), expected[i]);
    });
  }
});

test('crd: parses as YAML and carries the CEL rules, printer columns, status subresource and short name', () => {
  const r = rk(['crd']);
  assert.equal(r.code, 0);
  const crd = parse(r.stdout);
  assert.equal(crd.kind, 'CustomResourceDefinition');
  assert.deepEqual(crd.spec.names.shortNames, ['rk']);
  const v = crd.spec.versions[0];
  assert.deepEqual(v.subresources, { status: {} });
  assert.ok(v.additionalPrinterColumns.some((c: any) => c.name === 'Mode' && c.jsonPath === '.spec.mode'));
  const cel = v.schema.openAPIV3Schema.properties.spec['x-kubernetes-validations'].map((x: any) => x.rule);
  assert.deepEqual(
    cel,
    CROSS_FIELD_RULES.map((rule) => rule.cel),
  );
  const json = rk(['crd', '-o', 'json']);
  assert.equal(json.code, 0);
  assert.deepEqual(JSON.parse(json.stdout), crd);
});

test('rotate-password: a bad --password-file, no instance, or auth disabled is one line, exit 1', () => {
  const pw = (name: string, content: string) => {
    const f = join(tmp, name);
    writeFileSync(f, content);
    return f;
  };
  const noInstance = rk(['rotate-password', '-f', 'examples/sentinel.yaml', '--dir', tmp]);
  assert.equal(noInstance.code, 1);
  assert.match(
    noInstance.stderr,
    /^error: no local instance "sessions" under .* \(run rk up first, or pass the same --dir\)\n$/,
  );
  const noAuth = rk(
    ['rotate-password', '-f', '-', '--dir', tmp],
    'apiVersion: kubernetes.project-planton.org/v1\nkind: RedisKubernetes\nmetadata: {name: open}\nspec: {auth: {enabled: false}}\n',
  );
  assert.equal(noAuth.code, 1);
  assert.equal(lines(noAuth.stderr).at(-1), 'error: open: spec.auth.enabled is false, there is no password to rotate');
  // The password file is checked before anything runs, so no instance is needed for these.
  for (const [file, why] of [
    [join(tmp, 'missing'), 'no such file'],
    [pw('empty', '\n'), 'the file is empty'],
    [pw('short', 'short-one\n'), 'the password has 9 characters; use at least 16'],
    [pw('spaces', ' padded-password-value\n'), 'the password must not start or end with whitespace'],
    [pw('lines', 'first-line-of-it\nsecond-line-of-it\n'), 'the password must be one line without control characters'],
  ] as const) {
    const r = rk(['rotate-password', '-f', 'examples/sentinel.yaml', '--dir', tmp, '--password-file', file]);
    assert.equal(r.code, 1, file);
    assert.equal(r.stderr, `error: --password-file ${file}: ${why}\n`);
  }
});

test('no error output anywhere in this file contained a stack trace', () => {
  assert.ok(allStderr.length > 30, 'the other tests ran first');
  for (const s of allStderr) assert.doesNotMatch(s, /^\s+at /m);
});
