import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { KafkaMessageBus, type Subscription } from '@identity/platform-messaging';
import pino from 'pino';
import { createTestDatabase, eventually, kafkaSecureListener, testNamespace } from '@identity/platform-testing';
import { COMMON_CONFIG, ServiceConfig } from './config';
import { ServiceInfrastructure } from './infrastructure';
import { kafkaSecurity } from './kafka-security';
import { ServiceMetrics } from './metrics';

/** The bus as a service builds it from its environment, against the test broker's SASL_SSL listener. */
function busFrom(env: Record<string, string>, namespace: string): KafkaMessageBus {
  const listener = kafkaSecureListener();
  const config = ServiceConfig.load(COMMON_CONFIG, { DATABASE_URL: 'postgres://unused@127.0.0.1/unused', KAFKA_BROKERS: listener.broker, ...env });
  return new KafkaMessageBus({ brokers: config.list('KAFKA_BROKERS'), clientId: 'kafka-security-test', namespace, ...kafkaSecurity(config) });
}

describe('Kafka over TLS with SASL, configured by environment (real Kafka)', () => {
  const listener = kafkaSecureListener();
  const secured = { KAFKA_TLS_CA_FILE: listener.caFile, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: listener.username, KAFKA_SASL_PASSWORD: listener.password };

  beforeAll(async () => {
    const [host, port] = listener.broker.split(':');
    const reachable = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port: Number(port) });
      const done = (open: boolean) => {
        socket.destroy();
        resolve(open);
      };
      socket.once('connect', () => done(true)).once('error', () => done(false)).setTimeout(3_000, () => done(false));
    });
    if (!reachable || !existsSync(listener.caFile)) {
      throw new Error(
        `no SASL_SSL listener at ${listener.broker} with its CA at ${listener.caFile}: tools/kafka/kafka.sh runs one beside its broker; for another broker set KAFKA_TEST_SECURE_BROKER and KAFKA_TEST_CA_FILE (README)`,
      );
    }
  });

  it('publishes and consumes through a broker checked against the CA file, signed in with SASL PLAIN', async () => {
    const bus = busFrom(secured, testNamespace('kafka-tls'));
    let subscription: Subscription | undefined;
    try {
      await bus.connect();
      const topic = 'test.secured.v1';
      await bus.ensureTopics([{ name: topic, partitions: 1 }]);
      const received: string[] = [];
      subscription = await bus.subscribe({ groupId: 'test.secured', topics: [topic], handle: async (message) => void received.push(message.value) });
      await bus.publish([{ topic, key: 'k', value: 'over TLS', headers: {} }]);
      await eventually(() => expect(received).toEqual(['over TLS']), { timeoutMs: 30_000 });
    } finally {
      await subscription?.stop();
      await bus.disconnect();
    }
  });

  it('fails the start of a service whose Kafka password is wrong (a rollout with it stops), where an unreachable Kafka would not', async () => {
    const config = ServiceConfig.load(COMMON_CONFIG, {
      DATABASE_URL: await createTestDatabase(),
      KAFKA_BROKERS: listener.broker,
      KAFKA_NAMESPACE: testNamespace('kafka-tls-start'),
      ...secured,
      KAFKA_SASL_PASSWORD: 'not-the-password',
    });
    const infrastructure = new ServiceInfrastructure({
      service: 'wrong-password-test',
      config,
      logger: pino({ level: 'silent' }),
      metrics: new ServiceMetrics('wrong-password-test', false),
      migrations: [],
      projections: [],
      reactions: [],
      runsRelay: false,
    });
    try {
      await expect(infrastructure.start()).rejects.toThrow(/SASL|authentication/i);
    } finally {
      await infrastructure.stop();
    }
  });

  it('does not connect with a wrong password', async () => {
    const bus = busFrom({ ...secured, KAFKA_SASL_PASSWORD: 'not-the-password' }, testNamespace('kafka-tls-password'));
    await expect(bus.connect()).rejects.toThrow(/SASL|authentication/i);
    await bus.disconnect().catch(() => undefined);
  });

  it('does not connect to a broker whose certificate no trusted CA signed', async () => {
    const { KAFKA_TLS_CA_FILE: _caFile, ...systemCas } = secured;
    const bus = busFrom({ ...systemCas, KAFKA_TLS: 'true' }, testNamespace('kafka-tls-ca'));
    await expect(bus.connect()).rejects.toThrow(/certificate/i);
    await bus.disconnect().catch(() => undefined);
  });
});
