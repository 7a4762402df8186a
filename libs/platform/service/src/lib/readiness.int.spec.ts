import pino from 'pino';
import { createTestDatabase } from '@identity/platform-testing';
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
