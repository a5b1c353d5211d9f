// The password the running members accept, kept by the operator in a Secret of its own
// (<name>-auth-applied, owned by the resource). When the user changes the password Secret,
// the members still accept only the old password: the operator needs it to reach them and
// rotate them live (engine/passwordRotation.ts), and nothing else records it. Never in the
// status, an Event or a log: only in this Secret.
import type { Instance } from '../api/instance.js';
import { deleteObject, readObject, serverSideApply } from '../apply/serverSideApply.js';
import type { Session } from '../apply/session.js';
import { instanceLabels } from '../render/names.js';
import { ownerReference, type Resource } from './resource.js';

const KEY = 'password';

export const appliedPasswordSecret = (inst: Instance) => `${inst.name}-auth-applied`;

export async function readAppliedPassword(s: Session, inst: Instance): Promise<string | null> {
  const info = await s.discovery.resolve('v1', 'Secret');
  const secret = await readObject(s, info, inst.namespace, appliedPasswordSecret(inst));
  const b64 = (secret?.data as Record<string, string> | undefined)?.[KEY];
  if (b64 === undefined) return null;
  const value = Buffer.from(b64, 'base64').toString('utf8');
  s.secrets.add(value);
  return value;
}

export async function writeAppliedPassword(
  s: Session,
  inst: Instance,
  owner: Resource,
  password: string,
): Promise<void> {
  const info = await s.discovery.resolve('v1', 'Secret');
  await serverSideApply(
    s,
    info,
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: appliedPasswordSecret(inst),
        namespace: inst.namespace,
        labels: instanceLabels(inst),
        ownerReferences: [ownerReference(owner)],
      },
      type: 'Opaque',
      data: { [KEY]: Buffer.from(password, 'utf8').toString('base64') },
    },
    { dryRun: false, force: true },
  );
}

/** The finalizer takes it with the resource (the garbage collector would, but later). */
export async function deleteAppliedPassword(s: Session, inst: Instance): Promise<void> {
  const info = await s.discovery.resolve('v1', 'Secret');
  await deleteObject(s, info, inst.namespace, appliedPasswordSecret(inst));
}
