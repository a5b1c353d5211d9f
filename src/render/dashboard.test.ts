// The dashboard ConfigMap: present exactly when metrics are on, found by the Grafana sidecar's
// label, its panels fitted to the mode, every query scoped to this instance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Instance } from '../api/instance.js';
import { exampleInstance } from '../../test/support/specs.js';
import { DASHBOARD_LABEL, grafanaDashboard } from './dashboard.js';
import { render } from './render.js';

const withMetrics = (name: string): Instance => {
  const inst = exampleInstance(name);
  return { ...inst, metrics: { ...inst.metrics, enabled: true } };
};
const panelsOf = (inst: Instance) => {
  const cm = grafanaDashboard(inst)!;
  return (
    JSON.parse(Object.values(cm.data as Record<string, string>)[0]!) as {
      panels: { title: string; targets: { expr: string }[] }[];
    }
  ).panels;
};

test('rendered with the Grafana sidecar label when metrics are enabled, not otherwise', () => {
  const off = { ...exampleInstance('cluster'), metrics: { ...exampleInstance('cluster').metrics, enabled: false } };
  assert.equal(grafanaDashboard(off), null);
  const cm = render(withMetrics('cluster')).find(
    (o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-dashboard'),
  )!;
  assert.equal(cm.metadata.labels?.[DASHBOARD_LABEL], '1');
});

test('panels fit the mode, and every query names this instance', () => {
  const titles = (name: string) => panelsOf(withMetrics(name)).map((p) => p.title);
  assert.ok(titles('cluster').includes('Cluster slots'));
  assert.ok(!titles('sentinel').includes('Cluster slots'));
  assert.ok(titles('sentinel').includes('Replication offset behind the master'));
  assert.ok(!titles('standalone').includes('Replication offset behind the master'));
  for (const name of ['standalone', 'sentinel', 'cluster']) {
    const inst = withMetrics(name);
    for (const p of panelsOf(inst))
      for (const t of p.targets)
        assert.ok(
          t.expr.includes(`namespace="${inst.namespace}"`) &&
            (t.expr.includes(`service="${inst.name}-metrics"`) || t.expr.includes(`name="${inst.name}"`)),
          `${name} ${p.title}: ${t.expr}`,
        );
  }
});
