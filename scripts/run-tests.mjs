#!/usr/bin/env node
// Finds compiled tests by depth label and hands them to node's own test runner.
//   unit: *.test.js that are neither integration nor e2e (pure, no servers)
//   int:  *.int.test.js (real valkey/redis processes on loopback)
//   e2e:  *.e2e.test.js (real kube-apiserver + controller-manager + node agent)
// Node 20's --test does not expand globs itself, so the listing happens here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('../dist/', import.meta.url).pathname;
const wanted = process.argv.slice(2);
const labels = wanted.length ? wanted : ['unit', 'int'];

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}
const label = (f) =>
  f.endsWith('.e2e.test.js') ? 'e2e' : f.endsWith('.int.test.js') ? 'int' : f.endsWith('.test.js') ? 'unit' : null;
const files = walk(root)
  .filter((f) => labels.includes(label(f)))
  .sort();
const filter = process.env.RK_TEST_FILTER;
const chosen = filter ? files.filter((f) => f.includes(filter)) : files;
if (chosen.length === 0) {
  console.error(`no test files for ${labels.join(', ')}`);
  process.exit(1);
}
// Integration and e2e tests start servers; on a 2-core machine running them one file
// at a time keeps timings honest and avoids port and CPU contention.
const concurrency = labels.every((l) => l === 'unit') ? '2' : '1';
const r = spawnSync(
  process.execPath,
  ['--test', `--test-concurrency=${concurrency}`, '--enable-source-maps', ...chosen],
  { stdio: 'inherit' },
);
process.exit(r.status ?? 1);
