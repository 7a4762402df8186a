import { randomUUID } from 'node:crypto';
import { isTransactionConflict, StreamVersionConflictError } from './event-store.errors';
import type { InTransaction, PostgresEventStore } from './postgres-event-store';
import type { NewEvent, OutboxMessage, ReservationChange, StoredEvent, StoredEventDraft } from './event-store.types';

/** The pure heart of an aggregate: what happened (evolve) and what should happen (decide). */
export interface Decider<State, Command, Event extends NewEvent> {
  initialState(): State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): Event[];
}

/** Who asked and why: carried into every event's metadata and on to Kafka headers. */
export interface CommandContext {
  tenantId: string | null;
  correlationId: string;
  causationId?: string;
  actor?: string;
}

export interface RunCommand<State, Command, Event extends NewEvent> {
  streamId: string;
  streamType: string;
  decider: Decider<State, Command, Event>;
  command: Command;
  context: CommandContext;
  /** The version the caller last saw (an If-Match); when given, a conflict is not retried. */
  ifMatch?: number;
  reservations?(events: readonly Event[], before: State): ReservationChange[];
  toOutbox?(events: readonly StoredEvent[]): OutboxMessage[];
  schemaVersion?(eventType: string): number;
  inTransaction?: InTransaction;
  /**
   * Loads the decision state from somewhere cheaper than the whole stream (an inline read model
   * kept in the same transactions, say). The append still checks the version, so a stale load
   * only costs a retry.
   */
  loadState?(): Promise<{ state: State; version: number }>;
  /** The stream id was just made up (a new user's, say): there is nothing to load. */
  newStream?: boolean;
}

export interface CommandOutcome<State> {
  /** The stream version after the command: the ETag of the aggregate. */
  version: number;
  state: State;
  events: StoredEvent[];
}

/** What every command of a batch shares: the aggregate type and what an append carries along. */
export type BatchShape<State, Command, Event extends NewEvent> = Pick<
  RunCommand<State, Command, Event>,
  'streamType' | 'decider' | 'reservations' | 'toOutbox' | 'schemaVersion' | 'inTransaction'
>;

/** One command of a batch, on its own stream. */
export interface BatchCommand<Command> {
  streamId: string;
  command: Command;
  /** This command's own caller, when it differs from the batch's. */
  context?: CommandContext;
  ifMatch?: number;
  newStream?: boolean;
}

/**
 * Runs one command: load the stream, fold it, decide, append with the expected version plus
 * reservations and outbox in one transaction. A concurrent writer makes it retry from the load.
 */
export class CommandRunner {
  constructor(
    private readonly store: PostgresEventStore,
    private readonly maxAttempts = 8,
  ) {}

  async run<State, Command, Event extends NewEvent>(request: RunCommand<State, Command, Event>): Promise<CommandOutcome<State>> {
    for (let attempt = 1; ; attempt++) {
      const { decider } = request;
      const { state: before, version } = await this.load(request);
      if (request.ifMatch !== undefined && request.ifMatch !== version) {
        throw new StreamVersionConflictError(request.streamId, request.ifMatch, version);
      }
      const decided = decider.decide(request.command, before);
      if (decided.length === 0) return { version, state: before, events: [] };
      const occurredAt = new Date().toISOString();
      try {
        const result = await this.store.appendToStream(
          {
            streamId: request.streamId,
            streamType: request.streamType,
            tenantId: request.context.tenantId,
            expectedVersion: version,
            events: decided.map((event) => this.draft(event, request, occurredAt)),
            reservations: request.reservations?.(decided, before),
            toOutbox: request.toOutbox,
          },
          request.inTransaction,
        );
        const state = decided.reduce((current, event) => decider.evolve(current, event), before);
        return { version: result.nextVersion, state, events: result.events };
      } catch (error) {
        // A deadlock victim wrote nothing, so even an If-Match write may run again.
        const retryable = (error instanceof StreamVersionConflictError && request.ifMatch === undefined) || isTransactionConflict(error);
        if (!retryable || attempt >= this.maxAttempts) throw error;
        // Writers that collided would collide again if they all retried at once.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 4 * attempt));
      }
    }
  }

  /**
   * Runs many commands of one aggregate type, one stream each, as one transaction: one read for
   * all the streams (none for new ones), one append for all the decisions. A command the decider
   * refuses, or whose If-Match is stale, gets its error back and takes no part; any failure of the
   * append itself (a concurrent writer, a taken reservation, a check in an inline projection) rolls
   * every command back and is thrown, so the caller can fall back to `run` one by one and learn
   * each command's own outcome. A command may bring its own context (who asked, for which tenant).
   */
  async runBatch<State, Command, Event extends NewEvent>(
    batch: BatchShape<State, Command, Event> & {
      context: CommandContext;
      commands: readonly BatchCommand<Command>[];
    },
  ): Promise<({ outcome: CommandOutcome<State> } | { refused: unknown })[]> {
    const { decider } = batch;
    const histories = await this.store.readStreams(batch.commands.filter((entry) => !entry.newStream).map((entry) => entry.streamId));
    const occurredAt = new Date().toISOString();
    const decisions = batch.commands.map(({ streamId, command, context = batch.context, ifMatch }) => {
      const { state: before, version } = foldHistory(histories.get(streamId) ?? [], decider);
      try {
        if (ifMatch !== undefined && ifMatch !== version) throw new StreamVersionConflictError(streamId, ifMatch, version);
        return { streamId, context, before, version, events: decider.decide(command, before) };
      } catch (refused) {
        return { streamId, refused };
      }
    });
    const appends = decisions.filter((decision) => 'events' in decision && decision.events!.length > 0) as {
      streamId: string;
      context: CommandContext;
      before: State;
      version: number;
      events: Event[];
    }[];
    const results =
      appends.length === 0
        ? []
        : await this.store.appendToStreams(
            appends.map((decision) => ({
              streamId: decision.streamId,
              streamType: batch.streamType,
              tenantId: decision.context.tenantId,
              expectedVersion: decision.version,
              events: decision.events.map((event) => this.draft(event, { context: decision.context, schemaVersion: batch.schemaVersion }, occurredAt)),
              reservations: batch.reservations?.(decision.events, decision.before),
              toOutbox: batch.toOutbox,
            })),
            batch.inTransaction,
          );
    const appended = new Map(appends.map((decision, index) => [decision.streamId, results[index]]));
    return decisions.map((decision) => {
      if ('refused' in decision) return { refused: decision.refused };
      const result = appended.get(decision.streamId);
      const state = decision.events.reduce((current, event) => decider.evolve(current, event), decision.before);
      return { outcome: { version: result?.nextVersion ?? decision.version, state, events: result?.events ?? [] } };
    });
  }

  /**
   * What the command would decide now, stored nowhere: for dry runs (a CSV upload's preview, say).
   * `state` is the aggregate as the events would leave it, for a preview of the next command.
   */
  async dryRun<State, Command, Event extends NewEvent>(
    request: Pick<RunCommand<State, Command, Event>, 'streamId' | 'decider' | 'command' | 'loadState'>,
  ): Promise<{ version: number; events: Event[]; state: State }> {
    const { state, version } = await this.load(request);
    const events = request.decider.decide(request.command, state);
    return { version, events, state: events.reduce((current, event) => request.decider.evolve(current, event), state) };
  }

  /** An aggregate's state as stored, for previews that decide against a state of their own making. */
  async stateOf<State, Command, Event extends NewEvent>(request: Pick<RunCommand<State, Command, Event>, 'streamId' | 'decider'>): Promise<State> {
    return (await this.load(request)).state;
  }

  private draft<Event extends NewEvent>(
    event: Event,
    request: { context: CommandContext; schemaVersion?(eventType: string): number },
    occurredAt: string,
  ): StoredEventDraft {
    const { context } = request;
    return {
      type: event.type,
      data: event.data,
      schemaVersion: request.schemaVersion?.(event.type) ?? 1,
      metadata: {
        eventId: randomUUID(),
        tenantId: context.tenantId,
        occurredAt,
        correlationId: context.correlationId,
        causationId: context.causationId ?? context.correlationId,
        ...(context.actor ? { actor: context.actor } : {}),
      },
    };
  }

  private async load<State, Command, Event extends NewEvent>(
    request: Pick<RunCommand<State, Command, Event>, 'streamId' | 'decider' | 'loadState' | 'newStream'>,
  ): Promise<{ state: State; version: number }> {
    if (request.loadState) return request.loadState();
    if (request.newStream) return { state: request.decider.initialState(), version: 0 };
    return foldHistory(await this.store.readStream(request.streamId), request.decider);
  }
}

function foldHistory<State, Command, Event extends NewEvent>(history: readonly StoredEvent[], decider: Decider<State, Command, Event>) {
  const state = history.reduce((current, event) => decider.evolve(current, event as unknown as Event), decider.initialState());
  return { state, version: history.length };
}
