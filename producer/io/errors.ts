/**
 * Why a table could not be read. The CLI turns the caller's mistakes
 * (a missing file, an unsupported extension, an unknown column) into usage
 * errors (exit 2) and everything else (a corrupt file) into failures (exit 1),
 * so the reason travels with the error instead of being parsed from its text.
 */
export type TableInputProblem = 'missing-file' | 'unsupported-format' | 'unknown-column' | 'unreadable';

export class TableInputError extends Error {
  override name = 'TableInputError';
  constructor(
    readonly problem: TableInputProblem,
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True for mistakes in how the reader was called rather than in the file's contents. */
  get isUsageProblem(): boolean {
    return this.problem !== 'unreadable';
  }
}

export function unknownColumnError(file: string, missing: readonly string[], available: readonly string[]): TableInputError {
  const what = missing.length === 1 ? `column "${missing[0]}"` : `columns ${missing.map((m) => `"${m}"`).join(', ')}`;
  return new TableInputError(
    'unknown-column',
    file,
    `${what} not found in ${file} (columns: ${available.join(', ')})`,
  );
}
