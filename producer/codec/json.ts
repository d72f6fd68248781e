/**
 * The JSON codec: one UTF-8 JSON object per message value. NaN and ±Infinity
 * cannot be written in JSON; JSON.stringify turns them into null, which is
 * what a missing value is on the wire anyway.
 */
import type { Codec, DecodeOutcome } from './codec.js';

export const jsonCodec: Codec = {
  format: 'json',
  async encode(_topic, records) {
    const values = new Array<Buffer>(records.length);
    for (let i = 0; i < records.length; i++) values[i] = Buffer.from(JSON.stringify(records[i]), 'utf8');
    return values;
  },
  async decode(_topic, values) {
    const outcomes = new Array<DecodeOutcome>(values.length);
    for (let i = 0; i < values.length; i++) outcomes[i] = decodeJson(values[i]!);
    return outcomes;
  },
};

export function decodeJson(value: Buffer | null): DecodeOutcome {
  if (value === null || value.length === 0) return { error: 'empty message value' };
  try {
    return { value: JSON.parse(value.toString('utf8')) };
  } catch (error) {
    return { error: `not JSON: ${(error as Error).message}` };
  }
}
