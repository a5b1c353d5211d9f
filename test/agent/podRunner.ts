// The life of one pod on the agent's node, like a kubelet's pod worker:
// sandbox (IP, hosts files, volumes) -> init containers in order -> all
// containers, each with its own restart loop and probes -> graceful
// termination when the pod is deleted -> final delete (grace 0) so that
// controllers see the pod gone and create its replacement.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Container, V1Lifecycle, V1Pod } from '@kubernetes/client-node';
import { ContainerProcess, hostMountpointsToCreate, type ExecResult, type Mount } from './container.js';
import { ConfigError, expand, resolveEnv } from './env.js';
import { renderResolvConf, podHostname, writeInPlace } from './hosts.js';
import { planLaunch, type ImageMapping, type LaunchPlan } from './images.js';
import type { Clients } from './kube.js';
import { describeError, isNotFound, sleep, strategicMergePatch } from './kube.js';
import { Prober } from './probes.js';
import { buildStatus, type ContainerState, type ContainerView, type PodView, type Transitions } from './status.js';
import { NotReadyError, PodVolumes, type MaterialisedVolume, type VolumeSources } from './volumes.js';

export interface RunnerDeps {
  clients: Clients;
  hostIP: string;
  /** Root for per-pod state (volumes, generated files). */
  podsDir: string;
  /** Root for container logs (kept after the pod is gone, for post-mortems). */
  logsDir: string;
  shimPath: string | undefined;
  images: ImageMapping[];
  binDirs: Map<string, string>;
  sources: VolumeSources;
  /** Env every container of the pod starts with (service links, HOSTNAME). */
  baseEnv(pod: V1Pod): Record<string, string>;
  /** Current /etc/hosts content for the pod. */
  hostsFor(pod: V1Pod, ip: string): string;
  registerMountpoints(paths: string[]): void;
  log(msg: string): void;
  /** The runner is done and the pod object is gone. */
  finished(runner: PodRunner): void;
}

interface Slot {
  spec: V1Container;
  init: boolean;
  /** Native sidecar: init container with restartPolicy Always. */
  sidecar: boolean;
  view: ContainerView;
  proc?: ContainerProcess;
  probes: Prober[];
  unmapped: boolean;
  /** Set by liveness/startup failure so the exit is reported with that reason. */
  killReason?: string;
  loop?: Promise<void>;
}

const RESTART_BACKOFF_MS = [1000, 2000, 4000, 8000, 10000];

export class PodRunner {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly podIP: string;
  private pod: V1Pod;
  private readonly dir: string;
  private readonly logDir: string;
  private readonly startTime = new Date();
  private readonly init: Slot[];
  private readonly containers: Slot[];
  private volumes?: Map<string, MaterialisedVolume>;
  private podVolumes: PodVolumes;
  private initialized = false;
  private sandboxReady = false;
  private phase: PodView['phase'] = 'Pending';
  private terminating = false;
  private gone = false;
  private statusTimer: NodeJS.Timeout | undefined;
  private statusInFlight = false;
  private statusAgain = false;
  private lastStatusJson = '';
  private refreshTimer: NodeJS.Timeout | undefined;
  private containerSeq = 0;
  private readonly hostsPath: string;
  private readonly transitions: Transitions = new Map();

  constructor(
    pod: V1Pod,
    podIP: string,
    private readonly d: RunnerDeps,
  ) {
    this.pod = pod;
    this.uid = pod.metadata!.uid!;
    this.namespace = pod.metadata!.namespace!;
    this.name = pod.metadata!.name!;
    this.podIP = podIP;
    this.dir = join(d.podsDir, this.uid);
    this.logDir = join(d.logsDir, `${this.namespace}_${this.name}_${this.uid}`);
    this.hostsPath = join(this.dir, 'etc-hosts');
    const slot = (c: V1Container, init: boolean): Slot => ({
      spec: c,
      init,
      sidecar: init && c.restartPolicy === 'Always',
      probes: [],
      unmapped: false,
      view: {
        name: c.name,
        image: c.image ?? '',
        imageID: '',
        ready: false,
        started: false,
        restartCount: 0,
        state: { kind: 'waiting', reason: init ? 'PodInitializing' : 'ContainerCreating' },
      },
    });
    this.init = (pod.spec?.initContainers ?? []).map((c) => slot(c, true));
    this.containers = (pod.spec?.containers ?? []).map((c) => slot(c, false));
    this.podVolumes = new PodVolumes(this.dir, () => this.podWithStatus(), d.sources);
  }

  /**
   * The pod as the kubelet sees it: our IPs even before the status patch has
   * come back through the watch (fieldRef status.podIP must never be empty).
   */
  private podWithStatus(): V1Pod {
    const ip = [{ ip: this.podIP }];
    const host = [{ ip: this.d.hostIP }];
    return {
      ...this.pod,
      status: { ...this.pod.status, podIP: this.podIP, podIPs: ip, hostIP: this.d.hostIP, hostIPs: host },
    };
  }

  get terminatingOrGone(): boolean {
    return this.terminating || this.gone;
  }

  get isReady(): boolean {
    return this.initialized && this.phase === 'Running' && this.containers.every((s) => s.view.ready);
  }

  /** The latest pod object from the API (labels, annotations, deletionTimestamp). */
  update(pod: V1Pod): void {
    this.pod = pod;
    if (pod.metadata?.deletionTimestamp && !this.terminating) void this.terminate();
  }

  /** The pod object disappeared from the API (force-deleted): stop at once. */
  podDeleted(): void {
    this.gone = true;
    if (!this.terminating) void this.terminate(0);
  }

  start(): void {
    void this.run().catch((err) => this.d.log(`pod ${this.key} runner failed: ${(err as Error).stack ?? String(err)}`));
  }

  get key(): string {
    return `${this.namespace}/${this.name}`;
  }

  // ---- fault hooks and test helpers -------------------------------------------------------

  /** The container's main process, if running. */
  mainProcess(container?: string): ContainerProcess | undefined {
    const s = container
      ? [...this.containers, ...this.init].find((x) => x.spec.name === container)
      : this.containers.find((x) => !x.unmapped);
    return s?.proc?.running ? s.proc : undefined;
  }

  /** Signals every running container's process group (SIGSTOP/SIGCONT for pause hooks). */
  signalAll(sig: NodeJS.Signals): number {
    let n = 0;
    for (const s of [...this.init, ...this.containers]) {
      if (s.proc?.running) {
        s.proc.signal(sig);
        n++;
      }
    }
    return n;
  }

  exec(container: string | undefined, argv: string[], timeoutMs: number, stdin?: string): Promise<ExecResult> {
    const p = this.mainProcess(container);
    if (!p)
      return Promise.resolve({
        exitCode: 126,
        stdout: '',
        stderr: `container ${container ?? '(main)'} of ${this.key} is not running`,
        timedOut: false,
      });
    return p.exec(argv, timeoutMs, stdin);
  }

  logPath(container: string): string {
    return join(this.logDir, `${container}.log`);
  }

  // ---- main flow ---------------------------------------------------------------------------

  private async run(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    mkdirSync(this.logDir, { recursive: true });
    writeInPlace(this.hostsPath, this.d.hostsFor(this.pod, this.podIP));
    writeInPlace(join(this.dir, 'etc-resolv.conf'), renderResolvConf(this.pod));
    writeInPlace(join(this.dir, 'etc-hostname'), `${podHostname(this.pod)}\n`);
    this.syncStatus();

    // Volumes: wait for claims to bind and referenced objects to exist.
    while (!this.terminating) {
      try {
        this.volumes = await this.podVolumes.materialise();
        break;
      } catch (err) {
        const reason =
          err instanceof NotReadyError
            ? 'ContainerCreating'
            : err instanceof ConfigError
              ? 'CreateContainerConfigError'
              : 'ContainerCreating';
        this.setWaitingAll(reason, (err as Error).message);
        await sleep(1000);
      }
    }
    if (this.terminating) return;
    this.sandboxReady = true;
    this.refreshTimer = setInterval(() => void this.podVolumes.refresh(), 10_000);
    this.refreshTimer.unref();
    this.syncStatus();

    // Init containers, in order. A sidecar only needs to have started.
    for (const s of this.init) {
      if (this.terminating) return;
      s.loop = this.containerLoop(s);
      if (s.sidecar) {
        while (!this.terminating && !s.view.started && !s.unmapped) await sleep(200);
      } else {
        await s.loop;
        if (s.view.state.kind !== 'terminated' || s.view.state.exitCode !== 0) {
          if (!this.terminating) this.finishPhase('Failed');
          return;
        }
      }
    }
    if (this.terminating) return;
    this.initialized = true;
    for (const s of this.containers) s.loop = this.containerLoop(s);
    this.phase = 'Running';
    this.syncStatus();

    await Promise.all(this.containers.map((s) => s.loop ?? Promise.resolve()));
    if (!this.terminating) {
      const failed = this.containers.some((s) => s.view.state.kind === 'terminated' && s.view.state.exitCode !== 0);
      this.finishPhase(failed ? 'Failed' : 'Succeeded');
    }
  }

  private finishPhase(phase: 'Succeeded' | 'Failed'): void {
    this.phase = phase;
    for (const s of this.init) if (s.sidecar) void this.stopContainer(s, 2);
    this.syncStatus();
  }

  /** Runs one container until it should no longer be restarted. */
  private async containerLoop(s: Slot): Promise<void> {
    let attempt = 0;
    for (;;) {
      if (this.terminating) return;
      const policy = s.sidecar
        ? 'Always'
        : s.init
          ? this.pod.spec?.restartPolicy === 'Never'
            ? 'Never'
            : 'OnFailure'
          : (this.pod.spec?.restartPolicy ?? 'Always');

      let env: Record<string, string>;
      try {
        env = await resolveEnv(this.podWithStatus(), s.spec, this.d.sources, this.d.baseEnv(this.pod));
      } catch (err) {
        this.setState(s, {
          kind: 'waiting',
          reason: err instanceof ConfigError ? 'CreateContainerConfigError' : 'CreateContainerError',
          message: (err as Error).message,
        });
        await sleep(2000);
        continue;
      }
      // Termination may have begun while env was being resolved: never start a
      // process that nobody would stop.
      if (this.terminating) return;
      const cmd = s.spec.command?.map((a) => expand(a, env));
      const args = s.spec.args?.map((a) => expand(a, env));
      const plan: LaunchPlan = planLaunch(s.spec.image ?? '', cmd, args, this.d.images, this.d.binDirs);
      if (plan.kind === 'unmapped') {
        // No local stand-in: a no-op that counts as ready/complete so it never blocks the pod.
        s.unmapped = true;
        s.view.ready = true;
        s.view.imageID = `rk-agent://unmapped/${s.spec.image ?? ''}`;
        this.setState(
          s,
          s.init && !s.sidecar
            ? {
                kind: 'terminated',
                exitCode: 0,
                reason: 'Completed',
                message: plan.message,
                startedAt: new Date(),
                finishedAt: new Date(),
              }
            : { kind: 'waiting', reason: plan.reason, message: plan.message },
        );
        if (attempt === 0) this.d.log(`pod ${this.key} container ${s.spec.name}: ${plan.message}`);
        return;
      }

      if (attempt > 0) s.view.restartCount++;
      attempt++;
      const proc = this.launch(s, plan, env);
      s.proc = proc;
      s.killReason = undefined;
      s.view.imageID = `rk-agent://${plan.mapping?.name ?? 'host'}/${plan.argv[0] ?? ''}`;
      s.view.containerID = `rk-agent://${this.uid}/${s.spec.name}/${++this.containerSeq}`;
      s.view.started = !s.spec.startupProbe;
      this.setState(s, { kind: 'running', startedAt: proc.startedAt });
      this.startProbes(s, proc);
      if (s.spec.lifecycle?.postStart) void this.runHook(s, s.spec.lifecycle.postStart, 30_000, 'PostStartHook');

      const exit = await proc.exited;
      for (const p of s.probes) p.stop();
      s.probes = [];
      s.view.ready = false;
      const term: ContainerState = {
        kind: 'terminated',
        exitCode: exit.exitCode,
        reason: s.killReason ?? (exit.exitCode === 0 ? 'Completed' : 'Error'),
        startedAt: exit.startedAt,
        finishedAt: exit.finishedAt,
        ...(exit.signal ? { message: `killed by ${exit.signal}` } : {}),
      };
      this.setState(s, term);
      if (this.terminating) return;
      const restart = policy === 'Always' || (policy === 'OnFailure' && exit.exitCode !== 0);
      if (!restart) return;

      // Restart with a short backoff (the kubelet's is 10s..5min; tests can't wait that long).
      const ranMs = exit.finishedAt.getTime() - exit.startedAt.getTime();
      const delay =
        ranMs > 60_000
          ? RESTART_BACKOFF_MS[0]!
          : RESTART_BACKOFF_MS[Math.min(attempt - 1, RESTART_BACKOFF_MS.length - 1)]!;
      s.view.lastState = term;
      this.setState(s, {
        kind: 'waiting',
        reason: 'CrashLoopBackOff',
        message: `back-off ${delay / 1000}s restarting failed container=${s.spec.name} pod=${this.name}`,
      });
      await sleep(delay);
    }
  }

  private launch(s: Slot, plan: Extract<LaunchPlan, { kind: 'run' }>, env: Record<string, string>): ContainerProcess {
    const mounts: Mount[] = [];
    for (const vm of s.spec.volumeMounts ?? []) {
      const v = this.volumes?.get(vm.name);
      if (!v) continue;
      const sub = vm.subPath ? expand(vm.subPath, env) : vm.subPathExpr ? expand(vm.subPathExpr, env) : '';
      let hostPath = v.hostPath;
      if (sub) {
        hostPath = join(v.hostPath, sub);
        // Like the kubelet: a missing subPath of a writable volume is created as a directory.
        if (!v.readOnly) mkdirSync(hostPath, { recursive: true });
      }
      mounts.push({ hostPath, containerPath: vm.mountPath, readOnly: v.readOnly || !!vm.readOnly });
    }
    const userMounts = new Set(mounts.map((m) => m.containerPath));
    const sys = (file: string, at: string) => {
      if (!userMounts.has(at)) mounts.push({ hostPath: join(this.dir, file), containerPath: at, readOnly: false });
    };
    sys('etc-hosts', '/etc/hosts');
    sys('etc-resolv.conf', '/etc/resolv.conf');
    sys('etc-hostname', '/etc/hostname');
    if (plan.binDir) mounts.push({ hostPath: plan.binDir, containerPath: '/usr/local/bin', readOnly: true });
    // A volume mounted above the image's own files (an emptyDir on /tmp over a checkout under /tmp)
    // would hide them: such a volume is left out, and the pod sees the host's directory there.
    const hides = (m: Mount) =>
      (plan.imagePaths ?? []).some((p) => p === m.containerPath || p.startsWith(m.containerPath.replace(/\/?$/, '/')));
    for (let i = mounts.length - 1; i >= 0; i--) if (hides(mounts[i]!)) mounts.splice(i, 1);
    this.d.registerMountpoints(hostMountpointsToCreate(mounts));

    const fullEnv = { ...env };
    fullEnv.RK_POD_IP = this.podIP;
    if (this.d.shimPath) fullEnv.LD_PRELOAD = [this.d.shimPath, fullEnv.LD_PRELOAD].filter(Boolean).join(':');
    return ContainerProcess.start({
      dir: join(this.dir, 'containers', s.spec.name),
      argv: plan.argv,
      env: fullEnv,
      mounts,
      hostname: podHostname(this.pod),
      workingDir: s.spec.workingDir,
      defaultWorkdir: plan.workdir,
      logPath: this.logPath(s.spec.name),
    });
  }

  private startProbes(s: Slot, proc: ContainerProcess): void {
    const target = { podIP: this.podIP, container: s.spec, exec: (argv: string[], t: number) => proc.exec(argv, t) };
    const startOthers = () => {
      const c = s.spec;
      if (c.readinessProbe && !(s.init && !s.sidecar)) {
        const r = new Prober('readiness', c.readinessProbe, target, (ok) => {
          s.view.ready = ok && s.view.started;
          this.syncStatus();
        });
        s.probes.push(r);
        r.start();
      } else {
        s.view.ready = true;
      }
      if (c.livenessProbe) {
        const l = new Prober('liveness', c.livenessProbe, target, (ok, out) => {
          if (!ok) void this.killForRestart(s, proc, 'Error', `Liveness probe failed: ${out}`);
        });
        s.probes.push(l);
        l.start();
      }
      this.syncStatus();
    };
    if (s.spec.startupProbe) {
      const st = new Prober('startup', s.spec.startupProbe, target, (ok, out) => {
        if (ok) {
          st.stop();
          s.view.started = true;
          startOthers();
        } else {
          void this.killForRestart(s, proc, 'Error', `Startup probe failed: ${out}`);
        }
      });
      s.probes.push(st);
      st.start();
    } else {
      startOthers();
    }
  }

  private async killForRestart(s: Slot, proc: ContainerProcess, reason: string, message: string): Promise<void> {
    if (s.proc !== proc || !proc.running) return;
    this.d.log(`pod ${this.key} container ${s.spec.name}: ${message}; restarting`);
    s.killReason = reason;
    for (const p of s.probes) p.stop();
    await this.stopContainer(s, this.gracePeriod());
  }

  private async runHook(
    s: Slot,
    h: NonNullable<V1Lifecycle['postStart']>,
    timeoutMs: number,
    what: string,
  ): Promise<void> {
    const proc = s.proc;
    if (!proc) return;
    if (h.exec?.command) {
      const r = await proc.exec(h.exec.command, timeoutMs);
      if (r.exitCode !== 0)
        this.d.log(
          `pod ${this.key} container ${s.spec.name}: ${what} exited ${r.exitCode}: ${(r.stdout + r.stderr).trim().slice(0, 300)}`,
        );
    } else if (h.sleep?.seconds) {
      await sleep(Math.min(timeoutMs, h.sleep.seconds * 1000));
    }
  }

  private gracePeriod(): number {
    return this.pod.metadata?.deletionGracePeriodSeconds ?? this.pod.spec?.terminationGracePeriodSeconds ?? 30;
  }

  /** preStop hook, SIGTERM to the group, SIGKILL after the grace period; resolves when exited. */
  private async stopContainer(s: Slot, graceSeconds: number): Promise<void> {
    const proc = s.proc;
    if (!proc?.running) return;
    const deadline = Date.now() + graceSeconds * 1000;
    if (s.spec.lifecycle?.preStop && graceSeconds > 0) {
      await Promise.race([this.runHook(s, s.spec.lifecycle.preStop, graceSeconds * 1000, 'PreStopHook'), proc.exited]);
    }
    proc.signal('SIGTERM');
    proc.signal('SIGCONT'); // a paused (SIGSTOPped) container must be able to see the SIGTERM
    const left = Math.max(0, deadline - Date.now());
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), left).unref());
    if ((await Promise.race([proc.exited, timer])) === 'timeout') proc.signal('SIGKILL');
    await proc.exited;
  }

  /** Graceful pod termination, then removal of the pod object. */
  private async terminate(graceOverride?: number): Promise<void> {
    this.terminating = true;
    const grace = graceOverride ?? this.gracePeriod();
    this.d.log(`pod ${this.key} terminating (grace ${grace}s)`);
    // Regular containers first, then sidecars (reverse order), like the kubelet.
    await Promise.all(this.containers.map((s) => this.stopContainer(s, grace)));
    for (const s of [...this.init].reverse()) await this.stopContainer(s, Math.min(grace, 2));
    await Promise.all([...this.init, ...this.containers].map((s) => s.loop ?? Promise.resolve()));
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    if (this.statusTimer) clearTimeout(this.statusTimer);
    if (!this.gone) {
      try {
        await this.d.clients.core.deleteNamespacedPod({
          name: this.name,
          namespace: this.namespace,
          gracePeriodSeconds: 0,
          body: { gracePeriodSeconds: 0, preconditions: { uid: this.uid } },
        });
      } catch (err) {
        if (!isNotFound(err) && (err as { code?: number }).code !== 409)
          this.d.log(`delete ${this.key} failed: ${describeError(err)}`);
      }
    }
    this.podVolumes.remove();
    rmSync(this.dir, { recursive: true, force: true });
    this.d.finished(this);
  }

  /** Immediate SIGKILL of everything (agent shutdown). */
  killNow(): void {
    this.terminating = true;
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    if (this.statusTimer) clearTimeout(this.statusTimer);
    for (const s of [...this.init, ...this.containers]) {
      for (const p of s.probes) p.stop();
      s.proc?.signal('SIGKILL');
    }
  }

  /** Rewrites the pod's /etc/hosts if the cluster changed. */
  refreshHosts(): void {
    if (!this.gone) writeInPlace(this.hostsPath, this.d.hostsFor(this.pod, this.podIP));
  }

  // ---- status ------------------------------------------------------------------------------

  private setState(s: Slot, state: ContainerState): void {
    s.view.state = state;
    this.syncStatus();
  }

  private setWaitingAll(reason: string, message: string): void {
    for (const s of [...this.init, ...this.containers]) s.view.state = { kind: 'waiting', reason, message };
    this.syncStatus();
  }

  /** Coalesces status changes into at most one in-flight patch. */
  syncStatus(): void {
    if (this.gone || this.terminating) return;
    if (this.statusTimer) return;
    this.statusTimer = setTimeout(() => {
      this.statusTimer = undefined;
      void this.pushStatus();
    }, 20);
  }

  private async pushStatus(): Promise<void> {
    if (this.statusInFlight) {
      this.statusAgain = true;
      return;
    }
    this.statusInFlight = true;
    try {
      const view: PodView = {
        pod: this.pod,
        podIP: this.podIP,
        hostIP: this.d.hostIP,
        startTime: this.startTime,
        initialized: this.initialized,
        sandboxReady: this.sandboxReady,
        phase: this.phase,
        init: this.init.map((s) => s.view),
        containers: this.containers.map((s) => s.view),
      };
      const status = buildStatus(view, this.transitions);
      const json = JSON.stringify(status);
      if (json !== this.lastStatusJson && !this.gone && !this.terminating) {
        // The uid makes the patch a precondition, as the kubelet's is: a runner of a pod already
        // deleted must never write its status (its old IP) onto the next pod of that name.
        await this.d.clients.core.patchNamespacedPodStatus(
          { name: this.name, namespace: this.namespace, body: { metadata: { uid: this.uid }, status } },
          strategicMergePatch,
        );
        this.lastStatusJson = json;
      }
    } catch (err) {
      // Gone, or replaced by another pod of the same name (the uid precondition failed).
      const replaced = (err as { code?: number }).code === 409 && /UID/i.test(describeError(err));
      if (!isNotFound(err) && !replaced) {
        this.d.log(`status ${this.key}: ${describeError(err)}`);
        setTimeout(() => this.syncStatus(), 1000).unref();
      }
    } finally {
      this.statusInFlight = false;
      if (this.statusAgain) {
        this.statusAgain = false;
        this.syncStatus();
      }
    }
  }
}
