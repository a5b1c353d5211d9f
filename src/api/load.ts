// Reading manifests: files or stdin, one or many YAML documents, with every document keeping
// its source so that findings can point at a line.
import { readFileSync } from 'node:fs';
import { LineCounter, parseAllDocuments, isMap, isNode, isScalar, isSeq, type Document } from 'yaml';
import type { PathSegment } from './diagnostics.js';

export class LoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoadError';
  }
}

export interface SourceDocument {
  /** Plain JS value of the document. */
  value: unknown;
  /** "file" or "file#2" for the second document of a file. */
  source: string;
  /** Line (1-based) where the value at this path, or its nearest existing parent, is written. */
  lineOf(path: readonly PathSegment[]): number | null;
}

export function readSource(file: string, stdin: () => string = () => readFileSync(0, 'utf8')): string {
  if (file === '-') return stdin();
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a directory'
            : (e as Error).message;
    throw new LoadError(`${file}: cannot read file: ${why}`);
  }
}

export function parseDocuments(text: string, file: string): SourceDocument[] {
  const name = file === '-' ? '<stdin>' : file;
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  if (!Array.isArray(docs)) throw new LoadError(`${name}: no YAML documents`);
  const out: SourceDocument[] = [];
  for (const doc of docs as Document.Parsed[]) {
    const err = doc.errors[0];
    if (err) {
      const pos = lines.linePos(err.pos[0]);
      const msg = err.message.split('\n')[0] ?? err.message;
      throw new LoadError(`${name}:${pos.line}: YAML syntax error: ${msg.replace(/ at line \d+, column \d+.*$/, '')}`);
    }
    // An empty document between separators (or after a trailing `---`) parses as an empty
    // null scalar, not as null contents; an explicit `null` or `~` has a non-empty source.
    const c = doc.contents;
    if (c === null || (isScalar(c) && c.value === null && !c.source)) continue;
    const source = docs.length > 1 ? `${name}#${out.length + 1}` : name;
    // A field's line is its key's line: a mapping value starts on the line below its key.
    const lineAt = (path: readonly PathSegment[]): number | null => {
      if (path.length === 0)
        return isNode(doc.contents) && doc.contents.range ? lines.linePos(doc.contents.range[0]).line : null;
      const parent = doc.getIn(path.slice(0, -1), true);
      const last = path[path.length - 1]!;
      if (isMap(parent)) {
        const pair = parent.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(last));
        const node = pair && isNode(pair.key) ? pair.key : null;
        return node?.range ? lines.linePos(node.range[0]).line : null;
      }
      if (isSeq(parent) && typeof last === 'number') {
        const node = parent.items[last];
        return isNode(node) && node.range ? lines.linePos(node.range[0]).line : null;
      }
      return null;
    };
    out.push({
      value: doc.toJS({ maxAliasCount: 100 }),
      source,
      lineOf(path) {
        for (let n = path.length; n >= 0; n--) {
          const line = lineAt(path.slice(0, n));
          if (line !== null) return line;
        }
        return null;
      },
    });
  }
  if (out.length === 0) throw new LoadError(`${name}: empty: no YAML document found`);
  return out;
}
