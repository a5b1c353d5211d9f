// The kubectl plugin (bin/kubectl-rk.js): `kubectl rk status|restart NAME [-n NS]`. kubectl finds any
// executable named kubectl-rk on PATH and passes it the arguments after "rk", with none of its
// own flags, so the plugin takes kubectl's usual -n/--kubeconfig/--context itself.
import { Command } from 'commander';
import { reportFailure } from './failure.js';

function program(setExit: (code: number) => void): Command {
  const p = new Command('kubectl rk')
    .description('RedisKubernetes resources, from their status and Events (no pod exec)')
    .exitOverride()
    // One line per error, the hint on it: scripts read the first line.
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(`${s.trimEnd()} (kubectl rk --help lists commands)\n`),
    });
  // kubectl's own flags, which it does not pass to plugins.
  const resourceCommand = (name: string) =>
    p
      .command(name)
      .option('-n, --namespace <ns>', 'its namespace (default: the kubeconfig context namespace, else "default")')
      .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
      .option('--context <name>', 'kubeconfig context (default: the current context)');
  resourceCommand('status')
    .description('phase, members (roles, links, lag, slots), conditions, stack outputs and recent Events')
    .argument('<name>', 'the RedisKubernetes resource')
    .action(async (name: string, o: { namespace?: string; kubeconfig?: string; context?: string }) =>
      setExit(await (await import('./kubectlStatusCommand.js')).kubectlStatusCommand({ ...o, name })),
    );
  resourceCommand('restart')
    .description(
      'failover-aware rolling restart of the data pods, done by the operator (replicas first, the master last)',
    )
    .argument('<name>', 'the RedisKubernetes resource')
    .action(async (name: string, o: { namespace?: string; kubeconfig?: string; context?: string }) =>
      setExit(await (await import('./kubectlRestartCommand.js')).kubectlRestartCommand({ ...o, name })),
    );
  return p;
}

export async function kubectlRkMain(argv: string[]): Promise<number> {
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
