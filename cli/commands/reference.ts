/**
 * `driftwatch reference`: sample the processed training rows, predict them
 * with the ONNX model, store rows + precomputed profiles. A thin wrapper over
 * producer/reference.ts.
 */
import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { ColumnSpec } from '../../processor/drift/compare.js';
import type { ColumnType } from '../../processor/drift/types.js';
import type { ModelRunner } from '../../processor/model/types.js';
import { buildReference, DEFAULT_REFERENCE_SIZE } from '../../producer/reference.js';
import { UsageError } from '../errors.js';
import { parseSeed, withUsageErrors } from './adapt.js';

interface ReferenceCommandOptions {
  train: string;
  model: string;
  out: string;
  size: string;
  seed?: string;
  numerical?: string[];
  categorical?: string[];
  target: string;
  targetType?: ColumnType;
}

export function register(program: Command): void {
  program
    .command('reference')
    .description('Sample the processed training data, predict it with the model, and store rows + drift profiles')
    .requiredOption('--train <file>', 'processed training data (processed_train.parquet from `driftwatch adapt`)')
    .requiredOption('--model <file.onnx>', 'the model, as ONNX')
    .requiredOption('--out <folder>', 'output folder for reference.parquet and profile.json')
    .option('--size <n>', 'rows to sample without replacement (all rows when fewer)', String(DEFAULT_REFERENCE_SIZE))
    .option('--seed <n>', 'seed of the sample (default: random, recorded in profile.json)')
    .option('--numerical <list>', 'comma-separated numerical feature columns', list)
    .option('--categorical <list>', 'comma-separated categorical feature columns', list)
    .requiredOption('--target <name>', 'target column')
    .addOption(new Option('--target-type <type>', 'drift type of the target (default: numerical for regression, categorical for classification)').choices(['numerical', 'categorical']))
    .addHelpText('after', `
Example:
  driftwatch reference --train data/features/processed_train.parquet --model data/models/delay_regressor.onnx \\
    --numerical hour,weekday,month,distance --categorical origin,destination --target delay --out data/reference --seed 1

Exit codes: 0 done, 1 failed (model or data problem), 2 bad usage (missing file, unknown column).`)
    .action(async (options: ReferenceCommandOptions) => {
      const features = featuresOf(options);
      const size = parseSize(options.size);
      const seed = options.seed !== undefined ? parseSeed(options.seed) : undefined;
      for (const [label, file] of [['--train', options.train], ['--model', options.model]] as const) {
        if (!existsSync(file)) throw new UsageError(`${label}: file not found: ${file}`);
      }
      const progress = (message: string) => process.stderr.write(`driftwatch reference: ${message}\n`);
      progress(`loading model ${options.model}`);
      const model = await loadModel(options.model);
      try {
        const reference = await withUsageErrors(() =>
          buildReference({
            processedTrain: options.train,
            outputDir: options.out,
            size,
            ...(seed !== undefined ? { seed } : {}),
            model,
            features,
            target: options.target,
            ...(options.targetType ? { targetType: options.targetType } : {}),
            onProgress: progress,
          }),
        );
        const { meta } = reference;
        process.stderr.write(
          `driftwatch reference: wrote ${meta.sampleSize} of ${meta.sourceRows} rows (seed ${meta.seed}), ` +
            `${reference.profiles.size} profiles (${meta.features.length} features, target, ${meta.predictions.map((p) => p.name).join(', ')}) to ${options.out}\n`,
        );
      } finally {
        await model.close();
      }
    });
}

function featuresOf(options: ReferenceCommandOptions): ColumnSpec[] {
  const features: ColumnSpec[] = [
    ...(options.numerical ?? []).map((name) => ({ name, type: 'numerical' as const })),
    ...(options.categorical ?? []).map((name) => ({ name, type: 'categorical' as const })),
  ];
  if (features.length === 0) throw new UsageError('name the feature columns with --numerical and/or --categorical');
  const twice = features.find((f, i) => features.findIndex((g) => g.name === f.name) !== i);
  if (twice) throw new UsageError(`column "${twice.name}" is listed twice in --numerical/--categorical`);
  if (features.some((f) => f.name === options.target)) throw new UsageError(`--target "${options.target}" is also listed as a feature`);
  return features;
}

function parseSize(text: string): number {
  const size = Number(text);
  if (!Number.isSafeInteger(size) || size < 1) throw new UsageError(`--size: "${text}" is not a whole number ≥ 1`);
  return size;
}

function list(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * Imported lazily so the other commands never load onnxruntime. The runner
 * reads task, feature order and classes from the model's metadata.
 */
async function loadModel(path: string): Promise<ModelRunner> {
  const { loadOnnxModel } = await import('../../processor/model/onnx-runner.js');
  return loadOnnxModel(path);
}
