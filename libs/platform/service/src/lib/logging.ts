import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';

interface RequestContext {
  correlationId: string;
}

const context = new AsyncLocalStorage<RequestContext>();

/** The correlation id of the work in hand: set from the HTTP header or the Kafka header. */
export function currentCorrelationId(): string {
  return context.getStore()?.correlationId ?? randomUUID();
}

export function runWithCorrelationId<T>(correlationId: string, work: () => T): T {
  return context.run({ correlationId }, work);
}

export const CORRELATION_HEADER = 'x-correlation-id';

/** Accepts a caller's correlation id only if it is short and printable; otherwise makes one. */
export function sanitiseCorrelationId(value: unknown): string {
  return typeof value === 'string' && /^[\w.:-]{1,128}$/.test(value) ? value : randomUUID();
}

/**
 * Errors as pino writes them, less what a failed query carries of its values: its parameters (a
 * user's attributes, a signing key being stored), the driver's error beside them, and PostgreSQL's
 * detail and context ("Key (user_name)=(…)", "Failing row contains (…)"). The SQL, the message,
 * the error code and the constraint are what a reader of the log needs.
 */
const VALUE_BEARING_FIELDS = ['parameters', 'driverError', 'detail', 'where', 'internalQuery'];

function serializeError(error: Error): Record<string, unknown> {
  const serialized = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  return Object.fromEntries(Object.entries(serialized).filter(([field]) => !VALUE_BEARING_FIELDS.includes(field)));
}

export function createLogger(service: string, level: string, destination?: pino.DestinationStream): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => {
      const store = context.getStore();
      return store ? { correlationId: store.correlationId } : {};
    },
    // Tokens and cookies must never reach the logs.
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.token', '*.password', '*.adminToken'],
      censor: '[redacted]',
    },
    serializers: { err: serializeError },
  }, destination);
}

/** Nest's own messages go to the same JSON log. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.logger.info({ context: rest.at(-1) }, String(message));
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.logger.error({ context: rest.at(-1), stack: rest[0] }, String(message));
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.logger.warn({ context: rest.at(-1) }, String(message));
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.logger.debug({ context: rest.at(-1) }, String(message));
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.logger.trace({ context: rest.at(-1) }, String(message));
  }
}
