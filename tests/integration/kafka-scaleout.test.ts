/**
 * Many processors, one answer (issue 7): `driftwatch process --scale-out`
 * instances over 6-partition topics, while the sample is replayed, must
 * leave the Postgres tables (filled by `driftwatch sink`) equal, row for
 * row, to the single-instance `driftwatch run` baseline.
 *
 * Scenarios, each on topics of its own:
 * - 1 instance, killed with SIGKILL mid-stream, then a fresh one joins;
 * - 2 instances; one is killed mid-stream and a third joins;
 * - 2 instances start, a third joins mid-stream, then one of the three is
 *   killed.
 * Kills and joins land at seeded random moments while the replay is paced,
 * so they hit open windows, partials in flight and rebalances.
 *
 * DRIFTWATCH_SCALEOUT_SEED picks other moments (the seed is printed).
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Admin, Kafka } from 'kafkajs';
import { partialsTopicOf } from '../../processor/scaleout/partial-messages.js';
import { ensureTopics, topicNames } from '../../producer/kafka/topics.js';
import { createPool } from '../../sink/postgres/pool.js';
import { deleteTopicsWithPrefix, findTestBroker, uniqueTopicPrefix } from './helpers/kafka.js';
import * as harness from './helpers/pipeline-harness.js';
import { spawnSink, waitFor } from './helpers/sink-process.js';
import { openTestDatabase, type TestDatabase } from './postgres-test-db.js';

const lookup = await findTestBroker();
const skip = 'skip' in lookup ? lookup.skip : false;
const SEED = Number(process.env.DRIFTWATCH_SCALEOUT_SEED ?? 7_2026);
const PARTITIONS = 6;
/** Rows per second of the paced replays: ~25 s of stream for the kills and joins to land in. */
const RATE = 800;

type Dump = Awaited<ReturnType<typeof harness.dumpTables>>;
type Step = { readonly at: 'start' | 'mid'; readonly action: 'join' | 'kill' };

interface Scenario {
  readonly name: string;
  readonly instances: number;
  /** After the first `instances` joined: what happens mid-stream, in order. */
  readonly steps: readonly Step[];
}

const ALL_SCENARIOS: readonly Scenario[] = [
  { name: '1 instance, killed and replaced', instances: 1, steps: [{ at: 'mid', action: 'kill' }, { at: 'mid', action: 'join' }] },
  { name: '2 instances, one killed, one joins', instances: 2, steps: [{ at: 'mid', action: 'kill' }, { at: 'mid', action: 'join' }] },
  { name: '3 instances: 2, a third joins, one killed', instances: 2, steps: [{ at: 'mid', action: 'join' }, { at: 'mid', action: 'kill' }] },
];
/** DRIFTWATCH_SCALEOUT_ONLY=1,2 runs only those scenarios (1-based), when debugging. */
const SCENARIOS = process.env.DRIFTWATCH_SCALEOUT_ONLY
  ? ALL_SCENARIOS.filter((_, i) => process.env.DRIFTWATCH_SCALEOUT_ONLY!.split(',').includes(String(i + 1)))
  : ALL_SCENARIOS;

interface Outcome {
  readonly dump: Dump;
  readonly exits: { code: number | null; signal: NodeJS.Signals | null }[];
  readonly killed: number;
  readonly peakInstances: number;
  readonly killedBeforeReplayEnd: boolean;
  readonly ms: number;
}

let admin: Admin;
let database: TestDatabase;
let sample: harness.Sample | undefined;
let baseline: Dump;
const outcomes = new Map<string, Outcome>();
const prefixes: string[] = [];
const children: harness.ProcessorChild[] = [];
const timings: Record<string, number> = {};

before(async () => {
  if ('fail' in lookup) assert.fail(lookup.fail);
  if (!('broker' in lookup)) return;
  const started = Date.now();
  sample = await harness.prepareSample('kafka-scaleout');
  database = await openTestDatabase();
  const runUrl = await database.newSchemaUrl();
  await harness.runBaseline(sample, runUrl);
  const runPool = await createPool(runUrl);
  try {
    baseline = await harness.dumpTables(runPool);
  } finally {
    await runPool.end();
  }
  timings.prepareAndRun = Date.now() - started;
  admin = lookup.broker.kafka.admin();
  await admin.connect();
  process.stderr.write(`kafka-scaleout: seed ${SEED}\n`);
  const random = harness.seededRandom(SEED);
  for (const scenario of SCENARIOS) {
    const scenarioStarted = Date.now();
    outcomes.set(scenario.name, await runScenario(lookup.broker.kafka, lookup.broker.settings.brokers.join(','), scenario, random));
    timings[scenario.name] = Date.now() - scenarioStarted;
  }
}, { timeout: 600_000 });

after(async () => {
  for (const child of children) child.child.kill('SIGKILL');
  if (admin) {
    for (const prefix of prefixes) await deleteTopicsWithPrefix(admin, prefix).catch(() => undefined);
    await admin.disconnect();
  }
  await database?.close();
  if (sample) await rm(sample.dir, { recursive: true, force: true });
  process.stderr.write(`kafka-scaleout: timings (ms) ${JSON.stringify(timings)}\n`);
});

async function runScenario(kafka: Kafka, brokers: string, scenario: Scenario, random: () => number): Promise<Outcome> {
  const started = Date.now();
  const prefix = uniqueTopicPrefix('scaleout');
  prefixes.push(prefix);
  const topics = topicNames(prefix);
  await ensureTopics(admin, [...Object.values(topics), partialsTopicOf(prefix)], PARTITIONS, 1);
  const databaseUrl = await database.newSchemaUrl();
  const sink = await spawnSink({ config: sample!.config, prefix, groupId: `${prefix}.sink`, databaseUrl, brokers, sessionTimeoutMs: 6000 });
  const groupId = `${prefix}.processor`;
  const running: harness.ProcessorChild[] = [];
  const spawn = () => {
    const child = harness.spawnProcessor({ config: sample!.config, prefix, groupId, brokers, extra: ['--scale-out'] });
    children.push(child);
    running.push(child);
    return child;
  };
  const assigned = (child: harness.ProcessorChild) => waitFor('a processor to be assigned its partitions',
    async () => child.stderr().includes('partitions assigned') || assert.fail(`exited early: ${child.stderr().slice(-2000)}`), 60_000, 50);
  try {
    for (let i = 0; i < scenario.instances; i++) spawn();
    await Promise.all(running.map(assigned));
    let replayDone = false;
    const replay = harness.produce(sample!, prefix, { rate: RATE }).then(() => harness.endStreams(kafka, admin, topics)).then(() => {
      replayDone = true;
    });
    let killed = 0;
    let killedBeforeReplayEnd = true;
    let peak = running.length;
    for (const step of scenario.steps) {
      // A joiner needs a few seconds to start (it is assigned only then): kills come sooner.
      await delay(step.action === 'join' ? 1000 + random() * 2000 : 500 + random() * 1500);
      if (step.action === 'join') {
        await assigned(spawn());
      } else {
        const alive = running.filter((c) => c.child.exitCode === null && c.child.signalCode === null);
        if (alive.length === 0) assert.fail(`${scenario.name}: no processor left to kill (the replay ${replayDone ? 'had ended' : 'was running'})`);
        const victim = alive[Math.floor(random() * alive.length)]!;
        victim.child.kill('SIGKILL');
        await victim.exited;
        killed++;
        killedBeforeReplayEnd &&= !replayDone;
      }
      peak = Math.max(peak, running.filter((c) => c.child.exitCode === null && c.child.signalCode === null).length);
    }
    await replay;
    const exits = await Promise.all(running.map((c) => Promise.race([c.exited, delay(240_000).then(() => ({ code: null, signal: null, timedOut: true }))])));
    for (const [i, exit] of exits.entries()) {
      if ('timedOut' in exit) assert.fail(`${scenario.name}: processor ${i} did not finish; stderr tail:\n${running[i]!.stderr().slice(-3000)}`);
    }
    await waitFor('the sink to store everything', () => harness.groupCaughtUp(admin, `${prefix}.sink`, [topics['window-metrics'], topics.predictions]), 120_000)
      .catch((error: Error) => assert.fail(`${error.message}; sink log tail:\n${sink.log().slice(-3000)}`));
    const pool = await createPool(databaseUrl);
    try {
      return { dump: await harness.dumpTables(pool), exits, killed, peakInstances: peak, killedBeforeReplayEnd, ms: Date.now() - started };
    } finally {
      await pool.end();
    }
  } finally {
    for (const child of running) child.child.kill('SIGKILL');
    sink.child.kill('SIGTERM');
    await sink.exited;
  }
}

for (const scenario of SCENARIOS) {
  test(`${scenario.name}: every result table equals \`driftwatch run\`, row for row`, { skip }, () => {
    const outcome = outcomes.get(scenario.name);
    assert.ok(outcome, 'the scenario ran');
    for (const table of harness.RESULT_TABLES) {
      const expected = baseline[table]!;
      const actual: readonly Record<string, unknown>[] = outcome.dump[table]!;
      assert.equal(actual.length, expected.length, `${table}: ${actual.length} rows through ${scenario.name}, ${expected.length} from run`);
      for (let i = 0; i < expected.length; i++) assert.deepEqual(actual[i], expected[i], `${table} row ${i}`);
    }
    assert.equal(baseline.predictions!.length, 20000);
  });

  test(`${scenario.name}: the kill landed mid-stream, the others finished cleanly`, { skip }, () => {
    const outcome = outcomes.get(scenario.name)!;
    assert.equal(outcome.killed, 1);
    assert.ok(outcome.killedBeforeReplayEnd, 'the kill came before the replay ended');
    assert.equal(outcome.exits.filter((e) => e.signal === 'SIGKILL').length, 1);
    assert.equal(outcome.exits.filter((e) => e.code === 0).length, outcome.exits.length - 1, JSON.stringify(outcome.exits));
    assert.ok(outcome.peakInstances >= scenario.instances);
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
