// Namespace, ServiceAccount, the auth Secret (only when its value is handed in) and the
// cert-manager Certificate.
import type { Instance } from '../api/instance.js';
import type { KubeObject } from './objects.js';
import { commonLabels, names } from './names.js';

export function namespaceObject(inst: Instance): KubeObject | null {
  if (!inst.createNamespace) return null;
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: inst.namespace, labels: { 'kubernetes.io/metadata.name': inst.namespace } },
  };
}

export function serviceAccount(inst: Instance): KubeObject {
  // The pods never talk to the Kubernetes API: no token is mounted.
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: names(inst).serviceAccount, namespace: inst.namespace, labels: commonLabels(inst) },
    automountServiceAccountToken: false,
  };
}

/** Rendered only when the caller supplies the generated password (apply does; plain render does not). */
export function authSecret(inst: Instance, password: string | undefined): KubeObject | null {
  if (!inst.auth.enabled || !inst.auth.generated || password === undefined) return null;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: { name: inst.auth.secretName, namespace: inst.namespace, labels: commonLabels(inst) },
    stringData: { [inst.auth.secretKey]: password },
  };
}

export function certificate(inst: Instance): KubeObject | null {
  if (!inst.tls.enabled || !inst.tls.issuer) return null;
  const n = names(inst);
  const zone = `${inst.namespace}.svc.cluster.local`;
  const services = [n.dataHeadless, n.client, ...(inst.sentinel ? [n.sentinelHeadless, n.sentinel, n.master] : [])];
  const dnsNames = [...new Set(services.flatMap((s) => [s, `${s}.${inst.namespace}.svc`, `${s}.${zone}`]))];
  // Pods are addressed by <pod>.<headless service>: a wildcard per headless Service covers them all.
  dnsNames.push(`*.${n.dataHeadless}.${zone}`);
  if (inst.sentinel) dnsNames.push(`*.${n.sentinelHeadless}.${zone}`);
  if (inst.ingress.enabled && inst.ingress.hostname) dnsNames.push(inst.ingress.hostname);
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: n.tls, namespace: inst.namespace, labels: commonLabels(inst) },
    spec: {
      secretName: n.tls,
      duration: '2160h',
      renewBefore: '360h',
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      usages: ['server auth', 'client auth', 'digital signature', 'key encipherment'],
      dnsNames,
      // Probes and the exporter connect to 127.0.0.1 inside the pod.
      ipAddresses: ['127.0.0.1'],
      issuerRef: { name: inst.tls.issuer.name, kind: inst.tls.issuer.kind, group: inst.tls.issuer.group },
    },
  };
}
