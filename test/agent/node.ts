// The agent's Node object: registered on start, kept Ready by a Lease renewed
// every 10s (what the node-lifecycle controller reads, had it been enabled)
// plus a status heartbeat every 30s, like a kubelet.
import { cpus, release, totalmem } from 'node:os';
import type { Clients } from './kube.js';
import { describeError, isConflict, isNotFound, mergePatch } from './kube.js';

export const NODE_HOST_IP = '127.0.0.1';
const LEASE_NS = 'kube-node-lease';
const KUBELET_VERSION = 'v1.37.2';

/** Kubernetes MicroTime: RFC 3339 with exactly six fractional digits. */
export const microTime = (d = new Date()) => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
/** Kubernetes Time: RFC 3339 with whole seconds. */
export const apiTime = (d = new Date()) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export class NodeHeartbeat {
  private timers: NodeJS.Timeout[] = [];
  private readonly started = apiTime();

  constructor(
    private readonly c: Clients,
    readonly name: string,
    private readonly log: (m: string) => void,
  ) {}

  async register(): Promise<void> {
    const labels = {
      'kubernetes.io/hostname': this.name,
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch,
      'redis-kubernetes.io/test-agent': 'true',
    };
    try {
      await this.c.core.createNode({ body: { apiVersion: 'v1', kind: 'Node', metadata: { name: this.name, labels } } });
    } catch (err) {
      if (!isConflict(err)) throw err;
      await this.c.core.patchNode({ name: this.name, body: { metadata: { labels } } }, mergePatch);
    }
    await this.updateStatus();
    await this.renewLease();
    this.timers.push(
      setInterval(
        () => void this.renewLease().catch((e) => this.log(`lease renew failed: ${describeError(e)}`)),
        10_000,
      ),
    );
    this.timers.push(
      setInterval(
        () => void this.updateStatus().catch((e) => this.log(`node status failed: ${describeError(e)}`)),
        30_000,
      ),
    );
    for (const t of this.timers) t.unref();
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  /** Removes the Node object (pods bound to it are left to the pod GC). */
  async deregister(): Promise<void> {
    this.stop();
    await this.c.core.deleteNode({ name: this.name }).catch(() => undefined);
  }

  private async updateStatus(): Promise<void> {
    const now = apiTime();
    const cond = (type: string, status: string, reason: string, message: string) => ({
      type,
      status,
      reason,
      message,
      lastHeartbeatTime: now,
      lastTransitionTime: this.started,
    });
    const capacity = {
      cpu: String(cpus().length),
      memory: `${Math.floor(totalmem() / 1024)}Ki`,
      pods: '110',
      'ephemeral-storage': '100Gi',
    };
    await this.c.core.patchNodeStatus(
      {
        name: this.name,
        body: {
          status: {
            capacity,
            allocatable: capacity,
            conditions: [
              cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'rk test agent'),
              cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'rk test agent'),
              cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'rk test agent'),
              cond('Ready', 'True', 'KubeletReady', 'rk test agent is posting ready status'),
            ],
            addresses: [
              { type: 'InternalIP', address: NODE_HOST_IP },
              { type: 'Hostname', address: this.name },
            ],
            daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
            nodeInfo: {
              machineID: 'rk-test',
              systemUUID: 'rk-test',
              bootID: 'rk-test',
              kernelVersion: release(),
              osImage: 'redis-kubernetes test agent',
              containerRuntimeVersion: 'rk-agent://1',
              kubeletVersion: KUBELET_VERSION,
              kubeProxyVersion: KUBELET_VERSION,
              operatingSystem: 'linux',
              architecture: process.arch === 'x64' ? 'amd64' : process.arch,
            },
          },
        },
      },
      mergePatch,
    );
  }

  private async renewLease(): Promise<void> {
    const spec = { holderIdentity: this.name, leaseDurationSeconds: 40, renewTime: microTime() };
    try {
      await this.c.coordination.patchNamespacedLease(
        { name: this.name, namespace: LEASE_NS, body: { spec } },
        mergePatch,
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await this.c.coordination.createNamespacedLease({
        namespace: LEASE_NS,
        body: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.name },
          spec: { holderIdentity: this.name, leaseDurationSeconds: 40 },
        },
      });
      await this.c.coordination.patchNamespacedLease(
        { name: this.name, namespace: LEASE_NS, body: { spec } },
        mergePatch,
      );
    }
  }
}
