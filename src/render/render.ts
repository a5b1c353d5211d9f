// The renderer: a pure, deterministic function from a resolved instance (plus facts only the
// cluster knows, such as a generated password) to Kubernetes objects.
import type { Instance } from '../api/instance.js';
import { checksum, configMaps } from './configMaps.js';
import { authSecret, certificate, namespaceObject, serviceAccount } from './identity.js';
import { grafanaDashboard } from './dashboard.js';
import { prometheusRule, serviceMonitor } from './monitoring.js';
import { sortObjects, type KubeObject } from './objects.js';
import { disruptionBudgets, networkPolicy } from './policies.js';
import { services } from './services.js';
import { dataStatefulSet, sentinelStatefulSet } from './workloads.js';

export interface RenderContext {
  /** Value for a generated auth Secret; without it the Secret is not rendered (apply creates it). */
  generatedPassword?: string;
}

export function render(inst: Instance, ctx: RenderContext = {}): KubeObject[] {
  const cms = configMaps(inst);
  const sums = {
    config: checksum(...cms.map((c) => c.data ?? {})),
  };
  const objects: Array<KubeObject | null> = [
    namespaceObject(inst),
    serviceAccount(inst),
    authSecret(inst, ctx.generatedPassword),
    ...(cms as KubeObject[]),
    certificate(inst),
    ...(services(inst) as KubeObject[]),
    dataStatefulSet(inst, sums) as KubeObject,
    sentinelStatefulSet(inst, sums) as KubeObject | null,
    ...(disruptionBudgets(inst) as KubeObject[]),
    networkPolicy(inst),
    serviceMonitor(inst),
    prometheusRule(inst),
    grafanaDashboard(inst),
  ];
  return sortObjects(objects.filter((o): o is KubeObject => o !== null).map((o) => withInstanceAnnotations(inst, o)));
}

/**
 * The spec's metadata.annotations go on every object the instance owns; an object's own
 * annotations win. Not on the Namespace: it only carries its name label, so pruning by this
 * instance's labels can never select it.
 */
function withInstanceAnnotations(inst: Instance, o: KubeObject): KubeObject {
  if (o.kind === 'Namespace' || !Object.keys(inst.annotations).length) return o;
  return { ...o, metadata: { ...o.metadata, annotations: { ...inst.annotations, ...o.metadata.annotations } } };
}
