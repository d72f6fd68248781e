/** The repository root, for every bench (memory, inference, run-all) that reads data/ and writes bench/out/. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const benchOut = join(repoRoot, 'bench', 'out');
