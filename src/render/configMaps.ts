// The two ConfigMaps: server/sentinel configuration (no secrets: those are added at start
// from the mounted Secret), and the scripts.
import { createHash } from 'node:crypto';
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { Instance } from '../api/instance.js';
import { formatConfig, sentinelDirectives, serverDirectives } from './config.js';
import { commonLabels, names, podFqdn, PORTS } from './names.js';
import {
  livenessScript,
  PATHS,
  readinessScript,
  sentinelReadinessScript,
  startSentinelScript,
  startServerScript,
  TLS_FILES,
} from './scripts.js';

export function configData(inst: Instance): Record<string, string> {
  const n = names(inst);
  const tls = inst.tls.enabled ? TLS_FILES : undefined;
  const data: Record<string, string> = {
    'valkey.conf': formatConfig(
      serverDirectives(inst, {
        bind: ['*', '-::*'],
        port: PORTS.data,
        dataDir: PATHS.data,
        announceHostnameAtStart: true,
        ...(tls ? { tls } : {}),
      }),
    ),
  };
  if (inst.sentinel) {
    data['sentinel.conf'] = formatConfig(
      sentinelDirectives(
        inst,
        {
          bind: ['*', '-::*'],
          port: PORTS.sentinel,
          dataDir: PATHS.run,
          announceHostnameAtStart: true,
          ...(tls ? { tls } : {}),
        },
        { host: podFqdn(inst, `${n.data}-0`, n.dataHeadless), port: PORTS.data },
      ),
    );
  }
  return data;
}

export function scriptData(inst: Instance): Record<string, string> {
  const data: Record<string, string> = {
    'start-server.sh': startServerScript(inst),
    'ready.sh': readinessScript(inst),
    'alive.sh': livenessScript(inst),
  };
  if (inst.sentinel) {
    data['start-sentinel.sh'] = startSentinelScript(inst);
    data['sentinel-ready.sh'] = sentinelReadinessScript(inst);
    data['sentinel-alive.sh'] = livenessScript(inst, PORTS.sentinel);
  }
  return data;
}

export function checksum(...parts: Array<Record<string, string>>): string {
  const h = createHash('sha256');
  for (const part of parts) for (const k of Object.keys(part).sort()) h.update(`${k}\0${part[k]}\0`);
  return h.digest('hex').slice(0, 16);
}

export function configMaps(inst: Instance): V1ConfigMap[] {
  const n = names(inst);
  const meta = (name: string) => ({ name, namespace: inst.namespace, labels: commonLabels(inst) });
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(n.config), data: configData(inst) },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(n.scripts), data: scriptData(inst) },
  ];
}
