import { CsvFormatError, parseCsv } from './csv';

describe('parseCsv', () => {
  it('reads quoted fields, doubled quotes, CRLF, a BOM and skips blank lines', () => {
    const table = parseCsv('\uFEFFUserName,Title\r\n"a@x.com","Head of ""Sales"", EMEA"\r\n\r\nb@x.com,"multi\nline"\n', { maxRows: 10 });
    expect(table.headers).toEqual(['UserName', 'Title']);
    expect(table.rows).toEqual([
      { line: 2, cells: { username: 'a@x.com', title: 'Head of "Sales", EMEA' } },
      { line: 4, cells: { username: 'b@x.com', title: 'multi\nline' } },
    ]);
  });

  it('pads short rows and refuses long ones, duplicates, unclosed quotes and too many rows', () => {
    expect(parseCsv('a,b\n1', { maxRows: 5 }).rows[0].cells).toEqual({ a: '1', b: '' });
    expect(() => parseCsv('a,b\n1,2,3', { maxRows: 5 })).toThrow(CsvFormatError);
    expect(() => parseCsv('a,A\n1,2', { maxRows: 5 })).toThrow('appears twice');
    expect(() => parseCsv('a\n"open', { maxRows: 5 })).toThrow('never closed');
    expect(() => parseCsv('a\n1\n2\n3', { maxRows: 2 })).toThrow('at most 2');
    expect(() => parseCsv('', { maxRows: 2 })).toThrow('empty');
  });
});
