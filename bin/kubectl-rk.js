#!/usr/bin/env node
// The kubectl plugin: `kubectl rk ...` runs this when it is on PATH (npm links it there).
import { kubectlRkMain } from '../dist/rk/kubectlRk.mjs';
kubectlRkMain(process.argv).then((code) => {
  process.exitCode = code;
});
