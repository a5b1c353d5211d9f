// Cross-field rules. Each rule is stated twice on purpose, side by side: as a TypeScript check
// (precise messages naming the values, used by `rk validate`) and as a CEL expression that the
// CRD carries (so the apiserver refuses the same specs when someone bypasses rk). The e2e suite
// checks that the apiserver agrees with the TypeScript side on the same bad specs.
import type { PathSegment } from './diagnostics.js';
import type { Spec } from './schema.js';

export interface CrossFieldRule {
  id: string;
  /** CEL evaluated with self = spec; true means valid. */
  cel: string;
  celMessage: string;
  /** Returns a finding (path relative to spec, message) or null. */
  check(spec: Spec): { path: PathSegment[]; message: string } | null;
}

const modeOf = (s: Spec) => s.mode ?? 'STANDALONE';

export const CROSS_FIELD_RULES: CrossFieldRule[] = [
  {
    id: 'sentinel-quorum-range',
    cel: '!has(self.sentinel) || !has(self.sentinel.quorum) || self.sentinel.quorum <= (has(self.sentinel.sentinelReplicas) ? self.sentinel.sentinelReplicas : 3)',
    celMessage: 'sentinel.quorum must be between 1 and sentinel.sentinelReplicas',
    check(s) {
      const q = s.sentinel?.quorum;
      const n = s.sentinel?.sentinelReplicas ?? 3;
      return q !== undefined && (q < 1 || q > n)
        ? { path: ['sentinel', 'quorum'], message: `must be between 1 and sentinelReplicas (${n}), got ${q}` }
        : null;
    },
  },
  {
    id: 'cluster-min-masters',
    cel: '!has(self.cluster) || !has(self.cluster.masters) || self.cluster.masters >= 3',
    celMessage: 'cluster.masters must be at least 3',
    check(s) {
      const m = s.cluster?.masters;
      return m !== undefined && m < 3
        ? {
            path: ['cluster', 'masters'],
            message: `must be at least 3 (a cluster needs a majority of masters to fail over), got ${m}`,
          }
        : null;
    },
  },
  {
    id: 'ingress-standalone-only',
    cel: "!has(self.ingress) || !has(self.ingress.enabled) || !self.ingress.enabled || !has(self.mode) || self.mode == 'STANDALONE'",
    celMessage: 'ingress is only supported in STANDALONE mode',
    check(s) {
      return s.ingress?.enabled && modeOf(s) !== 'STANDALONE'
        ? {
            path: ['ingress', 'enabled'],
            message: `is only supported in STANDALONE mode (mode is ${modeOf(s)}): sentinel and cluster clients need every pod's address, which one load balancer cannot give`,
          }
        : null;
    },
  },
  {
    id: 'ingress-hostname',
    cel: '!has(self.ingress) || !has(self.ingress.enabled) || !self.ingress.enabled || (has(self.ingress.hostname) && size(self.ingress.hostname) > 0)',
    celMessage: 'ingress.hostname is required when ingress is enabled',
    check(s) {
      return s.ingress?.enabled && !s.ingress.hostname
        ? { path: ['ingress', 'hostname'], message: 'is required when ingress is enabled' }
        : null;
    },
  },
  {
    id: 'image-tag-pinned',
    cel: "!has(self.image) || (has(self.image.tag) ? self.image.tag != 'latest' : !has(self.image.repository))",
    celMessage: 'image.tag must name a pinned release (not latest) when image.repository is set',
    check(s) {
      if (!s.image) return null;
      if (s.image.tag === 'latest')
        return {
          path: ['image', 'tag'],
          message: '"latest" is not allowed: pin a release (e.g. 8.1.11) so every pod runs the same version',
        };
      if (s.image.repository && !s.image.tag) {
        return s.image.repository.includes(':')
          ? { path: ['image', 'repository'], message: 'must not contain a tag: put the tag in image.tag' }
          : { path: ['image', 'tag'], message: 'is required when image.repository is set: pin a release' };
      }
      return null;
    },
  },
  {
    id: 'sentinel-block-needs-mode',
    cel: "!has(self.sentinel) || (has(self.mode) && self.mode == 'SENTINEL')",
    celMessage: 'spec.sentinel requires mode SENTINEL',
    check(s) {
      return s.sentinel && modeOf(s) !== 'SENTINEL'
        ? { path: ['sentinel'], message: `is set but mode is ${modeOf(s)}: set mode: SENTINEL, or remove this block` }
        : null;
    },
  },
  {
    id: 'cluster-block-needs-mode',
    cel: "!has(self.cluster) || (has(self.mode) && self.mode == 'CLUSTER')",
    celMessage: 'spec.cluster requires mode CLUSTER',
    check(s) {
      return s.cluster && modeOf(s) !== 'CLUSTER'
        ? { path: ['cluster'], message: `is set but mode is ${modeOf(s)}: set mode: CLUSTER, or remove this block` }
        : null;
    },
  },
  {
    id: 'tls-source',
    cel: '!has(self.tls) || !has(self.tls.enabled) || !self.tls.enabled || (has(self.tls.existingSecret) != has(self.tls.issuerRef))',
    celMessage: 'tls.enabled needs exactly one of tls.existingSecret or tls.issuerRef',
    check(s) {
      const t = s.tls;
      if (!t?.enabled) return null;
      if (t.existingSecret && t.issuerRef)
        return { path: ['tls'], message: 'set only one of existingSecret or issuerRef' };
      if (!t.existingSecret && !t.issuerRef)
        return {
          path: ['tls', 'enabled'],
          message: 'needs tls.existingSecret (a kubernetes.io/tls Secret with ca.crt) or tls.issuerRef (cert-manager)',
        };
      return null;
    },
  },
];
