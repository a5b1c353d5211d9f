import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { newPassword } from '../apply/authSecret.js';
import { rotatePassword } from '../engine/passwordRotation.js';
import { CliError, loadSingleInstance } from './input.js';
import {
  beginRotation,
  endRotation,
  engineContext,
  openExisting,
  passwordFile,
  pendingRotation,
} from './localRuntime.js';

export async function rotatePasswordCommand(o: {
  file: string;
  dir?: string;
  passwordFile?: string;
  timeout: number;
}): Promise<number> {
  const { instance: inst } = loadSingleInstance(o.file);
  if (!inst.auth.enabled)
    throw new CliError(`${inst.name}: spec.auth.enabled is false, there is no password to rotate`);
  const chosen = o.passwordFile ? readNewPassword(o.passwordFile) : null;
  const platform = openExisting(inst, o.dir);
  const log = (l: string) => process.stderr.write(`  ${l}\n`);
  const pending = pendingRotation(platform, inst);
  if (pending && chosen)
    log(
      'a rotation an earlier run began is finished first; --password-file is not used (run rk rotate-password again for it)',
    );
  const change = pending ?? beginRotation(platform, inst, chosen ?? newPassword());
  const ctx = engineContext(inst, platform, change.to, log, o.timeout * 1000);
  await rotatePassword(ctx, change);
  endRotation(platform);
  process.stdout.write(
    `${inst.name}: password rotated; the new one is in ${relative(process.cwd(), passwordFile(platform))}, the old one is refused\n`,
  );
  return 0;
}

/** A password chosen by the user (e.g. from a secret manager): one line, nothing a file trim would change. */
export function readNewPassword(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(
      `--password-file ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
    );
  }
  const pw = text.replace(/\r?\n$/, '');
  if (pw === '') throw new CliError(`--password-file ${file}: the file is empty`);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(pw))
    throw new CliError(`--password-file ${file}: the password must be one line without control characters`);
  if (pw.trim() !== pw)
    throw new CliError(`--password-file ${file}: the password must not start or end with whitespace`);
  if (pw.length < 16)
    throw new CliError(`--password-file ${file}: the password has ${pw.length} characters; use at least 16`);
  return pw;
}
