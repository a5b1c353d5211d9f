// Thin helpers over @kubernetes/client-node shared by the agent's parts.
import {
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  StorageV1Api,
  DiscoveryV1Api,
  setHeaderOptions,
  makeInformer,
  type Informer,
  type KubernetesObject,
  type ListPromise,
} from '@kubernetes/client-node';

export interface Clients {
  kc: KubeConfig;
  core: CoreV1Api;
  coordination: CoordinationV1Api;
  storage: StorageV1Api;
  discovery: DiscoveryV1Api;
}

export function makeClients(kc: KubeConfig): Clients {
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    coordination: kc.makeApiClient(CoordinationV1Api),
    storage: kc.makeApiClient(StorageV1Api),
    discovery: kc.makeApiClient(DiscoveryV1Api),
  };
}

/** Request options for patch calls: client-node defaults to JSON Patch. */
export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
export const strategicMergePatch = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

export function statusCode(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown } | undefined;
  if (typeof e?.code === 'number') return e.code;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  return undefined;
}

export const isNotFound = (err: unknown) => statusCode(err) === 404;
export const isConflict = (err: unknown) => statusCode(err) === 409;

/** A short, single-line description of an API error for logs. */
export function describeError(err: unknown): string {
  const e = err as { code?: number; body?: unknown; message?: string };
  let body = '';
  if (typeof e?.body === 'string') {
    try {
      body = (JSON.parse(e.body) as { message?: string }).message ?? e.body;
    } catch {
      body = e.body;
    }
  } else if (e?.body && typeof e.body === 'object') {
    body = (e.body as { message?: string }).message ?? '';
  }
  return `${e?.code ?? ''} ${body || e?.message || String(err)}`.trim().slice(0, 500);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * An informer that restarts itself after errors (client-node's stops on the
 * first failed list/watch) until stop() is called.
 */
export class ResilientInformer<T extends KubernetesObject> {
  readonly informer: Informer<T> & {
    list(namespace?: string): T[];
    get(name: string, namespace?: string): T | undefined;
  };
  private stopped = false;
  private synced!: Promise<void>;

  constructor(
    kc: KubeConfig,
    path: string,
    list: ListPromise<T>,
    private readonly log: (m: string) => void,
  ) {
    this.informer = makeInformer(kc, path, list) as ResilientInformer<T>['informer'];
    this.informer.on('error', (err: unknown) => {
      if (this.stopped) return;
      this.log(`watch ${path} failed (${describeError(err)}); restarting`);
      setTimeout(() => {
        if (!this.stopped) this.informer.start().catch(() => undefined);
      }, 1000).unref();
    });
  }

  /** Starts and resolves after the initial list has been delivered. */
  start(): Promise<void> {
    this.synced = this.informer.start();
    return this.synced;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.informer.stop();
  }

  list(namespace?: string): T[] {
    return this.informer.list(namespace);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.informer.get(name, namespace);
  }
}

/** Equality for selector matching (matchLabels only; matchExpressions honoured for In/NotIn/Exists/DoesNotExist). */
export function matchesSelector(
  labels: Record<string, string> | undefined,
  selector:
    | {
        matchLabels?: Record<string, string>;
        matchExpressions?: { key: string; operator: string; values?: string[] }[];
      }
    | undefined,
): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const val = l[e.key];
    switch (e.operator) {
      case 'In':
        if (!has || !(e.values ?? []).includes(val!)) return false;
        break;
      case 'NotIn':
        if (has && (e.values ?? []).includes(val!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
