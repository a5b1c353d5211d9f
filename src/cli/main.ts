// The rk command line: a thin shell over api, render, apply and engine. Exit codes are part of
// the contract: 0 ok, 1 invalid input or failed operation, 2 usage error.
import { Command } from 'commander';
import { crdCommand } from './crdCommand.js';
import { reportFailure } from './failure.js';
import { loadInstances } from './input.js';
import { renderCommand } from './renderCommand.js';

// Commander hands each action its own argument list; each .action() below declares its types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- no single parameter type fits them all
type Action = (...args: any[]) => number | Promise<number>;
// up/status/down and apply/diff/delete are imported when run: the engine, the Kubernetes client
// and their libraries would otherwise load (and could fail to load) for every `rk validate` and
// `rk render`, more than doubling their start-up time.

function program(setExit: (code: number) => void): Command {
  const run =
    (fn: Action) =>
    async (...args: unknown[]) =>
      setExit(await fn(...args));
  const p = new Command('rk')
    .description('Deploy and operate Valkey and Redis from one RedisKubernetes spec, on Kubernetes or locally')
    .version('0.1.0')
    .showHelpAfterError('(rk --help lists commands)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  p.command('validate')
    .description('check a spec; warnings on stderr (exit 0), errors as "path: message" (exit 1)')
    .requiredOption('-f, --file <file>', 'spec file, or - for stdin')
    .action(
      run((o: { file: string }) => {
        const n = loadInstances(o.file).length;
        process.stderr.write(
          `${o.file === '-' ? '<stdin>' : o.file}: ${n} valid RedisKubernetes document${n === 1 ? '' : 's'}\n`,
        );
        return 0;
      }),
    );

  p.command('render')
    .description('print the Kubernetes objects for a spec')
    .requiredOption('-f, --file <file>', 'spec file, or - for stdin')
    .option('-o, --output <format>', 'yaml or json', 'yaml')
    .option('--output-dir <dir>', 'write one file per object instead of stdout')
    .action(run((o: { file: string; output: string; outputDir?: string }) => renderCommand(o)));

  p.command('crd')
    .description('print the RedisKubernetes CustomResourceDefinition')
    .option('-o, --output <format>', 'yaml or json', 'yaml')
    .action(run((o: { output: string }) => crdCommand(o)));

  p.command('up')
    .description('run the spec on this machine as real valkey/redis processes; returns when Ready')
    .requiredOption('-f, --file <file>', 'spec file, or - for stdin')
    .option('--dir <dir>', 'state directory (default ./.rk, or $RK_DIR)')
    .option('--base-port <port>', 'put members on consecutive ports from here (moves a stopped instance)')
    .option('--timeout <seconds>', 'how long to wait for Ready', (v) => Number(v), 60)
    .option('--show-password', 'print the password (it is otherwise only in the 0600 password file)')
    .action(
      run(async (o: { file: string; dir?: string; basePort?: string; timeout: number; showPassword?: boolean }) => {
        const basePort =
          o.basePort === undefined ? undefined : (await import('./localRuntime.js')).parsePort(o.basePort);
        return (await import('./upCommand.js')).upCommand({ ...o, basePort });
      }),
    );

  p.command('plan')
    .description('what rk up would change on a running local instance, without changing it')
    .requiredOption('-f, --file <file>', 'spec file, or - for stdin')
    .option('--dir <dir>', 'state directory (default ./.rk, or $RK_DIR)')
    .action(run(async (o: { file: string; dir?: string }) => (await import('./planCommand.js')).planCommand(o)));

  p.command('status')
    .description('roles, addresses, replication and slots of a local instance, as the servers report them')
    .requiredOption('-f, --file <file>', 'spec file, or - for stdin')
    .option('--dir <dir>', 'state directory (default ./.rk, or $RK_DIR)')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(
      run(async (o: { file: string; dir?: string; output: string }) =>
        (await import('./statusCommand.js')).statusCommand(o),
      ),
    );

  p.command('check')
    .description('write unique keys for a while, read them back: exit 1 if any acknowledged write was lost')
    .requiredOption('-f, --file <file>', 'spec file, or - for stdin')
    .option('--dir <dir>', 'state directory (default ./.rk, or $RK_DIR)')
    .option('--duration <time>', 'how long to write (10s, 500ms, 2m)', '10s')
    .option('--rate <n>', 'max writes per second', '1000')
    .option('--concurrency <n>', 'writers, each with its own connection (default 4; cluster 16)')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(
      run(
        async (o: {
          file: string;
          dir?: string;
          duration: string;
          rate: string;
          concurrency?: string;
          output: string;
        }) => (await import('./checkCommand.js')).checkCommand(o),
      ),
    );

  p.command('rotate-password')
    .description(
      'change the password of a running local instance without downtime: the new one is accepted everywhere before the old one is dropped',
    )
    .requiredOption('-f, --file <file>', 'spec file, or - for stdin')
    .option('--dir <dir>', 'state directory (default ./.rk, or $RK_DIR)')
    .option('--password-file <file>', 'take the new password from this file (default: generate 256 random bits)')
    .option('--timeout <seconds>', 'how long to wait for replicas to link again', (v) => Number(v), 60)
    .action(
      run(async (o: { file: string; dir?: string; passwordFile?: string; timeout: number }) =>
        (await import('./rotatePasswordCommand.js')).rotatePasswordCommand(o),
      ),
    );

  p.command('down')
    .description('stop every process of a local instance (gracefully); data is kept unless --purge')
    .requiredOption('-f, --file <file>', 'spec file, or - for stdin')
    .option('--dir <dir>', 'state directory (default ./.rk, or $RK_DIR)')
    .option('--purge', 'also delete the data and the password')
    .action(
      run(async (o: { file: string; dir?: string; purge?: boolean }) =>
        (await import('./downCommand.js')).downCommand(o),
      ),
    );

  // Cluster commands: kubectl's kubeconfig rules; --context picks a context from it.
  const cluster = (c: Command) =>
    c
      .requiredOption('-f, --file <file>', 'spec file, or - for stdin')
      .option(
        '--kubeconfig <file>',
        'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or the in-cluster service account)',
      )
      .option('--context <name>', 'kubeconfig context (default: the current context)');

  cluster(p.command('apply'))
    .description(
      'server-side apply the spec to a Kubernetes cluster, prune what it no longer renders, wait until Ready',
    )
    .option('--dry-run <mode>', '"server": the API server validates every object; nothing changes')
    .option('--timeout <seconds>', 'how long to wait for the rollout', '300')
    .option('--no-wait', 'return once applied, without waiting for the rollout')
    .option(
      '-o, --output <format>',
      'text, or json: one document per instance with the objects and the stack outputs (service, endpoints, password Secret)',
      'text',
    )
    .option(
      '--force-conflicts',
      'take over fields another field manager set to other values (otherwise such a conflict stops the apply before anything is written)',
    )
    .action(
      run(
        async (o: {
          file: string;
          kubeconfig?: string;
          context?: string;
          dryRun?: string;
          timeout: string;
          wait: boolean;
          forceConflicts?: boolean;
          output: string;
        }) => {
          const m = await import('./applyCommand.js');
          return m.applyCommand({ ...o, timeout: m.parseSeconds(o.timeout) });
        },
      ),
    );

  cluster(p.command('diff'))
    .description('show what rk apply would change (exit 0: nothing, 1: differences, 2: error)')
    .action(
      run(async (o: { file: string; kubeconfig?: string; context?: string }) =>
        (await import('./diffCommand.js')).diffCommand(o),
      ),
    );

  cluster(p.command('delete'))
    .description(
      'delete the instance from the cluster and wait for its pods to go; data and password are kept unless --purge',
    )
    .option('--purge', 'also delete the PersistentVolumeClaims (the data) and the generated password Secret')
    .option('--timeout <seconds>', 'how long to wait for the pods to go', '300')
    .action(
      run(async (o: { file: string; kubeconfig?: string; context?: string; purge?: boolean; timeout: string }) => {
        const parseSeconds = (await import('./applyCommand.js')).parseSeconds;
        return (await import('./deleteCommand.js')).deleteCommand({ ...o, timeout: parseSeconds(o.timeout) });
      }),
    );

  p.command('operator')
    .description(
      'run the RedisKubernetes controller against a cluster until interrupted (leader-elected: several may run)',
    )
    .option(
      '--kubeconfig <file>',
      'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or the in-cluster service account)',
    )
    .option('--context <name>', 'kubeconfig context (default: the current context)')
    .option('--namespace <ns>', 'watch only this namespace (default: every namespace)')
    .option('--lease-namespace <ns>', 'namespace of the leader-election Lease', 'default')
    .option('--health-port <port>', '/healthz, /readyz and /metrics on this port (0: any free port)', '8081')
    .option('--workers <n>', 'resources reconciled at once (never two reconciles of one resource)', '2')
    .action(
      run(async (o: Parameters<typeof import('./operatorCommand.js').operatorCommand>[0]) =>
        (await import('./operatorCommand.js')).operatorCommand(o),
      ),
    );

  p.command('install')
    .description('install the operator: the CRD, least-privilege RBAC, a ServiceAccount and a 2-replica Deployment')
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: the current context)')
    .option('--namespace <ns>', 'namespace of the operator (default: redis-kubernetes-system)')
    .option('--image <image>', 'the operator image (default: ghcr.io/redis-kubernetes/rk:0.1.0)')
    .option('--render', 'print the objects as YAML (for GitOps: rk install --render | kubectl apply -f -) instead')
    .action(
      run(async (o: Parameters<typeof import('./installCommand.js').installCommand>[0]) =>
        (await import('./installCommand.js')).installCommand(o),
      ),
    );

  p.command('uninstall')
    .description('remove the operator rk install installed; the namespace, the CRD and the resources stay')
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: the current context)')
    .option('--namespace <ns>', 'namespace of the operator (default: redis-kubernetes-system)')
    .option(
      '--crd',
      'also delete the CRD, and with it EVERY RedisKubernetes resource in the cluster (their objects go; PVCs stay)',
    )
    .option('--timeout <seconds>', 'how long to wait for the CRD to go (with --crd)', '300')
    .action(
      run(async (o: { kubeconfig?: string; context?: string; namespace?: string; crd?: boolean; timeout: string }) => {
        const parseSeconds = (await import('./applyCommand.js')).parseSeconds;
        return (await import('./installCommand.js')).uninstallCommand({ ...o, timeout: parseSeconds(o.timeout) });
      }),
    );

  return p;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  try {
    await program((c) => {
      code = c;
    }).parseAsync(argv);
    return code;
  } catch (e) {
    return reportFailure(e);
  }
}
