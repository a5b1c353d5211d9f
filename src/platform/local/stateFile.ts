// The local runtime's record on disk: which member listens where. It is what lets `rk status`
// and `rk down` work from another shell, and `rk up --base-port` move every member at once.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface LocalMemberRecord {
  port: number;
}

export interface LocalRecord {
  version: 1;
  instance: string;
  host: string;
  members: Record<string, LocalMemberRecord>;
}

export function readJsonFile<T>(file: string): T | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`${file}: not valid JSON (was it edited by hand?); move it away to start over`);
  }
}

/** Write-then-rename, so an interrupted `rk` never leaves a half-written record behind. */
export function writeFileAtomic(file: string, content: string, mode = 0o600): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, file);
}
