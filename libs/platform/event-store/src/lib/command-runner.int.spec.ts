import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createTestDatabase } from '@identity/platform-testing';
import { CommandRunner } from './command-runner';
import { createDataSource, runMigrations } from './database';
import { CreateEventStore1764460800000 } from './event-store.migration';
import { PostgresEventStore } from './postgres-event-store';

type CounterEvent = { type: 'Incremented'; data: { by: number } };
const counter = {
  initialState: () => 0,
  evolve: (total: number, event: CounterEvent) => total + event.data.by,
  decide: (command: { by: number }): CounterEvent[] => (command.by === 0 ? [] : [{ type: 'Incremented', data: { by: command.by } }]),
};

describe('CommandRunner (real PostgreSQL)', () => {
  let dataSource: DataSource;
  let runner: CommandRunner;

  beforeAll(async () => {
    dataSource = createDataSource({ url: await createTestDatabase(), migrations: [CreateEventStore1764460800000], poolSize: 20 });
    await dataSource.initialize();
    await runMigrations(dataSource);
    runner = new CommandRunner(new PostgresEventStore(dataSource), 50);
  });

  afterAll(() => dataSource.destroy());

  const context = { tenantId: randomUUID(), correlationId: 'test' };

  it('retries on a concurrent writer, so no command is lost', async () => {
    const streamId = `counter-${randomUUID()}`;
    await Promise.all(Array.from({ length: 15 }, () => runner.run({ streamId, streamType: 'counter', decider: counter, command: { by: 1 }, context })));
    const outcome = await runner.run({ streamId, streamType: 'counter', decider: counter, command: { by: 0 }, context });
    expect(outcome.state).toBe(15);
    expect(outcome.version).toBe(15);
  });

  it('stores nothing for a command that decides nothing, and honours If-Match', async () => {
    const streamId = `counter-${randomUUID()}`;
    const first = await runner.run({ streamId, streamType: 'counter', decider: counter, command: { by: 2 }, context });
    const noop = await runner.run({ streamId, streamType: 'counter', decider: counter, command: { by: 0 }, context });
    expect(noop).toMatchObject({ version: first.version, events: [] });
    await expect(runner.run({ streamId, streamType: 'counter', decider: counter, command: { by: 1 }, context, ifMatch: 0 })).rejects.toMatchObject({
      name: 'StreamVersionConflictError',
    });
  });
});
