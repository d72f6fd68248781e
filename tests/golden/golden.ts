/**
 * Loading golden files (written by tools/golden/*.py) and comparing numbers
 * with the tolerances of the parity contract: statistics and distances to 1e-9
 * relative; p-values to 1e-8 absolute or 1e-6 relative.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));

export interface GoldenFile<Case> {
  generator: string;
  versions: Record<string, string>;
  cases: Case[];
}

/** Strings "nan", "inf", "-inf" become numbers again, everywhere in the tree. */
function revive(value: unknown): unknown {
  if (value === 'nan') return NaN;
  if (value === 'inf') return Infinity;
  if (value === '-inf') return -Infinity;
  if (Array.isArray(value)) return value.map(revive);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)]));
  }
  return value;
}

export function loadGolden<Case>(name: string): GoldenFile<Case> {
  const raw = JSON.parse(readFileSync(join(here, `${name}.json`), 'utf8')) as GoldenFile<unknown>;
  return { ...raw, cases: raw.cases.map(revive) as Case[] };
}

/**
 * Categorical inputs keep "nan"/"inf" as text: a category literally named
 * "nan" is data, not a missing value. Use this loader for those files.
 */
export function loadGoldenRaw<Case>(name: string): GoldenFile<Case> {
  return JSON.parse(readFileSync(join(here, `${name}.json`), 'utf8')) as GoldenFile<Case>;
}

export type Tolerance = 'statistic' | 'p_value';

export function closeEnough(actual: number, expected: number, kind: Tolerance): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return actual === expected;
  const diff = Math.abs(actual - expected);
  if (kind === 'statistic') return diff <= 1e-9 * Math.abs(expected) || diff <= 1e-15;
  return diff <= 1e-8 || diff <= 1e-6 * Math.abs(expected);
}

export function assertClose(actual: number, expected: number, kind: Tolerance, label: string): void {
  assert.ok(
    closeEnough(actual, expected, kind),
    `${label}: got ${actual}, expected ${expected} (${kind} tolerance; diff ${Math.abs(actual - expected)})`,
  );
}
