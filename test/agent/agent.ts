// The node agent: makes a bare control plane (apiserver + controller-manager)
// a working one-node cluster for end-to-end tests. It registers a Ready Node,
// binds pending pods to it, provisions PVCs as local directories, runs pods'
// containers as local processes (see podRunner.ts), publishes pod status,
// serves ClusterIPs (serviceProxy.ts) and pod names (hosts.ts).
//
// Library use, in-process: `const agent = await Agent.start({ kubeconfig })`.
// Fault hooks for tests: crashPod, pausePod/resumePod, deleteAllPods.
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
  appendFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type {
  KubeConfig,
  V1EndpointSlice,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1Service,
} from '@kubernetes/client-node';
import { Binder } from './binder.js';
import { liveGroups, type ExecResult } from './container.js';
import { renderHosts } from './hosts.js';
import { DEFAULT_IMAGES, prepareImageBinDir, type ImageMapping } from './images.js';
import { PodIPAllocator } from './ipam.js';
import { isNotFound, makeClients, ResilientInformer, type Clients } from './kube.js';
import { buildNetShim } from './netshim.js';
import { NODE_HOST_IP, NodeHeartbeat } from './node.js';
import { PodRunner } from './podRunner.js';
import { ServiceProxy } from './serviceProxy.js';
import { Provisioner } from './storage.js';
import type { VolumeSources } from './volumes.js';
import { stateRoot } from './stateRoot.js';

export interface AgentOptions {
  kubeconfig: KubeConfig;
  /** Node name (default `rk-node`). */
  nodeName?: string;
  /** State directory: pods, PVC data, logs. Default: a new temp dir, removed by stop(). */
  dataDir?: string;
  /** Image → local binary mappings (default: DEFAULT_IMAGES from images.ts). */
  images?: ImageMapping[];
  /** Second octet of the pod IP range 127.N.0.0/16 (default: random in 10..89). */
  podIPOctet?: number;
  /** Log sink. Default: `<dataDir>/agent.log`, plus stderr when RK_AGENT_DEBUG=1. */
  log?: (msg: string) => void;
}

export interface ExecOptions {
  container?: string;
  timeoutMs?: number;
  stdin?: string;
}

type LabelSelector = string | Record<string, string>;

const selectorString = (s: LabelSelector) =>
  typeof s === 'string'
    ? s
    : Object.entries(s)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');

let exitHookInstalled = false;
/** Container processes must not outlive the test process, whatever way it exits. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pgid of liveGroups) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  });
}

export class Agent {
  readonly nodeName: string;
  readonly dataDir: string;
  private readonly c: Clients;
  private readonly ownsDataDir: boolean;
  private readonly log: (msg: string) => void;
  private readonly ipam: PodIPAllocator;
  private readonly runners = new Map<string, PodRunner>();
  private readonly mountpoints = new Set<string>();
  private readonly node: NodeHeartbeat;
  private readonly binder: Binder;
  private readonly provisioner: Provisioner;
  private readonly proxy: ServiceProxy;
  private readonly pods: ResilientInformer<V1Pod>;
  private readonly claims: ResilientInformer<V1PersistentVolumeClaim>;
  private readonly volumes: ResilientInformer<V1PersistentVolume>;
  private readonly services: ResilientInformer<V1Service>;
  private readonly slices: ResilientInformer<V1EndpointSlice>;
  private readonly images: ImageMapping[];
  private readonly binDirs = new Map<string, string>();
  private shimPath: string | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private hostsTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  private constructor(opts: AgentOptions) {
    this.nodeName = opts.nodeName ?? 'rk-node';
    this.ownsDataDir = !opts.dataDir;
    this.dataDir = opts.dataDir ?? mkdtempSync(join(stateRoot(), 'rk-agent-'));
    mkdirSync(this.dataDir, { recursive: true });
    const logFile = join(this.dataDir, 'agent.log');
    const debug = process.env.RK_AGENT_DEBUG === '1';
    this.log =
      opts.log ??
      ((m: string) => {
        const line = `${new Date().toISOString()} ${m}\n`;
        try {
          appendFileSync(logFile, line);
        } catch {
          /* data dir removed during shutdown */
        }
        if (debug) process.stderr.write(`[agent] ${line}`);
      });
    this.ipam = new PodIPAllocator(opts.podIPOctet);
    this.images = opts.images ?? DEFAULT_IMAGES;
    this.c = makeClients(opts.kubeconfig);
    this.node = new NodeHeartbeat(this.c, this.nodeName, this.log);
    this.binder = new Binder(this.c, this.nodeName, this.log);
    this.provisioner = new Provisioner(this.c, join(this.dataDir, 'volumes'), this.log);
    this.proxy = new ServiceProxy(this.log);
    const kc = opts.kubeconfig;
    this.pods = new ResilientInformer(kc, '/api/v1/pods', () => this.c.core.listPodForAllNamespaces(), this.log);
    this.claims = new ResilientInformer(
      kc,
      '/api/v1/persistentvolumeclaims',
      () => this.c.core.listPersistentVolumeClaimForAllNamespaces(),
      this.log,
    );
    this.volumes = new ResilientInformer(
      kc,
      '/api/v1/persistentvolumes',
      () => this.c.core.listPersistentVolume(),
      this.log,
    );
    this.services = new ResilientInformer(
      kc,
      '/api/v1/services',
      () => this.c.core.listServiceForAllNamespaces(),
      this.log,
    );
    this.slices = new ResilientInformer(
      kc,
      '/apis/discovery.k8s.io/v1/endpointslices',
      () => this.c.discovery.listEndpointSliceForAllNamespaces(),
      this.log,
    );
  }

  static async start(opts: AgentOptions): Promise<Agent> {
    const a = new Agent(opts);
    try {
      await a.init();
    } catch (err) {
      await a.stop().catch(() => undefined);
      throw err;
    }
    return a;
  }

  private async init(): Promise<void> {
    installExitHook();
    this.shimPath = buildNetShim(join(this.dataDir, 'cache'), this.log);
    for (const m of this.images) this.binDirs.set(m.name, prepareImageBinDir(m, join(this.dataDir, 'images')));
    mkdirSync(join(this.dataDir, 'pods'), { recursive: true });
    mkdirSync(join(this.dataDir, 'logs'), { recursive: true });

    await this.node.register();
    await this.provisioner.ensureStorageClass();

    this.claims.informer.on('add', (pvc) => this.provisioner.considerClaim(pvc));
    this.claims.informer.on('update', (pvc) => this.provisioner.considerClaim(pvc));
    this.volumes.informer.on('update', (pv) => this.provisioner.considerVolume(pv));
    for (const verb of ['add', 'update', 'delete']) {
      this.services.informer.on(verb, () => this.servicesChanged());
      this.slices.informer.on(verb, () => this.servicesChanged());
    }
    this.pods.informer.on('add', (p) => this.podChanged(p));
    this.pods.informer.on('update', (p) => this.podChanged(p));
    this.pods.informer.on('delete', (p) => this.podGone(p));
    await Promise.all([this.claims.start(), this.volumes.start(), this.services.start(), this.slices.start()]);
    await this.pods.start();

    // Periodic resync: retries anything an event-driven attempt left undone
    // (a failed bind, a claim seen before the StorageClass existed, ...).
    this.resyncTimer = setInterval(() => this.resync(), 3000);
    this.resyncTimer.unref();
    this.resync();
    this.log(`agent ${this.nodeName} started (data ${this.dataDir}, shim ${this.shimPath ?? 'none'})`);
  }

  private resync(): void {
    if (this.stopped) return;
    for (const p of this.pods.list()) this.podChanged(p);
    for (const c of this.claims.list()) this.provisioner.considerClaim(c);
    for (const v of this.volumes.list()) this.provisioner.considerVolume(v);
    this.proxy.sync(this.services.list(), this.slices.list());
    this.scheduleHostsRefresh();
  }

  private podChanged(pod: V1Pod): void {
    if (this.stopped) return;
    this.binder.consider(pod);
    this.scheduleHostsRefresh();
    if (pod.spec?.nodeName !== this.nodeName) return;
    const uid = pod.metadata!.uid!;
    const runner = this.runners.get(uid);
    if (runner) {
      runner.update(pod);
      return;
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return; // finished before this agent started
    if (pod.metadata?.deletionTimestamp) {
      // Never started here (e.g. left over from an earlier agent): just let it go.
      void this.c.core
        .deleteNamespacedPod({ name: pod.metadata.name!, namespace: pod.metadata.namespace!, gracePeriodSeconds: 0 })
        .catch(() => undefined);
      return;
    }
    const r = new PodRunner(pod, this.ipam.allocate(), {
      clients: this.c,
      hostIP: NODE_HOST_IP,
      podsDir: join(this.dataDir, 'pods'),
      logsDir: join(this.dataDir, 'logs'),
      shimPath: this.shimPath,
      images: this.images,
      binDirs: this.binDirs,
      sources: this.sources,
      baseEnv: (p) => this.baseEnv(p),
      hostsFor: (p, ip) =>
        renderHosts({ ...p, status: { ...p.status, podIP: ip } }, ip, this.pods.list(), this.services.list()),
      registerMountpoints: (paths) => paths.forEach((x) => this.mountpoints.add(x)),
      log: this.log,
      finished: (done) => {
        if (this.runners.get(done.uid) === done) this.runners.delete(done.uid);
        this.scheduleHostsRefresh();
      },
    });
    this.runners.set(uid, r);
    this.log(`pod ${r.key} (${uid}) starting with IP ${r.podIP}`);
    r.start();
  }

  private podGone(pod: V1Pod): void {
    this.runners.get(pod.metadata?.uid ?? '')?.podDeleted();
    this.scheduleHostsRefresh();
  }

  private servicesChanged(): void {
    if (this.stopped) return;
    this.proxy.sync(this.services.list(), this.slices.list());
    this.scheduleHostsRefresh();
  }

  private scheduleHostsRefresh(): void {
    if (this.hostsTimer || this.stopped) return;
    this.hostsTimer = setTimeout(() => {
      this.hostsTimer = undefined;
      for (const r of this.runners.values()) {
        try {
          r.refreshHosts();
        } catch (err) {
          this.log(`hosts ${r.key}: ${(err as Error).message}`);
        }
      }
    }, 50);
  }

  /** HOSTNAME and the docker-link style service variables (enableServiceLinks). */
  private baseEnv(pod: V1Pod): Record<string, string> {
    const env: Record<string, string> = { HOSTNAME: (pod.spec?.hostname || pod.metadata!.name!).slice(0, 63) };
    const ns = pod.metadata!.namespace!;
    const links = pod.spec?.enableServiceLinks !== false;
    for (const s of this.services.list()) {
      const sns = s.metadata!.namespace!;
      const master = sns === 'default' && s.metadata!.name === 'kubernetes';
      if (!(master || (links && sns === ns))) continue;
      const ip = s.spec?.clusterIP;
      if (!ip || ip === 'None') continue;
      const n = s.metadata!.name!.toUpperCase().replace(/-/g, '_');
      const ports = s.spec?.ports ?? [];
      if (ports.length === 0) continue;
      env[`${n}_SERVICE_HOST`] = ip;
      env[`${n}_SERVICE_PORT`] = String(ports[0]!.port);
      const proto0 = (ports[0]!.protocol ?? 'TCP').toLowerCase();
      env[`${n}_PORT`] = `${proto0}://${ip}:${ports[0]!.port}`;
      for (const p of ports) {
        const proto = p.protocol ?? 'TCP';
        if (p.name) env[`${n}_SERVICE_PORT_${p.name.toUpperCase().replace(/-/g, '_')}`] = String(p.port);
        const pre = `${n}_PORT_${p.port}_${proto}`;
        env[pre] = `${proto.toLowerCase()}://${ip}:${p.port}`;
        env[`${pre}_PROTO`] = proto.toLowerCase();
        env[`${pre}_PORT`] = String(p.port);
        env[`${pre}_ADDR`] = ip;
      }
    }
    return env;
  }

  private readonly sources: VolumeSources = {
    configMap: async (namespace, name) => {
      try {
        return await this.c.core.readNamespacedConfigMap({ name, namespace });
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    secret: async (namespace, name) => {
      try {
        return await this.c.core.readNamespacedSecret({ name, namespace });
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    claim: (namespace, name) => this.claims.get(name, namespace),
    volume: (name) => this.volumes.get(name),
    serviceAccountToken: async (pod, audience, expirationSeconds) => {
      const r = await this.c.core.createNamespacedServiceAccountToken({
        name: pod.spec?.serviceAccountName || 'default',
        namespace: pod.metadata!.namespace!,
        body: {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: {
            audiences: audience ? [audience] : [],
            expirationSeconds,
            boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata!.name!, uid: pod.metadata!.uid! },
          },
        },
      });
      return r.status?.token ?? '';
    },
  };

  // ---- fault hooks ---------------------------------------------------------------------------

  private runner(namespace: string, name: string): PodRunner {
    for (const r of this.runners.values())
      if (r.namespace === namespace && r.name === name && !r.terminatingOrGone) return r;
    throw new Error(`pod ${namespace}/${name} is not running on node ${this.nodeName}`);
  }

  /**
   * SIGKILLs the main process of a container (default: the first container
   * with a local stand-in). The restart policy then restarts it and
   * restartCount increments. Returns the killed pid.
   */
  crashPod(namespace: string, name: string, container?: string): number {
    const p = this.runner(namespace, name).mainProcess(container);
    if (!p?.pid) throw new Error(`pod ${namespace}/${name}: container ${container ?? '(main)'} is not running`);
    const pid = p.pid;
    p.signalMain('SIGKILL');
    return pid;
  }

  /** SIGSTOPs every process of the pod: it hangs with its sockets open (probes then fail). */
  pausePod(namespace: string, name: string): void {
    this.runner(namespace, name).signalAll('SIGSTOP');
  }

  resumePod(namespace: string, name: string): void {
    this.runner(namespace, name).signalAll('SIGCONT');
  }

  /**
   * Deletes every pod matching the selector at once (graceful, unless
   * gracePeriodSeconds is given). Controllers recreate them; recreated pods
   * always get new IPs. Returns the names of the pods deleted.
   */
  async deleteAllPods(
    namespace: string,
    selector: LabelSelector,
    opts: { gracePeriodSeconds?: number } = {},
  ): Promise<string[]> {
    const list = await this.c.core.listNamespacedPod({ namespace, labelSelector: selectorString(selector) });
    const names = list.items.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.metadata!.name!);
    await Promise.all(
      names.map((name) =>
        this.c.core
          .deleteNamespacedPod({
            name,
            namespace,
            ...(opts.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: opts.gracePeriodSeconds } : {}),
          })
          .catch((err) => {
            if (!isNotFound(err)) throw err;
          }),
      ),
    );
    return names;
  }

  // ---- test helpers --------------------------------------------------------------------------

  /** Runs a command inside a pod's container (namespaces, env, working dir), like `kubectl exec`. */
  exec(namespace: string, pod: string, argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return this.runner(namespace, pod).exec(opts.container, argv, opts.timeoutMs ?? 10_000, opts.stdin);
  }

  /** The IP the agent gave the pod (known before the status reaches the API). */
  podIP(namespace: string, name: string): string | undefined {
    for (const r of this.runners.values())
      if (r.namespace === namespace && r.name === name && !r.terminatingOrGone) return r.podIP;
    return undefined;
  }

  /**
   * A container's log (stdout+stderr of every run), like `kubectl logs`.
   * Logs outlive their pod: without `uid`, the most recent pod of that name is read.
   */
  logs(namespace: string, pod: string, container: string, uid?: string): string {
    const root = join(this.dataDir, 'logs');
    const prefix = `${namespace}_${pod}_`;
    const dirs = readdirSync(root)
      .filter((d) => d.startsWith(prefix) && (!uid || d === prefix + uid))
      .map((d) => ({ d, t: statSync(join(root, d)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    const p = dirs[0] ? join(root, dirs[0].d, `${container}.log`) : undefined;
    return p && existsSync(p) ? readFileSync(p, 'utf8') : '';
  }

  // ---- shutdown ------------------------------------------------------------------------------

  /** Kills all pods' processes at once and releases everything the agent holds. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    if (this.hostsTimer) clearTimeout(this.hostsTimer);
    this.node.stop();
    await Promise.all(
      [this.pods, this.claims, this.volumes, this.services, this.slices].map((i) => i.stop().catch(() => undefined)),
    );
    for (const r of this.runners.values()) r.killNow();
    // Wait (bounded) for the processes to be reaped so mounts and files are released.
    const deadline = Date.now() + 5000;
    while (liveGroups.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    this.proxy.stop();
    this.removeMountpoints();
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** Removes mount points the agent created on the host, if nothing was put in them. */
  private removeMountpoints(): void {
    const paths = [...this.mountpoints].sort((a, b) => b.length - a.length);
    for (const p of paths) {
      try {
        const st = lstatSync(p);
        if (st.isDirectory())
          rmdirSync(p); // fails (and is skipped) unless empty
        else if (st.isFile() && statSync(p).size === 0) unlinkSync(p);
      } catch {
        /* not empty or already gone */
      }
    }
  }
}
