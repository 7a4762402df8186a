#!/usr/bin/env node
// Readiness check for the local Kafka broker (used by tools/kafka/kafka.sh start).
// Succeeds once a kafkajs admin client can connect, describe the cluster (at least one
// broker and a controller) and list topics. Retries until the deadline; never a fixed sleep.
//
// Environment:
//   KAFKA_BROKERS            comma-separated bootstrap list (default 127.0.0.1:${KAFKA_PORT:-9092})
//   KAFKA_READY_TIMEOUT_MS   overall deadline in ms (default 120000)
// Exit code 0 when ready, 1 on timeout, 2 when kafkajs is not installed.
'use strict';

let kafkajs;
try {
  kafkajs = require('kafkajs');
} catch (err) {
  console.error('wait-ready: cannot load kafkajs (install the repo dependencies: npm ci): ' + err.message);
  process.exit(2);
}
const { Kafka, logLevel } = kafkajs;

const brokers = (process.env.KAFKA_BROKERS || `127.0.0.1:${process.env.KAFKA_PORT || 9092}`)
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const timeoutMs = Number(process.env.KAFKA_READY_TIMEOUT_MS || 120000);
const started = Date.now();
const elapsed = () => ((Date.now() - started) / 1000).toFixed(1);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function probe() {
  const kafka = new Kafka({
    clientId: 'kafka-wait-ready',
    brokers,
    connectionTimeout: 3000,
    requestTimeout: 5000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (!cluster.brokers.length) throw new Error('cluster reports no brokers yet');
    if (cluster.controller == null || cluster.controller < 0) throw new Error('cluster reports no controller yet');
    const topics = await admin.listTopics();
    return { cluster, topics };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

async function main() {
  let attempts = 0;
  let lastError;
  while (Date.now() - started < timeoutMs) {
    attempts += 1;
    try {
      const { cluster, topics } = await probe();
      console.log(
        `wait-ready: Kafka at ${brokers.join(',')} is ready after ${elapsed()} s ` +
          `(cluster ${cluster.clusterId}, ${cluster.brokers.length} broker(s), controller ${cluster.controller}, ` +
          `${topics.length} topic(s), ${attempts} attempt(s))`,
      );
      return 0;
    } catch (err) {
      lastError = err;
      await sleep(Math.min(500, Math.max(0, timeoutMs - (Date.now() - started))));
    }
  }
  console.error(
    `wait-ready: Kafka at ${brokers.join(',')} not ready after ${elapsed()} s (${attempts} attempt(s)); ` +
      `last error: ${lastError ? `${lastError.name}: ${lastError.message}` : 'none'}`,
  );
  return 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error('wait-ready: unexpected failure: ' + (err && err.stack ? err.stack : err));
    process.exit(1);
  },
);
