import { Batcher } from './batcher';

/** A handler whose batches finish only when the test says so. */
function gatedHandler() {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  const handle = async (inputs: number[]) => {
    batches.push(inputs);
    await new Promise<void>((resolve) => gates.push(resolve));
    return inputs.map((input) => (input < 0 ? { error: new Error(`negative ${input}`) } : { value: input * 10 }));
  };
  const release = async () => {
    gates.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { batches, handle, release };
}

describe('Batcher', () => {
  it('handles a lone input at once, and the inputs that arrive meanwhile together in the next batch', async () => {
    const { batches, handle, release } = gatedHandler();
    const batcher = new Batcher(handle, { maxRunning: 1 });
    const first = batcher.submit(1);
    expect(batches).toEqual([[1]]);
    const later = [2, 3, 4].map((input) => batcher.submit(input));
    expect(batches).toEqual([[1]]);
    await release();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    await release();
    expect(await first).toBe(10);
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
  });

  it('gives each input its own outcome, and every input of a batch the error of a failed batch', async () => {
    const { handle, release } = gatedHandler();
    const batcher = new Batcher(handle, { maxRunning: 1 });
    const outcomes = Promise.allSettled([batcher.submit(1), batcher.submit(2), batcher.submit(-3)]);
    await release();
    await release();
    expect(await outcomes).toEqual([
      { status: 'fulfilled', value: 10 },
      { status: 'fulfilled', value: 20 },
      { status: 'rejected', reason: new Error('negative -3') },
    ]);

    const failing = new Batcher<number, number>(async () => {
      throw new Error('database unavailable');
    });
    await expect(Promise.all([failing.submit(1), failing.submit(2)])).rejects.toThrow('database unavailable');
  });

  it('keeps inputs that may not join a batch, and the overflow past maxBatch, for later batches in arrival order', async () => {
    const { batches, handle, release } = gatedHandler();
    const batcher = new Batcher(handle, { maxRunning: 1, maxBatch: 3, canJoin: (batch, input) => !batch.some((other) => other % 10 === input % 10) });
    const all = [batcher.submit(100), ...[1, 11, 2, 3, 4, 21].map((input) => batcher.submit(input))];
    await release();
    expect(batches[1]).toEqual([1, 2, 3]);
    await release();
    expect(batches[2]).toEqual([11, 4]);
    await release();
    expect(batches[3]).toEqual([21]);
    await release();
    expect(await Promise.all(all)).toEqual([1000, 10, 110, 20, 30, 40, 210]);
  });

  it('runs up to maxRunning batches at once', async () => {
    const { batches, handle, release } = gatedHandler();
    const batcher = new Batcher(handle, { maxRunning: 2 });
    const all = [1, 2, 3, 4].map((input) => batcher.submit(input));
    expect(batches).toEqual([[1], [2]]);
    await release();
    expect(batches).toEqual([[1], [2], [3, 4]]);
    await release();
    await release();
    expect(await Promise.all(all)).toEqual([10, 20, 30, 40]);
  });
});
