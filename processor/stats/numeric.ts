/**
 * Small floating-point helpers that reproduce numpy's own rounding rules, so
 * ports of scipy code take the same branches as scipy does.
 */

/** numpy.round / Python round: half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round rounds .5 up; numpy rounds ties to the even neighbour.
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** numpy's float floor_divide (npy_divmod): floor((a − fmod(a, b)) / b), corrected. */
export function floorDivide(a: number, b: number): number {
  let mod = a % b;
  let div = (a - mod) / b;
  if (mod !== 0 && (b < 0) !== (mod < 0)) {
    mod += b;
    div -= 1;
  }
  if (div === 0) return a / b < 0 ? -0 : 0;
  let floorDiv = Math.floor(div);
  if (div - floorDiv > 0.5) floorDiv += 1;
  return floorDiv;
}

/**
 * Neumaier (compensated) sum: the error does not grow with the length, so a
 * long sum of non-negative terms agrees with numpy's pairwise sum to ~1 ulp.
 */
export class CompensatedSum {
  private sum = 0;
  private compensation = 0;

  add(value: number): void {
    const t = this.sum + value;
    if (Math.abs(this.sum) >= Math.abs(value)) this.compensation += this.sum - t + value;
    else this.compensation += value - t + this.sum;
    this.sum = t;
  }

  get value(): number {
    return this.sum + this.compensation;
  }
}

/** Round a non-negative finite double to IEEE half precision (numpy float16), ties to even. */
export function toFloat16(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  if (a > 65504) return sign * Infinity;
  // Half has 11 significant bits; subnormals below 2^-14 share the quantum 2^-24.
  const exponent = Math.max(Math.floor(Math.log2(a)), -14);
  const quantum = 2 ** (exponent - 10);
  const scaled = a / quantum;
  const rounded = roundHalfEven(scaled);
  return sign * rounded * quantum;
}
