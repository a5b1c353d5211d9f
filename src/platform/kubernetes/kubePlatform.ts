// The Platform seen from Kubernetes: members are the pods of the instance's StatefulSets, at
// their pod IP, announcing their headless-Service name. Pods are started, restarted and given
// their config by the StatefulSet and the rendered ConfigMap, never by the engine: "start" holds
// when the StatefulSet already runs the pod, and "stop"/"purge" only for a member beyond the
// data StatefulSet's desired size (the operator scales it down once the engine let the member
// go, and deletes its claim). Anything else fails loudly rather than pretend. Built from
// one snapshot of the pods per reconcile; the engine's records live in memory and the caller
// persists them.
import {
  ordinalOf,
  type LaunchSpec,
  type MemberKind,
  type MemberPlacement,
  type MemberState,
  type Platform,
} from '../platform.js';

export interface PodFacts {
  name: string;
  kind: MemberKind;
  /** Pod IP, once assigned. */
  ip: string | null;
  /** DNS name behind the headless Service (what the member announces). */
  hostname: string;
  /** Phase Running and every container ready. */
  ready: boolean;
  /** Phase Running (the process may still be starting). */
  running: boolean;
  terminating: boolean;
}

const KUBE_PORTS = { server: 6379, sentinel: 26379, bus: 16379 } as const;

/** Something the engine asked for that only the StatefulSet may do on Kubernetes. */
export class NotOnKubernetesError extends Error {
  constructor(what: string) {
    super(`${what}: on Kubernetes pods are started and stopped by their StatefulSet, not by the engine`);
    this.name = 'NotOnKubernetesError';
  }
}

export class KubePlatform implements Platform {
  readonly kind = 'kubernetes' as const;
  private readonly pods: Map<string, PodFacts>;
  private readonly records: Map<string, string>;
  /** Changed since construction (the reconcile writes them with the status) ... */
  private changed = false;
  /** ... and since the last commitRecords. */
  private uncommitted = false;
  private readonly purged: string[] = [];

  /** desiredData: the data pods the spec wants; members at or past that ordinal are on their way out. */
  constructor(
    pods: readonly PodFacts[],
    records: Readonly<Record<string, string>> = {},
    private readonly desiredData = Infinity,
    /** Writes the records where the next reconcile reads them (the resource's status). */
    private readonly persist?: (records: Record<string, string>) => Promise<void>,
  ) {
    this.pods = new Map(pods.map((p) => [p.name, p]));
    this.records = new Map(Object.entries(records));
  }

  private leaving(member: string): boolean {
    return this.pods.get(member)?.kind === 'server' && ordinalOf(member) >= this.desiredData;
  }

  members(): string[] {
    return [...this.pods.keys()];
  }

  placement(member: string): MemberPlacement {
    const p = this.pods.get(member);
    const kind = p?.kind ?? (/-sentinel-\d+$/.test(member) ? 'sentinel' : 'server');
    return {
      // No pod or no IP yet: an address nothing listens on; state() says it is not running.
      host: p?.ip ?? '',
      ...(p ? { hostname: p.hostname } : {}),
      port: kind === 'sentinel' ? KUBE_PORTS.sentinel : KUBE_PORTS.server,
      busPort: KUBE_PORTS.bus,
      bind: [],
      dataDir: '/data',
    };
  }

  state(member: string): Promise<MemberState> {
    const p = this.pods.get(member);
    return Promise.resolve({ running: !!p && p.running && !p.terminating && !!p.ip, pid: null });
  }

  /** The StatefulSet starts pods: holds once it runs this one (the rendered config is the spec's). */
  async start(member: string, _launch: LaunchSpec): Promise<void> {
    if (!(await this.state(member)).running)
      throw new NotOnKubernetesError(`start ${member}: its pod is not running yet (retry once it is)`);
  }

  /** A member leaving the spec stops when its StatefulSet is scaled down; no other can be stopped. */
  stop(member: string): Promise<void> {
    if (this.leaving(member)) return Promise.resolve();
    return Promise.reject(new NotOnKubernetesError(`stop ${member}`));
  }

  kill(member: string): Promise<void> {
    return Promise.reject(new NotOnKubernetesError(`kill ${member}`));
  }

  /** The data volume is the pod's: the operator reads no files (no exec), the start scripts do. */
  readDataFile(): string | null {
    return null;
  }

  writeDataFile(member: string, file: string): void {
    throw new NotOnKubernetesError(`write ${file} of ${member}`);
  }

  readRecord(key: string): string | null {
    return this.records.get(key) ?? null;
  }

  writeRecord(key: string, content: string): void {
    if (this.records.get(key) === content) return;
    this.records.set(key, content);
    this.changed = true;
    this.uncommitted = true;
  }

  async commitRecords(): Promise<void> {
    if (!this.uncommitted || !this.persist) return;
    await this.persist(Object.fromEntries(this.records));
    this.uncommitted = false;
  }

  /** The records, and whether the engine changed any since construction: the caller persists them. */
  snapshotRecords(): { records: Record<string, string>; changed: boolean } {
    return { records: Object.fromEntries(this.records), changed: this.changed };
  }

  /** A leaving member's data: noted here, its claim deleted by the caller (see purgedMembers). */
  purge(member: string): Promise<void> {
    if (!this.leaving(member)) return Promise.reject(new NotOnKubernetesError(`purge ${member}`));
    if (!this.purged.includes(member)) this.purged.push(member);
    return Promise.resolve();
  }

  /** Members whose data the engine let go in this reconcile: their claims are to be deleted. */
  purgedMembers(): readonly string[] {
    return this.purged;
  }
}
