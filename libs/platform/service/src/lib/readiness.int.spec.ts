import { createServer, connect, type Server, type Socket } from 'node:net';
import pino from 'pino';
import { ALL_TOPICS, type IntegrationEvent } from '@identity/contracts';
import { KafkaMessageBus } from '@identity/platform-messaging';
import { createTestDatabase, eventually, kafkaBrokers, testNamespace } from '@identity/platform-testing';
import { COMMON_CONFIG, ServiceConfig } from './config';
import { freePort } from './free-port';
import { ServiceInfrastructure } from './infrastructure';
import { ServiceMetrics } from './metrics';

describe('readiness when Kafka does not answer (real PostgreSQL; a port nothing listens on as the broker)', () => {
  it('keeps a service in its load balancer, writes go to the outbox meanwhile; only the relay is not ready', async () => {
    const databaseUrl = await createTestDatabase();
    const silentBroker = `127.0.0.1:${await freePort()}`;
    for (const runsRelay of [false, true]) {
      const infrastructure = new ServiceInfrastructure({
        service: 'readiness-test',
        config: ServiceConfig.load(COMMON_CONFIG, { DATABASE_URL: databaseUrl, KAFKA_BROKERS: silentBroker }),
        logger: pino({ level: 'silent' }),
        metrics: new ServiceMetrics('readiness-test', false),
        migrations: [],
        projections: [],
        reactions: [],
        runsRelay,
      });
      await infrastructure.dataSource.initialize();
      try {
        expect({ runsRelay, ...(await infrastructure.readiness()) }).toEqual({ runsRelay, ready: !runsRelay, checks: expect.objectContaining({ database: 'up', messaging: 'down' }) });
      } finally {
        await infrastructure.stop();
      }
    }
  });
});

describe('a service that starts while Kafka does not answer (real PostgreSQL and Kafka, behind a proxy that opens later)', () => {
  it('starts and is ready on PostgreSQL alone, then starts its consumers once Kafka answers', async () => {
    const databaseUrl = await createTestDatabase();
    const namespace = testNamespace('late-kafka');
    const port = await freePort();
    const topic = ALL_TOPICS[0].name;
    const received: string[] = [];
    const infrastructure = new ServiceInfrastructure({
      service: 'late-kafka-test',
      config: ServiceConfig.load(COMMON_CONFIG, { DATABASE_URL: databaseUrl, KAFKA_BROKERS: `127.0.0.1:${port}`, KAFKA_NAMESPACE: namespace }),
      logger: pino({ level: 'silent' }),
      metrics: new ServiceMetrics('late-kafka-test', false),
      migrations: [],
      projections: [],
      reactions: [{ name: 'late-kafka-test', topics: [topic], handle: async (event: IntegrationEvent) => void received.push(event.eventId) }],
      runsRelay: false,
    });
    let proxy: Server | undefined;
    const sockets = new Set<Socket>();
    const publisher = new KafkaMessageBus({ brokers: kafkaBrokers(), clientId: 'late-kafka-publisher', namespace });
    try {
      // Nothing listens on the broker's port: the start gives up on Kafka, not on the service.
      await infrastructure.start();
      expect(await infrastructure.readiness()).toEqual({ ready: true, checks: { database: 'up', messaging: 'down' } });

      // Kafka comes back (the proxy opens; after the first connection the clients reach the broker it advertises).
      proxy = createServer((client) => {
        const [host, brokerPort] = kafkaBrokers()[0].split(':');
        const upstream = connect({ host, port: Number(brokerPort) });
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('error', () => undefined).on('close', () => sockets.delete(socket));
        }
        client.pipe(upstream).pipe(client);
      });
      await new Promise<void>((resolve) => proxy!.listen(port, '127.0.0.1', resolve));

      await publisher.connect();
      await publisher.ensureTopics([{ name: topic, partitions: ALL_TOPICS[0].partitions }]);
      const event = { eventId: 'late-kafka-1', eventType: 'UserProvisioned', tenantId: 'none', aggregateId: 'a', aggregateVersion: 1, occurredAt: new Date().toISOString() };
      await publisher.publish([{ topic, key: 'a', value: JSON.stringify(event), headers: {} }]);
      await eventually(() => expect(received).toEqual(['late-kafka-1']), { timeoutMs: 90_000 });
      expect((await infrastructure.readiness()).checks.messaging).toBe('up');
    } finally {
      await infrastructure.stop();
      await publisher.disconnect();
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
    }
  }, 150_000);
});
