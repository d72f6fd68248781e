/**
 * 64-bit integers as JavaScript numbers without a BigInt per value: an
 * Int64/Timestamp buffer is read as pairs of 32-bit words (little-endian),
 * value = high · 2³² + low. Exact while |value| < 2⁵³; beyond that the nearest
 * double, the same rounding `Number(bigint)` would give for our magnitudes
 * (epoch nanoseconds lose sub-microsecond digits, never milliseconds).
 */
const TWO_POW_32 = 4294967296;

/**
 * The first `length` values of an int64/uint64 buffer as numbers × `scale`,
 * written into `out` from `at` (a new array when not given).
 */
export function int64ToNumbers(
  values: BigInt64Array | BigUint64Array,
  length: number,
  out: Float64Array = new Float64Array(length),
  at = 0,
  scale = 1,
): Float64Array {
  const low = new Uint32Array(values.buffer, values.byteOffset, length * 2);
  const high = values instanceof BigInt64Array ? new Int32Array(values.buffer, values.byteOffset, length * 2) : low;
  if (scale === 1) for (let i = 0; i < length; i++) out[at + i] = high[2 * i + 1]! * TWO_POW_32 + low[2 * i]!;
  else for (let i = 0; i < length; i++) out[at + i] = (high[2 * i + 1]! * TWO_POW_32 + low[2 * i]!) * scale;
  return out;
}

/** Integral numbers (|v| < 2⁵³) as little-endian signed 64-bit integers, one view, no BigInt per value. */
export function numbersToInt64(values: ArrayLike<number>): BigInt64Array {
  const target = new BigInt64Array(values.length);
  const words = new Uint32Array(target.buffer);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    const high = Math.floor(value / TWO_POW_32);
    words[2 * i] = value - high * TWO_POW_32;
    words[2 * i + 1] = high >>> 0;
  }
  return target;
}
