/**
 * `driftwatch drift` as a user runs it: a child process, real files, stdout,
 * stderr and exit codes. The numbers themselves are proven by the golden
 * suites; here: the contract of the command.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'driftwatch-drift-cli-'));

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function driftwatch(args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'cli/driftwatch.ts', ...args], (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

function csv(name: string, header: string[], rows: (string | number)[][]): string {
  const path = join(dir, name);
  writeFileSync(path, [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n');
  return path;
}

let reference: string;
let current: string;

before(() => {
  // x: shifted by 3 in current (drift); y: same distribution; c: categories; empty: no values in current.
  const refRows = Array.from({ length: 200 }, (_, i) => [i % 50, (i * 7) % 40, ['a', 'b', 'c'][i % 3]!, i]);
  const curRows = Array.from({ length: 150 }, (_, i) => [(i % 50) + 30, (i * 11) % 40, ['a', 'b', 'c'][i % 3]!, '']);
  reference = csv('reference.csv', ['x', 'y', 'c', 'empty'], refRows);
  current = csv('current.csv', ['x', 'y', 'c', 'empty'], curRows);
});

test('JSON on stdout in the documented shape', async () => {
  const { code, stdout } = await driftwatch(['drift', '-r', reference, '-c', current, '--columns', 'x,y,c']);
  assert.equal(code, 0);
  const result = JSON.parse(stdout);
  assert.deepEqual(Object.keys(result).slice(0, 5), ['columns', 'number_of_columns', 'number_of_drifted_columns', 'share_of_drifted_columns', 'dataset_drift']);
  assert.deepEqual(result.columns.map((c: { column: string; type: string; stattest: string }) => [c.column, c.type, c.stattest]), [
    ['x', 'numerical', 'ks'],
    ['y', 'numerical', 'ks'],
    ['c', 'categorical', 'chisquare'],
  ]);
  const x = result.columns[0];
  assert.equal(x.threshold, 0.05);
  assert.equal(x.drift_detected, true, 'a shift of 30 on 0..49 is drift');
  assert.equal(result.number_of_columns, 3);
  assert.equal(result.number_of_drifted_columns, result.columns.filter((c: { drift_detected: boolean }) => c.drift_detected).length);
});

test('--stattest, --threshold, --drift-share and --categorical apply to every column', async () => {
  const { code, stdout } = await driftwatch(['drift', '-r', reference, '-c', current, '--columns', 'x,y', '--categorical', 'y',
    '--stattest', 'psi', '--threshold', '0.2', '--drift-share', '1']);
  assert.equal(code, 0);
  const result = JSON.parse(stdout);
  assert.deepEqual(result.columns.map((c: { type: string; stattest: string; threshold: number }) => [c.type, c.stattest, c.threshold]),
    [['numerical', 'psi', 0.2], ['categorical', 'psi', 0.2]]);
  assert.equal(result.drift_share, 1);
});

test('--config gives per-column choices, ranked above the global flags', async () => {
  const config = join(dir, 'drift.yaml');
  writeFileSync(config, 'drift:\n  columns:\n    x: { stattest: wasserstein, threshold: 0.5 }\n');
  const { code, stdout } = await driftwatch(['drift', '-r', reference, '-c', current, '--columns', 'x,y', '--config', config, '--stattest', 'ks']);
  assert.equal(code, 0);
  const [x, y] = JSON.parse(stdout).columns;
  assert.deepEqual([x.stattest, x.threshold, y.stattest, y.threshold], ['wasserstein', 0.5, 'ks', 0.05]);
});

test('--format table prints one row per column and the verdict', async () => {
  const { code, stdout } = await driftwatch(['drift', '-r', reference, '-c', current, '--columns', 'x,c', '--format', 'table']);
  assert.equal(code, 0);
  assert.match(stdout, /│ x\s+│ numerical\s+│ ks\s+│/);
  assert.match(stdout, /│ c\s+│ categorical │ chisquare/);
  assert.match(stdout, /of 2 columns drifted \(share/);
});

test('an empty column in a multi-column run is reported for that column; the others are computed', async () => {
  const { code, stdout, stderr } = await driftwatch(['drift', '-r', reference, '-c', current, '--columns', 'x,empty']);
  assert.equal(code, 0);
  const result = JSON.parse(stdout);
  const empty = result.columns[1];
  assert.equal(empty.score, null);
  assert.match(empty.error, /column "empty" has no values in the current data/);
  assert.equal(result.columns[0].score !== null, true);
  assert.equal(result.number_of_columns, 1, 'only tested columns count');
  assert.match(stderr, /column "empty" not tested/);
});

test('bad input: one clear message and a non-zero exit', async () => {
  const cases: [string[], RegExp][] = [
    [['-r', join(dir, 'missing.csv'), '-c', current], /reference file not found: .*missing\.csv/],
    [['-r', reference, '-c', current, '--columns', 'x,nope'], /column "nope" not found in .*reference\.csv \(columns: x, y, c, empty\)/],
    [['-r', reference, '-c', current, '--stattest', 'kss'], /unknown stat test "kss" \(known: ks, wasserstein/],
    [['-r', reference, '-c', current, '--columns', 'empty'], /column "empty" has no values in the current data/],
    [['-r', reference, '-c', current, '--threshold', 'abc'], /"abc" is not a number/],
  ];
  for (const [args, message] of cases) {
    const { code, stdout, stderr } = await driftwatch(['drift', ...args]);
    assert.equal(code, 2, `exit code for ${args.join(' ')}: ${stderr}`);
    assert.equal(stdout, '');
    assert.match(stderr, message);
    assert.equal(stderr.trim().split('\n').filter((l) => !l.startsWith('(run with')).length, 1, `one line: ${stderr}`);
  }
});

test('--fail-on-drift exits 3 when the dataset drifted', async () => {
  const { code } = await driftwatch(['drift', '-r', reference, '-c', current, '--columns', 'x', '--fail-on-drift']);
  assert.equal(code, 3);
});

test('--help documents the command', async () => {
  const { code, stdout } = await driftwatch(['drift', '--help']);
  assert.equal(code, 0);
  assert.match(stdout, /--reference <file>/);
  assert.match(stdout, /Exit codes/);
});
