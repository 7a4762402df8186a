/** One input's outcome in a batch. */
export type BatchOutcome<Output> = { value: Output } | { error: unknown };

export interface BatcherOptions<Input> {
  /** Inputs handled together at most. */
  maxBatch?: number;
  /** Batches being handled at once; more arrivals wait for one of them to finish. */
  maxRunning?: number;
  /** Whether an input may join a batch holding these (two writes to one stream may not, say). */
  canJoin?(batch: readonly Input[], input: Input): boolean;
}

interface Waiting<Input, Output> {
  input: Input;
  resolve(output: Output): void;
  reject(error: unknown): void;
}

/**
 * Turns concurrent calls into batches, because on this platform a database round trip costs far
 * more than a row. An input that finds batches running waits for one to finish and then goes with
 * every input that arrived meanwhile; an input that arrives alone is handled at once, so nothing
 * ever waits for company. `handle` answers every input of a batch, in order; if it throws, every
 * input of the batch gets that error.
 */
export class Batcher<Input, Output> {
  private readonly waiting: Waiting<Input, Output>[] = [];
  private running = 0;
  private readonly maxBatch: number;
  private readonly maxRunning: number;

  constructor(
    private readonly handle: (inputs: Input[]) => Promise<BatchOutcome<Output>[]>,
    private readonly options: BatcherOptions<Input> = {},
  ) {
    this.maxBatch = options.maxBatch ?? 100;
    this.maxRunning = options.maxRunning ?? 2;
  }

  submit(input: Input): Promise<Output> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    while (this.running < this.maxRunning && this.waiting.length > 0) {
      const batch = this.take();
      this.running++;
      void this.run(batch).finally(() => {
        this.running--;
        this.next();
      });
    }
  }

  /** The oldest waiting inputs that may go together; the others wait for the next batch, in order. */
  private take(): Waiting<Input, Output>[] {
    const batch: Waiting<Input, Output>[] = [];
    const inputs: Input[] = [];
    for (let index = 0; index < this.waiting.length && batch.length < this.maxBatch; ) {
      const entry = this.waiting[index];
      if (this.options.canJoin && !this.options.canJoin(inputs, entry.input)) {
        index++;
        continue;
      }
      batch.push(entry);
      inputs.push(entry.input);
      this.waiting.splice(index, 1);
    }
    return batch;
  }

  private async run(batch: Waiting<Input, Output>[]): Promise<void> {
    let outcomes: BatchOutcome<Output>[];
    try {
      outcomes = await this.handle(batch.map((entry) => entry.input));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
      return;
    }
    batch.forEach((entry, index) => {
      const outcome = outcomes[index];
      if ('value' in outcome) entry.resolve(outcome.value);
      else entry.reject(outcome.error);
    });
  }
}
