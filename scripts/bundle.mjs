#!/usr/bin/env node
// Bundles the compiled rk CLI (dist/src/cli/main.js) into dist/rk/. Node 20 loads ES modules one
// file at a time and the CLI's graph is ~300 files (TypeBox alone is 266): bundled, `rk render`
// starts in about 40% of the time. The engine and apply commands stay separate chunks, imported
// only when run; the clients that ship native or dynamic loading stay plain dependencies.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const outdir = `${root}dist/rk`;
rmSync(outdir, { recursive: true, force: true });
await build({
  // main: rk; kubectlRk: the kubectl-rk plugin. Shared code lands in common chunks.
  entryPoints: [`${root}dist/src/cli/main.js`, `${root}dist/src/cli/kubectlRk.js`],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  external: ['@kubernetes/client-node', 'iovalkey', 'prom-client'],
  // Bundled CommonJS dependencies call require(); ES module output has none of its own.
  banner: {
    js: "import { createRequire as __rkCreateRequire } from 'node:module'; const require = __rkCreateRequire(import.meta.url);",
  },
  sourcemap: true,
  logLevel: 'warning',
});
