// A line diff in unified format. Objects are a few hundred lines at most and usually differ in
// a handful, so a common prefix/suffix trim plus a plain LCS table is fast and easy to trust.

type Op = { t: ' ' | '-' | '+'; line: string; a: number; b: number };

function editScript(a: string[], b: string[]): Op[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const am = a.slice(pre, a.length - suf);
  const bm = b.slice(pre, b.length - suf);
  const n = am.length;
  const m = bm.length;
  // lcs[i][j] = LCS length of am[i..] and bm[j..], as one flat array.
  const lcs = new Uint32Array((n + 1) * (m + 1));
  const at = (i: number, j: number) => lcs[i * (m + 1) + j]!;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * (m + 1) + j] = am[i] === bm[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
    }
  }
  const ops: Op[] = [];
  for (let k = 0; k < pre; k++) ops.push({ t: ' ', line: a[k]!, a: k, b: k });
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && am[i] === bm[j]) {
      ops.push({ t: ' ', line: am[i]!, a: pre + i, b: pre + j });
      i++;
      j++;
    }
    // Removals before additions at the same point, as diff(1) prints them.
    else if (j >= m || (i < n && at(i + 1, j) >= at(i, j + 1))) {
      ops.push({ t: '-', line: am[i]!, a: pre + i, b: pre + j });
      i++;
    } else {
      ops.push({ t: '+', line: bm[j]!, a: pre + i, b: pre + j });
      j++;
    }
  }
  for (let k = 0; k < suf; k++)
    ops.push({ t: ' ', line: a[a.length - suf + k]!, a: a.length - suf + k, b: b.length - suf + k });
  return ops;
}

/** Unified diff body: "@@ -l,n +l,n @@" hunks of " ", "-", "+" lines; [] when equal. */
export function unifiedDiff(a: string[], b: string[], context = 3): string[] {
  const ops = editScript(a, b);
  const changed = ops.flatMap((o, i) => (o.t === ' ' ? [] : [i]));
  if (changed.length === 0) return [];
  const out: string[] = [];
  let k = 0;
  while (k < changed.length) {
    let end = k;
    // Changes closer than two contexts apart share a hunk.
    while (end + 1 < changed.length && changed[end + 1]! - changed[end]! <= 2 * context + 1) end++;
    const from = Math.max(0, changed[k]! - context);
    const to = Math.min(ops.length - 1, changed[end]! + context);
    const hunk = ops.slice(from, to + 1);
    const aLen = hunk.filter((o) => o.t !== '+').length;
    const bLen = hunk.filter((o) => o.t !== '-').length;
    const first = hunk[0]!;
    out.push(`@@ -${aLen ? first.a + 1 : first.a},${aLen} +${bLen ? first.b + 1 : first.b},${bLen} @@`);
    for (const o of hunk) out.push(`${o.t}${o.line}`);
    k = end + 1;
  }
  return out;
}
