/** Every command of the CLI; one import and one entry per command. */
import type { Command } from 'commander';
import { register as adapt } from './adapt.js';
import { register as drift } from './drift.js';
import { register as process } from './process.js';
import { register as produce } from './produce.js';
import { register as reference } from './reference.js';
import { register as run } from './run.js';
import { register as schema } from './schema.js';
import { register as sink } from './sink.js';

export const commands: ReadonlyArray<(program: Command) => void> = [adapt, reference, run, produce, process, sink, drift, schema];
