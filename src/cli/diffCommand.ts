// rk diff: what rk apply would change. Exit codes follow kubectl diff: 0 no differences,
// 1 differences, 2 (never 1) for every error, so scripts can tell "drift" from "broken".
import { conflictWarning, formatChanges, diffInstance } from '../apply/liveDiff.js';
import { connect } from '../apply/session.js';
import { LoadError } from '../api/load.js';
import { stdio, target, type ClusterFlags, type Io } from './applyCommand.js';
import { CliError, loadInstances } from './input.js';

export async function diffCommand(o: ClusterFlags & { file: string }, io: Io = stdio): Promise<number> {
  try {
    const instances = loadInstances(o.file);
    const s = connect(target(o));
    let differs = false;
    for (const { instance } of instances) {
      const changes = await diffInstance(s, instance);
      const lines = formatChanges(instance.namespace, changes);
      for (const l of lines) io.out(l);
      const warning = conflictWarning(changes);
      if (warning) io.err(warning);
      differs ||= lines.length > 0;
    }
    return differs ? 1 : 0;
  } catch (e) {
    if (e instanceof CliError) throw new CliError(e.message, Math.max(2, e.exitCode));
    if (e instanceof LoadError || e instanceof Error) throw new CliError(e.message, 2);
    throw e;
  }
}
