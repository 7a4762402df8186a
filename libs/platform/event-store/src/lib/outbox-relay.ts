import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { MessageBus, OutgoingMessage } from '@identity/platform-messaging';
import { returnedRows, tryLockSession } from './database';
import { START_OF_STORE, type CommitCursor } from './postgres-event-store';

export interface OutboxRelayOptions {
  /** The relay's name: its checkpoint row and its advisory lock. */
  name: string;
  databaseUrl: string;
  batchSize?: number;
  /** How long an idle relay waits before it looks at the outbox again. */
  idlePollMs?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;
  onPublished?: (count: number) => void;
  /**
   * How long published rows stay in the outbox (undefined: for ever). The events themselves stay in
   * the store; the outbox only holds their published form, so without this it grows as the store does.
   */
  retainPublishedMs?: number;
}

/**
 * Rows of transactions below this have all committed: the oldest transaction still open, not
 * counting those registered as writing no outbox row (a rebuild that takes minutes), else the
 * next one to start. Publishing in transaction order means never passing a transaction that may
 * still add rows before it.
 */
const PUBLISHING_HORIZON = `
  SELECT coalesce(min(open.xid), pg_snapshot_xmax(pg_current_snapshot()))
    FROM pg_snapshot_xip(pg_current_snapshot()) AS open(xid)
   WHERE open.xid NOT IN (SELECT transaction_id FROM event_store.outbox_free_transactions)`;

/** How often the active relay deletes published rows past their retention, and how many at most per statement. */
const PRUNE_EVERY_MS = 60_000;
const PRUNE_BATCH = 10_000;

interface OutboxRow {
  position: string;
  transaction_id: string;
  topic: string;
  message_key: string;
  headers: Record<string, string>;
  payload: unknown;
}

export interface RelayStatus {
  leader: boolean;
  published: number;
  lastPublishedAt: string | null;
  /** Since when every turn has failed (the broker refuses, the database is gone); null while turns succeed. */
  failingSince: string | null;
  lastError: string | null;
}

/** Outbox messages committed and not yet published: how many (counted up to a cap) and how old the oldest is. */
export interface RelayBacklog {
  messages: number;
  oldestSeconds: number;
}

const BACKLOG_COUNT_CAP = 100_000;

/**
 * Publishes the outbox to the bus in the writing transactions' order (each aggregate's in its own). Only the holder of a PostgreSQL advisory lock
 * publishes; the checkpoint moves only after the broker acknowledged, so a crash republishes at worst.
 */
export class OutboxRelay {
  private lockClient?: Client;
  /** Where publishing stands; read when the leadership is won, then kept here (only the leader moves it). */
  private checkpoint?: CommitCursor;
  private running = false;
  private nextPruneAt = 0;
  private loop?: Promise<void>;
  private wake?: () => void;
  readonly status: RelayStatus = { leader: false, published: 0, lastPublishedAt: null, failingSince: null, lastError: null };

  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: MessageBus,
    private readonly options: OutboxRelayOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Finishes the batch in hand, then releases the leadership. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.releaseLock();
  }

  /** Publishes everything committed so far; returns how many messages went out. */
  async drainOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await this.publishBatch();
      total += published;
      if (published < (this.options.batchSize ?? 500)) return total;
    }
  }

  /** Whether everything committed to the outbox so far has been published. */
  async caughtUp(): Promise<boolean> {
    const cursor = this.checkpoint ?? (await this.readCheckpoint());
    const rows = (await this.dataSource.query(`SELECT 1 FROM event_store.outbox WHERE (transaction_id, position) > ($1::xid8, $2::bigint) LIMIT 1`, [
      cursor.transactionId,
      cursor.position,
    ])) as unknown[];
    return rows.length === 0;
  }

  /** What waits to be published past the checkpoint, for monitoring: a backlog that grows while nothing fails means no relay leads. */
  async backlog(): Promise<RelayBacklog> {
    const cursor = await this.readCheckpoint();
    // A range on the commit-order index from the checkpoint: the published rows kept for their retention are never read.
    const [row] = (await this.dataSource.query(
      `SELECT count(*)::int AS messages, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float AS "oldestSeconds"
         FROM (SELECT o.created_at FROM event_store.outbox o
                WHERE (o.transaction_id, o.position) > ($1::xid8, $2::bigint)
                ORDER BY o.transaction_id, o.position
                LIMIT ${BACKLOG_COUNT_CAP}) AS waiting`,
      [cursor.transactionId, cursor.position],
    )) as RelayBacklog[];
    return row;
  }

  /**
   * Deletes a batch of the published rows written before the retention; returns how many went. One
   * batch at a time, between publishing batches, so that a long backlog (the first run after an
   * upgrade) never holds publishing up.
   */
  async pruneOnce(): Promise<number> {
    if (this.options.retainPublishedMs === undefined) return 0;
    return returnedRows(
      await this.dataSource.query(
        `DELETE FROM event_store.outbox WHERE position IN (
           SELECT o.position FROM event_store.outbox o JOIN event_store.relay_checkpoints c ON c.relay = $1
            WHERE o.created_at < now() - make_interval(secs => $2)
              AND (o.transaction_id, o.position) <= (c.last_transaction_id, c.last_position)
            LIMIT $3)
         RETURNING position`,
        [this.options.name, this.options.retainPublishedMs / 1000, PRUNE_BATCH],
      ),
    ).length;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (!(await this.holdLeadership())) {
          // A standby is healthy: failures it saw while it led are over.
          this.status.failingSince = null;
          await this.sleep(1_000);
          continue;
        }
        const published = await this.publishBatch();
        // A full batch: more is due, at the next turn; else nothing is for a while.
        if (Date.now() >= this.nextPruneAt) this.nextPruneAt = (await this.pruneOnce()) === PRUNE_BATCH ? 0 : Date.now() + PRUNE_EVERY_MS;
        this.status.failingSince = null;
        if (published === 0) await this.sleep(this.options.idlePollMs ?? 50);
      } catch (error) {
        this.status.failingSince ??= new Date().toISOString();
        this.status.lastError = (error as Error).message;
        this.options.log?.('error', 'relay batch failed; retrying', { error: (error as Error).message });
        await this.releaseLock();
        await this.sleep(1_000);
      }
    }
  }

  private async publishBatch(): Promise<number> {
    const cursor = (this.checkpoint ??= await this.readCheckpoint());
    const rows = (await this.dataSource.query(
      `SELECT position, transaction_id::text AS transaction_id, topic, message_key, headers, payload
         FROM event_store.outbox o
        WHERE (transaction_id, position) > ($1::xid8, $2::bigint)
          AND transaction_id < (${PUBLISHING_HORIZON})
        ORDER BY o.transaction_id, o.position
        LIMIT $3`,
      [cursor.transactionId, cursor.position, this.options.batchSize ?? 500],
    )) as OutboxRow[];
    if (rows.length === 0) return 0;
    const messages: OutgoingMessage[] = rows.map((row) => ({
      topic: row.topic,
      key: row.message_key,
      value: JSON.stringify(row.payload),
      headers: row.headers,
    }));
    await this.bus.publish(messages);
    const last = rows[rows.length - 1];
    await this.dataSource.query(
      `INSERT INTO event_store.relay_checkpoints (relay, last_transaction_id, last_position, published_total)
       VALUES ($1, $2::xid8, $3, $4)
       ON CONFLICT (relay) DO UPDATE SET last_transaction_id = excluded.last_transaction_id,
         last_position = excluded.last_position,
         published_total = event_store.relay_checkpoints.published_total + excluded.published_total,
         updated_at = now()`,
      [this.options.name, last.transaction_id, last.position, rows.length],
    );
    this.checkpoint = { transactionId: last.transaction_id, position: last.position };
    this.status.published += rows.length;
    this.options.onPublished?.(rows.length);
    this.status.lastPublishedAt = new Date().toISOString();
    return rows.length;
  }

  /**
   * Where publishing resumes. A checkpoint past every transaction id this database has handed out
   * means the database was restored from a logical dump (pg_dump), which restarts the counter: the
   * new rows would sort before it and never be published. Refused loudly rather than silently.
   */
  private async readCheckpoint(): Promise<CommitCursor> {
    const [row] = (await this.dataSource.query(
      `SELECT last_transaction_id::text AS transaction_id, last_position::text AS position,
              last_transaction_id >= pg_snapshot_xmax(pg_current_snapshot()) AS ahead
         FROM event_store.relay_checkpoints WHERE relay = $1`,
      [this.options.name],
    )) as { transaction_id: string; position: string; ahead: boolean }[];
    if (row?.ahead) {
      throw new Error(
        `the relay checkpoint (transaction ${row.transaction_id}) is ahead of this database's transaction ids: it was restored from a logical dump, which the event store cannot take (docs/deploy.md, "Backups")`,
      );
    }
    return row ? { transactionId: row.transaction_id, position: row.position } : START_OF_STORE;
  }

  /** A session-level advisory lock on a connection of its own: it dies with the process. */
  private async holdLeadership(): Promise<boolean> {
    if (this.lockClient) {
      await this.lockClient.query('SELECT 1');
      return true;
    }
    // When the leader's node dies, its lock must go within seconds, or no relay publishes meanwhile.
    const client = await tryLockSession(this.options.databaseUrl, `relay-lock:${this.options.name}`, `outbox-relay:${this.options.name}`);
    if (!client) return false;
    this.lockClient = client;
    this.checkpoint = undefined;
    this.status.leader = true;
    this.options.log?.('info', 'relay is the active publisher', { relay: this.options.name });
    return true;
  }

  private async releaseLock(): Promise<void> {
    const client = this.lockClient;
    this.lockClient = undefined;
    this.checkpoint = undefined;
    this.status.leader = false;
    await client?.end().catch(() => undefined);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
