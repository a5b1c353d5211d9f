// The chart's CRD is the CRD rk install applies, byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { CHART_CRD_FILE, CHART_CRD_HEADER, customResourceDefinition } from './crd.js';

test('the Helm chart carries the current CRD', () => {
  const expected =
    CHART_CRD_HEADER + stringify(customResourceDefinition(), { lineWidth: 0, aliasDuplicateObjects: false });
  assert.ok(
    readFileSync(new URL(`../../../${CHART_CRD_FILE}`, import.meta.url), 'utf8') === expected,
    `${CHART_CRD_FILE} is stale: run npm run build && node scripts/chart-crd.mjs`,
  );
});
