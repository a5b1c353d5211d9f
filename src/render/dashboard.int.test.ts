// Every exporter panel of the shipped Grafana dashboard evaluated by a real Prometheus (Debian's)
// scraping real exporters (Debian's prometheus-redis-exporter) in front of a running cluster: a
// query that names a metric the exporter does not have, or a label it does not set, returns no
// series and fails here. The targets carry the labels the Prometheus Operator gives a
// ServiceMonitor's targets (namespace, service, pod). The operator's panels are checked in the
// operator's e2e suite, against the operator's /metrics.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { exampleInstance, freeBase, localInstance, type LocalTestInstance } from '../../test/support/localInstance.js';
import { dataMembers } from '../engine/topology.js';
import { send } from '../valkey/command.js';
import { withClient } from '../valkey/connection.js';
import { keySlot } from '../valkey/slot.js';
import { waitFor } from '../engine/wait.js';
import { observeInstance } from '../engine/status.js';
import { grafanaDashboard } from './dashboard.js';
import { names } from './names.js';

interface Target {
  expr: string;
}

describe('the Grafana dashboard against a real Prometheus', { timeout: 180_000 }, () => {
  let t: LocalTestInstance;
  const procs: ChildProcess[] = [];
  let dir: string;
  let promPort: number;

  const query = async (expr: string) => {
    const r = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await r.json()) as { status: string; error?: string; data?: { result: unknown[] } };
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
    return body.data!.result;
  };

  before(async () => {
    t = await localInstance(
      exampleInstance('cluster', (inst) => {
        inst.metrics = { ...inst.metrics, enabled: true };
      }),
    );
    await t.ensure();
    dir = mkdtempSync(join(tmpdir(), 'rk-prom-'));
    const members = dataMembers(t.inst).map((m) => m.name);
    const base = await freeBase(members.length + 1, false);
    promPort = base + members.length;
    const scrape = members.map((m, i) => {
      const at = t.platform.placement(m);
      const p = spawn(
        'prometheus-redis-exporter',
        ['-redis.addr', `redis://${at.host}:${at.port}`, '-web.listen-address', `127.0.0.1:${base + i}`],
        { env: { ...process.env, REDIS_PASSWORD: t.ctx.password ?? '' }, stdio: 'ignore' },
      );
      procs.push(p);
      return {
        targets: [`127.0.0.1:${base + i}`],
        labels: { namespace: t.inst.namespace, service: names(t.inst).metrics, pod: m },
      };
    });
    writeFileSync(
      join(dir, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s' },
        scrape_configs: [{ job_name: 'valkey', static_configs: scrape }],
      }),
    );
    procs.push(
      spawn(
        'prometheus',
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
        ],
        { stdio: 'ignore' },
      ),
    );
  });

  after(async () => {
    for (const p of procs) p.kill('SIGKILL');
    await t?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('every exporter panel query returns series', async () => {
    // Traffic, so rates and the hit ratio have something to show: hits and misses on every master.
    const s = await observeInstance(t.ctx);
    for (const m of s.members.filter((x) => x.role === 'master')) {
      await withClient(t.platform.placement(m.name), { password: t.ctx.password! }, async (c) => {
        const owned = m.slots!.map((r) => r.split('-').map(Number) as [number, number?]);
        const mine = (k: string) => owned.some(([a, b]) => keySlot(k) >= a && keySlot(k) <= (b ?? a));
        let written = 0;
        for (let i = 0; written < 20; i++) {
          const key = `dash:${i}`;
          if (!mine(key)) continue;
          await send(c, 'SET', [key, 'v']);
          await send(c, 'GET', [key]);
          await send(c, 'GET', [`${key}:missing`]).catch(() => undefined);
          written++;
        }
      });
    }
    const cm = grafanaDashboard(t.inst)!;
    const json = JSON.parse(Object.values(cm.data as Record<string, string>)[0]!) as {
      panels: { title: string; targets: Target[] }[];
    };
    const exporterPanels = json.panels.filter((p) => !p.targets.some((x) => x.expr.includes('rediskubernetes_')));
    assert.ok(exporterPanels.length >= 8, `${exporterPanels.length} exporter panels`);
    await waitFor(
      'every exporter panel to return series',
      async () => {
        const empty: string[] = [];
        for (const p of exporterPanels)
          for (const target of p.targets)
            if (!(await query(target.expr)).length) empty.push(`${p.title}: ${target.expr}`);
        return empty.length ? `no series yet for ${empty.join(' | ')}` : true;
      },
      { timeoutMs: 90_000, intervalMs: 1000 },
    );
  });
});
