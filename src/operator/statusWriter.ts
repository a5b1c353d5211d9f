// The resource's status subresource: written only when it changed, with the resourceVersion
// the reconcile read, and with the transition times of unchanged conditions kept.
import { resourcePath, type ResourceInfo } from '../apply/discovery.js';
import { KubeApiError } from '../apply/errors.js';
import type { Session } from '../apply/session.js';
import type { StackOutputs } from '../api/stackOutputs.js';
import { withTransitions, type decideStatus } from './conditions.js';
import type { PromotionRecord } from './promotion.js';
import type { Resource } from './resource.js';

/** Writes status only when something but the transition times changed; resourceVersion-checked. */
export async function writeStatus(
  s: Session,
  info: ResourceInfo,
  res: Resource,
  body: ReturnType<typeof decideStatus> & { outputs?: StackOutputs; promotion?: PromotionRecord },
  records?: Record<string, string>,
): Promise<void> {
  const previous = res.status ?? {};
  const conditions = withTransitions(
    previous.conditions,
    body.conditions,
    body.observedGeneration,
    new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  );
  const status = { ...body, conditions, records: records ?? previous.records };
  if (records === undefined && previous.records === undefined) delete status.records;
  if (stableJson(status) === stableJson(pick(previous, Object.keys(status)))) return;
  try {
    await s.http.request('PATCH', `${resourcePath(info, res.metadata.namespace, res.metadata.name)}/status`, {
      body: {
        metadata: { resourceVersion: res.metadata.resourceVersion },
        // outputs lose keys (ingress or auth turned off): a merge patch must name them to drop them.
        status: status.outputs ? { ...status, outputs: mergePatch(previous.outputs, status.outputs) } : status,
      },
      contentType: 'application/merge-patch+json',
    });
  } catch (e) {
    // Someone changed the resource since we read it: the watch brings it back to us.
    if (e instanceof KubeApiError && e.status === 409) return;
    throw e;
  }
}

/**
 * The engine's records alone, mid-reconcile (KubePlatform.commitRecords): checked against the
 * resourceVersion this reconcile holds, which it then moves on, so the status written at the end
 * of the reconcile is checked against this write and carries the same records.
 */
export async function writeRecords(
  s: Session,
  info: ResourceInfo,
  res: Resource,
  records: Record<string, string>,
): Promise<void> {
  const updated = await s.http.request<Resource>(
    'PATCH',
    `${resourcePath(info, res.metadata.namespace, res.metadata.name)}/status`,
    {
      body: {
        metadata: { resourceVersion: res.metadata.resourceVersion },
        status: { records: mergePatch(res.status?.records, records) },
      },
      contentType: 'application/merge-patch+json',
    },
  );
  res.metadata.resourceVersion = updated.metadata.resourceVersion;
  res.status = { ...res.status, records };
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** The JSON merge patch (RFC 7386) that turns `before` into `after`: what `after` lacks is sent as null. */
export function mergePatch(before: unknown, after: unknown): unknown {
  if (!isObject(before) || !isObject(after)) return after;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(before)) if (!(k in after)) out[k] = null;
  for (const [k, v] of Object.entries(after)) out[k] = mergePatch(before[k], v);
  return out;
}

const pick = (o: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, o[k]]));

/** JSON with object keys sorted: the API server need not keep the order we wrote. */
const stableJson = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : x,
  );
