// Validation findings. Every finding names the field as a dotted path (spec.sentinel.quorum)
// because that is what users search for in their file; the line is added when we know it.

export type Severity = 'error' | 'warning';
export type PathSegment = string | number;

export interface Diagnostic {
  severity: Severity;
  path: string;
  message: string;
  /** "file:line" where the field (or its nearest parent) is written, when known. */
  location?: string;
}

/** Keys that would make a dotted path ambiguous (label keys with dots, empty keys) are bracketed: labels["a.b/c"]. */
const PLAIN_KEY = /^[^.[\]"\s]+$/;

export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (!PLAIN_KEY.test(s)) out += `[${JSON.stringify(s)}]`;
    else out += out ? `.${s}` : s;
  }
  return out || '(document)';
}

export function formatDiagnostic(d: Diagnostic): string {
  const prefix = d.severity === 'warning' ? 'warning: ' : '';
  return `${prefix}${d.path}: ${d.message}${d.location ? ` (${d.location})` : ''}`;
}

/** Levenshtein distance, for "did you mean" hints on misspelled fields. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

export function closest(word: string, candidates: Iterable<string>): string | null {
  let best: string | null = null;
  let bestDist = Infinity;
  const lower = word.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return best !== null && bestDist <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}
