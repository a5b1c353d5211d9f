#!/usr/bin/env node
// Writes the Helm chart's CRD (charts/redis-kubernetes-operator/crds/) from the one definition in
// src/api/crd.ts, after `npm run build`. A unit test (src/api/crd.chart.test.ts) fails when the
// committed file is stale and names this script.
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { CHART_CRD_FILE, CHART_CRD_HEADER, customResourceDefinition } from '../dist/src/api/crd.js';

const root = new URL('..', import.meta.url).pathname;
writeFileSync(
  `${root}${CHART_CRD_FILE}`,
  CHART_CRD_HEADER + stringify(customResourceDefinition(), { lineWidth: 0, aliasDuplicateObjects: false }),
);
console.log(`wrote ${CHART_CRD_FILE}`);
