// rk delete: remove an instance from the cluster; data (PVCs) and its password stay unless --purge.
import { deleteInstance } from '../apply/deleteInstance.js';
import { connect } from '../apply/session.js';
import { stdio, target, type ClusterFlags, type Io } from './applyCommand.js';
import { loadInstances } from './input.js';

export async function deleteCommand(
  o: ClusterFlags & { file: string; purge?: boolean; timeout: number },
  io: Io = stdio,
): Promise<number> {
  const instances = loadInstances(o.file);
  const s = connect(target(o));
  for (const { instance } of instances) {
    await deleteInstance(s, instance, {
      purge: o.purge ?? false,
      timeoutMs: o.timeout * 1000,
      out: io.out,
      progress: io.err,
    });
  }
  return 0;
}
