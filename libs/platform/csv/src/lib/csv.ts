/** A CSV upload that cannot be read as a table at all (as opposed to a bad row). */
export class CsvFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvFormatError';
  }
}

export interface CsvTable {
  /** Header names as written (trimmed), in order. */
  headers: string[];
  /** One record per data row: header name (lower-case) → cell text; `line` is the row's line number. */
  rows: { line: number; cells: Record<string, string> }[];
}

/**
 * RFC 4180 CSV with a header row: quoted fields, doubled quotes, CRLF or LF, a BOM, and blank lines
 * skipped. Header names match case-insensitively; unknown ones are the caller's to refuse.
 */
export function parseCsv(text: string, options: { maxRows: number }): CsvTable {
  const records = splitRecords(text, options.maxRows, { header: true });
  const header = records.shift();
  if (!header) throw new CsvFormatError('the file is empty: the first line must name the columns');
  const headers = header.fields.map((field) => field.trim());
  const keys = headers.map((name) => name.toLowerCase());
  const duplicate = keys.find((key, index) => keys.indexOf(key) !== index);
  if (duplicate) throw new CsvFormatError(`the column "${duplicate}" appears twice`);
  return {
    headers,
    rows: records.map((record) => {
      if (record.fields.length > keys.length) throw new CsvFormatError(`line ${record.line} has ${record.fields.length} fields, the header ${keys.length}`);
      return { line: record.line, cells: Object.fromEntries(keys.map((key, index) => [key, (record.fields[index] ?? '').trim()])) };
    }),
  };
}

/**
 * The first field of every non-blank record, as RFC 4180 reads it (quotes, CRLF, a BOM): for lists
 * of one thing per line, with or without a header and whatever columns follow.
 */
export function firstColumn(text: string, options: { maxRows: number }): { line: number; value: string }[] {
  return splitRecords(text, options.maxRows, { header: false }).map((record) => ({ line: record.line, value: record.fields[0].trim() }));
}

/**
 * The records of the text that hold something: blank lines, and the rows of empty cells
 * spreadsheets export below their data, are skipped. Refused: text that was not UTF-8 (decoded, its
 * bytes became U+FFFD: Excel's plain "CSV" is Windows-1252, and `Müller` would be stored as
 * `M�ller`), and more than `maxRows` rows (after the header), counted as they are split, so that a huge body
 * never becomes millions of records in memory.
 */
function splitRecords(bomOrText: string, maxRows: number, { header }: { header: boolean }): { line: number; fields: string[] }[] {
  const text = bomOrText.replace(/^\uFEFF/, '');
  const replaced = text.indexOf('\uFFFD');
  if (replaced !== -1) {
    throw new CsvFormatError(
      `line ${text.slice(0, replaced).split('\n').length} is not UTF-8 text: save the file as "CSV UTF-8 (Comma delimited)" (in Excel: File, Save As), or send its character set (text/csv; charset=windows-1252)`,
    );
  }
  const records: { line: number; fields: string[] }[] = [];
  const maxRecords = maxRows + (header ? 1 : 0);
  const keep = (record: { line: number; fields: string[] }) => {
    if (!record.fields.some((field) => field.trim() !== '')) return;
    records.push(record);
    if (records.length > maxRecords) throw new CsvFormatError(`the file has more than ${maxRows} rows; at most ${maxRows} are accepted per upload`);
  };
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if (quoted) {
      if (character === '"') {
        if (text[index + 1] === '"') {
          field += '"';
          index++;
        } else quoted = false;
      } else {
        if (character === '\n') line++;
        field += character;
      }
      continue;
    }
    if (character === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (character === ',') {
      fields.push(field);
      field = '';
    } else if (character === '\n' || character === '\r') {
      if (character === '\r' && text[index + 1] === '\n') index++;
      fields.push(field);
      keep({ line: recordLine, fields });
      fields = [];
      field = '';
      line++;
      recordLine = line;
    } else field += character;
  }
  if (quoted) throw new CsvFormatError(`a quoted field that starts on line ${recordLine} is never closed`);
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    keep({ line: recordLine, fields });
  }
  return records;
}
