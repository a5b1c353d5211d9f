// Materialises a pod's volumes as host directories under the pod's dir; the
// container runner bind-mounts them at each volumeMount.mountPath.
//
// ConfigMap, Secret, projected and downwardAPI volumes use the kubelet's
// atomic-writer layout (`..data` -> `..<timestamp>/`, top-level symlinks into
// `..data/`), are mounted read-only like on a real node, and are refreshed
// by refresh(): a directory mount sees updates, a subPath mount keeps the
// content it started with (as in Kubernetes).
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  lstatSync,
  closeSync,
  openSync,
  readFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type {
  V1KeyToPath,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1Volume,
} from '@kubernetes/client-node';
import { ConfigError, fieldValue, resourceValue, secretValue, type ObjectSource } from './env.js';
import { volumeHostPath } from './storage.js';

export interface VolumeSources extends ObjectSource {
  claim(namespace: string, name: string): V1PersistentVolumeClaim | undefined;
  volume(name: string): V1PersistentVolume | undefined;
  serviceAccountToken(pod: V1Pod, audience: string | undefined, expirationSeconds: number): Promise<string>;
}

/** A claim is not bound yet: the pod stays in ContainerCreating and is retried. */
export class NotReadyError extends Error {}

export interface MaterialisedVolume {
  hostPath: string;
  /** Always mounted read-only, whatever the volumeMount says. */
  readOnly: boolean;
}

type Files = Map<string, { data: Buffer | string; mode: number }>;

export class PodVolumes {
  private readonly root: string;

  /** The latest pod object: downward API files follow label/annotation changes. */
  private get pod(): V1Pod {
    return this.podNow();
  }

  constructor(
    podDir: string,
    private readonly podNow: () => V1Pod,
    private readonly src: VolumeSources,
  ) {
    this.root = join(podDir, 'volumes');
  }

  async materialise(): Promise<Map<string, MaterialisedVolume>> {
    const out = new Map<string, MaterialisedVolume>();
    for (const v of this.pod.spec?.volumes ?? []) out.set(v.name, await this.one(v));
    return out;
  }

  /** Re-reads ConfigMap/Secret/projected/downwardAPI sources and swaps changed content in atomically. */
  async refresh(): Promise<void> {
    for (const v of this.pod.spec?.volumes ?? []) {
      if (v.configMap || v.secret || v.projected || v.downwardAPI) await this.one(v).catch(() => undefined);
    }
  }

  private async one(v: V1Volume): Promise<MaterialisedVolume> {
    const dir = join(this.root, v.name);
    const ns = this.pod.metadata!.namespace!;
    if (v.emptyDir) {
      mkdirSync(dir, { recursive: true, mode: 0o777 });
      return { hostPath: dir, readOnly: false };
    }
    if (v.persistentVolumeClaim) {
      const name = v.persistentVolumeClaim.claimName;
      const pvc = this.src.claim(ns, name);
      if (!pvc) throw new NotReadyError(`persistentvolumeclaim "${name}" not found`);
      if (pvc.status?.phase !== 'Bound' || !pvc.spec?.volumeName)
        throw new NotReadyError(`persistentvolumeclaim "${name}" is not bound`);
      const path = volumeHostPath(this.src.volume(pvc.spec.volumeName));
      if (!path) throw new NotReadyError(`persistentvolume "${pvc.spec.volumeName}" has no local path`);
      mkdirSync(path, { recursive: true });
      return { hostPath: path, readOnly: !!v.persistentVolumeClaim.readOnly };
    }
    if (v.hostPath) {
      const p = v.hostPath.path;
      if (v.hostPath.type === 'DirectoryOrCreate') mkdirSync(p, { recursive: true });
      if (v.hostPath.type === 'FileOrCreate' && !existsSync(p)) closeSync(openSync(p, 'a'));
      return { hostPath: p, readOnly: false };
    }
    if (v.configMap) {
      const cm = await this.src.configMap(ns, v.configMap.name!);
      if (!cm && !v.configMap.optional) throw new ConfigError(`configmap "${v.configMap.name}" not found`);
      const data: Record<string, Buffer | string> = { ...(cm?.data ?? {}) };
      for (const [k, b] of Object.entries(cm?.binaryData ?? {})) data[k] = Buffer.from(b, 'base64');
      writeAtomic(
        dir,
        project(
          data,
          v.configMap.items,
          v.configMap.defaultMode,
          `configmap "${v.configMap.name}"`,
          v.configMap.optional,
        ),
      );
      return { hostPath: dir, readOnly: true };
    }
    if (v.secret) {
      const s = await this.src.secret(ns, v.secret.secretName!);
      if (!s && !v.secret.optional) throw new ConfigError(`secret "${v.secret.secretName}" not found`);
      const data: Record<string, Buffer> = {};
      for (const k of Object.keys(s?.data ?? {})) data[k] = Buffer.from(secretValue(s!, k)!, 'utf8');
      writeAtomic(
        dir,
        project(data, v.secret.items, v.secret.defaultMode, `secret "${v.secret.secretName}"`, v.secret.optional),
      );
      return { hostPath: dir, readOnly: true };
    }
    if (v.downwardAPI) {
      const files: Files = new Map();
      for (const it of v.downwardAPI.items ?? [])
        files.set(it.path, { data: this.downward(it), mode: it.mode ?? v.downwardAPI.defaultMode ?? 0o644 });
      writeAtomic(dir, files);
      return { hostPath: dir, readOnly: true };
    }
    if (v.projected) {
      const files: Files = new Map();
      const defMode = v.projected.defaultMode ?? 0o644;
      for (const s of v.projected.sources ?? []) {
        if (s.configMap) {
          const cm = await this.src.configMap(ns, s.configMap.name!);
          if (!cm && !s.configMap.optional) throw new ConfigError(`configmap "${s.configMap.name}" not found`);
          for (const [k, f] of project(
            cm?.data ?? {},
            s.configMap.items,
            defMode,
            `configmap "${s.configMap.name}"`,
            s.configMap.optional,
          ))
            files.set(k, f);
        } else if (s.secret) {
          const sec = await this.src.secret(ns, s.secret.name!);
          if (!sec && !s.secret.optional) throw new ConfigError(`secret "${s.secret.name}" not found`);
          const data: Record<string, string> = {};
          for (const k of Object.keys(sec?.data ?? {})) data[k] = secretValue(sec!, k)!;
          for (const [k, f] of project(data, s.secret.items, defMode, `secret "${s.secret.name}"`, s.secret.optional))
            files.set(k, f);
        } else if (s.downwardAPI) {
          for (const it of s.downwardAPI.items ?? [])
            files.set(it.path, { data: this.downward(it), mode: it.mode ?? defMode });
        } else if (s.serviceAccountToken) {
          const t = s.serviceAccountToken;
          const token = await this.src.serviceAccountToken(
            this.pod,
            t.audience,
            Math.max(600, t.expirationSeconds ?? 3607),
          );
          files.set(t.path, { data: token, mode: defMode });
        }
      }
      writeAtomic(dir, files);
      return { hostPath: dir, readOnly: true };
    }
    throw new ConfigError(`volume "${v.name}": unsupported volume type`);
  }

  private downward(it: {
    fieldRef?: { fieldPath: string };
    resourceFieldRef?: { containerName?: string; resource: string; divisor?: string };
  }): string {
    if (it.fieldRef) return fieldValue(this.pod, it.fieldRef.fieldPath);
    if (it.resourceFieldRef) {
      const c =
        (this.pod.spec?.containers ?? []).find((x) => x.name === it.resourceFieldRef!.containerName) ??
        this.pod.spec!.containers[0]!;
      return resourceValue(c, it.resourceFieldRef.resource, it.resourceFieldRef.divisor);
    }
    return '';
  }

  /** Removes the pod's volume dirs (PVC data lives elsewhere and is kept). */
  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Selects and renames keys per `items`, applying modes. */
function project(
  data: Record<string, Buffer | string>,
  items: V1KeyToPath[] | undefined,
  defaultMode: number | undefined,
  what: string,
  optional?: boolean,
): Files {
  const files: Files = new Map();
  const mode = defaultMode ?? 0o644;
  if (!items || items.length === 0) {
    for (const [k, v] of Object.entries(data)) files.set(k, { data: v, mode });
    return files;
  }
  for (const it of items) {
    const v = data[it.key];
    if (v === undefined) {
      if (optional) continue;
      throw new ConfigError(`key "${it.key}" not found in ${what}`);
    }
    files.set(it.path, { data: v, mode: it.mode ?? mode });
  }
  return files;
}

/** The kubelet's AtomicWriter: readers of a directory mount never see a half-written update. */
export function writeAtomic(dir: string, files: Files): void {
  mkdirSync(dir, { recursive: true });
  const dataLink = join(dir, '..data');
  // Skip rewriting when nothing changed, so refresh() is cheap and inodes stay put.
  const current = existsSync(dataLink) ? join(dir, readlinkSync(dataLink)) : undefined;
  if (current && sameContent(current, files)) return;

  const ts = `..${new Date().toISOString().replace(/[-:.TZ]/g, '_')}${Math.random().toString(36).slice(2, 8)}`;
  const tsDir = join(dir, ts);
  mkdirSync(tsDir, { mode: 0o755 });
  for (const [path, f] of files) {
    const p = join(tsDir, path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.data);
    chmodSync(p, f.mode & 0o777);
  }
  const tmpLink = join(dir, '..data_tmp');
  rmSync(tmpLink, { force: true });
  symlinkSync(ts, tmpLink);
  renameSync(tmpLink, dataLink);

  const tops = new Set([...files.keys()].map((p) => p.split('/')[0]!));
  for (const top of tops) {
    const link = join(dir, top);
    if (!existsSync(link) && !isSymlink(link)) symlinkSync(join('..data', top), link);
  }
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith('..')) {
      if (entry !== '..data' && entry !== ts) rmSync(join(dir, entry), { recursive: true, force: true });
    } else if (!tops.has(entry)) {
      rmSync(join(dir, entry), { recursive: true, force: true });
    }
  }
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

function sameContent(dir: string, files: Files): boolean {
  try {
    const count = (d: string): number =>
      readdirSync(d, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? count(join(d, e.name)) : 1), 0);
    if (count(dir) !== files.size) return false;
    for (const [path, f] of files) {
      const p = join(dir, path);
      const st = lstatSync(p);
      if ((st.mode & 0o777) !== (f.mode & 0o777)) return false;
      const want = typeof f.data === 'string' ? Buffer.from(f.data) : f.data;
      if (!want.equals(readFileSync(p))) return false;
    }
    return true;
  } catch {
    return false;
  }
}
