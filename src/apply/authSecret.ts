// The auth Secret: generated once and then kept forever (re-applies reuse the stored value, so
// the password never changes under running clients), or the user's own, which must exist.
import { randomBytes } from 'node:crypto';
import type { Instance } from '../api/instance.js';
import { KubeError } from './errors.js';
import { readObject } from './serverSideApply.js';
import type { Session } from './session.js';

export interface AuthFacts {
  /** Set when we generate the Secret: the value to render it with (existing or new). */
  generatedPassword?: string;
  /** True when the generated Secret does not exist yet and apply will create it. */
  creating: boolean;
}

export const newPassword = () => randomBytes(32).toString('base64url');

export async function resolveAuth(s: Session, inst: Instance, namespaceExists: boolean): Promise<AuthFacts> {
  const a = inst.auth;
  if (!a.enabled) return { creating: false };
  const info = await s.discovery.resolve('v1', 'Secret');
  const live = namespaceExists ? await readObject(s, info, inst.namespace, a.secretName) : null;
  const stored = (live?.data as Record<string, string> | undefined)?.[a.secretKey];
  const value = stored === undefined ? undefined : Buffer.from(stored, 'base64').toString('utf8');
  if (a.generated) {
    const password = value ?? newPassword();
    s.secrets.add(password);
    return { generatedPassword: password, creating: value === undefined };
  }
  const where = `Secret ${inst.namespace}/${a.secretName}`;
  if (!live)
    throw new KubeError(
      `${where} does not exist: spec.auth.existingSecret names it, so create it (with key "${a.secretKey}") before applying`,
    );
  if (value === undefined)
    throw new KubeError(
      `${where} has no key "${a.secretKey}" (spec.auth.existingSecret.key); it has: ${Object.keys((live.data as object | undefined) ?? {}).join(', ') || 'no keys'}`,
    );
  s.secrets.add(value);
  return { creating: false };
}
