/**
 * Least-squares polynomial fit (numpy.polyfit without weights), by the
 * normal equations solved with partial pivoting — plenty for the handful of
 * well-spread points it is used on (Anderson-Darling's interpolation table).
 * Coefficients are returned highest power first, like numpy.
 */
export function polyfit(x: readonly number[], y: readonly number[], degree: number): number[] {
  const size = degree + 1;
  const matrix = Array.from({ length: size }, () => new Array<number>(size + 1).fill(0));
  for (let k = 0; k < x.length; k++) {
    const powers = Array.from({ length: size }, (_, p) => x[k]! ** (degree - p));
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) matrix[r]![c]! += powers[r]! * powers[c]!;
      matrix[r]![size]! += powers[r]! * y[k]!;
    }
  }
  for (let col = 0; col < size; col++) {
    let pivot = col;
    for (let r = col + 1; r < size; r++) if (Math.abs(matrix[r]![col]!) > Math.abs(matrix[pivot]![col]!)) pivot = r;
    [matrix[col], matrix[pivot]] = [matrix[pivot]!, matrix[col]!];
    for (let r = col + 1; r < size; r++) {
      const factor = matrix[r]![col]! / matrix[col]![col]!;
      for (let c = col; c <= size; c++) matrix[r]![c]! -= factor * matrix[col]![c]!;
    }
  }
  const coefficients = new Array<number>(size).fill(0);
  for (let r = size - 1; r >= 0; r--) {
    let s = matrix[r]![size]!;
    for (let c = r + 1; c < size; c++) s -= matrix[r]![c]! * coefficients[c]!;
    coefficients[r] = s / matrix[r]![r]!;
  }
  return coefficients;
}

/** numpy.polyval: Horner's scheme, coefficients highest power first. */
export function polyval(coefficients: readonly number[], x: number): number {
  let result = 0;
  for (const c of coefficients) result = result * x + c;
  return result;
}
