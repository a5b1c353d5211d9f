// `kubectl rk status NAME`: the resource's status and its recent Events, read through the API
// with the user's kubeconfig (so RBAC decides who may look). No pod exec, no connection to any
// server: the operator already wrote what the servers said into the status.
import { CRD_KIND } from '../api/crd.js';
import { API_VERSION } from '../api/schema.js';
import { loadKubeConfig } from '../apply/kubeConfig.js';
import { readObject } from '../apply/serverSideApply.js';
import { connect, type Session } from '../apply/session.js';
import { stdio, target, type ClusterFlags, type Io } from './applyCommand.js';
import { CliError } from './input.js';
import { formatResourceStatus, type EventView, type StatusView } from './resourceStatusText.js';

/** Events shown: the most recent ones; `kubectl get events` has the rest. */
const RECENT_EVENTS = 10;

interface ApiEvent {
  type?: string;
  reason?: string;
  note?: string;
  eventTime?: string;
  deprecatedLastTimestamp?: string;
  deprecatedCount?: number;
  series?: { count?: number; lastObservedTime?: string };
  regarding?: { kind?: string; name?: string };
  metadata?: { creationTimestamp?: string };
}

/** kubectl's rule: -n, else the kubeconfig context's namespace, else "default". */
export function namespaceOf(o: ClusterFlags & { namespace?: string }): string {
  if (o.namespace) return o.namespace;
  const kc = loadKubeConfig(target(o));
  return kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
}

/**
 * The resource the plugin's commands act on, through the user's kubeconfig: its namespace (by
 * kubectl's rule), the session and the resource as the API holds it; not found is one line, exit 1.
 */
export async function openResource(o: ClusterFlags & { name: string; namespace?: string }) {
  const namespace = namespaceOf(o);
  const s = connect(target(o));
  const info = await s.discovery.resolve(API_VERSION, CRD_KIND);
  const res = await readObject(s, info, namespace, o.name);
  if (!res) throw new CliError(`${CRD_KIND} "${o.name}" not found in namespace ${namespace}`, 1);
  return { namespace, s, info, res };
}

async function recentEvents(s: Session, namespace: string, name: string): Promise<EventView[]> {
  const list = await s.http.request<{ items: ApiEvent[] }>(
    'GET',
    `/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/events`,
  );
  return list.items
    .filter((e) => e.regarding?.kind === CRD_KIND && e.regarding.name === name)
    .map((e) => ({
      type: e.type ?? '',
      reason: e.reason ?? '',
      note: e.note ?? '',
      time:
        e.series?.lastObservedTime ?? e.eventTime ?? e.deprecatedLastTimestamp ?? e.metadata?.creationTimestamp ?? '',
      count: e.series?.count ?? e.deprecatedCount ?? 1,
    }))
    .sort((a, b) => a.time.localeCompare(b.time))
    .slice(-RECENT_EVENTS);
}

export async function kubectlStatusCommand(
  o: ClusterFlags & { name: string; namespace?: string },
  io: Io = stdio,
): Promise<number> {
  const opened = await openResource(o);
  const { namespace, s } = opened;
  const res = opened.res as unknown as Omit<StatusView, 'name' | 'namespace' | 'mode' | 'generation'> & {
    metadata: { generation?: number };
    spec?: { mode?: string };
  };
  const view: StatusView = {
    name: o.name,
    namespace,
    mode: res.spec?.mode ?? 'STANDALONE',
    ...(res.metadata.generation !== undefined ? { generation: res.metadata.generation } : {}),
    ...(res.status ? { status: res.status } : {}),
  };
  io.out(formatResourceStatus(view, await recentEvents(s, namespace, o.name), Date.now()).trimEnd());
  return 0;
}
