// rk install / rk uninstall: the operator in a cluster (CRD, RBAC, ServiceAccount, Deployment),
// server-side applied like everything rk applies; --render prints the same objects for GitOps.
import { CRD_KIND } from '../api/crd.js';
import { API_VERSION } from '../api/schema.js';
import { objectRef } from '../apply/discovery.js';
import { KubeError } from '../apply/errors.js';
import { deleteObject, readObject, serverSideApply } from '../apply/serverSideApply.js';
import { connect, type Session } from '../apply/session.js';
import {
  DEFAULT_INSTALL_NAMESPACE,
  DEFAULT_OPERATOR_IMAGE,
  installObjects,
  OPERATOR_NAME,
} from '../operator/installObjects.js';
import { FINALIZER } from '../operator/finalizer.js';
import type { KubeObject } from '../render/objects.js';
import { stdio, target, type ClusterFlags, type Io } from './applyCommand.js';
import { toYaml } from './renderCommand.js';

interface InstallFlags extends ClusterFlags {
  namespace?: string;
  image?: string;
  render?: boolean;
}

const objectsFor = (o: InstallFlags) =>
  installObjects({ namespace: o.namespace ?? DEFAULT_INSTALL_NAMESPACE, image: o.image ?? DEFAULT_OPERATOR_IMAGE });

async function infoOf(s: Session, obj: Pick<KubeObject, 'apiVersion' | 'kind'>) {
  const info = await s.discovery.find(obj.apiVersion, obj.kind);
  if (!info) throw new KubeError(`the cluster does not serve ${obj.kind} (${obj.apiVersion})`);
  return info;
}

export async function installCommand(o: InstallFlags, io: Io = stdio): Promise<number> {
  const objects = objectsFor(o);
  if (o.render) {
    process.stdout.write(toYaml(objects));
    return 0;
  }
  const s = connect(target(o));
  for (const obj of objects) {
    const info = await infoOf(s, obj);
    // Forced: rk install owns these objects, so a re-install (a new --image) takes its fields back.
    await serverSideApply(s, info, obj, { dryRun: false, force: true });
    io.out(`${objectRef(info, obj.metadata.name)} serverside-applied`);
  }
  const ns = o.namespace ?? DEFAULT_INSTALL_NAMESPACE;
  io.err(`operator installed in namespace ${ns}: kubectl -n ${ns} rollout status deployment/${OPERATOR_NAME}`);
  return 0;
}

interface UninstallFlags extends ClusterFlags {
  namespace?: string;
  crd?: boolean;
  timeout: number;
}

async function waitGone(s: Session, obj: KubeObject, timeoutMs: number): Promise<void> {
  const info = await infoOf(s, obj);
  const deadline = Date.now() + timeoutMs;
  while (await readObject(s, info, obj.metadata.namespace, obj.metadata.name)) {
    if (Date.now() > deadline)
      throw new KubeError(
        `${objectRef(info, obj.metadata.name)} still exists after ${timeoutMs / 1000}s: RedisKubernetes resources wait for the operator's finalizer; is the operator running?`,
      );
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Removes what rk install applied but the Namespace (it may hold other things). The CRD only with
 * --crd, first, while the operator still runs: deleting it deletes every RedisKubernetes resource,
 * and their finalizers need the operator to take their objects away.
 */
export async function uninstallCommand(o: UninstallFlags, io: Io = stdio): Promise<number> {
  const s = connect(target(o));
  const ns = o.namespace ?? DEFAULT_INSTALL_NAMESPACE;
  const [crd, ...rest] = objectsFor(o);
  const remove = async (obj: KubeObject) => {
    const info = await infoOf(s, obj);
    if (await deleteObject(s, info, obj.metadata.namespace, obj.metadata.name))
      io.out(`${objectRef(info, obj.metadata.name)} deleted`);
  };
  if (o.crd) {
    io.err('deleting the CRD: every RedisKubernetes resource in the cluster is deleted with it');
    await remove(crd!);
    await waitGone(s, crd!, o.timeout * 1000);
  }
  const lease = {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: OPERATOR_NAME, namespace: ns },
  };
  for (const obj of [...rest.filter((x) => x.kind !== 'Namespace').reverse(), lease]) await remove(obj);
  if (!o.crd) {
    // Kept resources carry the operator's finalizer: deleting one now waits for an operator.
    const info = await s.discovery.find(API_VERSION, CRD_KIND);
    const everywhere = info && `/apis/${info.group}/${info.version}/${info.plural}`;
    const left = everywhere ? (await s.http.request<{ items?: unknown[] }>('GET', everywhere)).items?.length : 0;
    if (left)
      io.err(
        `${left} RedisKubernetes resource(s) remain; deleting one now waits for an operator to finalize it (rk install again, or remove the finalizer ${FINALIZER} by hand)`,
      );
  }
  io.err(
    `operator uninstalled; kept: namespace ${ns}${o.crd ? '' : ' and the CRD with every RedisKubernetes resource (--crd deletes them)'}`,
  );
  return 0;
}
