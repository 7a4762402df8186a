// Deletes the topics whose names start with a prefix (a test run's namespaces): `node delete-topics.cjs PREFIX [BROKERS]`.
const { Kafka, logLevel } = require('kafkajs');

async function main() {
  const [prefix, brokers = process.env.KAFKA_BROKERS || '127.0.0.1:9092'] = process.argv.slice(2);
  if (!prefix || prefix.length < 8) throw new Error('a prefix of at least 8 characters is required');
  const admin = new Kafka({ clientId: 'topic-cleanup', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    for (let index = 0; index < topics.length; index += 100) await admin.deleteTopics({ topics: topics.slice(index, index + 100), timeout: 30000 });
    process.stderr.write(`kafka: deleted ${topics.length} topics of ${prefix}*\n`);
  } finally {
    await admin.disconnect();
  }
}

main().catch((error) => {
  process.stderr.write(`kafka: topic cleanup failed: ${error.message}\n`);
  process.exit(1);
});
