// `kubectl rk restart NAME`: a failover-aware rolling restart on demand. It only stamps the
// resource with the time of the request (through the API, so RBAC decides who may); the stamp
// reaches the pod template as a new revision, and the operator restarts the data pods as for any
// other change: replicas first, each Ready and caught up, the master after a handover.
import { resourcePath } from '../apply/discovery.js';
import { ANNOTATION } from '../render/names.js';
import { stdio, type ClusterFlags, type Io } from './applyCommand.js';
import { openResource } from './kubectlStatusCommand.js';

export async function kubectlRestartCommand(
  o: ClusterFlags & { name: string; namespace?: string },
  io: Io = stdio,
  now: () => Date = () => new Date(),
): Promise<number> {
  const { namespace, s, info } = await openResource(o);
  const at = now().toISOString();
  await s.http.request('PATCH', resourcePath(info, namespace, o.name), {
    body: { metadata: { annotations: { [ANNOTATION.restartedAt]: at } } },
    contentType: 'application/merge-patch+json',
  });
  io.out(
    `${info.plural}/${o.name} restart requested (${ANNOTATION.restartedAt}=${at}): the operator restarts the data pods one at a time, replicas first, the master after a handover; kubectl rk status ${o.name} shows the progress`,
  );
  return 0;
}
