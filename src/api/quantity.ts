// Kubernetes resource quantities, as the apiserver understands them. Written here rather than
// taken from @kubernetes/client-node because that library only offers a lossy float parser and
// we need exact byte counts (maxmemory) and a strict syntax check that rejects "2GB".

const BINARY: Record<string, bigint> = {
  Ki: 1024n,
  Mi: 1024n ** 2n,
  Gi: 1024n ** 3n,
  Ti: 1024n ** 4n,
  Pi: 1024n ** 5n,
  Ei: 1024n ** 6n,
};
const DECIMAL: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

/** The Kubernetes quantity grammar: sign, digits with optional fraction, then a binary or decimal suffix or an exponent. */
export const QUANTITY_PATTERN =
  '^[+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$';
const quantityRe = new RegExp(QUANTITY_PATTERN);

export function isQuantity(s: string): boolean {
  return quantityRe.test(s);
}

/** Kubernetes caps every quantity at 2^63-1 of its base unit. */
const MAX_MILLI = (2n ** 63n - 1n) * 1000n;

/** Quantity as a fraction numerator/denominator-free decimal value in "milli-units" (exact for anything we render). */
function toMilli(s: string): bigint {
  const m = /^[+]?([0-9]*)(?:\.([0-9]*))?(.*)$/.exec(s);
  if (!m || !isQuantity(s)) throw new Error(`not a quantity: ${s}`);
  const whole = m[1] ?? '';
  const frac = m[2] ?? '';
  const suffix = m[3] ?? '';
  const digits = BigInt((whole || '0') + frac);
  if (digits === 0n) return 0n;
  const exp = suffix in BINARY ? 0 : suffix in DECIMAL ? DECIMAL[suffix]! : Number(suffix.slice(1));
  // Decided before any arithmetic: "1e999999999" would otherwise build a billion-digit BigInt
  // (seconds of CPU, then a RangeError) — and past the cap the exact value does not matter.
  const intDigits = whole.replace(/^0+/, '').length;
  if (exp + intDigits > 40) return MAX_MILLI;
  if (exp + intDigits < -40) return 1n;
  const scale = frac.length; // value = digits / 10^scale
  let numer = digits * 1000n;
  let denom = 10n ** BigInt(scale);
  if (suffix in BINARY) numer *= BINARY[suffix]!;
  else if (exp >= 0) numer *= 10n ** BigInt(exp);
  else denom *= 10n ** BigInt(-exp);
  // Round up, as Kubernetes does for sub-unit precision.
  const milli = (numer + denom - 1n) / denom;
  return milli > MAX_MILLI ? MAX_MILLI : milli;
}

/** Whole bytes (rounded up). */
export function quantityToBytes(s: string): number {
  return Number((toMilli(s) + 999n) / 1000n);
}

export function quantityToMillicores(s: string): number {
  return Number(toMilli(s));
}

/** Rounds up to whole Gi — what storage classes provision anyway. */
export function bytesToGiCeil(bytes: number): string {
  return `${Math.max(1, Math.ceil(bytes / 1024 ** 3))}Gi`;
}
