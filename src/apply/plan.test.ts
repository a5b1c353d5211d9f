import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingKindsMessage } from './plan.js';

test('missing prometheus-operator CRDs are named with what needs them and how to do without', () => {
  assert.equal(
    missingKindsMessage([
      { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor' },
      { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule' },
    ]),
    'metrics.enabled needs the prometheus-operator CRDs (ServiceMonitor, PrometheusRule: monitoring.coreos.com/v1) installed; or set metrics.serviceMonitor: false and set metrics.prometheusRule: false',
  );
});

test('missing cert-manager and an unknown kind together', () => {
  const m = missingKindsMessage([
    { apiVersion: 'cert-manager.io/v1', kind: 'Certificate' },
    { apiVersion: 'example.com/v1', kind: 'Thing' },
  ]);
  assert.equal(
    m,
    "tls.issuerRef needs cert-manager's CRDs (Certificate: cert-manager.io/v1) installed; or use tls.existingSecret instead of tls.issuerRef; the cluster does not serve Thing (example.com/v1)",
  );
});
