/** An event as the domain produced it, before the store gives it a position. */
export interface NewEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
}

export interface EventMetadata {
  eventId: string;
  tenantId: string | null;
  occurredAt: string;
  correlationId: string;
  causationId: string;
  actor?: string;
}

export interface StoredEvent<Type extends string = string, Data = unknown> {
  globalPosition: string;
  streamId: string;
  streamType: string;
  streamVersion: number;
  eventId: string;
  type: Type;
  schemaVersion: number;
  data: Data;
  metadata: EventMetadata;
}

/** A unique key claimed or given back in the same transaction as the events. */
export type ReservationChange =
  | { action: 'reserve'; scope: string; key: string }
  | { action: 'release'; scope: string; key: string };

/** A message for the outbox; the relay publishes it after the transaction commits. */
export interface OutboxMessage {
  eventId: string;
  topic: string;
  key: string;
  headers: Record<string, string>;
  payload: unknown;
}

/** `0` means the stream must not exist yet; `'any'` skips the check. */
export type ExpectedVersion = number | 'any';

export interface AppendRequest {
  streamId: string;
  streamType: string;
  tenantId: string | null;
  expectedVersion: ExpectedVersion;
  events: readonly StoredEventDraft[];
  reservations?: readonly ReservationChange[];
  /** Builds the outbox messages from the events once they have their versions. */
  toOutbox?: (events: readonly StoredEvent[]) => OutboxMessage[];
}

export interface StoredEventDraft extends NewEvent {
  schemaVersion: number;
  metadata: EventMetadata;
}

export interface AppendResult {
  nextVersion: number;
  events: StoredEvent[];
}

/** Rewrites an old stored shape of one event type to the shape the code reads today. */
export interface Upcaster {
  eventType: string;
  fromSchemaVersion: number;
  upcast(data: unknown): unknown;
}
