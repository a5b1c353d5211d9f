// Services: headless ones give every pod a stable DNS name (sentinel and cluster clients need
// each pod's address); ClusterIP ones are for clients that need just one address.
import type { V1Service, V1ServicePort } from '@kubernetes/client-node';
import type { Instance } from '../api/instance.js';
import { commonLabels, LABEL, names, PORTS, selectorLabels, type Component } from './names.js';

const port = (name: string, p: number): V1ServicePort => ({ name, port: p, targetPort: p, protocol: 'TCP' });

function service(
  inst: Instance,
  name: string,
  component: Component,
  ports: V1ServicePort[],
  extra: Partial<NonNullable<V1Service['spec']>> = {},
  annotations: Record<string, string> = {},
  selector = selectorLabels(inst, component),
): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: inst.namespace,
      labels: commonLabels(inst, component),
      ...(Object.keys(annotations).length ? { annotations } : {}),
    },
    spec: { type: 'ClusterIP', selector, ports, ...extra },
  };
}

const headless = { clusterIP: 'None', publishNotReadyAddresses: true } as const;

export function services(inst: Instance): V1Service[] {
  const n = names(inst);
  const dataPorts = [port('valkey', PORTS.data), ...(inst.cluster ? [port('bus', PORTS.bus)] : [])];
  const out: V1Service[] = [service(inst, n.dataHeadless, 'data', dataPorts, headless)];
  if (inst.mode === 'STANDALONE' || inst.mode === 'CLUSTER') {
    // CLUSTER: a seed address only; cluster-aware clients then talk to each pod directly.
    out.push(service(inst, n.client, 'data', [port('valkey', PORTS.data)]));
  }
  if (inst.sentinel) {
    out.push(service(inst, n.sentinelHeadless, 'sentinel', [port('sentinel', PORTS.sentinel)], headless));
    out.push(service(inst, n.sentinel, 'sentinel', [port('sentinel', PORTS.sentinel)]));
    // Follows the role label that the operator keeps current, for clients that cannot speak Sentinel.
    out.push(
      service(
        inst,
        n.master,
        'data',
        [port('valkey', PORTS.data)],
        {},
        {},
        { ...selectorLabels(inst, 'data'), [LABEL.role]: 'master' },
      ),
    );
  }
  if (inst.ingress.enabled && inst.ingress.hostname) {
    out.push(
      service(
        inst,
        n.external,
        'data',
        [port('valkey', PORTS.data)],
        { type: 'LoadBalancer' },
        {
          'external-dns.alpha.kubernetes.io/hostname': inst.ingress.hostname,
        },
      ),
    );
  }
  if (inst.metrics.enabled) {
    out.push(service(inst, n.metrics, 'data', [port('metrics', PORTS.metrics)], { clusterIP: 'None' }));
  }
  return out;
}
