// What the engine needs from where members run. The engine decides *what* each member is
// (config, role); a platform decides *where* (process or pod, address, data directory).
export interface Endpoint {
  host: string;
  port: number;
}

export type MemberKind = 'server' | 'sentinel';

export interface MemberPlacement extends Endpoint {
  /**
   * The DNS name the member announces where it has one (a pod behind its headless Service):
   * replicas and sentinels then report it instead of the address.
   */
  hostname?: string;
  /** Cluster bus port for servers in cluster mode. */
  busPort: number;
  bind: string[];
  dataDir: string;
  logFile?: string;
  pidFile?: string;
}

export interface MemberState {
  running: boolean;
  pid: number | null;
}

export interface LaunchSpec {
  kind: MemberKind;
  /** What to run: a rolling upgrade starts members on a new image one at a time. */
  image: { repository: string; tag: string };
  /** Full configuration file content, secrets included; the platform keeps it private (0600). */
  configText: string;
}

export interface Platform {
  readonly kind: 'local' | 'kubernetes';
  /** Every member the platform holds, including ones a changed spec no longer names. */
  members(): string[];
  placement(member: string): MemberPlacement;
  state(member: string): Promise<MemberState>;
  /** Starts the member (or does nothing if it already runs with this config). */
  start(member: string, launch: LaunchSpec): Promise<void>;
  /** Graceful stop (SIGTERM, then SIGKILL after graceMs). */
  stop(member: string, opts?: { graceMs?: number }): Promise<void>;
  /** Fault injection and tests: stop at once, no shutdown save. */
  kill(member: string): Promise<void>;
  /** A file in the member's data directory, or null when absent (nodes.conf, sentinel state). */
  readDataFile(member: string, file: string): string | null;
  writeDataFile(member: string, file: string, content: string): void;
  /** Small instance-level records the engine keeps between runs (e.g. the last known master). */
  readRecord(key: string): string | null;
  writeRecord(key: string, content: string): void;
  /**
   * Makes the records written so far durable, before a step whose interruption a later run must
   * understand from them (a member joined, then slots moving to it). The local runtime writes each
   * record at once; the operator keeps them in the resource's status, written here.
   */
  commitRecords(): Promise<void>;
  /** Removes the member's data; only with an explicit purge. */
  purge(member: string): Promise<void>;
}

/** A member's ordinal: members are named <group>-<n>, as a StatefulSet names its pods. */
export const ordinalOf = (member: string): number => Number(member.slice(member.lastIndexOf('-') + 1));
