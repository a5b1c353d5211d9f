// A Grafana dashboard for the instance, in a ConfigMap labelled grafana_dashboard: "1", the label
// kube-prometheus-stack's Grafana sidecar loads dashboards from. Panels answer what an on-call
// engineer asks first: is memory near maxmemory, what load, what hit ratio, are replicas behind,
// did the master move, are slots served, is anything evicted or refused. The exporter's series
// are those its ServiceMonitor scrapes (namespace and service labels as the Prometheus Operator
// sets them); the operator's own carry the instance as namespace and name (scraped with
// honorLabels, as the chart's ServiceMonitor does).
import { createHash } from 'node:crypto';
import type { Instance } from '../api/instance.js';
import type { KubeObject } from './objects.js';
import { commonLabels, names } from './names.js';

interface Panel {
  title: string;
  unit: string;
  /** PromQL and legend per line. */
  targets: Array<{ expr: string; legend: string }>;
  description: string;
}

/** The label the Grafana sidecar selects dashboards by (kube-prometheus-stack's default). */
export const DASHBOARD_LABEL = 'grafana_dashboard';

function panels(inst: Instance): Panel[] {
  const sel = `namespace="${inst.namespace}",service="${names(inst).metrics}"`;
  const op = `namespace="${inst.namespace}",name="${inst.name}"`;
  const rate = (metric: string, window = '5m') => `rate(${metric}{${sel}}[${window}])`;
  const out: Panel[] = [
    {
      title: 'Memory used / maxmemory',
      unit: 'bytes',
      description: `Past maxmemory the policy (${inst.config.maxmemoryPolicy}) applies: evictions or refused writes.`,
      targets: [
        { expr: `redis_memory_used_bytes{${sel}}`, legend: '{{pod}} used' },
        { expr: `redis_memory_max_bytes{${sel}}`, legend: '{{pod}} maxmemory' },
      ],
    },
    {
      title: 'Commands per second',
      unit: 'ops',
      description: 'Commands processed, per server.',
      targets: [{ expr: rate('redis_commands_processed_total', '1m'), legend: '{{pod}}' }],
    },
    {
      title: 'Keyspace hit ratio',
      unit: 'percentunit',
      description: 'Reads that found their key; a drop means a cold or evicting cache.',
      targets: [
        {
          expr: `${rate('redis_keyspace_hits_total')} / (${rate('redis_keyspace_hits_total')} + ${rate('redis_keyspace_misses_total')})`,
          legend: '{{pod}}',
        },
      ],
    },
    {
      title: 'Connected clients',
      unit: 'short',
      description: 'Client connections per server (replicas and sentinels included).',
      targets: [{ expr: `redis_connected_clients{${sel}}`, legend: '{{pod}}' }],
    },
    {
      title: 'Keys',
      unit: 'short',
      description: 'Keys held, per server.',
      targets: [{ expr: `sum by (pod) (redis_db_keys{${sel}})`, legend: '{{pod}}' }],
    },
    {
      title: 'Evicted keys per second',
      unit: 'ops',
      description: 'Keys removed because maxmemory was reached.',
      targets: [{ expr: rate('redis_evicted_keys_total'), legend: '{{pod}}' }],
    },
    {
      title: 'Rejected connections per second',
      unit: 'ops',
      description: 'Connections refused because maxclients was reached.',
      targets: [{ expr: rate('redis_rejected_connections_total'), legend: '{{pod}}' }],
    },
    {
      title: 'Phase (operator)',
      unit: 'short',
      description: "The resource's phase as the operator last wrote it (1 = current).",
      targets: [{ expr: `rediskubernetes_instance_phase{${op}} == 1`, legend: '{{phase}}' }],
    },
  ];
  if (inst.mode !== 'STANDALONE') {
    out.push(
      {
        title: 'Replication offset behind the master',
        unit: 'bytes',
        description: 'How far each replica is behind; a failover now would lose up to this much.',
        targets: [
          {
            // Both from the master's exporter: its offset, and each replica's as the master last heard it.
            expr: `redis_master_repl_offset{${sel}} - on(pod) group_right() redis_connected_slave_offset_bytes{${sel}}`,
            legend: '{{pod}} → {{slave_ip}}',
          },
        ],
      },
      {
        title: 'Failovers and handovers (operator)',
        unit: 'short',
        description:
          'Master changes the sentinels made (MasterChanged), handovers before restarts (Handover), requested switchovers (Promoted), per hour.',
        targets: [
          {
            expr: `sum by (reason) (increase(rediskubernetes_events_total{${op},reason=~"MasterChanged|Handover|Promoted"}[1h]))`,
            legend: '{{reason}}',
          },
        ],
      },
    );
  }
  if (inst.cluster)
    out.push({
      title: 'Cluster slots',
      unit: 'short',
      description: 'Slots assigned and slots served (ok) as each member sees them: both must be 16384.',
      targets: [
        { expr: `redis_cluster_slots_assigned{${sel}}`, legend: '{{pod}} assigned' },
        { expr: `redis_cluster_slots_ok{${sel}}`, legend: '{{pod}} ok' },
      ],
    });
  return out;
}

function dashboardJson(inst: Instance): Record<string, unknown> {
  const uid = `rk-${createHash('sha256').update(`${inst.namespace}/${inst.name}`).digest('hex').slice(0, 20)}`;
  return {
    uid,
    title: `${inst.namespace}/${inst.name} (${inst.mode}, ${inst.image.flavor})`,
    tags: ['redis-kubernetes', inst.image.flavor],
    editable: true,
    schemaVersion: 39,
    time: { from: 'now-6h', to: 'now' },
    refresh: '30s',
    templating: {
      list: [{ name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus' }],
    },
    panels: panels(inst).map((p, i) => ({
      id: i + 1,
      type: 'timeseries',
      title: p.title,
      description: p.description,
      datasource: { type: 'prometheus', uid: '${datasource}' },
      gridPos: { x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 },
      fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
      targets: p.targets.map((t, j) => ({
        refId: String.fromCharCode(65 + j),
        expr: t.expr,
        legendFormat: t.legend,
      })),
    })),
  };
}

export function grafanaDashboard(inst: Instance): KubeObject | null {
  if (!inst.metrics.enabled) return null;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: `${inst.name}-dashboard`,
      namespace: inst.namespace,
      labels: { ...commonLabels(inst), [DASHBOARD_LABEL]: '1' },
    },
    data: { [`${inst.namespace}-${inst.name}.json`]: JSON.stringify(dashboardJson(inst), null, 1) },
  };
}
