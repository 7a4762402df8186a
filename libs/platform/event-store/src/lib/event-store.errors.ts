/** Another writer appended to the stream since it was read; reload and decide again. */
export class StreamVersionConflictError extends Error {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(`stream ${streamId} is at version ${actualVersion}, expected ${expectedVersion}`);
    this.name = 'StreamVersionConflictError';
  }
}

/** A unique key (a username, say) is already held by another stream. Says nothing about the holder. */
export class ReservationConflictError extends Error {
  constructor(
    readonly scope: string,
    readonly key: string,
  ) {
    super(`${scope} "${key}" is already taken`);
    this.name = 'ReservationConflictError';
  }
}

/**
 * PostgreSQL gave up the transaction so that another could go on (a deadlock, or a serialization
 * failure): nothing of it was written, and the same work run again will usually pass.
 */
export function isTransactionConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}
