/**
 * Kafka plumbing: settings from the environment (SASL, TLS), topic names, the
 * log bridge that must never print a secret, and ensureTopics against the
 * real broker — idempotent, and safe when two callers race.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { Admin } from 'kafkajs';
import { logLevel } from 'kafkajs';
import { pino } from 'pino';
import { UsageError } from '../../cli/errors.js';
import { describeBrokers, kafkaConfig, kafkaSettingsFromEnv } from '../../producer/kafka/client.js';
import { kafkaLogCreator } from '../../producer/kafka/kafka-log.js';
import { ensureTopics, topicNames } from '../../producer/kafka/topics.js';
import { deleteTopicsWithPrefix, describeWithBroker, uniqueTopicPrefix } from './helpers/kafka.js';

test('settings: brokers, SASL and TLS from the environment; bad values are one clear message', () => {
  assert.deepEqual(kafkaSettingsFromEnv({}).brokers, ['127.0.0.1:19092']);
  const env = {
    KAFKA_BROKERS: ' kafka-1:9093, kafka-2:9093 ',
    KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
    KAFKA_SASL_USERNAME: 'monitor',
    KAFKA_SASL_PASSWORD: 'hunter2',
    KAFKA_SSL: 'true',
    KAFKA_SSL_REJECT_UNAUTHORIZED: 'false',
  };
  const settings = kafkaSettingsFromEnv(env);
  assert.deepEqual(settings.brokers, ['kafka-1:9093', 'kafka-2:9093']);
  assert.deepEqual(settings.sasl, { mechanism: 'scram-sha-512', username: 'monitor', password: 'hunter2' });
  assert.deepEqual(kafkaConfig(settings, pino({ level: 'silent' })).ssl, { rejectUnauthorized: false });
  assert.equal(describeBrokers(settings), 'kafka-1:9093,kafka-2:9093 (SASL scram-sha-512) (TLS)');
  assert.equal(kafkaSettingsFromEnv(env, { brokers: 'other:1' }).brokers[0], 'other:1', 'a flag beats the environment');

  assert.throws(() => kafkaSettingsFromEnv({ KAFKA_BROKERS: 'localhost' }), (e: Error) => e instanceof UsageError && e.message.includes('"localhost" is not host:port'));
  assert.throws(() => kafkaSettingsFromEnv({ KAFKA_SASL_MECHANISM: 'gssapi' }), (e: Error) => e instanceof UsageError && e.message.includes('"gssapi" is not supported'));
  assert.throws(() => kafkaSettingsFromEnv({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' }), /needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/);
  assert.throws(() => kafkaConfig(kafkaSettingsFromEnv({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem' }), pino({ level: 'silent' })),
    /KAFKA_SSL_CA_FILE: cannot read \/nonexistent\/ca\.pem/);
});

test('topic names: <prefix>.<role>, overrides, and Kafka\'s naming rule', () => {
  assert.deepEqual(topicNames(), {
    features: 'driftwatch.features', targets: 'driftwatch.targets', predictions: 'driftwatch.predictions',
    'window-metrics': 'driftwatch.window-metrics', late: 'driftwatch.late', dlq: 'driftwatch.dlq',
  });
  assert.equal(topicNames('prod', { features: 'raw-rows' }).features, 'raw-rows');
  assert.equal(topicNames('prod', { features: 'raw-rows' }).targets, 'prod.targets');
  assert.throws(() => topicNames('my prefix'), /"my prefix.features" is not a legal Kafka topic name/);
});

test('kafkajs logs reach pino as structured lines without secrets', () => {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _encoding, done) { lines.push(chunk.toString()); done(); } });
  const log = kafkaLogCreator(pino({ level: 'debug' }, sink))(logLevel.DEBUG);
  log({
    namespace: 'Connection', level: logLevel.ERROR, label: 'ERROR',
    log: { timestamp: 'x', message: 'Connection error', broker: 'b:1', sasl: { mechanism: 'plain', username: 'u', password: 'hunter2' }, nested: { secretKey: 'hunter2', retry: 3 } },
  });
  log({ namespace: 'Producer', level: logLevel.NOTHING, label: 'NOTHING', log: { timestamp: 'x', message: 'dropped' } });
  assert.equal(lines.length, 1);
  const entry = JSON.parse(lines[0]!);
  assert.equal(entry.level, 50);
  assert.equal(entry.msg, 'Connection error');
  assert.equal(entry.component, 'kafkajs.Connection');
  assert.equal(entry.broker, 'b:1');
  assert.deepEqual(entry.nested, { retry: 3 });
  assert.ok(!lines[0]!.includes('hunter2'), 'no password in the log line');
});

await describeWithBroker('ensureTopics on the real broker', (testBroker) => {
  let admin: Admin;
  const prefix = uniqueTopicPrefix('topics');
  before(async () => {
    admin = testBroker().kafka.admin();
    await admin.connect();
  });
  after(async () => {
    if (!admin) return;
    await deleteTopicsWithPrefix(admin, prefix);
    await admin.disconnect();
  });

  test('creates what is missing once; a second call creates nothing and reports what exists', async () => {
    const names = [`${prefix}.features`, `${prefix}.targets`];
    const first = await ensureTopics(admin, names, 4, 1);
    assert.deepEqual(first.created.sort(), names.slice().sort());
    const second = await ensureTopics(admin, [...names, `${prefix}.dlq`], 2, 1);
    assert.deepEqual(second.created, [`${prefix}.dlq`]);
    assert.deepEqual(second.existing.sort((a, b) => a.topic.localeCompare(b.topic)), [
      { topic: `${prefix}.features`, partitions: 4 },
      { topic: `${prefix}.targets`, partitions: 4 },
    ]);
    const metadata = await admin.fetchTopicMetadata({ topics: [...names, `${prefix}.dlq`] });
    assert.deepEqual(metadata.topics.map((t) => [t.name, t.partitions.length]).sort(), [[`${prefix}.dlq`, 2], [`${prefix}.features`, 4], [`${prefix}.targets`, 4]]);
  });

  test('two callers racing on the same new topics both succeed, and each topic is created once', async () => {
    const names = [`${prefix}.race-a`, `${prefix}.race-b`, `${prefix}.race-c`];
    const [a, b] = await Promise.all([ensureTopics(admin, names, 3, 1), ensureTopics(admin, names, 3, 1)]);
    assert.deepEqual([...a.created, ...b.created].sort(), names, 'every topic created by exactly one caller');
    const metadata = await admin.fetchTopicMetadata({ topics: names });
    for (const topic of metadata.topics) {
      assert.equal(topic.partitions.length, 3);
      assert.ok(topic.partitions.every((p) => p.leader >= 0), `${topic.name} has leaders`);
    }
  });

  test('bad partition or replication counts are usage errors', async () => {
    await assert.rejects(ensureTopics(admin, [`${prefix}.x`], 0, 1), (e: Error) => e instanceof UsageError && /partitions must be/.test(e.message));
    await assert.rejects(ensureTopics(admin, [`${prefix}.x`], 1, 1.5), (e: Error) => e instanceof UsageError && /replication factor/.test(e.message));
  });
});
