import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createTestDatabase } from '@identity/platform-testing';
import { CommandRunner } from './command-runner';
import { createDataSource, runMigrations } from './database';
import { EVENT_STORE_MIGRATIONS } from './event-store.migration';
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
    dataSource = createDataSource({ url: await createTestDatabase(), migrations: [...EVENT_STORE_MIGRATIONS], poolSize: 20 });
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

  it('runs a command again when PostgreSQL gave its transaction up in a deadlock, If-Match or not; gives up after its attempts', async () => {
    const streamId = `counter-${randomUUID()}`;
    let victims = 2;
    // PostgreSQL raises the deadlock victim's error inside the transaction, as it would for a real one.
    const deadlockTwice = async (manager: { query: (sql: string) => Promise<unknown> }) => {
      if (victims-- > 0) await manager.query(`DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = '40P01'; END $$`);
    };
    const outcome = await runner.run({ streamId, streamType: 'counter', decider: counter, command: { by: 3 }, context, ifMatch: 0, inTransaction: deadlockTwice });
    expect(outcome).toMatchObject({ version: 1, state: 3 });
    const always = async (manager: { query: (sql: string) => Promise<unknown> }) => {
      await manager.query(`DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = '40P01'; END $$`);
    };
    await expect(runner.run({ streamId, streamType: 'counter', decider: counter, command: { by: 1 }, context, inTransaction: always })).rejects.toMatchObject({ code: '40P01' });
    expect((await runner.run({ streamId, streamType: 'counter', decider: counter, command: { by: 0 }, context })).state).toBe(3);
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

  it('runs a batch of commands in one append, handing back the decider’s refusals one by one', async () => {
    const limited = { ...counter, decide: (command: { by: number }, total: number) => (command.by < 0 && total + command.by < 0 ? fail('below zero') : counter.decide(command)) };
    const fail = (message: string): never => {
      throw new Error(message);
    };
    const [a, b, c] = [`counter-${randomUUID()}`, `counter-${randomUUID()}`, `counter-${randomUUID()}`];
    await runner.run({ streamId: a, streamType: 'counter', decider: limited, command: { by: 5 }, context });
    const results = await runner.runBatch({
      streamType: 'counter',
      decider: limited,
      context,
      commands: [
        { streamId: a, command: { by: -2 } },
        { streamId: b, command: { by: -1 } },
        { streamId: c, command: { by: 0 } },
      ],
    });
    expect(results[0]).toMatchObject({ outcome: { state: 3, version: 2 } });
    expect(results[1]).toMatchObject({ refused: { message: 'below zero' } });
    expect(results[2]).toMatchObject({ outcome: { state: 0, version: 0, events: [] } });
    const after = await runner.run({ streamId: a, streamType: 'counter', decider: limited, command: { by: 0 }, context });
    expect(after.state).toBe(3);
    expect((await runner.run({ streamId: b, streamType: 'counter', decider: limited, command: { by: 0 }, context })).version).toBe(0);
  });
});
