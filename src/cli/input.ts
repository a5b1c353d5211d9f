// Reading -f FILE into validated instances, printing findings the same way for every command.
import { formatDiagnostic } from '../api/diagnostics.js';
import type { Instance } from '../api/instance.js';
import { parseDocuments, readSource } from '../api/load.js';
import { validateDocument } from '../api/validate.js';

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** -o text|json (absent: text); anything else is a usage error. */
export function textOrJson(output: string | undefined): 'text' | 'json' {
  if (output === undefined || output === 'text' || output === 'json') return output ?? 'text';
  throw new CliError(`-o must be text or json, got ${JSON.stringify(output)}`, 2);
}

export interface LoadedInstance {
  instance: Instance;
  source: string;
}

/** Validates every document; prints warnings; throws CliError (exit 1) when any is invalid. */
export function loadInstances(file: string, opts: { quiet?: boolean } = {}): LoadedInstance[] {
  const docs = parseDocuments(readSource(file), file);
  const out: LoadedInstance[] = [];
  let errors = 0;
  for (const doc of docs) {
    const r = validateDocument(doc);
    for (const d of r.diagnostics) {
      if (d.severity === 'error') errors++;
      if (d.severity === 'error' || !opts.quiet) process.stderr.write(formatDiagnostic(d) + '\n');
    }
    if (r.instance) out.push({ instance: r.instance, source: doc.source });
  }
  if (errors) throw new CliError('', 1);
  return out;
}

/** Commands that operate on one instance at a time. */
export function loadSingleInstance(file: string): LoadedInstance {
  const all = loadInstances(file);
  if (all.length !== 1)
    throw new CliError(`${file}: holds ${all.length} RedisKubernetes documents; this command takes exactly one`, 2);
  return all[0]!;
}
