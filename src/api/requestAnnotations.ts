// Annotations on a RedisKubernetes that are requests to the operator or tools' notes, not
// metadata for the objects it owns. Every other annotation of the resource is copied onto its objects, and into
// the pod template, where a changed value is a new revision: a request there would restart every
// pod, and kubectl's last-applied copy of the whole resource would restart them on every edit.

/** `kubectl rk promote NAME POD`: hand the master role to POD (a planned, lossless switchover). */
export const PROMOTE_ANNOTATION = 'redis-kubernetes.io/promote';

/**
 * Set by `kubectl rk rotate-password` after it changed the password Secret: a changed annotation
 * is a reconcile now (the operator does not watch Secrets: that would need `list` on every Secret
 * in the cluster), instead of at the next resync.
 */
export const RECONCILE_REQUEST_ANNOTATION = 'redis-kubernetes.io/reconcileRequestedAt';

/** Annotations tools put on the resource itself (kubectl's last-applied copy, for one). */
const TOOL_ANNOTATION = /^(kubectl\.kubernetes\.io|deployment\.kubernetes\.io)\//;

/** Annotations the resource keeps to itself. */
function isOwnAnnotation(key: string): boolean {
  return key === PROMOTE_ANNOTATION || key === RECONCILE_REQUEST_ANNOTATION || TOOL_ANNOTATION.test(key);
}

export function propagatedAnnotations(annotations: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations ?? {}).filter(([k]) => !isOwnAnnotation(k)));
}
