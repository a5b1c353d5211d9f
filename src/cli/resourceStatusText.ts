// `kubectl rk status` as text: what the operator last wrote to the resource's status (its view of
// the servers: roles, links, lag, slots; the conditions; the stack outputs) and the recent Events
// about it. Pure, so every line is tested without a cluster.
import type { StackOutputs } from '../api/stackOutputs.js';

export interface StatusView {
  name: string;
  namespace: string;
  mode: string;
  generation?: number;
  status?: {
    phase?: string;
    ready?: string;
    master?: string;
    observedGeneration?: number;
    members?: Array<{ name: string; role: string; of?: string; link?: string; lagBytes?: number; slots?: string[] }>;
    conditions?: Array<{
      type: string;
      status: string;
      reason?: string;
      message?: string;
      lastTransitionTime?: string;
    }>;
    outputs?: StackOutputs;
  };
}

export interface EventView {
  type: string;
  reason: string;
  note: string;
  /** ISO time of the event's last occurrence. */
  time: string;
  count: number;
}

/** "42s", "5m", "3h", "2d": kubectl's ages, coarse on purpose. */
export function age(fromIso: string | undefined, nowMs: number): string {
  if (!fromIso) return '?';
  const s = Math.max(0, Math.floor((nowMs - Date.parse(fromIso)) / 1000));
  if (!Number.isFinite(s)) return '?';
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

const table = (rows: string[][]): string[] => {
  const widths = rows.reduce<number[]>((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
  return rows.map((r) => `  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}`.trimEnd());
};

function outputLines(o: StackOutputs): string[][] {
  const rows: string[][] = [
    ['Service', `${o.service} (${o.kubeEndpoint})`],
    ['Port-forward', o.portForwardCommand],
  ];
  if (o.externalHostname) rows.push(['External hostname', o.externalHostname]);
  rows.push(['User', o.username]);
  rows.push(['Password', o.passwordSecret ? `Secret ${o.passwordSecret.name}, key ${o.passwordSecret.key}` : 'none']);
  if (o.tls) rows.push(['TLS', 'required']);
  if (o.sentinel) {
    rows.push(['Sentinel master name', o.sentinel.masterName]);
    rows.push(['Sentinels', o.sentinel.endpoint]);
  }
  if (o.clusterSeedEndpoints) rows.push(['Cluster seeds', o.clusterSeedEndpoints.join(', ')]);
  return rows;
}

export function formatResourceStatus(r: StatusView, events: readonly EventView[], nowMs: number): string {
  const st = r.status ?? {};
  const stale =
    st.observedGeneration !== undefined && r.generation !== undefined && st.observedGeneration < r.generation
      ? ` (status is of generation ${st.observedGeneration}; the spec is at ${r.generation})`
      : '';
  const lines = [
    `${r.namespace}/${r.name} (${r.mode}): ${st.phase ?? 'no status yet (is the operator running?)'}${stale}`,
  ];
  if (st.ready) lines.push(`  Ready pods: ${st.ready}`);
  if (st.master) lines.push(`  Master:     ${st.master}`);
  if (st.members?.length) {
    lines.push('', 'Members:');
    lines.push(
      ...table(
        st.members.map((m) => {
          const details: string[] = [];
          if (m.of) details.push(`of ${m.of}`);
          if (m.link) details.push(`link ${m.link}`);
          if (m.lagBytes !== undefined) details.push(`lag ${m.lagBytes} B`);
          if (m.slots?.length) details.push(`slots ${m.slots.join(',')}`);
          return [m.name, m.role, details.join(', ')];
        }),
      ),
    );
  }
  if (st.conditions?.length) {
    lines.push('', 'Conditions:');
    lines.push(
      ...table(
        st.conditions.map((c) => [c.type, c.status, c.reason ?? '', age(c.lastTransitionTime, nowMs), c.message ?? '']),
      ),
    );
  }
  if (st.outputs) lines.push('', 'Outputs:', ...table(outputLines(st.outputs)));
  lines.push('', events.length ? 'Events (oldest first):' : 'Events: none');
  lines.push(
    ...table(
      events.map((e) => [age(e.time, nowMs), e.type, e.reason, `${e.note}${e.count > 1 ? ` (x${e.count})` : ''}`]),
    ),
  );
  return lines.join('\n') + '\n';
}
