/**
 * `driftwatch schema`: print the Avro schema of a topic. The features schema
 * is generated from the config's feature lists (numerical → nullable double,
 * categorical → nullable string); the others are the fixed ones of
 * schemas/avro/. A thin wrapper over producer/codec/avro-schemas.ts.
 */
import { Command, Option } from 'commander';
import { featuresAvroSchema, FIXED_SCHEMA_FILES, formatAvroSchema, loadAvroSchema, type AvroSchema } from '../../producer/codec/avro-schemas.js';
import { featureSpecs, loadConfig } from '../config.js';
import { UsageError } from '../errors.js';

type FixedRole = keyof typeof FIXED_SCHEMA_FILES;
const ROLES = ['features', ...(Object.keys(FIXED_SCHEMA_FILES) as FixedRole[])] as const;

export interface SchemaCommandOptions {
  config?: string;
  topic: 'features' | FixedRole;
}

export function register(program: Command): void {
  program
    .command('schema')
    .description('Print the Avro schema of a topic (features: generated from the config\'s feature lists)')
    .option('--config <file>', 'driftwatch config (needed for the features schema)')
    .addOption(new Option('--topic <role>', 'which topic\'s schema').choices([...ROLES]).default('features'))
    .addHelpText('after', `
Examples:
  driftwatch schema --config data/config.yaml > schemas/avro/features.flights.avsc
  driftwatch schema --topic window-metrics

Exit codes: 0 done, 2 bad usage (no config for the features schema, bad config).`)
    .action((options: SchemaCommandOptions) => {
      process.stdout.write(formatAvroSchema(runSchema(options)));
    });
}

export function runSchema(options: SchemaCommandOptions): AvroSchema {
  if (options.topic !== 'features') return loadAvroSchema(FIXED_SCHEMA_FILES[options.topic]);
  if (!options.config) throw new UsageError('the features schema depends on the dataset: pass --config <file>');
  const config = loadConfig(options.config);
  try {
    return featuresAvroSchema(featureSpecs(config), config.model.name);
  } catch (error) {
    throw new UsageError(`${options.config}: ${(error as Error).message}`);
  }
}
