/**
 * A consumer whose broker is gone longer than kafkajs' retry budget can crash
 * with "Failed to find group coordinator", which kafkajs does not restart
 * (seen in CI when a graceful broker shutdown moved the coordinator first).
 * That race cannot be staged on demand, so the test tells kafkajs never to
 * restart (its own `restartOnFailure`): every outage crash is then one kafkajs
 * leaves alone, and the supervisor must bring the consumer back once the
 * broker is up again — a real (private) broker, stopped and started on the
 * same ports and data.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import kafkajs, { type Consumer, type Kafka } from 'kafkajs';
import { isBrokerUnavailable } from '../../producer/kafka/broker-outage.js';
import { createKafka } from '../../producer/kafka/client.js';
import { ConsumerSupervisor } from '../../producer/kafka/consumer-supervisor.js';
import { createReplayProducer } from '../../producer/kafka/replay-producer.js';
import { delay, startPrivateKafka, type PrivateKafka } from './helpers/faults.js';
import { testLogger, uniqueTopicPrefix } from './helpers/kafka.js';
import { waitFor } from './helpers/sink-process.js';

let broker: PrivateKafka | undefined;
let consumer: Consumer | undefined;
let supervisor: ConsumerSupervisor | undefined;
const received: string[] = [];
const crashes: { name: string; restart: boolean }[] = [];
const gaveUp: Error[] = [];

before(async () => {
  broker = await startPrivateKafka('supervisor');
}, { timeout: 180_000 });

after(async () => {
  supervisor?.stop();
  await consumer?.disconnect().catch(() => undefined);
  await broker?.close();
});

async function produce(kafka: Kafka, topic: string, value: string): Promise<void> {
  const producer = createReplayProducer(kafka);
  await producer.connect();
  await producer.send({ topic, messages: [{ value }] });
  await producer.disconnect();
}

test('after an outage longer than the client retries, the supervised consumer rejoins and reads on', { timeout: 300_000 }, async () => {
  // Two retries: the consumer gives up within seconds of the broker going away.
  const kafka = createKafka({ ...broker!.settings, retries: 2 }, testLogger());
  const topic = `${uniqueTopicPrefix('supervisor')}.events`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  await produce(kafka, topic, 'before');

  consumer = kafka.consumer({
    groupId: `${topic}.group`, sessionTimeout: 6000, heartbeatInterval: 1000, maxWaitTimeInMs: 200,
    retry: { retries: 2, restartOnFailure: async () => false },
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => crashes.push({ name: payload.error.name, restart: payload.restart }));
  supervisor = new ConsumerSupervisor(consumer, {
    runConfig: { eachMessage: async ({ message }) => { received.push(message.value!.toString()); } },
    log: testLogger(),
    onGiveUp: (error) => gaveUp.push(error),
    initialMs: 500,
    maxMs: 2000,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await supervisor.run();
  await waitFor('the first message', async () => received.includes('before'), 60_000, 100);

  await broker!.stop();
  await waitFor('a crash kafkajs will not restart', async () => crashes.some((crash) => !crash.restart), 120_000, 200)
    .catch((error: Error) => assert.fail(`${error.message}; crashes ${JSON.stringify(crashes)}`));
  await delay(5000); // a few of the supervisor's own restarts fail while the broker is still down
  await broker!.start();
  await produce(kafka, topic, 'after');
  await waitFor('the message produced after the outage', async () => received.includes('after'), 120_000, 200)
    .catch((error: Error) => assert.fail(`${error.message}; crashes ${JSON.stringify(crashes)}`));

  assert.deepEqual(gaveUp, []);
  assert.ok(crashes.filter((crash) => !crash.restart).length >= 1, JSON.stringify(crashes));
  assert.equal(received.filter((value) => value === 'after').length, 1);
});

test('no group coordinator to be found counts as a broker outage, a refused request does not', () => {
  // kafkajs spreads its errors into a CommonJS export object (no ESM named export); its typings omit the message.
  const NotFound = kafkajs.KafkaJSGroupCoordinatorNotFound as unknown as new (message: string) => Error;
  assert.equal(isBrokerUnavailable(new NotFound('Failed to find group coordinator')), true);
  assert.equal(isBrokerUnavailable(new Error('Failed to find group coordinator')), false);
});
