import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createTestDatabase } from '@identity/platform-testing';
import { CommandRunner } from './command-runner';
import { createDataSource, runMigrations } from './database';
import { ReservationConflictError, StreamVersionConflictError } from './event-store.errors';
import { EVENT_STORE_MIGRATIONS } from './event-store.migration';
import { GroupCommit } from './group-commit';
import { PostgresEventStore } from './postgres-event-store';

type AccountEvent = { type: 'Opened'; data: { name: string } } | { type: 'Deposited'; data: { amount: number } };
type AccountCommand = { open: string } | { deposit: number };
interface Account {
  name: string | null;
  balance: number;
}
const accounts = {
  initialState: (): Account => ({ name: null, balance: 0 }),
  evolve: (state: Account, event: AccountEvent): Account =>
    event.type === 'Opened' ? { ...state, name: event.data.name } : { ...state, balance: state.balance + event.data.amount },
  decide: (command: AccountCommand, state: Account): AccountEvent[] => {
    if ('open' in command) return state.name ? [] : [{ type: 'Opened', data: { name: command.open } }];
    if (!state.name) throw new Error('no such account');
    if (command.deposit <= 0) throw new Error('deposits are positive');
    return [{ type: 'Deposited', data: { amount: command.deposit } }];
  },
};
const uniqueNames = (events: readonly AccountEvent[]) =>
  events.flatMap((event) => (event.type === 'Opened' ? [{ action: 'reserve' as const, scope: 'account-name', key: event.data.name }] : []));

describe('GroupCommit (real PostgreSQL)', () => {
  let dataSource: DataSource;
  let commits: GroupCommit<Account, AccountCommand, AccountEvent>;

  beforeAll(async () => {
    dataSource = createDataSource({ url: await createTestDatabase(), migrations: [...EVENT_STORE_MIGRATIONS], poolSize: 10 });
    await dataSource.initialize();
    await runMigrations(dataSource);
    commits = new GroupCommit(new CommandRunner(new PostgresEventStore(dataSource)), { streamType: 'account', decider: accounts, reservations: uniqueNames });
  });

  afterAll(() => dataSource.destroy());

  const context = (tenantId: string) => ({ tenantId, correlationId: randomUUID() });
  const transactionsOf = async (streamIds: string[]) =>
    ((await dataSource.query(`SELECT count(DISTINCT transaction_id)::int AS n FROM event_store.events WHERE stream_id = ANY($1::text[])`, [streamIds])) as { n: number }[])[0].n;

  it('writes the commands that arrive while a batch is written together, each with its own outcome and context', async () => {
    const tenants = [randomUUID(), randomUUID()];
    const streams = Array.from({ length: 40 }, () => `account-${randomUUID()}`);
    const outcomes = await Promise.all(
      streams.map((streamId, index) => commits.run({ streamId, command: { open: `name-${streamId}` }, context: context(tenants[index % 2]), newStream: true })),
    );
    expect(outcomes.every((outcome) => outcome.version === 1 && outcome.state.name !== null)).toBe(true);
    expect(await transactionsOf(streams)).toBeLessThan(streams.length / 2);
    const stored = (await dataSource.query(`SELECT stream_id, tenant_id, metadata->>'tenantId' AS meta FROM event_store.events WHERE stream_id = ANY($1::text[])`, [streams])) as {
      stream_id: string;
      tenant_id: string;
      meta: string;
    }[];
    for (const row of stored) {
      const expected = tenants[streams.indexOf(row.stream_id) % 2];
      expect([row.tenant_id, row.meta]).toEqual([expected, expected]);
    }
  });

  it('gives a refused command, a stale If-Match and a second command on one stream their own outcomes', async () => {
    const [a, b] = [`account-${randomUUID()}`, `account-${randomUUID()}`];
    await commits.run({ streamId: a, command: { open: `a-${a}` }, context: context(randomUUID()) });
    await commits.run({ streamId: b, command: { open: `b-${b}` }, context: context(randomUUID()) });
    const results = await Promise.allSettled([
      commits.run({ streamId: a, command: { deposit: 5 }, context: context(randomUUID()) }),
      commits.run({ streamId: a, command: { deposit: 7 }, context: context(randomUUID()) }),
      commits.run({ streamId: b, command: { deposit: -1 }, context: context(randomUUID()) }),
      commits.run({ streamId: b, command: { deposit: 3 }, context: context(randomUUID()), ifMatch: 0 }),
      commits.run({ streamId: `account-${randomUUID()}`, command: { deposit: 1 }, context: context(randomUUID()) }),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'rejected']);
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ message: 'deposits are positive' });
    expect((results[3] as PromiseRejectedResult).reason).toBeInstanceOf(StreamVersionConflictError);
    expect((results[4] as PromiseRejectedResult).reason).toMatchObject({ message: 'no such account' });
    const last = await commits.run({ streamId: a, command: { deposit: 1 }, context: context(randomUUID()) });
    expect(last).toMatchObject({ version: 4, state: { balance: 13 } });
  });

  it('runs a batch that fails as a whole command by command: one of 30 claims of one name wins', async () => {
    const name = `contended-${randomUUID()}`;
    const streams = Array.from({ length: 30 }, () => `account-${randomUUID()}`);
    const others = Array.from({ length: 10 }, () => `account-${randomUUID()}`);
    const results = await Promise.allSettled([
      ...streams.map((streamId) => commits.run({ streamId, command: { open: name }, context: context(randomUUID()), newStream: true })),
      ...others.map((streamId) => commits.run({ streamId, command: { open: `free-${streamId}` }, context: context(randomUUID()), newStream: true })),
    ]);
    const won = results.slice(0, 30).filter((result) => result.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const result of results.slice(0, 30)) if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(ReservationConflictError);
    expect(results.slice(30).every((result) => result.status === 'fulfilled')).toBe(true);
    const opened = (await dataSource.query(`SELECT count(*)::int AS n FROM event_store.events WHERE stream_id = ANY($1::text[])`, [streams])) as { n: number }[];
    expect(opened[0].n).toBe(1);
  });
});
