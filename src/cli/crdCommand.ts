import { customResourceDefinition } from '../api/crd.js';
import { CliError } from './input.js';
import { toYaml } from './renderCommand.js';

export function crdCommand(opts: { output: string }): number {
  const crd = customResourceDefinition();
  if (opts.output === 'json') process.stdout.write(JSON.stringify(crd, null, 2) + '\n');
  else if (opts.output === 'yaml') process.stdout.write(toYaml([crd]));
  else throw new CliError(`-o must be yaml or json, got ${JSON.stringify(opts.output)}`, 2);
  return 0;
}
