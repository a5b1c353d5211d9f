// Reading, server-side applying and deleting single objects by their discovered REST paths.
import type { KubeObject } from '../render/objects.js';
import { MANAGER } from '../render/names.js';
import { resourceName, resourcePath, type ResourceInfo } from './discovery.js';
import { explain, isNotFound, type Operation } from './errors.js';
import type { Session } from './session.js';

/**
 * Our field manager. Constant, so re-applies never conflict with our own earlier applies: a
 * conflict always means someone else changed a field we set.
 */
export const FIELD_MANAGER = MANAGER;

export interface LiveObject extends KubeObject {
  metadata: KubeObject['metadata'] & {
    resourceVersion?: string;
    uid?: string;
    generation?: number;
    deletionTimestamp?: string;
    managedFields?: Array<{ manager?: string; operation?: string }>;
    ownerReferences?: Array<{ kind: string; name: string; controller?: boolean }>;
  };
  status?: Record<string, unknown>;
}

const op = (verb: Operation['verb'], info: ResourceInfo, namespace?: string, name?: string): Operation => ({
  verb,
  resource: resourceName(info),
  ...(name !== undefined
    ? { object: `${info.kind} ${info.namespaced && namespace ? `${namespace}/` : ''}${name}` }
    : {}),
  ...(info.namespaced && namespace ? { namespace } : {}),
});

/** The live object, or null when it does not exist (or its namespace does not). */
export async function readObject(
  s: Session,
  info: ResourceInfo,
  namespace: string | undefined,
  name: string,
): Promise<LiveObject | null> {
  try {
    return await s.http.request<LiveObject>('GET', resourcePath(info, namespace, name));
  } catch (e) {
    if (isNotFound(e)) return null;
    throw explain(e, op('get', info, namespace, name));
  }
}

/** Objects of one kind in a namespace matching a label selector; list items lack apiVersion/kind, so they are filled in. */
export async function listObjects(
  s: Session,
  info: ResourceInfo,
  namespace: string,
  labelSelector: string,
): Promise<LiveObject[]> {
  try {
    const list = await s.http.request<{ items?: LiveObject[] }>('GET', resourcePath(info, namespace), {
      query: { labelSelector },
    });
    return (list.items ?? []).map((o) => ({ ...o, apiVersion: info.apiVersion, kind: info.kind }));
  } catch (e) {
    if (isNotFound(e)) return []; // the namespace is gone: nothing of ours is left in it
    throw explain(e, op('list', info, namespace));
  }
}

/**
 * PATCH with application/apply-patch+yaml (JSON is YAML); the result is what the server stored
 * (or would store). Without `force`, a field another manager set to a different value is a
 * ConflictError (dry runs too), as with kubectl apply --server-side; with it, we take it over.
 */
export async function serverSideApply(
  s: Session,
  info: ResourceInfo,
  obj: KubeObject,
  opts: { dryRun: boolean; force?: boolean },
): Promise<LiveObject> {
  const ns = obj.metadata.namespace;
  try {
    return await s.http.request<LiveObject>('PATCH', resourcePath(info, ns, obj.metadata.name), {
      query: {
        fieldManager: FIELD_MANAGER,
        force: opts.force ? 'true' : 'false',
        ...(opts.dryRun ? { dryRun: 'All' } : {}),
      },
      body: obj,
      contentType: 'application/apply-patch+yaml',
    });
  } catch (e) {
    throw explain(e, op('patch', info, ns, obj.metadata.name));
  }
}

/** Deletes one object; false when it was already gone (deleting twice is fine). */
export async function deleteObject(
  s: Session,
  info: ResourceInfo,
  namespace: string | undefined,
  name: string,
  /** uid: delete only that incarnation (a pod already recreated under the same name is left alone). */
  opts: { propagation?: 'Foreground' | 'Background'; dryRun?: boolean; uid?: string } = {},
): Promise<boolean> {
  try {
    // Everything goes in the DeleteOptions body: with a body, the API server ignores the query
    // parameters, so a dryRun=All query would be silently dropped and the object really deleted.
    await s.http.request('DELETE', resourcePath(info, namespace, name), {
      body: {
        kind: 'DeleteOptions',
        apiVersion: 'v1',
        propagationPolicy: opts.propagation ?? 'Background',
        ...(opts.dryRun ? { dryRun: ['All'] } : {}),
        ...(opts.uid ? { preconditions: { uid: opts.uid } } : {}),
      },
    });
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw explain(e, op('delete', info, namespace, name));
  }
}

/** True when our field manager applied this object: prune and delete never touch what someone else created. */
export const appliedByUs = (o: LiveObject) =>
  (o.metadata.managedFields ?? []).some((m) => m.manager === FIELD_MANAGER && m.operation === 'Apply');
