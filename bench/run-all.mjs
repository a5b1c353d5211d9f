#!/usr/bin/env node
// `npm run bench`: every benchmark in bench/, one after the other (they measure a 2-core machine:
// never two at once), each printing its one JSON line to stdout; progress goes to stderr.
// BENCH=name,name runs only those (e.g. BENCH=render,up).
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';

const dir = new URL('.', import.meta.url).pathname;
const only = process.env.BENCH?.split(',').filter(Boolean);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.mjs') && f !== 'run-all.mjs')
  .map((f) => f.replace(/\.mjs$/, ''))
  .filter((b) => !only || only.includes(b))
  .sort();
let failed = 0;
for (const b of benches) {
  process.stderr.write(`== bench/${b}.mjs\n`);
  const code = await new Promise((resolve) =>
    spawn(process.execPath, [`${dir}${b}.mjs`], { stdio: ['ignore', 'inherit', 'inherit'] }).on('exit', resolve),
  );
  if (code !== 0) {
    failed++;
    process.stderr.write(`bench/${b}.mjs exited with ${code}\n`);
  }
}
process.exit(failed ? 1 : 0);
