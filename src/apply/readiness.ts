// What "ready" after `rk apply` may claim. apply waits for the StatefulSets' pods to be Ready;
// the parts only a running controller does (forming a cluster, labelling the master) are not
// done by apply, and the line it prints must not let a reader think they were.
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
        `until a controller forms it (rk apply starts the pods only)`
      );
    case 'SENTINEL':
      return (
        `${where}: pods ready in ${took}; the sentinels elect the master; ` +
        `Service ${names(inst).master} selects no pod until a controller labels the master (use the sentinels)`
      );
    default:
      return `${where}: ready in ${took}`;
  }
}
