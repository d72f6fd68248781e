/**
 * The `retrain` section of the config: when persistent dataset drift turns
 * into a retrain request (processor/retrain/). Kept in its own file so the
 * config schema (cli/config.ts) takes it with one line:
 *
 *   retrain: retrainSection,
 *
 * Until that line is in, the section is read here with its default, so the
 * processor and `driftwatch run` already raise requests after 3 windows.
 */
import { z } from 'zod';
import { UsageError } from './errors.js';

/** Drifted windows in a row (event-time order) that make one retrain request. */
export const DEFAULT_CONSECUTIVE_WINDOWS = 3;

export const retrainSection = z
  .object({
    consecutive_windows: z.number().int().min(1).max(10_000).default(DEFAULT_CONSECUTIVE_WINDOWS),
  })
  .strict()
  .default({});

export type RetrainSection = z.infer<typeof retrainSection>;

export interface RetrainSettings {
  readonly consecutiveWindows: number;
}

/**
 * The retrain settings of a loaded config; its `retrain` section is optional
 * (absent → the defaults). Throws naming the key when the section is invalid.
 */
export function retrainSettingsOf(config: object): RetrainSettings {
  const raw = (config as { retrain?: unknown }).retrain;
  const parsed = retrainSection.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = ['retrain', ...issue.path].join('.');
    throw new UsageError(`config ${where}: ${issue.message}`);
  }
  return { consecutiveWindows: parsed.data.consecutive_windows };
}
