/**
 * The `ingest` section of the config: guards on what the processor accepts
 * from the features topic before it reaches the windows.
 *
 * `max_event_time_ahead` bounds how far past the event-time watermark (plus
 * the allowed out-of-orderness) a feature row's event time may be. A row
 * beyond it — a clock in the wrong unit (µs for ms), a year typo — would
 * otherwise lift its partition's watermark past every real window and hold
 * the partition back behind the labels forever; it goes to the dead-letter
 * topic instead. Generous by default (30 days): a legitimate backlog replayed
 * with one partition ahead of another stays well inside it. `off` disables it.
 *
 * Wiring (the coordinator's line in cli/config.ts, inside configSchema's object):
 *   ingest: ingestSection,
 * Until then ingestSettingsOf() reads the defaults.
 */
import { z } from 'zod';
import { parseDuration } from './duration.js';

export const DEFAULT_MAX_EVENT_TIME_AHEAD = '30d';

const aheadBound = z.union([z.literal('off'), z.string(), z.number().positive()]).transform((value, ctx) => {
  if (value === 'off') return Infinity;
  if (typeof value === 'number') return value;
  try {
    return parseDuration(value, 'ingest.max_event_time_ahead');
  } catch (error) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: (error as Error).message });
    return z.NEVER;
  }
});

export const ingestSection = z
  .object({
    /** Milliseconds (Infinity when `off`). */
    max_event_time_ahead: aheadBound.default(DEFAULT_MAX_EVENT_TIME_AHEAD),
  })
  .strict()
  .default({});

export type IngestSettings = z.infer<typeof ingestSection>;

/** The ingest settings of a loaded config: its `ingest` section once the schema has one, else the defaults. */
export function ingestSettingsOf(config: object): IngestSettings {
  const section = (config as { ingest?: IngestSettings }).ingest;
  return section ?? ingestSection.parse(undefined);
}
