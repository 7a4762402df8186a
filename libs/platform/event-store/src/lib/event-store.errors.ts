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
