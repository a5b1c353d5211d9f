// What "ready" after `rk apply` may claim. apply waits for the StatefulSets' pods to be Ready;
// the parts only the operator does (forming a cluster, labelling the master) are not done by
// apply, and the line it prints must not let a reader think they were.
import type { Instance } from '../api/instance.js';
import { names } from '../render/names.js';

/** The line `rk apply` prints once every pod is Ready. */
export function readinessLine(inst: Instance, seconds: number): string {
  const where = `${inst.namespace}/${inst.name}`;
  const took = `${seconds.toFixed(1)}s`;
  switch (inst.mode) {
    case 'CLUSTER':
      return (
        `${where}: pods ready in ${took}, cluster NOT formed: no slot is assigned, so every write fails ` +
        `until the operator forms it (rk install runs one; rk apply starts the pods only)`
      );
    case 'SENTINEL':
      return (
        `${where}: pods ready in ${took}; the sentinels elect the master; ` +
        `Service ${names(inst).master} selects no pod until the operator labels the master (rk install runs one; meanwhile use the sentinels)`
      );
    default:
      return `${where}: ready in ${took}`;
  }
}
