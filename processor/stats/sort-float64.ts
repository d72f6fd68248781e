/**
 * Ascending sort of a Float64Array, in place, in the order of
 * Float64Array.prototype.sort (−0 before +0; NaN must not occur — profiles
 * drop it first). Large samples use an LSD radix sort on the IEEE-754 bits:
 * four 16-bit passes, O(n), 1.2–1.7× faster than the built-in comparison
 * sort from ~40k values on (sorting is most of a drift report's time).
 *
 * The bits are mapped to unsigned integers that order like the numbers:
 * negative → all bits flipped, positive → sign bit set.
 */
const RADIX_FROM = 40_000;
const DIGIT = 16;
const BUCKETS = 1 << DIGIT;

export function sortFloat64(values: Float64Array): Float64Array {
  const n = values.length;
  if (n < RADIX_FROM) return values.sort();
  const words = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const l = words[2 * i]!;
    const h = words[2 * i + 1]!;
    if (h & 0x80000000) {
      lo[i] = ~l >>> 0;
      hi[i] = ~h >>> 0;
    } else {
      lo[i] = l;
      hi[i] = (h | 0x80000000) >>> 0;
    }
  }
  let loOut = new Uint32Array(n);
  let hiOut = new Uint32Array(n);
  const counts = new Uint32Array(BUCKETS);
  for (let pass = 0; pass < 4; pass++) {
    const source = pass < 2 ? lo : hi;
    const shift = (pass % 2) * DIGIT;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(source[i]! >>> shift) & 0xffff]!++;
    // Skip a pass whose digit is the same everywhere (common for the high bits).
    if (counts[(source[0]! >>> shift) & 0xffff] === n) continue;
    let total = 0;
    for (let b = 0; b < BUCKETS; b++) {
      const c = counts[b]!;
      counts[b] = total;
      total += c;
    }
    for (let i = 0; i < n; i++) {
      const at = counts[(source[i]! >>> shift) & 0xffff]!++;
      loOut[at] = lo[i]!;
      hiOut[at] = hi[i]!;
    }
    [lo, loOut] = [loOut, lo];
    [hi, hiOut] = [hiOut, hi];
  }
  for (let i = 0; i < n; i++) {
    const h = hi[i]!;
    if (h & 0x80000000) {
      words[2 * i] = lo[i]!;
      words[2 * i + 1] = (h & 0x7fffffff) >>> 0;
    } else {
      words[2 * i] = ~lo[i]! >>> 0;
      words[2 * i + 1] = ~h >>> 0;
    }
  }
  return values;
}
