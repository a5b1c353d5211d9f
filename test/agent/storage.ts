// A dynamic provisioner for PersistentVolumeClaims: each claim becomes a
// directory under the agent's data dir, published as a hostPath PV pre-bound
// to the claim (spec.claimRef). The controller-manager's PV binder then binds
// the pair, exactly as with an external CSI provisioner. The directory
// outlives pods (a StatefulSet pod that is deleted and recreated finds its
// data again) and is removed once its claim is deleted and the PV Released.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { Clients } from './kube.js';
import { describeError, isConflict, isNotFound } from './kube.js';

export const PROVISIONER = 'redis-kubernetes.io/local-dir';
export const DEFAULT_STORAGE_CLASS = 'standard';
const DIR_ANNOTATION = 'redis-kubernetes.io/local-dir';

export class Provisioner {
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly c: Clients,
    private readonly volumesDir: string,
    private readonly log: (m: string) => void,
  ) {
    mkdirSync(volumesDir, { recursive: true });
  }

  /** A default StorageClass, so claims without storageClassName are provisioned too. */
  async ensureStorageClass(): Promise<void> {
    try {
      await this.c.storage.createStorageClass({
        body: {
          apiVersion: 'storage.k8s.io/v1',
          kind: 'StorageClass',
          metadata: {
            name: DEFAULT_STORAGE_CLASS,
            annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
          },
          provisioner: PROVISIONER,
          reclaimPolicy: 'Delete',
          volumeBindingMode: 'Immediate',
          allowVolumeExpansion: true,
        },
      });
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
  }

  /** Provisions a PV for a pending, unbound claim. Idempotent. */
  considerClaim(pvc: V1PersistentVolumeClaim): void {
    const uid = pvc.metadata?.uid;
    if (!uid || pvc.metadata?.deletionTimestamp || pvc.spec?.volumeName || pvc.status?.phase === 'Bound') return;
    if (this.inFlight.has(uid)) return;
    this.inFlight.add(uid);
    this.provision(pvc)
      .catch((err) =>
        this.log(`provision ${pvc.metadata?.namespace}/${pvc.metadata?.name} failed: ${describeError(err)}`),
      )
      .finally(() => this.inFlight.delete(uid));
  }

  private async provision(pvc: V1PersistentVolumeClaim): Promise<void> {
    const { namespace, name, uid } = pvc.metadata as { namespace: string; name: string; uid: string };
    const dir = join(this.volumesDir, `${namespace}_${name}_${uid}`);
    mkdirSync(dir, { recursive: true, mode: 0o777 });
    const pv: V1PersistentVolume = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: {
        name: `pvc-${uid}`,
        annotations: { 'pv.kubernetes.io/provisioned-by': PROVISIONER, [DIR_ANNOTATION]: dir },
        labels: { 'redis-kubernetes.io/test-agent': 'true' },
      },
      spec: {
        capacity: { storage: pvc.spec?.resources?.requests?.storage ?? '1Gi' },
        accessModes: pvc.spec?.accessModes?.length ? pvc.spec.accessModes : ['ReadWriteOnce'],
        volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
        storageClassName: pvc.spec?.storageClassName ?? '',
        // Retain: the agent removes Released volumes itself (the in-tree
        // hostPath deleter refuses anything outside /tmp).
        persistentVolumeReclaimPolicy: 'Retain',
        hostPath: { path: dir, type: 'Directory' },
        claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace, name, uid },
      },
    };
    try {
      await this.c.core.createPersistentVolume({ body: pv });
      this.log(`provisioned ${pv.metadata!.name} for ${namespace}/${name} at ${dir}`);
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
  }

  /** Deletes our PVs whose claim is gone, and their directories. */
  considerVolume(pv: V1PersistentVolume): void {
    const dir = pv.metadata?.annotations?.[DIR_ANNOTATION];
    if (!dir || pv.status?.phase !== 'Released' || pv.metadata?.deletionTimestamp) return;
    const name = pv.metadata!.name!;
    if (this.inFlight.has(name)) return;
    this.inFlight.add(name);
    this.c.core
      .deletePersistentVolume({ name })
      .then(() => {
        rmSync(dir, { recursive: true, force: true });
        this.log(`reclaimed ${name} (${dir})`);
      })
      .catch((err) => {
        if (!isNotFound(err)) this.log(`reclaim ${name} failed: ${describeError(err)}`);
      })
      .finally(() => this.inFlight.delete(name));
  }
}

/** The host directory behind a PV this cluster can mount, if any. */
export function volumeHostPath(pv: V1PersistentVolume | undefined): string | undefined {
  return pv?.spec?.hostPath?.path ?? pv?.spec?.local?.path;
}
