import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event store, its outbox and the relay checkpoint. `transaction_id` (xid8) lets readers tail
 * both tables in the writing transactions' order without skipping a row whose transaction
 * committed late.
 */
export class CreateEventStore1764460800000 implements MigrationInterface {
  name = 'CreateEventStore1764460800000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE SCHEMA IF NOT EXISTS event_store`);
    await db.query(`
      CREATE TABLE event_store.streams (
        stream_id text PRIMARY KEY,
        stream_type text NOT NULL,
        tenant_id text,
        version integer NOT NULL CHECK (version > 0),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE event_store.events (
        global_position bigserial PRIMARY KEY,
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        stream_id text NOT NULL REFERENCES event_store.streams (stream_id),
        stream_type text NOT NULL,
        stream_version integer NOT NULL,
        tenant_id text,
        event_id uuid NOT NULL UNIQUE,
        event_type text NOT NULL,
        schema_version integer NOT NULL,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        occurred_at timestamptz NOT NULL,
        UNIQUE (stream_id, stream_version)
      )`);
    await db.query(`CREATE INDEX events_commit_order ON event_store.events (transaction_id, global_position)`);
    await db.query(`
      CREATE TABLE event_store.reservations (
        scope text NOT NULL,
        key text NOT NULL,
        stream_id text NOT NULL,
        reserved_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (scope, key)
      )`);
    await db.query(`
      CREATE TABLE event_store.outbox (
        position bigserial PRIMARY KEY,
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        event_id uuid NOT NULL,
        topic text NOT NULL,
        message_key text NOT NULL,
        headers jsonb NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX outbox_commit_order ON event_store.outbox (transaction_id, position)`);
    await db.query(`
      CREATE TABLE event_store.relay_checkpoints (
        relay text PRIMARY KEY,
        last_transaction_id xid8 NOT NULL,
        last_position bigint NOT NULL,
        published_total bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP SCHEMA event_store CASCADE`);
  }
}

/**
 * The relay's housekeeping. Transactions that write no outbox row, registered while they are open
 * (a read-model rebuild): the relay does not wait for them before it publishes what committed after
 * they began. And a BRIN index by age (tiny, nearly free to keep on an append-only table), by which
 * the relay finds the published rows past their retention without reading the others.
 */
export class AddOutboxHousekeeping1764462700000 implements MigrationInterface {
  name = 'AddOutboxHousekeeping1764462700000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE event_store.outbox_free_transactions (transaction_id xid8 PRIMARY KEY, registered_at timestamptz NOT NULL DEFAULT now())`);
    await db.query(`CREATE INDEX outbox_age ON event_store.outbox USING brin (created_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX event_store.outbox_age`);
    await db.query(`DROP TABLE event_store.outbox_free_transactions`);
  }
}

/** Every service that holds the event store runs these, first. */
export const EVENT_STORE_MIGRATIONS = [CreateEventStore1764460800000, AddOutboxHousekeeping1764462700000] as const;
