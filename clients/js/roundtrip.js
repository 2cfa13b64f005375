// A round trip with kafkajs, a Kafka client written in JavaScript only (no librdkafka):
// create a topic, produce N keyed messages (acks=all), consume them in a consumer group, commit.
// Prints one JSON line {"produced":N,"consumed":M,"distinct":D,"ok":bool} and exits 0 only if every
// message came back. Usage: node roundtrip.js <bootstrap> <topic> <group> <count>
// Optional environment: STRAND_SASL_MECHANISM (plain, scram-sha-256, scram-sha-512) with STRAND_SASL_USERNAME and
// STRAND_SASL_PASSWORD to authenticate; STRAND_SSL_CA, a CA certificate (PEM) to speak TLS trusting it (with SASL:
// SASL_SSL); STRAND_REPLICATION_FACTOR (default 3).
'use strict';
const fs = require('fs');
const { Kafka, logLevel } = require('kafkajs');

async function main() {
  const [bootstrap, topic, group, countArg] = process.argv.slice(2);
  const count = parseInt(countArg, 10);
  const env = process.env;
  const sasl = env.STRAND_SASL_MECHANISM
    ? { mechanism: env.STRAND_SASL_MECHANISM, username: env.STRAND_SASL_USERNAME, password: env.STRAND_SASL_PASSWORD }
    : undefined;
  const ssl = env.STRAND_SSL_CA ? { ca: [fs.readFileSync(env.STRAND_SSL_CA, 'utf-8')] } : undefined;
  const replicationFactor = parseInt(env.STRAND_REPLICATION_FACTOR || '3', 10);
  const kafka = new Kafka({ clientId: 'strand-js-test', brokers: bootstrap.split(','), logLevel: logLevel.WARN,
    retry: { retries: 10 }, sasl, ssl });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor }], waitForLeaders: true });
  await admin.disconnect();

  const producer = kafka.producer();
  await producer.connect();
  const batch = [];
  for (let i = 0; i < count; i++) {
    batch.push({ key: `k${i}`, value: `js-${i}` });
  }
  for (let i = 0; i < batch.length; i += 100) {
    await producer.send({ topic, acks: -1, messages: batch.slice(i, i + 100) });
  }
  await producer.disconnect();

  const seen = new Map();
  const consumer = kafka.consumer({ groupId: group, sessionTimeout: 10000, heartbeatInterval: 1000 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let consumed = 0;
  const done = new Promise((resolve) => {
    consumer.run({
      autoCommit: true,
      eachMessage: async ({ message }) => {
        consumed++;
        const v = message.value.toString();
        seen.set(v, (seen.get(v) || 0) + 1);
        if (seen.size === count) {
          resolve();
        }
      },
    });
  });
  const timeout = new Promise((resolve) => setTimeout(resolve, 60000));
  await Promise.race([done, timeout]);
  await consumer.disconnect();
  const ok = seen.size === count;
  console.log(JSON.stringify({ produced: count, consumed, distinct: seen.size, ok }));
  process.exit(ok ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  console.log(JSON.stringify({ ok: false, error: String(e) }));
  process.exit(2);
});
