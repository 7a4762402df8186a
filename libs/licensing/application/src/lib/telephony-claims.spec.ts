import { firstUnclaimed, FREE_PAGE } from './telephony.service';

/** A company's free values as the database lists them (lowest first, from a value on), counting what it reads. */
function freeValues(count: number) {
  const free = Array.from({ length: count }, (_, index) => String(1000 + index));
  const reads = { values: 0, pages: 0 };
  const page = async (from: string | undefined) => {
    const values = free.filter((value) => from === undefined || value >= from).slice(0, FREE_PAGE);
    reads.values += values.length;
    reads.pages += 1;
    return values;
  };
  return { page, reads };
}

describe('the next free value for a CSV row that says "auto"', () => {
  it('skips what earlier rows claimed and what later rows name, and moves on from there', async () => {
    const { page } = freeValues(300);
    // More claimed than a page holds: the look goes on to the next page.
    const claimed = new Map(Array.from({ length: 150 }, (_, index) => [String(1000 + index), 'someone'] as const));
    const named = new Set(['1150', '1151']);
    const cursor: { from?: string } = {};
    const pick = await firstUnclaimed(page, claimed, named, cursor.from, (value) => (cursor.from = value));
    expect(pick).toBe('1152');
    expect(cursor.from).toBe('1152');
  });

  it('reads a page or two of free values per row, however long the file', async () => {
    const rows = 1_000;
    const { page, reads } = freeValues(rows + 50);
    const claimed = new Map<string, string>();
    const named = new Set(Array.from({ length: 50 }, (_, index) => String(1000 + index * 20)));
    const cursor: { from?: string } = {};
    const picks = new Set<string>();
    let mostReadByARow = 0;
    for (let row = 0; row < rows; row++) {
      const before = reads.values;
      const pick = await firstUnclaimed(page, claimed, named, cursor.from, (value) => (cursor.from = value));
      mostReadByARow = Math.max(mostReadByARow, reads.values - before);
      expect(pick).toBeDefined();
      expect(named.has(pick!)).toBe(false);
      claimed.set(pick!, `user${row}`);
      picks.add(pick!);
    }
    expect(picks.size).toBe(rows);
    // A row reads from the value the row before it picked: a page or two, however long the file (reading from the start, the last rows would read 1,000).
    expect(mostReadByARow).toBeLessThanOrEqual(2 * FREE_PAGE);
    expect(reads.pages).toBeLessThan(rows * 1.1);
  });

  it('finds none when every free value is claimed or named', async () => {
    const { page } = freeValues(250);
    const claimed = new Map(Array.from({ length: 248 }, (_, index) => [String(1000 + index), 'someone'] as const));
    expect(await firstUnclaimed(page, claimed, new Set(['1248', '1249']), undefined, () => undefined)).toBeUndefined();
  });
});
