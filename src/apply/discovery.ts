// Where each kind lives: the REST path (group, version, plural) and whether it is namespaced,
// learned from the API server's resource lists rather than guessed, so CRDs (cert-manager,
// prometheus-operator, our own) work and a missing CRD is reported as such.
import { KubeError } from './errors.js';
import type { Transport } from './kubeHttp.js';

export interface ResourceInfo {
  apiVersion: string;
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

interface ApiResourceList {
  resources?: Array<{ name: string; kind: string; namespaced: boolean }>;
}

/** The kind is not served: typically a CRD that is not installed. */
export class KindNotServedError extends KubeError {
  constructor(
    readonly apiVersion: string,
    readonly kind: string,
  ) {
    super(`the cluster does not serve ${kind} (${apiVersion})`);
    this.name = 'KindNotServedError';
  }
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export class Discovery {
  // One request per group/version per run; null when the API server does not serve it.
  private readonly lists = new Map<string, Promise<ApiResourceList | null>>();

  constructor(private readonly http: Transport) {}

  private list(apiVersion: string): Promise<ApiResourceList | null> {
    let p = this.lists.get(apiVersion);
    if (!p) {
      const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      p = this.http.request<ApiResourceList>('GET', path).catch((e: unknown) => {
        if ((e as { status?: number }).status === 404) return null;
        this.lists.delete(apiVersion); // a transient failure must not be cached
        throw e;
      });
      this.lists.set(apiVersion, p);
    }
    return p;
  }

  /** Forget a group/version, e.g. after installing a CRD that serves it. */
  forget(apiVersion: string): void {
    this.lists.delete(apiVersion);
  }

  async find(apiVersion: string, kind: string): Promise<ResourceInfo | null> {
    const list = await this.list(apiVersion);
    // Subresources ("statefulsets/status") carry the parent's kind too: skip them.
    const r = list?.resources?.find((x) => x.kind === kind && !x.name.includes('/'));
    if (!r) return null;
    return { apiVersion, ...splitApiVersion(apiVersion), kind, plural: r.name, namespaced: r.namespaced };
  }

  async resolve(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const info = await this.find(apiVersion, kind);
    if (!info) throw new KindNotServedError(apiVersion, kind);
    return info;
  }
}

/** REST path of a collection (no name) or of one object. */
export function resourcePath(info: ResourceInfo, namespace?: string, name?: string): string {
  const root = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  const ns = info.namespaced ? `/namespaces/${encodeURIComponent(namespace ?? 'default')}` : '';
  return `${root}${ns}/${info.plural}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}

/** "statefulsets.apps", "services": how kubectl names a resource type. */
export const resourceName = (info: ResourceInfo) => (info.group ? `${info.plural}.${info.group}` : info.plural);

/** "statefulset.apps/cache", "service/cache": how kubectl names an object in its output. */
export const objectRef = (info: Pick<ResourceInfo, 'kind' | 'group'>, name: string) =>
  `${info.kind.toLowerCase()}${info.group ? `.${info.group}` : ''}/${name}`;
