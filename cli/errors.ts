/**
 * Exit codes mean something: 0 ok, 1 the work failed (bad data, a service
 * down), 2 the command was called wrongly (unknown option value, missing file,
 * unknown column or test). Throw UsageError for the latter.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}
