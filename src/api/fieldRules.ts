// CEL rules the CRD attaches to one sub-schema (self is that object), for checks whose
// TypeScript side lives in validate.ts, where the message can name the key or the values.
// Like the cross-field rules in rules.ts, they let the apiserver refuse what rk would refuse
// when someone bypasses rk.
import { allowedDirectives } from './configDirectives.js';

export interface FieldRule {
  rule: string;
  message: string;
}

const notAbove = (res: 'cpu' | 'memory') =>
  `!has(self.requests) || !has(self.limits) || !has(self.requests.${res}) || !has(self.limits.${res}) || ` +
  `quantity(string(self.requests.${res})).compareTo(quantity(string(self.limits.${res}))) <= 0`;

/** On a resources block: no request above its limit (the kubelet would refuse the pod). */
export const REQUESTS_WITHIN_LIMITS: FieldRule = {
  rule: `(${notAbove('cpu')}) && (${notAbove('memory')})`,
  message: 'requests must not exceed limits',
};

/** The most directives config.extra may hold: bounds the allow-list rule's cost for the apiserver. */
export const MAX_EXTRA_DIRECTIVES = 64;

/** On config.extra: only allow-listed directives (matched as the server does, case-insensitively). */
export const EXTRA_DIRECTIVES_ALLOWED: FieldRule = {
  rule: `self.all(k, k.lowerAscii() in [${allowedDirectives()
    .map((d) => `'${d}'`)
    .join(', ')}])`,
  message: 'config.extra may only set allow-listed directives (rk validate names the reason for each key)',
};
