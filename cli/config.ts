/**
 * The one config file (JSON or YAML), validated at start-up. Unknown keys are
 * rejected with the key named, so a typo never silently falls back to a
 * default. Addresses and secrets come from the environment (DATABASE_URL,
 * KAFKA_BROKERS …), which overrides the file.
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { statTestNames } from '../processor/drift/registry.js';
import { DEFAULT_RELATIVE_ACCURACY } from '../processor/drift/approx/numerical-sketch.js';
import type { DriftOptions } from '../processor/drift/column-drift.js';
import type { ColumnSpec } from '../processor/drift/compare.js';
import { parseDuration } from './duration.js';
import { UsageError } from './errors.js';
import { readSecret } from './secrets.js';
import { retrainSection } from './retrain-config.js';
import { ingestSection } from './ingest-config.js';

const statTestName = z.string().refine((name) => statTestNames().includes(name), (name) => ({
  message: `unknown stat test "${name}" (known: ${statTestNames().join(', ')})`,
}));
const threshold = z.number().finite();
const testChoice = z.object({ stattest: statTestName.optional(), threshold: threshold.optional() }).strict();
const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  try {
    if (typeof value === 'number') return value;
    // Zero is a meaningful setting here (no lateness, no label delay).
    return /^\s*0+\s*(ms|s|m|h|d)?\s*$/.test(value) ? 0 : parseDuration(value);
  } catch (error) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: (error as Error).message });
    return z.NEVER;
  }
});

/**
 * Windows holding more than above_rows rows keep their numerical features as
 * quantile sketches of relative accuracy relative_accuracy (README,
 * "Approximate windows"). Off when absent.
 */
// Below 0.001 a sketch spanning many orders of magnitude grows past a few MB (noCollapseBinLimit).
const ACCURACY_RANGE = 'must be a number in [0.001, 0.1] (0.005 keeps drift scores within ~1e-3 of exact)';
const approximateSection = z
  .object({
    above_rows: z
      .number({ required_error: 'above_rows is required: the row count past which a window is approximated', invalid_type_error: 'must be a whole number of rows' })
      .int('must be a whole number of rows')
      .min(1, 'must be at least 1 row'),
    relative_accuracy: z
      .number({ invalid_type_error: ACCURACY_RANGE })
      .min(0.001, ACCURACY_RANGE)
      .max(0.1, ACCURACY_RANGE)
      .default(DEFAULT_RELATIVE_ACCURACY),
  })
  .strict();

export const driftSection = z
  .object({
    stattest: statTestName.optional(),
    threshold: threshold.optional(),
    drift_share: z.number().min(0).max(1).default(0.5),
    per_type: z.object({ numerical: testChoice.optional(), categorical: testChoice.optional() }).strict().optional(),
    columns: z.record(z.string(), testChoice).optional(),
  })
  .strict();

export const configSchema = z
  .object({
    model: z
      .object({
        name: z.string().min(1),
        path: z.string().min(1),
        task: z.enum(['regression', 'classification']).optional(),
        positive_label: z.string().optional(),
        /** Binary classification: label = positive when probability ≥ this. */
        threshold: z.number().min(0).max(1).default(0.5),
      })
      .strict(),
    features: z
      .object({
        numerical: z.array(z.string()).default([]),
        categorical: z.array(z.string()).default([]),
      })
      .strict(),
    columns: z
      .object({
        event_time: z.string().default('event_time'),
        row_id: z.string().default('row_id'),
        target: z.string(),
        prediction: z.string().default('prediction'),
      })
      .strict(),
    reference: z.object({ path: z.string() }).strict(),
    data: z.object({ current: z.array(z.string()).min(1) }).strict(),
    window: z
      .object({
        size: duration.default('60m'),
        max_out_of_orderness: duration.default('5m'),
        allowed_lateness: duration.default(0),
        idle_timeout: duration.default('1m'),
        label_delay: duration.default(0),
        label_timeout: duration.default('6h'),
        approximate: approximateSection.optional(),
      })
      .strict()
      .default({}),
    drift: driftSection.default({}),
    retrain: retrainSection,
    ingest: ingestSection,
    database: z
      .object({ url: z.string().optional(), migration_url: z.string().optional(), embedded_dir: z.string().default('.driftwatch/pg') })
      .strict()
      .default({}),
    server: z
      .object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(9464) })
      .strict()
      .default({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type DriftSection = z.infer<typeof driftSection>;

/** Read, parse and validate a config file; relative paths resolve against its folder. */
export function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): Config {
  const config = parseConfigFile(path, configSchema);
  const base = dirname(resolve(path));
  const at = (p: string) => resolve(base, p);
  return {
    ...config,
    model: { ...config.model, path: at(config.model.path) },
    reference: { path: at(config.reference.path) },
    data: { current: config.data.current.map(at) },
    database: {
      ...config.database,
      url: readSecret(env, 'DATABASE_URL') || config.database.url,
      migration_url: readSecret(env, 'DATABASE_MIGRATION_URL') || config.database.migration_url,
      embedded_dir: at(config.database.embedded_dir),
    },
    server: {
      // In a container the endpoints must listen beyond loopback; compose sets these.
      host: env.DRIFTWATCH_SERVER_HOST || config.server.host,
      port: env.DRIFTWATCH_SERVER_PORT ? portFromEnv(env.DRIFTWATCH_SERVER_PORT) : config.server.port,
    },
  };
}

function portFromEnv(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`DRIFTWATCH_SERVER_PORT: "${value}" is not a port`);
  return port;
}

export function parseConfigFile<T extends z.ZodTypeAny>(path: string, schema: T): z.infer<T> {
  if (!existsSync(path)) throw new UsageError(`config file not found: ${path}`);
  let raw: unknown;
  try {
    const text = readFileSync(path, 'utf8');
    raw = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new UsageError(`config file ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) throw new UsageError(`config file ${path}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.join('.') || '(top level)';
      if (issue.code === z.ZodIssueCode.unrecognized_keys) {
        return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} at ${where}`;
      }
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}

export function driftOptionsOf(section: DriftSection): DriftOptions {
  return {
    stattest: section.stattest,
    threshold: section.threshold,
    driftShare: section.drift_share,
    perType: section.per_type,
    perColumn: section.columns,
  };
}

export function featureSpecs(config: Config): ColumnSpec[] {
  return [
    ...config.features.numerical.map((name) => ({ name, type: 'numerical' as const })),
    ...config.features.categorical.map((name) => ({ name, type: 'categorical' as const })),
  ];
}
