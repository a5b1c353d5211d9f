// Snapshot of `rk render` for every example (cdk8s style): any change to the rendered objects
// shows up as a reviewable diff of test/golden/<example>.yaml. UPDATE_GOLDEN=1 rewrites them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { EXAMPLES, exampleInstance, ROOT } from '../../test/support/specs.js';
import { renderYaml } from '../../test/support/rendered.js';

const GOLDEN_DIR = `${ROOT}test/golden/`;
const UPDATE = process.env.UPDATE_GOLDEN === '1';

for (const example of EXAMPLES) {
  test(`golden: ${example}`, () => {
    const file = `${GOLDEN_DIR}${example}.yaml`;
    const actual = renderYaml(exampleInstance(example));
    if (UPDATE) {
      mkdirSync(GOLDEN_DIR, { recursive: true });
      writeFileSync(file, actual);
      return;
    }
    assert.ok(existsSync(file), `${file} is missing: run the tests with UPDATE_GOLDEN=1 and review the new file`);
    const expected = readFileSync(file, 'utf8');
    if (actual !== expected) {
      // Point at the first differing line: a whole-file diff of a few hundred lines is unreadable.
      const a = actual.split('\n');
      const e = expected.split('\n');
      const i = a.findIndex((line, n) => line !== e[n]);
      const at = i < 0 ? Math.min(a.length, e.length) : i;
      assert.fail(
        `render of examples/${example}.yaml differs from test/golden/${example}.yaml at line ${at + 1}:\n` +
          `  golden:   ${JSON.stringify(e[at])}\n  rendered: ${JSON.stringify(a[at])}\n` +
          'If the change is intended, rerun with UPDATE_GOLDEN=1 and commit the new golden files.',
      );
    }
  });
}

test('no golden file is left behind for an example that no longer exists', () => {
  if (!existsSync(GOLDEN_DIR)) return;
  const orphans = readdirSync(GOLDEN_DIR).filter(
    (f) => f.endsWith('.yaml') && !EXAMPLES.includes(f.replace(/\.yaml$/, '')),
  );
  assert.deepEqual(orphans, []);
});
