/**
 * `driftwatch reference`: the reference set every window is compared with,
 * built once. A seeded sample of the processed training rows, the model's
 * predictions for them, and the column profiles of processor/drift/profile.ts
 * (sorted values, distinct values and counts, category counts) so the
 * processor starts without re-profiling.
 *
 * On disk, in one folder:
 * - reference.parquet: the sampled rows (row_id and event_time when present,
 *   the features, the target) plus `prediction` (a number per row) and, for a
 *   classifier that returns labels, `prediction_label`;
 * - profile.json: { format, version, meta, profiles }. Typed arrays are plain
 *   JSON number arrays (JSON numbers round-trip doubles exactly in JavaScript);
 *   a NaN mean/std/min/max (an all-missing column) is null.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { unsafeUniformIntDistribution, xoroshiro128plus } from 'pure-rand';
import { z } from 'zod';
import { takeRows, type Column, type Frame } from '../processor/frame.js';
import { profileReference, type ColumnSpec } from '../processor/drift/compare.js';
import type { CategoricalProfile, ColumnProfile, ColumnType, NumericalProfile } from '../processor/drift/types.js';
import type { ModelRunner, ModelTask } from '../processor/model/types.js';
import { EVENT_TIME_COLUMN, ROW_ID_COLUMN } from './adapt.js';
import { readColumnNames, readTable, writeParquet } from './io/index.js';

export const DEFAULT_REFERENCE_SIZE = 5000;
export const PREDICTION_COLUMN = 'prediction';
export const PREDICTION_LABEL_COLUMN = 'prediction_label';
export const REFERENCE_FILE = 'reference.parquet';
export const PROFILE_FILE = 'profile.json';
const FORMAT = 'driftwatch-reference';
const VERSION = 1;

export interface BuildReferenceOptions {
  /** A processed_train.parquet written by `adapt` (any readable table works). */
  readonly processedTrain: string;
  readonly outputDir: string;
  /** Rows to sample without replacement; all rows when the file has fewer. Default 5000. */
  readonly size?: number;
  /** Seed of the sample; a random one is drawn (and recorded in meta) when absent. */
  readonly seed?: number;
  readonly model: ModelRunner;
  readonly features: readonly ColumnSpec[];
  readonly target: string;
  /** Default: numerical for regression, categorical for classification. */
  readonly targetType?: ColumnType;
  readonly onProgress?: (message: string) => void;
}

export interface ReferenceMeta {
  readonly model: { readonly name: string; readonly task: ModelTask; readonly inputColumns: readonly string[] };
  readonly createdAt: string;
  readonly sampleSize: number;
  readonly sourceRows: number;
  readonly seed: number;
  readonly sourceFile: string;
  readonly features: readonly ColumnSpec[];
  readonly target: ColumnSpec;
  readonly predictions: readonly ColumnSpec[];
}

export interface Reference {
  readonly frame: Frame;
  readonly profiles: Map<string, ColumnProfile>;
  readonly meta: ReferenceMeta;
}

/**
 * `size` distinct row indices out of `rowCount`, ascending (so the sample
 * keeps the file's event-time order): a partial Fisher–Yates shuffle driven by
 * xoroshiro128+ from pure-rand, so the same seed always picks the same rows.
 */
export function sampleRowIndices(rowCount: number, size: number, seed: number): Int32Array {
  const indices = Int32Array.from({ length: rowCount }, (_, i) => i);
  if (size >= rowCount) return indices;
  const rng = xoroshiro128plus(seed);
  for (let i = 0; i < size; i++) {
    const j = unsafeUniformIntDistribution(i, rowCount - 1, rng);
    const swap = indices[i]!;
    indices[i] = indices[j]!;
    indices[j] = swap;
  }
  return indices.slice(0, size).sort();
}

export async function buildReference(options: BuildReferenceOptions): Promise<Reference> {
  const { processedTrain, outputDir, model, features, target, onProgress = () => {} } = options;
  const size = options.size ?? DEFAULT_REFERENCE_SIZE;
  if (!Number.isSafeInteger(size) || size < 1) throw new Error(`reference size must be a whole number ≥ 1, got ${size}`);
  const seed = options.seed ?? Math.floor(Math.random() * 0x7fffffff);
  const targetSpec: ColumnSpec = { name: target, type: options.targetType ?? (model.task === 'regression' ? 'numerical' : 'categorical') };

  const available = await readColumnNames(processedTrain);
  const bookkeeping = [ROW_ID_COLUMN, EVENT_TIME_COLUMN].filter((name) => available.includes(name));
  const wanted = unique([...bookkeeping, ...features.map((f) => f.name), target, ...model.inputColumns]);
  onProgress(`reading ${processedTrain}`);
  const source = await readTable(processedTrain, { columns: wanted });
  if (source.rowCount === 0) throw new Error(`${processedTrain} has no rows to sample`);

  const indices = sampleRowIndices(source.rowCount, size, seed);
  const sample = takeRows(source, indices);
  onProgress(`predicting ${sample.rowCount} of ${source.rowCount} rows with model ${model.name}`);
  const output = await model.predict(sample);
  if (output.prediction.length !== sample.rowCount) {
    throw new Error(`model ${model.name} returned ${output.prediction.length} predictions for ${sample.rowCount} rows`);
  }
  const predictionColumns: [string, Column][] = [[PREDICTION_COLUMN, { kind: 'number', values: output.prediction }]];
  const predictions: ColumnSpec[] = [{ name: PREDICTION_COLUMN, type: 'numerical' }];
  if (output.labels) {
    predictionColumns.push([PREDICTION_LABEL_COLUMN, { kind: 'string', values: output.labels }]);
    predictions.push({ name: PREDICTION_LABEL_COLUMN, type: 'categorical' });
  }
  const clash = predictionColumns.find(([name]) => sample.columns.has(name));
  if (clash) throw new Error(`${processedTrain} already has a column "${clash[0]}", the name of the model's output`);
  const frame: Frame = { rowCount: sample.rowCount, columns: new Map([...sample.columns, ...predictionColumns]) };

  const profiles = profileReference(frame, [...features, targetSpec, ...predictions]);
  const meta: ReferenceMeta = {
    model: { name: model.name, task: model.task, inputColumns: [...model.inputColumns] },
    createdAt: new Date().toISOString(),
    sampleSize: frame.rowCount,
    sourceRows: source.rowCount,
    seed,
    sourceFile: resolve(processedTrain),
    features: features.map(({ name, type }) => ({ name, type })),
    target: targetSpec,
    predictions,
  };
  await mkdir(outputDir, { recursive: true });
  onProgress(`writing ${join(outputDir, REFERENCE_FILE)} and ${PROFILE_FILE}`);
  await writeParquet(join(outputDir, REFERENCE_FILE), frame);
  await writeFile(join(outputDir, PROFILE_FILE), `${JSON.stringify(encodeReferenceProfile(meta, profiles))}\n`);
  return { frame, profiles, meta };
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names)];
}

// ---- profile.json ---------------------------------------------------------

const finiteOrNull = z.number().nullable();
const numericalJson = z.object({
  type: z.literal('numerical'),
  count: z.number().int().nonnegative(),
  dropped: z.number().int().nonnegative(),
  mean: finiteOrNull,
  std: finiteOrNull,
  min: finiteOrNull,
  max: finiteOrNull,
  sorted: z.array(z.number()),
  distinct: z.array(z.number()),
  distinctCounts: z.array(z.number()),
});
const categoricalJson = z.object({
  type: z.literal('categorical'),
  count: z.number().int().nonnegative(),
  dropped: z.number().int().nonnegative(),
  categories: z.array(z.string()),
  categoryCounts: z.array(z.number()),
});
const columnSpecJson = z.object({ name: z.string(), type: z.enum(['numerical', 'categorical']) });
const profileFileJson = z.object({
  format: z.literal(FORMAT),
  version: z.literal(VERSION),
  meta: z.object({
    model: z.object({ name: z.string(), task: z.enum(['regression', 'classification']), inputColumns: z.array(z.string()) }),
    createdAt: z.string(),
    sampleSize: z.number().int().nonnegative(),
    sourceRows: z.number().int().nonnegative(),
    seed: z.number(),
    sourceFile: z.string(),
    features: z.array(columnSpecJson),
    target: columnSpecJson,
    predictions: z.array(columnSpecJson),
  }),
  profiles: z.record(z.string(), z.discriminatedUnion('type', [numericalJson, categoricalJson])),
});
type ProfileJson = z.infer<typeof numericalJson> | z.infer<typeof categoricalJson>;

const nullIfNaN = (v: number): number | null => (Number.isNaN(v) ? null : v);
const nanIfNull = (v: number | null): number => (v === null ? NaN : v);

export function encodeReferenceProfile(meta: ReferenceMeta, profiles: ReadonlyMap<string, ColumnProfile>): z.infer<typeof profileFileJson> {
  const encoded: Record<string, ProfileJson> = {};
  for (const [name, p] of profiles) {
    encoded[name] = p.type === 'numerical'
      ? {
          type: 'numerical', count: p.count, dropped: p.dropped,
          mean: nullIfNaN(p.mean), std: nullIfNaN(p.std), min: nullIfNaN(p.min), max: nullIfNaN(p.max),
          sorted: Array.from(p.sorted), distinct: Array.from(p.distinct), distinctCounts: Array.from(p.distinctCounts),
        }
      : { type: 'categorical', count: p.count, dropped: p.dropped, categories: [...p.categories], categoryCounts: Array.from(p.categoryCounts) };
  }
  return { format: FORMAT, version: VERSION, meta: meta as z.infer<typeof profileFileJson>['meta'], profiles: encoded };
}

/** Restores typed arrays and checks the profile is self-consistent; `file` names it in errors. */
export function decodeProfile(name: string, json: ProfileJson, file: string): ColumnProfile {
  const fail = (why: string) => new Error(`${file}: profile of column "${name}" is inconsistent: ${why}`);
  if (json.type === 'categorical') {
    if (json.categories.length !== json.categoryCounts.length) throw fail('categories and counts differ in length');
    const profile: CategoricalProfile = { ...json, categoryCounts: Float64Array.from(json.categoryCounts) };
    return profile;
  }
  if (json.sorted.length !== json.count) throw fail(`${json.sorted.length} sorted values for count ${json.count}`);
  if (json.distinct.length !== json.distinctCounts.length) throw fail('distinct values and counts differ in length');
  for (let i = 1; i < json.sorted.length; i++) if (!(json.sorted[i - 1]! <= json.sorted[i]!)) throw fail(`values not ascending at ${i}`);
  const profile: NumericalProfile = {
    type: 'numerical', count: json.count, dropped: json.dropped,
    mean: nanIfNull(json.mean), std: nanIfNull(json.std), min: nanIfNull(json.min), max: nanIfNull(json.max),
    sorted: Float64Array.from(json.sorted), distinct: Float64Array.from(json.distinct), distinctCounts: Float64Array.from(json.distinctCounts),
  };
  return profile;
}

/** Reads a reference folder written by buildReference; every problem is one message naming the file. */
export async function loadReference(dir: string): Promise<Reference> {
  const profilePath = join(dir, PROFILE_FILE);
  let text: string;
  try {
    text = await readFile(profilePath, 'utf8');
  } catch {
    throw new Error(`reference profile not found: ${profilePath} (build it with \`driftwatch reference\`)`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${profilePath} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = profileFileJson.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${profilePath} is not a driftwatch reference profile: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  const { meta, profiles: encoded } = parsed.data;
  const profiles = new Map<string, ColumnProfile>();
  for (const [name, json] of Object.entries(encoded)) profiles.set(name, decodeProfile(name, json, profilePath));

  const framePath = join(dir, REFERENCE_FILE);
  const frame = await readTable(framePath);
  if (frame.rowCount !== meta.sampleSize) {
    throw new Error(`${framePath} has ${frame.rowCount} rows but ${profilePath} says ${meta.sampleSize}`);
  }
  for (const spec of [...meta.features, meta.target, ...meta.predictions]) {
    if (!profiles.has(spec.name)) throw new Error(`${profilePath} has no profile for column "${spec.name}"`);
    if (!frame.columns.has(spec.name)) throw new Error(`${framePath} has no column "${spec.name}" listed in ${profilePath}`);
  }
  return { frame, profiles, meta };
}
