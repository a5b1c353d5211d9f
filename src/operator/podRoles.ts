// Writing the role labels the sentinels' view decided (sentinelRoles.ts) onto the data pods.
import type { Instance } from '../api/instance.js';
import { resourcePath } from '../apply/discovery.js';
import type { Session } from '../apply/session.js';
import { LABEL } from '../render/names.js';
import type { PodObject } from './podFacts.js';
import { roleLabelChanges } from './sentinelRoles.js';

export async function labelRoles(
  s: Session,
  inst: Instance,
  pods: readonly PodObject[],
  master: string,
  log: (line: string) => void,
): Promise<void> {
  const podInfo = await s.discovery.resolve('v1', 'Pod');
  const changes = roleLabelChanges(
    pods.map((p) => ({ name: p.metadata.name, role: p.metadata.labels?.[LABEL.role] })),
    master,
  );
  for (const c of changes) {
    log(`labelling ${c.pod} ${LABEL.role}=${c.role}`);
    await s.http.request('PATCH', resourcePath(podInfo, inst.namespace, c.pod), {
      body: { metadata: { labels: { [LABEL.role]: c.role } } },
      contentType: 'application/merge-patch+json',
    });
  }
}
