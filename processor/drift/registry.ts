/**
 * Every stat test the engine knows, by the name users write in a config
 * (Evidently's names). Adding a test is one file under tests/ and one line here.
 */
import type { StatTest } from './types.js';
import { anderson } from './tests/anderson.js';
import { chisquare } from './tests/chisquare.js';
import { cramerVonMises } from './tests/cramer-von-mises.js';
import { energyDistance } from './tests/energy-distance.js';
import { hellinger } from './tests/hellinger.js';
import { jensenshannon } from './tests/jensenshannon.js';
import { klDiv } from './tests/kl-div.js';
import { ks } from './tests/ks.js';
import { mannWhitney } from './tests/mann-whitney.js';
import { psi } from './tests/psi.js';
import { tTest } from './tests/t-test.js';
import { tvd } from './tests/tvd.js';
import { wasserstein } from './tests/wasserstein.js';
import { zTest } from './tests/z.js';

const all: readonly StatTest[] = [
  ks, wasserstein, psi, jensenshannon, klDiv, chisquare, zTest, hellinger,
  anderson, cramerVonMises, energyDistance, tTest, mannWhitney, tvd,
];

const byName = new Map(all.map((t) => [t.name, t]));

export function statTestNames(): string[] {
  return all.map((t) => t.name);
}

export function getStatTest(name: string): StatTest {
  const test = byName.get(name);
  if (!test) {
    throw new Error(`unknown stat test "${name}" (known: ${statTestNames().join(', ')})`);
  }
  return test;
}
