import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { render } from '../render/render.js';
import type { KubeObject } from '../render/objects.js';
import { CliError, loadInstances } from './input.js';

export function toYaml(objects: unknown[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}

export function renderCommand(opts: { file: string; output: string; outputDir?: string }): number {
  if (opts.output !== 'yaml' && opts.output !== 'json')
    throw new CliError(`-o must be yaml or json, got ${JSON.stringify(opts.output)}`, 2);
  const objects: KubeObject[] = [];
  for (const { instance } of loadInstances(opts.file)) {
    objects.push(...render(instance));
    if (instance.auth.enabled && instance.auth.generated) {
      process.stderr.write(
        `note: Secret ${instance.namespace}/${instance.auth.secretName} (key "${instance.auth.secretKey}") is not rendered: rk apply generates it; with kubectl, create it first\n`,
      );
    }
  }
  const format = (list: KubeObject[]) =>
    opts.output === 'json'
      ? JSON.stringify(list.length === 1 ? list[0] : { apiVersion: 'v1', kind: 'List', items: list }, null, 2) + '\n'
      : toYaml(list);
  if (opts.outputDir) {
    mkdirSync(opts.outputDir, { recursive: true });
    objects.forEach((o, i) => {
      const file = join(
        opts.outputDir!,
        `${String(i).padStart(2, '0')}-${o.kind.toLowerCase()}-${o.metadata.name}.${opts.output}`,
      );
      writeFileSync(file, format([o]));
    });
    process.stderr.write(`wrote ${objects.length} files to ${opts.outputDir}\n`);
  } else {
    process.stdout.write(format(objects));
  }
  return 0;
}
