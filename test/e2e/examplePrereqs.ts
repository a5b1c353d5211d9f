// What a cluster must already hold before an example can become Ready, derived from the spec and
// its rendered objects rather than listed per example: the namespace (unless the spec creates
// it), a user-provided password Secret, the TLS Secret cert-manager would issue, the
// PriorityClass and StorageClass the pods name.
import { randomBytes } from 'node:crypto';
import { CoreV1Api, SchedulingV1Api, StorageV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Instance } from '../../src/api/instance.js';
import type { KubeObject } from '../../src/render/objects.js';
import { PROVISIONER } from '../agent/storage.js';
import { issueCert } from './testCerts.js';

export interface Prepared {
  /** The password the pods require (generated ones are read after apply), if auth is on. */
  userPassword?: string;
  /** CA file for valkey-cli --tls, when the example uses TLS. */
  tlsCaFile?: string;
}

const isConflict = (e: unknown) => (e as { code?: number }).code === 409;
async function createIfMissing(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (!isConflict(e)) throw e;
  }
}

export async function prepareFor(
  kc: KubeConfig,
  inst: Instance,
  objects: KubeObject[],
  workDir: string,
): Promise<Prepared> {
  const core = kc.makeApiClient(CoreV1Api);
  const out: Prepared = {};
  const userSecret = !inst.auth.generated && inst.auth.enabled;
  const certificate = objects.find((o) => o.kind === 'Certificate');
  if (!inst.createNamespace || userSecret || certificate) {
    await createIfMissing(() => core.createNamespace({ body: { metadata: { name: inst.namespace } } }));
  }
  if (userSecret) {
    out.userPassword = randomBytes(18).toString('base64url');
    await core.deleteNamespacedSecret({ namespace: inst.namespace, name: inst.auth.secretName }).catch(() => undefined);
    await core.createNamespacedSecret({
      namespace: inst.namespace,
      body: { metadata: { name: inst.auth.secretName }, stringData: { [inst.auth.secretKey]: out.userPassword } },
    });
  }
  if (certificate) {
    const spec = certificate.spec as { secretName: string; dnsNames?: string[]; ipAddresses?: string[] };
    const cert = issueCert(workDir, spec.dnsNames ?? [], spec.ipAddresses ?? []);
    await core.deleteNamespacedSecret({ namespace: inst.namespace, name: spec.secretName }).catch(() => undefined);
    await core.createNamespacedSecret({
      namespace: inst.namespace,
      body: { metadata: { name: spec.secretName }, type: 'kubernetes.io/tls', data: cert.data },
    });
    out.tlsCaFile = cert.caFile;
  }
  if (inst.scheduling.priorityClassName) {
    const name = inst.scheduling.priorityClassName;
    await createIfMissing(() =>
      kc.makeApiClient(SchedulingV1Api).createPriorityClass({ body: { metadata: { name }, value: 1000 } }),
    );
  }
  if (inst.persistence.mode !== 'NONE' && inst.persistence.storageClass) {
    const name = inst.persistence.storageClass;
    await createIfMissing(() =>
      kc
        .makeApiClient(StorageV1Api)
        .createStorageClass({ body: { metadata: { name }, provisioner: PROVISIONER, volumeBindingMode: 'Immediate' } }),
    );
  }
  return out;
}
