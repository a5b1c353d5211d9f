#!/usr/bin/env node
// The published package holds the bundled CLI, its launcher and the examples — no test code.
// Reads npm's own list of what `npm pack` would include (scripts skipped: the build ran before),
// and the bundle's source maps, whose `sources` name every file bundled in.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const packed = JSON.parse(
  execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }),
)[0].files.map((f) => f.path);
const testLike = /(^|\/)(test|fixtures)\/|\.(test|int\.test|e2e\.test)\.[cm]?js$|support/;
const problems = packed.filter((p) => testLike.test(p)).map((p) => `packed: ${p}`);
for (const map of packed.filter((p) => p.endsWith('.map'))) {
  const { sources } = JSON.parse(readFileSync(`${root}${map}`, 'utf8'));
  for (const s of sources)
    if (!s.includes('node_modules') && testLike.test(s)) problems.push(`bundled into ${map}: ${s}`);
}
if (!packed.includes('bin/rk.js') || !packed.some((p) => p.startsWith('dist/rk/'))) {
  problems.push('the CLI (bin/rk.js, dist/rk/) is missing from the package: run npm run build first');
}
if (!packed.includes('bin/kubectl-rk.js') || !packed.includes('dist/rk/kubectlRk.mjs')) {
  problems.push('the kubectl plugin (bin/kubectl-rk.js, dist/rk/kubectlRk.mjs) is missing from the package');
}
if (problems.length) {
  console.error(`check-package: the published package would contain test code:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-package: ${packed.length} files, no test code`);
