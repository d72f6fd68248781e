/**
 * Where a `node --cpu-prof` profile spends its time: self time summed by
 * function (and by file), top N, as percentages of the sampled time.
 *
 *   npx tsx bench/kafka/profile-summary.ts FILE.cpuprofile [--top 25]
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../memory/paths.js';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

const { values: args, positionals } = parseArgs({ options: { top: { type: 'string', default: '25' } }, allowPositionals: true });
const profile = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfMicros = new Map<number, number>();
profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);

const place = (url: string, byPackage = true): string => {
  if (!url) return '(native)';
  const path = url.replace(/^file:\/\//, '');
  const short = path.startsWith(repoRoot) ? relative(repoRoot, path) : path;
  return byPackage ? short.replace(/^node_modules\/([^/]+)\/.*$/, 'node_modules/$1') : short;
};
const sum = (key: (node: ProfileNode) => string): [string, number][] => {
  const totals = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    const k = key(byId.get(id)!);
    totals.set(k, (totals.get(k) ?? 0) + micros);
  }
  return [...totals].sort((a, b) => b[1] - a[1]).slice(0, Number(args.top));
};
const print = (title: string, rows: [string, number][]) => {
  console.log(`\n${title} (of ${(total / 1e6).toFixed(1)} s sampled)`);
  for (const [name, micros] of rows) console.log(`${((100 * micros) / total).toFixed(1).padStart(5)}%  ${(micros / 1e6).toFixed(2).padStart(6)} s  ${name}`);
};
print('self time by file or package', sum((n) => place(n.callFrame.url)));
print('self time by function', sum((n) => `${n.callFrame.functionName || '(anonymous)'}  ${place(n.callFrame.url, false)}:${n.callFrame.lineNumber + 1}`));
