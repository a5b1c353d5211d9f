#!/usr/bin/env node
// The bundled CLI (scripts/bundle.mjs, run by `npm run build`).
import { main } from '../dist/rk/main.mjs';
main(process.argv).then((code) => {
  process.exitCode = code;
});
