// The start scripts' printf lines (printfConfig) must produce exactly the text formatConfig
// writes for the same directives, whatever the values hold: checked by running them in sh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import {
  formatConfig,
  printfConfig,
  replicaOfDirective,
  serverAuthDirectives,
  SHELL_ESC_FUNCTION,
  shellVar,
  type Directive,
} from './config.js';

const HEADER = 'x';
const runPrintf = (directives: readonly Directive[], env: Record<string, string>): string => {
  const r = spawnSync('sh', ['-c', `${SHELL_ESC_FUNCTION}\n${printfConfig(directives)}`], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};
const configLines = (directives: readonly Directive[]) =>
  formatConfig(directives, HEADER).slice(`# ${HEADER}\n`.length);

test('a password of any printable characters reaches the config as formatConfig quotes it', () => {
  fc.assert(
    fc.property(
      fc.string({
        unit: fc.constantFrom(...' !"#$%&\'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~'.split('')),
        minLength: 1,
        maxLength: 40,
      }),
      (pw) => {
        const withVar = serverAuthDirectives(shellVar('PW'));
        const out = runPrintf(withVar, { PW: pw });
        // Values that need no quotes are still quoted when they come from a variable: same meaning.
        const quoted = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
        assert.equal(out, `requirepass ${quoted(pw)}\nmasterauth ${quoted(pw)}\n`);
        assert.equal(
          configLines(serverAuthDirectives(pw)).replace(
            /^(\S+) (?!")(.*)$/gm,
            (_, k: string, v: string) => `${k} ${quoted(v)}`,
          ),
          out,
        );
      },
    ),
    { numRuns: 60 },
  );
});

test('literal tokens keep their quoting, % and quotes in them survive printf', () => {
  const directives: Directive[] = [
    ['notify-keyspace-events', '%Ex'],
    ['sentinel', 'auth-pass', "it's.name", shellVar('PW')],
    replicaOfDirective(shellVar('HOST'), 6379),
  ];
  const out = runPrintf(directives, { PW: 'p"w\\', HOST: 'pod-0.headless.ns.svc.cluster.local' });
  assert.equal(
    out,
    'notify-keyspace-events "%Ex"\nsentinel auth-pass "it\'s.name" "p\\"w\\\\"\nreplicaof "pod-0.headless.ns.svc.cluster.local" 6379\n',
  );
});
