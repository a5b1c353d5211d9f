// Writing the role labels the sentinels' view decided (sentinelRoles.ts) onto the data pods.
import type { Instance } from '../api/instance.js';
import { resourcePath } from '../apply/discovery.js';
import type { Session } from '../apply/session.js';
import { LABEL } from '../render/names.js';
import type { PodObject } from './podFacts.js';
import { roleLabelChanges } from './sentinelRoles.js';

/** Moves the labels to `master`; says from which pod when the master label moved. */
export async function labelRoles(
  s: Session,
  inst: Instance,
  pods: readonly PodObject[],
  master: string,
  log: (line: string) => void,
): Promise<{ from: string | null } | null> {
  const podInfo = await s.discovery.resolve('v1', 'Pod');
  const changes = roleLabelChanges(
    pods.map((p) => ({ name: p.metadata.name, role: p.metadata.labels?.[LABEL.role] })),
    master,
  );
  if (!changes.length) return null;
  const from = pods.find((p) => p.metadata.labels?.[LABEL.role] === 'master')?.metadata.name ?? null;
  for (const c of changes) {
    log(`labelling ${c.pod} ${LABEL.role}=${c.role}`);
    await s.http.request('PATCH', resourcePath(podInfo, inst.namespace, c.pod), {
      body: { metadata: { labels: { [LABEL.role]: c.role } } },
      contentType: 'application/merge-patch+json',
    });
  }
  return from === master ? null : { from };
}
