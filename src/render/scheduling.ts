// Where pods may run: anti-affinity so one node failure cannot take a master and its replica,
// zone spread so one zone outage cannot take a quorum.
import type { V1Affinity, V1TopologySpreadConstraint, V1Toleration } from '@kubernetes/client-node';
import type { Instance } from '../api/instance.js';
import { selectorLabels, type Component } from './names.js';

export function affinity(inst: Instance, component: Component): V1Affinity | undefined {
  const term = {
    labelSelector: { matchLabels: selectorLabels(inst, component) },
    topologyKey: 'kubernetes.io/hostname',
  };
  switch (inst.scheduling.antiAffinity) {
    case 'REQUIRED':
      return { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } };
    case 'PREFERRED':
      return {
        podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] },
      };
    case 'NONE':
      return undefined;
  }
}

export function topologySpread(inst: Instance, component: Component): V1TopologySpreadConstraint[] | undefined {
  if (!inst.scheduling.zoneSpread) return undefined;
  // ScheduleAnyway: in a single-zone cluster DoNotSchedule would leave pods pending forever.
  return [
    {
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: selectorLabels(inst, component) },
    },
  ];
}

export function placement(inst: Instance, component: Component) {
  const aff = affinity(inst, component);
  const spread = topologySpread(inst, component);
  return {
    ...(aff ? { affinity: aff } : {}),
    ...(spread ? { topologySpreadConstraints: spread } : {}),
    ...(Object.keys(inst.scheduling.nodeSelector).length ? { nodeSelector: inst.scheduling.nodeSelector } : {}),
    ...(inst.scheduling.tolerations.length ? { tolerations: inst.scheduling.tolerations as V1Toleration[] } : {}),
    ...(inst.scheduling.priorityClassName ? { priorityClassName: inst.scheduling.priorityClassName } : {}),
  };
}
