// Where test clusters keep their state (PVC directories, the netshim, image bin dirs, per-pod
// /etc/hosts). Not /tmp: pods commonly mount an emptyDir over /tmp (our own StatefulSets do, for
// readOnlyRootFilesystem), and inside the pod's mount namespace that would hide every host path
// under /tmp that the container still needs after its mounts are made (later volume sources,
// the LD_PRELOAD shim). /var/tmp is as disposable and is not a place pods mount over.
import { existsSync } from 'node:fs';

export function stateRoot(): string {
  const fromEnv = process.env.RK_TEST_STATE_DIR;
  if (fromEnv) return fromEnv;
  return existsSync('/var/tmp') ? '/var/tmp' : '/tmp';
}
