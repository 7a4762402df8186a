import { CsvFormatError, firstColumn, parseCsv } from './csv';

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

  it('refuses a file that was not UTF-8, naming the line, so that no name is stored with its letters replaced', () => {
    // What Node and browsers make of `Müller` saved by Excel as plain "CSV" (Windows-1252) and read as UTF-8.
    const decoded = Buffer.from('userName,familyName\na@x.com,Smith\nb@x.com,M\xfcller\n', 'latin1').toString('utf8');
    expect(() => parseCsv(decoded, { maxRows: 5 })).toThrow('line 3 is not UTF-8 text: save the file as "CSV UTF-8');
    expect(() => firstColumn(decoded, { maxRows: 5 })).toThrow(CsvFormatError);
    expect(parseCsv('userName,familyName\nb@x.com,Müller\n', { maxRows: 5 }).rows[0].cells.familyname).toBe('Müller');
  });

  it('skips the rows of empty cells spreadsheets export below their data, and stops splitting a huge file at the limit', () => {
    const excel = `userName,title\na@x.com,Lead\n${',\n'.repeat(25_000)}`;
    expect(parseCsv(excel, { maxRows: 10 }).rows).toEqual([{ line: 2, cells: { username: 'a@x.com', title: 'Lead' } }]);
    expect(parseCsv(`a\n${'\n'.repeat(4_000_000)}`, { maxRows: 10 }).rows).toEqual([]);
    expect(() => parseCsv(`a\n${'x\n'.repeat(2_000_000)}`, { maxRows: 10 })).toThrow('more than 10 rows');
    expect(() => firstColumn(`${'+15550100\n'.repeat(2_000_000)}`, { maxRows: 10 })).toThrow('more than 10 rows');
  });
});
