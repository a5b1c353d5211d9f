// ServiceMonitor and PrometheusRule (prometheus-operator CRDs), with alerts an on-call
// engineer actually needs: each one says what broke, not just that a number moved.
import type { Instance } from '../api/instance.js';
import type { KubeObject } from './objects.js';
import { commonLabels, names, selectorLabels } from './names.js';

export function serviceMonitor(inst: Instance): KubeObject | null {
  if (!inst.metrics.serviceMonitor) return null;
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: inst.name, namespace: inst.namespace, labels: { ...commonLabels(inst), ...inst.metrics.labels } },
    spec: {
      selector: { matchLabels: selectorLabels(inst, 'data') },
      namespaceSelector: { matchNames: [inst.namespace] },
      endpoints: [{ port: 'metrics', interval: '30s', scrapeTimeout: '10s' }],
    },
  };
}

export function prometheusRule(inst: Instance): KubeObject | null {
  if (!inst.metrics.prometheusRule) return null;
  const sel = `namespace="${inst.namespace}",service="${names(inst).metrics}"`;
  const rules: Array<Record<string, unknown>> = [
    {
      alert: 'ValkeyDown',
      expr: `redis_up{${sel}} == 0`,
      for: '1m',
      labels: { severity: 'critical' },
      annotations: {
        summary: `${inst.name}: server {{ $labels.pod }} is down`,
        description: 'The exporter cannot reach the server for 1 minute.',
      },
    },
    {
      alert: 'ValkeyMemoryNearMaxmemory',
      expr: `redis_memory_used_bytes{${sel}} / redis_memory_max_bytes{${sel}} > 0.9 and redis_memory_max_bytes{${sel}} > 0`,
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: `${inst.name}: {{ $labels.pod }} uses over 90% of maxmemory`,
        description: `Policy ${inst.config.maxmemoryPolicy}: ${inst.config.maxmemoryPolicy === 'noeviction' ? 'writes will be refused with OOM errors' : 'keys are being evicted'} when it is reached.`,
      },
    },
    {
      alert: 'ValkeyEvictingKeys',
      expr: `increase(redis_evicted_keys_total{${sel}}[5m]) > 0`,
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: `${inst.name}: {{ $labels.pod }} is evicting keys`,
        description: 'Keys are evicted because maxmemory is reached; raise the memory limit or shard.',
      },
    },
    {
      alert: 'ValkeyRejectedConnections',
      expr: `increase(redis_rejected_connections_total{${sel}}[5m]) > 0`,
      for: '0m',
      labels: { severity: 'warning' },
      annotations: { summary: `${inst.name}: {{ $labels.pod }} rejects connections (maxclients reached)` },
    },
  ];
  if (inst.mode !== 'STANDALONE') {
    rules.push({
      alert: 'ValkeyReplicationBroken',
      expr: `(redis_connected_slaves{${sel}} < ${inst.sentinel ? inst.dataReplicas - 1 : (inst.cluster?.replicasPerMaster ?? 0)}) and on(pod) redis_instance_info{${sel},role="master"}`,
      for: '2m',
      labels: { severity: 'critical' },
      annotations: {
        summary: `${inst.name}: master {{ $labels.pod }} has fewer replicas connected than configured`,
        description: 'A replica is down or its link to the master is broken; a failover now could lose data.',
      },
    });
    rules.push({
      alert: 'ValkeyReplicaLinkDown',
      expr: `redis_master_link_up{${sel}} == 0`,
      for: '2m',
      labels: { severity: 'critical' },
      annotations: { summary: `${inst.name}: replica {{ $labels.pod }} lost its link to the master` },
    });
  }
  if (inst.cluster) {
    rules.push({
      alert: 'ValkeyClusterStateFail',
      expr: `redis_cluster_state{${sel}} == 0`,
      for: '1m',
      labels: { severity: 'critical' },
      annotations: {
        summary: `${inst.name}: cluster_state is fail as seen from {{ $labels.pod }}`,
        description: 'Some slots are not served; clients get CLUSTERDOWN errors.',
      },
    });
    rules.push({
      alert: 'ValkeyClusterSlotsNotOk',
      expr: `redis_cluster_slots_ok{${sel}} < 16384`,
      for: '2m',
      labels: { severity: 'critical' },
      annotations: { summary: `${inst.name}: only {{ $value }} of 16384 slots are ok` },
    });
  }
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: inst.name, namespace: inst.namespace, labels: { ...commonLabels(inst), ...inst.metrics.labels } },
    spec: { groups: [{ name: `${inst.namespace}-${inst.name}`, rules }] },
  };
}
