// The kubectl plugin (bin/kubectl-rk.js): `kubectl rk status|restart|promote|rotate-password NAME`. kubectl finds any
// executable named kubectl-rk on PATH and passes it the arguments after "rk", with none of its
// own flags, so the plugin takes kubectl's usual -n/--kubeconfig/--context itself.
import { Command } from 'commander';
import { parseSeconds } from './applyCommand.js';
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
    .action(async (name: string, o: Flags) =>
      setExit(await (await import('./kubectlStatusCommand.js')).kubectlStatusCommand({ ...o, name })),
    );
  resourceCommand('restart')
    .description(
      'failover-aware rolling restart of the data pods, done by the operator (replicas first, the master last)',
    )
    .argument('<name>', 'the RedisKubernetes resource')
    .action(async (name: string, o: Flags) =>
      setExit(await (await import('./kubectlRestartCommand.js')).kubectlRestartCommand({ ...o, name })),
    );
  resourceCommand('promote')
    .description(
      'planned switchover to POD, done by the operator: writes paused until POD has every write, then the role moves (refused with a reason when POD is not a synced replica)',
    )
    .argument('<name>', 'the RedisKubernetes resource')
    .argument('<pod>', 'the replica pod to make master')
    .option('--no-wait', 'only place the request; kubectl rk status shows the answer')
    .option('--timeout <seconds>', 'how long to wait for the answer', parseSeconds, 120)
    .action(async (name: string, pod: string, o: Flags & { wait: boolean; timeout: number }) =>
      setExit(await (await import('./kubectlPromoteCommand.js')).kubectlPromoteCommand({ ...o, name, pod })),
    );
  resourceCommand('rotate-password')
    .description(
      "a new password in the instance's Secret, carried to every running member live by the operator (no restart)",
    )
    .argument('<name>', 'the RedisKubernetes resource')
    .option(
      '--password-file <file>',
      'the new password (one line, 16+ characters; /dev/stdin works), else a random one',
    )
    .option('--no-wait', 'only write the Secret; do not wait for the members to be rotated')
    .option('--timeout <seconds>', 'how long to wait for the rotation', parseSeconds, 120)
    .action(async (name: string, o: Flags & { passwordFile?: string; wait: boolean; timeout: number }) =>
      setExit(await (await import('./kubectlRotatePasswordCommand.js')).kubectlRotatePasswordCommand({ ...o, name })),
    );
  return p;
}

type Flags = { namespace?: string; kubeconfig?: string; context?: string };

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
