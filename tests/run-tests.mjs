#!/usr/bin/env node
// Runs every *.test.ts under the given folders (default: tests/) with node's own
// test runner through tsx. Node 20's --test does not expand globs or pick up .ts
// files by itself, so the list is made here; an empty list is an error, never a
// silent green run. The last lines are node's own "pass N / fail N" summary,
// followed by one "N passed, N failed" line.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';

const roots = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('--'));
const files = [];
function walk(dir) {
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    if (statSync(path).isDirectory()) walk(path);
    else if (entry.endsWith('.test.ts')) files.push(path);
  }
}
for (const root of roots.length ? roots : ['tests']) {
  if (statSync(root).isFile()) files.push(root);
  else walk(root);
}
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const args = ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=./tests/summary-reporter.mjs', '--test-reporter-destination=stdout',
  '--test-concurrency=1', ...passThrough, ...files];
const child = spawn(process.execPath, args, { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
