/** Every command of the CLI; one import and one entry per command. */
import type { Command } from 'commander';
import { register as drift } from './drift.js';

export const commands: ReadonlyArray<(program: Command) => void> = [drift];
